//! The canonical binary codec: big-endian integers, length-prefixed byte strings, and explicit
//! size limits on every variable-length field.
//!
//! The same bytes are used on the wire and as the pre-image of commitments, so an encoding must
//! be unique: decoders reject trailing bytes, out-of-range lengths and non-canonical values.

use thiserror::Error;

/// Size limits for decoders. A length prefix above its limit is rejected before any allocation.
pub mod limits {
    /// Largest block payload, in bytes (8 MiB).
    pub const MAX_PAYLOAD_BYTES: usize = 8 * 1024 * 1024;
    /// Largest single transaction payload, in bytes (1 MiB).
    pub const MAX_TRANSACTION_BYTES: usize = 1024 * 1024;
    /// Most namespaces in one block's namespace table.
    pub const MAX_NAMESPACES: usize = 1024;
    /// Most nodes in a stake table (and bits in a signer bitmap).
    pub const MAX_NODES: usize = 4096;
    /// Largest encoded consensus message, in bytes (payload plus 64 KiB of headers and
    /// certificates).
    pub const MAX_MESSAGE_BYTES: usize = MAX_PAYLOAD_BYTES + 64 * 1024;
}

/// Why a byte string could not be decoded.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The input ended before the value was complete.
    #[error("truncated input: needed {needed} more bytes at offset {offset}")]
    Truncated {
        /// Byte offset where the read started.
        offset: usize,
        /// Bytes that were missing.
        needed: usize,
    },
    /// A length prefix exceeded its limit.
    #[error("{what} length {len} exceeds the limit of {max}")]
    TooLong {
        /// The field being decoded.
        what: &'static str,
        /// The length found.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Bytes were left over after a complete value.
    #[error("{0} trailing bytes after a complete value")]
    TrailingBytes(usize),
    /// An enum tag had no meaning.
    #[error("unknown {what} tag {tag}")]
    UnknownTag {
        /// The enum being decoded.
        what: &'static str,
        /// The tag found.
        tag: u8,
    },
    /// A field was syntactically valid but semantically impossible.
    #[error("invalid {what}: {reason}")]
    Invalid {
        /// The field being decoded.
        what: &'static str,
        /// Why it is invalid.
        reason: String,
    },
}

/// A value with a canonical byte encoding.
pub trait Encode {
    /// Appends the canonical encoding of `self` to `out`.
    fn encode_to(&self, out: &mut Vec<u8>);

    /// The canonical encoding of `self` as a new vector.
    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_to(&mut out);
        out
    }
}

/// A value that can be read back from its canonical encoding.
pub trait Decode: Sized {
    /// Reads one value from `r`, leaving `r` positioned after it.
    ///
    /// # Errors
    /// Any [`DecodeError`] for truncated, oversized or invalid input.
    fn decode_from(r: &mut Reader<'_>) -> Result<Self, DecodeError>;

    /// Decodes exactly one value from `bytes`.
    ///
    /// # Errors
    /// [`DecodeError::TrailingBytes`] if bytes remain, or any error from [`Decode::decode_from`].
    fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let value = Self::decode_from(&mut r)?;
        r.finish()?;
        Ok(value)
    }
}

