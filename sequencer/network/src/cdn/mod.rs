//! The CDN transport: the wire protocol shared with `cdn-server` (crate `sq-cdn`) and the
//! client side, [`CdnClient`].
//!
//! * [`frame`]: `u32` big-endian length-prefixed frames with a size limit checked before
//!   allocation;
//! * [`protocol`]: message tags and layouts, the authentication digest, [`NetworkConfig`];
//! * [`client`]: [`CdnClient`], a [`crate::Network`] that reconnects with back-off.
//!
//! Everything but the socket handling in `client` is pure encoding.

pub mod client;
pub mod frame;
pub mod protocol;

pub use client::{CdnClient, CdnError, ClientOptions, ClientStats};
pub use frame::{FrameError, MAX_FRAME_BYTES};
pub use protocol::{auth_digest, ClientMessage, ErrorCode, NetworkConfig, ServerMessage};
