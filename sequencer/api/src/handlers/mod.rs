//! The route handlers, one file per group of routes.

pub(crate) mod availability;
pub(crate) mod namespace;
pub(crate) mod status;
pub(crate) mod stream;
pub(crate) mod submit;
