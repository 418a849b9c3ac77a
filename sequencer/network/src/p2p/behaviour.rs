//! The composed libp2p behaviour (gossipsub + request-response + identify) and the
//! length-prefixed byte codec used for direct messages.

use crate::MAX_MESSAGE_BYTES;
use async_trait::async_trait;
use libp2p::futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use libp2p::swarm::NetworkBehaviour;
use libp2p::{gossipsub, identify, identity, request_response, StreamProtocol};
use std::io;
use std::time::Duration;

/// Protocol name of direct messages (request-response).
pub(crate) const DIRECT_PROTOCOL: StreamProtocol = StreamProtocol::new("/sq/direct/1");
/// Protocol version announced by identify; peers with another version are still accepted.
const IDENTIFY_PROTOCOL: &str = "/sq/id/1";
/// How long a direct request may take, including the 1-byte acknowledgement.
const DIRECT_TIMEOUT: Duration = Duration::from_secs(30);
/// Bytes of gossipsub framing allowed on top of a payload (protobuf, key, signature, topic).
const GOSSIP_OVERHEAD: usize = 4096;
/// The acknowledgement byte a receiver returns for a direct message.
const ACK: u8 = 1;

/// gossipsub + request-response + identify, polled together by one swarm.
#[derive(NetworkBehaviour)]
pub(crate) struct Behaviour {
    pub(crate) gossipsub: gossipsub::Behaviour,
    pub(crate) direct: request_response::Behaviour<BytesCodec>,
    pub(crate) identify: identify::Behaviour,
}

impl Behaviour {
    /// Builds the behaviour for the local `key`.
    ///
    /// # Errors
    /// A description of the invalid gossipsub configuration.
    pub(crate) fn new(key: &identity::Keypair) -> Result<Self, String> {
        let gossipsub = gossipsub::Behaviour::new(
            gossipsub::MessageAuthenticity::Signed(key.clone()),
            gossipsub_config()?,
        )
        .map_err(str::to_owned)?;
        let direct = request_response::Behaviour::with_codec(
            BytesCodec,
            [(DIRECT_PROTOCOL, request_response::ProtocolSupport::Full)],
            request_response::Config::default().with_request_timeout(DIRECT_TIMEOUT),
        );
        let identify = identify::Behaviour::new(identify::Config::new(
            IDENTIFY_PROTOCOL.to_owned(),
            key.public(),
        ));
        Ok(Behaviour {
            gossipsub,
            direct,
            identify,
        })
    }
}

/// Gossipsub tuned for clusters of 4–10 nodes: a small mesh, a fast heartbeat, every publish
/// flooded to all subscribed peers (so a broadcast does not wait for a mesh), strict signature
/// validation (the message author is authenticated), and room for the largest message.
fn gossipsub_config() -> Result<gossipsub::Config, String> {
    gossipsub::ConfigBuilder::default()
        .heartbeat_interval(Duration::from_millis(300))
        .mesh_n_low(2)
        .mesh_n(4)
        .mesh_n_high(8)
        .mesh_outbound_min(1)
        .gossip_lazy(3)
        .flood_publish(true)
        .validation_mode(gossipsub::ValidationMode::Strict)
        .max_transmit_size(MAX_MESSAGE_BYTES + GOSSIP_OVERHEAD)
        .build()
        .map_err(|e| format!("gossipsub config: {e}"))
}

/// Direct-message codec: a request is `len: u32 BE ‖ bytes` with `len ≤ MAX_MESSAGE_BYTES`; the
/// response is a single acknowledgement byte. A larger length prefix is refused before any
/// allocation.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct BytesCodec;

#[async_trait]
impl request_response::Codec for BytesCodec {
    type Protocol = StreamProtocol;
    type Request = Vec<u8>;
    type Response = ();

    async fn read_request<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<Vec<u8>>
    where
        T: AsyncRead + Unpin + Send,
    {
        let mut len = [0u8; 4];
        io.read_exact(&mut len).await?;
        let len = u32::from_be_bytes(len) as usize;
        if len > MAX_MESSAGE_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("direct message of {len} bytes exceeds {MAX_MESSAGE_BYTES}"),
            ));
        }
        let mut buf = vec![0u8; len];
        io.read_exact(&mut buf).await?;
        Ok(buf)
    }

    async fn read_response<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<()>
    where
        T: AsyncRead + Unpin + Send,
    {
        let mut ack = [0u8; 1];
        io.read_exact(&mut ack).await?;
        if ack[0] == ACK {
            Ok(())
        } else {
            Err(io::Error::new(io::ErrorKind::InvalidData, "bad ack byte"))
        }
    }

    async fn write_request<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        req: Vec<u8>,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        let len = u32::try_from(req.len())
            .ok()
            .filter(|&l| l as usize <= MAX_MESSAGE_BYTES)
            .ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidInput, "direct message too large")
            })?;
        io.write_all(&len.to_be_bytes()).await?;
        io.write_all(&req).await?;
        io.flush().await
    }

    async fn write_response<T>(&mut self, _: &StreamProtocol, io: &mut T, _: ()) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        io.write_all(&[ACK]).await?;
        io.flush().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use libp2p::futures::executor::block_on;
    use libp2p::futures::io::Cursor;
    use request_response::Codec;

    #[test]
    fn codec_round_trips_and_refuses_oversized_prefix() {
        let mut codec = BytesCodec;
        let mut wire = Cursor::new(Vec::new());
        block_on(codec.write_request(&DIRECT_PROTOCOL, &mut wire, b"hello".to_vec()))
            .expect("write");
        let mut rd = Cursor::new(wire.into_inner());
        let got = block_on(codec.read_request(&DIRECT_PROTOCOL, &mut rd)).expect("read");
        assert_eq!(got, b"hello");

        let mut bad = ((MAX_MESSAGE_BYTES + 1) as u32).to_be_bytes().to_vec();
        bad.extend_from_slice(&[0; 16]);
        let err = block_on(codec.read_request(&DIRECT_PROTOCOL, &mut Cursor::new(bad)))
            .expect_err("oversized");
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);

        let mut w = Cursor::new(Vec::new());
        let too_big = vec![0u8; MAX_MESSAGE_BYTES + 1];
        assert!(block_on(codec.write_request(&DIRECT_PROTOCOL, &mut w, too_big)).is_err());
    }

    #[test]
    fn gossipsub_config_is_valid() {
        let cfg = gossipsub_config().expect("valid");
        assert!(cfg.max_transmit_size() >= MAX_MESSAGE_BYTES);
        assert!(cfg.flood_publish());
    }
}
