//! Length-prefixed frames: `len: u32 big-endian ‖ body[len]`.
//!
//! A frame body is one encoded [`super::protocol`] message. The length is checked against the
//! reader's limit (at most [`MAX_FRAME_BYTES`]) *before* the body buffer is allocated, so a peer
//! cannot make us reserve memory by announcing a huge frame. A zero-length frame is legal at this
//! layer (the message decoder then rejects it as truncated).

use sq_types::codec::Encode;
use thiserror::Error;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Bytes in the length prefix.
pub const HEADER_BYTES: usize = 4;

/// Largest frame body, in bytes: a [`crate::MAX_MESSAGE_BYTES`] payload plus the message
/// envelope (tag, sender index, topic, length prefix; 64 bytes are ample).
pub const MAX_FRAME_BYTES: usize = crate::MAX_MESSAGE_BYTES + 64;

/// Why a frame could not be read.
#[derive(Debug, Error)]
pub enum FrameError {
    /// The peer closed the connection cleanly, between two frames.
    #[error("connection closed")]
    Closed,
    /// The connection ended inside a frame (in the length prefix or the body).
    #[error("connection closed inside a frame")]
    Truncated,
    /// The length prefix exceeds the limit; nothing was allocated for the body.
    #[error("frame of {len} bytes exceeds the limit of {max}")]
    TooLarge {
        /// The announced body length.
        len: usize,
        /// The reader's limit.
        max: usize,
    },
    /// The body given to [`encode_frame`], [`encode_message`] or [`write_frame`] exceeds
    /// [`MAX_FRAME_BYTES`].
    #[error("outgoing frame of {0} bytes exceeds the limit of {MAX_FRAME_BYTES}")]
    OutgoingTooLarge(usize),
    /// Any other I/O error.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// Checks a length prefix against `max` (pure; used by [`read_frame`]).
///
/// # Errors
/// [`FrameError::TooLarge`] when the announced length exceeds `max`.
pub fn check_len(header: [u8; HEADER_BYTES], max: usize) -> Result<usize, FrameError> {
    let len = u32::from_be_bytes(header) as usize;
    if len > max {
        return Err(FrameError::TooLarge { len, max });
    }
    Ok(len)
}

/// The wire form of one frame: the 4-byte big-endian length, then `body`.
///
/// # Errors
/// [`FrameError::OutgoingTooLarge`] when `body` exceeds [`MAX_FRAME_BYTES`].
pub fn encode_frame(body: &[u8]) -> Result<Vec<u8>, FrameError> {
    if body.len() > MAX_FRAME_BYTES {
        return Err(FrameError::OutgoingTooLarge(body.len()));
    }
    let mut out = Vec::with_capacity(HEADER_BYTES + body.len());
    // MAX_FRAME_BYTES < u32::MAX, so the cast is exact.
    out.extend_from_slice(&(body.len() as u32).to_be_bytes());
    out.extend_from_slice(body);
    Ok(out)
}

/// The wire form of one encoded message, built in place: the length prefix is reserved, the
/// message is encoded after it, and the prefix is patched (one copy of the payload, not two).
///
/// # Errors
/// [`FrameError::OutgoingTooLarge`] when the encoding exceeds [`MAX_FRAME_BYTES`].
pub fn encode_message<M: Encode>(msg: &M) -> Result<Vec<u8>, FrameError> {
    let mut out = vec![0u8; HEADER_BYTES];
    msg.encode_to(&mut out);
    let len = out.len() - HEADER_BYTES;
    if len > MAX_FRAME_BYTES {
        return Err(FrameError::OutgoingTooLarge(len));
    }
    // MAX_FRAME_BYTES < u32::MAX, so the cast is exact.
    out[..HEADER_BYTES].copy_from_slice(&(len as u32).to_be_bytes());
    Ok(out)
}

/// Reads one frame body of at most `max` bytes (callers pass [`MAX_FRAME_BYTES`] or less).
///
/// Not cancel-safe: dropping the future mid-frame loses the stream position, so the connection
/// must be abandoned.
///
/// # Errors
/// [`FrameError::Closed`] on a clean end of stream before the first header byte,
/// [`FrameError::Truncated`] on an end of stream inside a frame, [`FrameError::TooLarge`]
/// before any body allocation, [`FrameError::Io`] otherwise.
pub async fn read_frame<R: AsyncRead + Unpin>(
    reader: &mut R,
    max: usize,
) -> Result<Vec<u8>, FrameError> {
    let mut header = [0u8; HEADER_BYTES];
    let mut got = 0;
    while got < HEADER_BYTES {
        match reader.read(&mut header[got..]).await? {
            0 if got == 0 => return Err(FrameError::Closed),
            0 => return Err(FrameError::Truncated),
            n => got += n,
        }
    }
    let len = check_len(header, max)?;
    let mut body = vec![0u8; len];
    reader.read_exact(&mut body).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            FrameError::Truncated
        } else {
            FrameError::Io(e)
        }
    })?;
    Ok(body)
}

