//! Durable consensus state in `--data-dir`: the safety state and the proposals this node voted
//! for, written with fsync before the machine is told they are durable (DESIGN.md: safety state
//! is fsynced before the vote that depends on it).
//!
//! Layout:
//! * `safety.bin`: the encoded [`SafetyState`], replaced atomically (write temp, fsync, rename,
//!   fsync the directory);
//! * `proposals/<height>-<leaf hex>.bin`: `leaf ‖ payload_len u32 ‖ payload ‖ VidCommon (80) ‖
//!   VidShare` (this node's VID share, `sq-da` encodings), removed once their height is decided.
//!
//! Decided blocks go to the database (`sq-storage`); this store holds only what a vote depends
//! on, with one fsync per record.

use sq_consensus::{PersistRecord, Restored, SafetyState};
use sq_da::{VidCommon, VidShare};
use sq_types::codec::{limits, put_var_bytes, Decode, DecodeError, Encode, Reader};
use sq_types::Leaf;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// A proposal this node holds: the leaf, its payload, and this node's VID share with the common
/// data that verifies it. Read back at start-up for the undecided ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldProposal {
    /// The leaf.
    pub leaf: Leaf,
    /// Its payload bytes.
    pub payload: Vec<u8>,
    /// The VID common data.
    pub common: VidCommon,
    /// This node's VID share.
    pub share: VidShare,
}

/// Why the store failed.
#[derive(Debug, Error)]
pub enum StoreError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A file is truncated or corrupt.
    #[error("{path}: corrupt: {source}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What the decoder found.
        source: DecodeError,
    },
}

/// The durable store of one node.
#[derive(Debug, Clone)]
pub struct SafetyStore {
    dir: PathBuf,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes `bytes` to `path` atomically and durably.
fn write_durable(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let tmp = path.with_extension("tmp");
    let mut f = File::create(&tmp).map_err(io(&tmp))?;
    f.write_all(bytes).map_err(io(&tmp))?;
    f.sync_all().map_err(io(&tmp))?;
    fs::rename(&tmp, path).map_err(io(path))?;
    if let Some(dir) = path.parent() {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(io(dir))?;
    }
    Ok(())
}

impl SafetyStore {
    /// Opens (creating if needed) the store under `dir`.
    ///
    /// # Errors
    /// [`StoreError::Io`] if the directories cannot be created.
    pub fn open(dir: &Path) -> Result<SafetyStore, StoreError> {
        let proposals = dir.join("proposals");
        fs::create_dir_all(&proposals).map_err(io(&proposals))?;
        Ok(SafetyStore {
            dir: dir.to_path_buf(),
        })
    }

    /// Makes `record` durable. Returns when it is fsynced.
    ///
    /// # Errors
    /// [`StoreError::Io`]; the caller must not acknowledge the record then.
    pub fn persist(&self, record: &PersistRecord) -> Result<(), StoreError> {
        match record {
            PersistRecord::Safety(state) => {
                write_durable(&self.dir.join("safety.bin"), &state.encode())?;
                self.prune(state.decided.header.height.0)
            }
            PersistRecord::Proposal {
                leaf,
                payload,
                common,
                share,
            } => {
                let mut bytes = leaf.encode();
                put_var_bytes(&mut bytes, payload);
                common.encode_to(&mut bytes);
                share.encode_to(&mut bytes);
                let name = format!(
                    "{}-{}.bin",
                    leaf.header.height.0,
                    hex::encode(leaf.commit().0)
                );
                write_durable(&self.dir.join("proposals").join(name), &bytes)
            }
        }
    }

    /// Removes proposal files at or below the decided height (best effort).
    fn prune(&self, decided: u64) -> Result<(), StoreError> {
        let dir = self.dir.join("proposals");
        for entry in fs::read_dir(&dir).map_err(io(&dir))?.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let height = name.split('-').next().and_then(|h| h.parse::<u64>().ok());
            if height.is_some_and(|h| h <= decided) {
                fs::remove_file(entry.path()).ok();
            }
        }
        Ok(())
    }

