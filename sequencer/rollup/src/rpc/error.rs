//! JSON-RPC errors: the codes of JSON-RPC 2.0 and EIP-1474 as geth uses them, and the
//! conversion into jsonrpsee's error object.

use jsonrpsee::types::ErrorObjectOwned;

use crate::service::SubmitError;

/// -32700: the body is not JSON.
pub const PARSE_ERROR: i32 = -32700;
/// -32600: not a JSON-RPC request (or a batch of a size we refuse).
pub const INVALID_REQUEST: i32 = -32600;
/// -32601: no such method.
pub const METHOD_NOT_FOUND: i32 = -32601;
/// -32602: wrong number or types of parameters.
pub const INVALID_PARAMS: i32 = -32602;
/// -32603: the database failed or the sequencer is down.
pub const INTERNAL_ERROR: i32 = -32603;
/// -32000: a transaction or query refused by a rule of this rollup (nonce, funds, fee,
/// historical state, calldata …).
pub const SERVER_ERROR: i32 = -32000;

/// A JSON-RPC error: code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcError {
    /// The code (see the constants of this module).
    pub code: i32,
    /// A message a wallet user understands.
    pub message: String,
}

impl RpcError {
    /// An error with `code` and `message`.
    pub fn new(code: i32, message: impl Into<String>) -> RpcError {
        RpcError {
            code,
            message: message.into(),
        }
    }

    /// -32602 with `message`.
    pub fn params(message: impl Into<String>) -> RpcError {
        RpcError::new(INVALID_PARAMS, message)
    }

    /// -32000 with `message`.
    pub fn refused(message: impl Into<String>) -> RpcError {
        RpcError::new(SERVER_ERROR, message)
    }

    /// -32603 for a failure of ours (database, encoding).
    pub fn internal(e: impl std::fmt::Display) -> RpcError {
        RpcError::new(INTERNAL_ERROR, format!("internal error: {e}"))
    }
}

impl From<SubmitError> for RpcError {
    fn from(e: SubmitError) -> RpcError {
        match e {
            SubmitError::Node(n) => RpcError::new(INTERNAL_ERROR, n.to_string()),
            other => RpcError::refused(other.to_string()),
        }
    }
}

impl From<crate::store::StoreError> for RpcError {
    fn from(e: crate::store::StoreError) -> RpcError {
        RpcError::internal(e)
    }
}

impl From<RpcError> for ErrorObjectOwned {
    fn from(e: RpcError) -> ErrorObjectOwned {
        ErrorObjectOwned::owned(e.code, e.message, None::<()>)
    }
}