/// Writes one frame (header and body) and flushes.
///
/// # Errors
/// [`FrameError::OutgoingTooLarge`] or [`FrameError::Io`].
pub async fn write_frame<W: AsyncWrite + Unpin>(
    writer: &mut W,
    body: &[u8],
) -> Result<(), FrameError> {
    writer.write_all(&encode_frame(body)?).await?;
    writer.flush().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn frames_round_trip_back_to_back() {
        let mut wire = encode_frame(b"hello").expect("small");
        wire.extend(encode_frame(b"").expect("empty"));
        wire.extend(encode_frame(&[7; 1000]).expect("1000"));
        let mut r = &wire[..];
        assert_eq!(read_frame(&mut r, 1000).await.expect("1"), b"hello");
        assert_eq!(read_frame(&mut r, 1000).await.expect("2"), b"");
        assert_eq!(read_frame(&mut r, 1000).await.expect("3"), vec![7; 1000]);
        assert!(matches!(
            read_frame(&mut r, 1000).await,
            Err(FrameError::Closed)
        ));
    }

    #[tokio::test]
    async fn truncated_header_and_body_are_errors() {
        let wire = encode_frame(b"hello").expect("small");
        for cut in 1..wire.len() {
            let mut r = &wire[..cut];
            assert!(
                matches!(read_frame(&mut r, 100).await, Err(FrameError::Truncated)),
                "cut at {cut}"
            );
        }
    }

    #[tokio::test]
    async fn oversized_length_is_refused_before_allocation() {
        // Announces 4 GiB - 1 and carries nothing: a reader that allocated first would abort.
        let wire = u32::MAX.to_be_bytes();
        let mut r = &wire[..];
        match read_frame(&mut r, MAX_FRAME_BYTES).await {
            Err(FrameError::TooLarge { len, max }) => {
                assert_eq!(len, u32::MAX as usize);
                assert_eq!(max, MAX_FRAME_BYTES);
            }
            other => panic!("expected TooLarge, got {other:?}"),
        }
        // The reader's own limit applies, not just the global one.
        let wire = encode_frame(&[0; 11]).expect("small");
        let mut r = &wire[..];
        assert!(matches!(
            read_frame(&mut r, 10).await,
            Err(FrameError::TooLarge { len: 11, max: 10 })
        ));
        assert!(matches!(
            encode_frame(&vec![0; MAX_FRAME_BYTES + 1]),
            Err(FrameError::OutgoingTooLarge(_))
        ));
    }

    #[tokio::test]
    async fn encode_message_matches_encode_frame() {
        let msg = crate::cdn::ClientMessage::Direct {
            to: sq_types::NodeIndex(3),
            bytes: b"abc".to_vec(),
        };
        let framed = encode_message(&msg).expect("small");
        assert_eq!(framed, encode_frame(&msg.encode()).expect("small"));
    }

    #[tokio::test]
    async fn write_then_read() {
        let mut buf = Vec::new();
        write_frame(&mut buf, b"abc").await.expect("write");
        assert_eq!(buf, [0, 0, 0, 3, b'a', b'b', b'c']);
        let mut r = &buf[..];
        assert_eq!(read_frame(&mut r, 3).await.expect("read"), b"abc");
    }
}