    /// Reads back what a restarted node resumes from: the safety state (genesis if none was
    /// written) and the undecided proposals with their payloads.
    ///
    /// # Errors
    /// [`StoreError`] for unreadable or corrupt files (a torn write cannot happen: files are
    /// replaced atomically).
    pub fn restore(&self) -> Result<(Restored, Vec<HeldProposal>), StoreError> {
        let path = self.dir.join("safety.bin");
        let safety = match fs::read(&path) {
            Ok(bytes) => SafetyState::decode(&bytes).map_err(|source| StoreError::Corrupt {
                path: path.clone(),
                source,
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => SafetyState::genesis(),
            Err(source) => return Err(StoreError::Io { path, source }),
        };
        let dir = self.dir.join("proposals");
        let mut proposals = Vec::new();
        let mut entries: Vec<_> = fs::read_dir(&dir)
            .map_err(io(&dir))?
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for path in entries
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "bin"))
        {
            let bytes = fs::read(&path).map_err(io(&path))?;
            let mut r = Reader::new(&bytes);
            let parsed = (|| {
                let held = HeldProposal {
                    leaf: Leaf::decode_from(&mut r)?,
                    payload: r.var_bytes("payload", limits::MAX_PAYLOAD_BYTES)?,
                    common: VidCommon::decode_from(&mut r)?,
                    share: VidShare::decode_from(&mut r)?,
                };
                r.finish().map(|()| held)
            })();
            let held = parsed.map_err(|source| StoreError::Corrupt {
                path: path.clone(),
                source,
            })?;
            if held.leaf.header.height > safety.decided.header.height {
                proposals.push(held);
            }
        }
        let leaves = proposals.iter().map(|h| h.leaf.clone()).collect();
        Ok((Restored { safety, leaves }, proposals))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sq_types::{Height, NamespaceId, NsTable, NsTableEntry, View};

    fn ns_table(end: u32) -> NsTable {
        NsTable(vec![NsTableEntry {
            namespace: NamespaceId(1),
            end,
        }])
    }

    #[test]
    fn safety_and_proposals_survive_reopen_and_decided_ones_are_pruned() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SafetyStore::open(dir.path()).expect("open");
        let (fresh, _) = store.restore().expect("restore");
        assert_eq!(fresh.safety, SafetyState::genesis());
        let mut leaf = Leaf::genesis();
        leaf.header.height = Height(3);
        leaf.header.view = View(4);
        let d = sq_consensus::da::disperse(4, b"p", &ns_table(1)).expect("disperse");
        leaf.header.payload_commitment = d.commitment;
        leaf.header.ns_table = ns_table(1);
        let held = HeldProposal {
            leaf: leaf.clone(),
            payload: b"p".to_vec(),
            common: d.common,
            share: d.shares[2].clone(),
        };
        store
            .persist(&PersistRecord::Proposal {
                leaf: held.leaf.clone(),
                payload: held.payload.clone(),
                common: held.common,
                share: held.share.clone(),
            })
            .expect("persist");
        let mut state = SafetyState::genesis();
        state.last_voted_view = View(4);
        store
            .persist(&PersistRecord::Safety(state.clone()))
            .expect("persist");
        let (restored, props) = SafetyStore::open(dir.path())
            .expect("open")
            .restore()
            .expect("restore");
        assert_eq!(restored.safety, state);
        assert_eq!(props, vec![held]);
        let mut decided = state.clone();
        decided.decided = leaf.clone();
        store
            .persist(&PersistRecord::Safety(decided))
            .expect("persist");
        let (_, props) = store.restore().expect("restore");
        assert!(props.is_empty(), "decided proposals are pruned");
    }

    #[test]
    fn a_truncated_safety_file_is_a_clear_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SafetyStore::open(dir.path()).expect("open");
        store
            .persist(&PersistRecord::Safety(SafetyState::genesis()))
            .expect("persist");
        let path = dir.path().join("safety.bin");
        let bytes = fs::read(&path).expect("read");
        fs::write(&path, &bytes[..bytes.len() / 2]).expect("truncate");
        let err = store.restore().expect_err("corrupt");
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
        assert!(err.to_string().contains("safety.bin"));
    }
}