/// A cursor over an input byte slice that never reads past its end.
#[derive(Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `buf`.
    #[must_use]
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    /// Bytes not yet read.
    #[must_use]
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Fails with [`DecodeError::TrailingBytes`] unless every byte was read.
    ///
    /// # Errors
    /// [`DecodeError::TrailingBytes`].
    pub fn finish(&self) -> Result<(), DecodeError> {
        match self.remaining() {
            0 => Ok(()),
            n => Err(DecodeError::TrailingBytes(n)),
        }
    }

    /// Reads exactly `n` bytes.
    ///
    /// # Errors
    /// [`DecodeError::Truncated`].
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.remaining() < n {
            return Err(DecodeError::Truncated {
                offset: self.pos,
                needed: n - self.remaining(),
            });
        }
        let out = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    /// Reads a fixed-size array.
    ///
    /// # Errors
    /// [`DecodeError::Truncated`].
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.bytes(N)?);
        Ok(out)
    }

    /// Reads one byte.
    ///
    /// # Errors
    /// [`DecodeError::Truncated`].
    pub fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.array::<1>()?[0])
    }

    /// Reads a big-endian `u32`.
    ///
    /// # Errors
    /// [`DecodeError::Truncated`].
    pub fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    /// Reads a big-endian `u64`.
    ///
    /// # Errors
    /// [`DecodeError::Truncated`].
    pub fn u64(&mut self) -> Result<u64, DecodeError> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    /// Reads a `u32` length prefix and checks it against `max` before reading anything else.
    ///
    /// # Errors
    /// [`DecodeError::TooLong`] or [`DecodeError::Truncated`].
    pub fn len_prefix(&mut self, what: &'static str, max: usize) -> Result<usize, DecodeError> {
        let len = self.u32()? as usize;
        if len > max {
            return Err(DecodeError::TooLong { what, len, max });
        }
        Ok(len)
    }

    /// Reads a `u32`-length-prefixed byte string of at most `max` bytes.
    ///
    /// # Errors
    /// [`DecodeError::TooLong`] or [`DecodeError::Truncated`].
    pub fn var_bytes(&mut self, what: &'static str, max: usize) -> Result<Vec<u8>, DecodeError> {
        let len = self.len_prefix(what, max)?;
        Ok(self.bytes(len)?.to_vec())
    }

    /// Reads a presence byte (0 or 1) followed by the value when present.
    ///
    /// # Errors
    /// [`DecodeError::UnknownTag`] for a presence byte other than 0 or 1.
    pub fn option<T: Decode>(&mut self, what: &'static str) -> Result<Option<T>, DecodeError> {
        match self.u8()? {
            0 => Ok(None),
            1 => Ok(Some(T::decode_from(self)?)),
            tag => Err(DecodeError::UnknownTag { what, tag }),
        }
    }
}

/// Appends a `u32` length prefix and the bytes.
///
/// The caller guarantees `bytes.len() <= u32::MAX`; every field that uses this has a far smaller
/// limit in [`limits`].
pub fn put_var_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    put_len(out, bytes.len());
    out.extend_from_slice(bytes);
}

/// Appends a `u32` length prefix. Lengths above `u32::MAX` are clamped, which the decoder then
/// rejects as [`DecodeError::Truncated`]; no field allowed by [`limits`] comes close.
pub fn put_len(out: &mut Vec<u8>, len: usize) {
    out.extend_from_slice(&u32::try_from(len).unwrap_or(u32::MAX).to_be_bytes());
}

/// Appends a presence byte and the value when present.
pub fn put_option<T: Encode>(out: &mut Vec<u8>, value: Option<&T>) {
    match value {
        None => out.push(0),
        Some(v) => {
            out.push(1);
            v.encode_to(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_refuses_to_read_past_the_end() {
        let mut r = Reader::new(&[1, 2, 3]);
        assert_eq!(
            r.u32(),
            Err(DecodeError::Truncated {
                offset: 0,
                needed: 1
            })
        );
        assert_eq!(r.bytes(3).map(<[u8]>::to_vec), Ok(vec![1, 2, 3]));
        assert_eq!(
            r.u8(),
            Err(DecodeError::Truncated {
                offset: 3,
                needed: 1
            })
        );
    }

    #[test]
    fn length_prefix_above_limit_is_rejected_before_reading() {
        let mut bytes = 1000u32.to_be_bytes().to_vec();
        bytes.extend_from_slice(&[0; 10]);
        let err = Reader::new(&bytes).var_bytes("payload", 100);
        assert_eq!(
            err,
            Err(DecodeError::TooLong {
                what: "payload",
                len: 1000,
                max: 100
            })
        );
    }

    #[test]
    fn var_bytes_round_trip_and_trailing_bytes_detected() {
        let mut out = Vec::new();
        put_var_bytes(&mut out, b"hello");
        let mut r = Reader::new(&out);
        assert_eq!(r.var_bytes("x", 10).as_deref(), Ok(&b"hello"[..]));
        assert_eq!(r.finish(), Ok(()));
        out.push(7);
        let mut r = Reader::new(&out);
        r.var_bytes("x", 10).ok();
        assert_eq!(r.finish(), Err(DecodeError::TrailingBytes(1)));
    }

    #[test]
    fn option_rejects_unknown_presence_byte() {
        struct One;
        impl Decode for One {
            fn decode_from(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                r.u8().map(|_| One)
            }
        }
        assert!(matches!(Reader::new(&[0]).option::<One>("x"), Ok(None)));
        assert!(matches!(
            Reader::new(&[1, 9]).option::<One>("x"),
            Ok(Some(One))
        ));
        assert_eq!(
            Reader::new(&[2]).option::<One>("x").err(),
            Some(DecodeError::UnknownTag { what: "x", tag: 2 })
        );
    }
}
