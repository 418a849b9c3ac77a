//! An in-memory network for tests: every node gets a bounded inbox in one process.

use crate::{Inbound, Network, NetworkError, Recipient, MAX_MESSAGE_BYTES};
use sq_types::NodeIndex;
use std::sync::Arc;
use tokio::sync::mpsc;

/// One node's endpoint of an in-memory network.
pub struct MemoryNetwork {
    me: NodeIndex,
    peers: Arc<Vec<mpsc::Sender<Inbound>>>,
    inbox: mpsc::Receiver<Inbound>,
}

impl MemoryNetwork {
    /// Endpoints for `n` nodes, each inbox holding at most `capacity` messages.
    #[must_use]
    pub fn hub(n: usize, capacity: usize) -> Vec<MemoryNetwork> {
        let (senders, receivers): (Vec<_>, Vec<_>) =
            (0..n).map(|_| mpsc::channel(capacity.max(1))).unzip();
        let peers = Arc::new(senders);
        receivers
            .into_iter()
            .enumerate()
            .map(|(i, inbox)| MemoryNetwork {
                me: NodeIndex(i as u32),
                peers: peers.clone(),
                inbox,
            })
            .collect()
    }

    fn deliver(&self, to: usize, bytes: Vec<u8>) -> Result<(), NetworkError> {
        let peer = self
            .peers
            .get(to)
            .ok_or(NetworkError::UnknownNode(NodeIndex(to as u32)))?;
        peer.try_send(Inbound {
            from: self.me,
            bytes,
        })
        .map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => NetworkError::QueueFull,
            mpsc::error::TrySendError::Closed(_) => NetworkError::Closed,
        })
    }
}

impl Network for MemoryNetwork {
    fn send(&self, to: Recipient, bytes: Vec<u8>) -> Result<(), NetworkError> {
        if bytes.len() > MAX_MESSAGE_BYTES {
            return Err(NetworkError::TooLarge(bytes.len()));
        }
        match to {
            Recipient::Direct(node) => self.deliver(node.as_usize(), bytes),
            Recipient::Broadcast(_) => {
                // A full or closed peer inbox loses only that peer's copy.
                for i in (0..self.peers.len()).filter(|&i| i != self.me.as_usize()) {
                    self.deliver(i, bytes.clone()).ok();
                }
                Ok(())
            }
        }
    }

    async fn recv(&mut self) -> Option<Inbound> {
        self.inbox.recv().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Topic;

    #[tokio::test]
    async fn broadcast_reaches_everyone_else_and_direct_one() {
        let mut nodes = MemoryNetwork::hub(3, 8);
        nodes[0]
            .send(Recipient::Broadcast(Topic::Global), b"hi".to_vec())
            .expect("send");
        nodes[0]
            .send(Recipient::Direct(NodeIndex(2)), b"you".to_vec())
            .expect("send");
        assert_eq!(
            nodes[1].recv().await,
            Some(Inbound {
                from: NodeIndex(0),
                bytes: b"hi".to_vec()
            })
        );
        assert_eq!(nodes[2].recv().await.map(|m| m.bytes), Some(b"hi".to_vec()));
        assert_eq!(
            nodes[2].recv().await.map(|m| m.bytes),
            Some(b"you".to_vec())
        );
        assert!(nodes[0].inbox.try_recv().is_err(), "no self-delivery");
    }

    #[tokio::test]
    async fn full_inbox_and_bad_destinations_are_errors() {
        let nodes = MemoryNetwork::hub(2, 1);
        nodes[0]
            .send(Recipient::Direct(NodeIndex(1)), vec![1])
            .expect("first fits");
        assert_eq!(
            nodes[0].send(Recipient::Direct(NodeIndex(1)), vec![2]),
            Err(NetworkError::QueueFull)
        );
        assert_eq!(
            nodes[0].send(Recipient::Direct(NodeIndex(5)), vec![3]),
            Err(NetworkError::UnknownNode(NodeIndex(5)))
        );
        assert_eq!(
            nodes[0].send(
                Recipient::Direct(NodeIndex(1)),
                vec![0; MAX_MESSAGE_BYTES + 1]
            ),
            Err(NetworkError::TooLarge(MAX_MESSAGE_BYTES + 1))
        );
    }
}
