//! `protocol_versions`: the protocol versions this database serves, each with the hash of its
//! verification key. Workers pick only jobs of their own version, so a version is registered
//! once (idempotently) before its jobs are served; a conflicting hash is refused, never
//! overwritten.

use sq_db::on_pool;

use super::ProverDal;
use crate::rows::{self, now_ms};
use crate::DalError;

impl ProverDal {
    /// Registers protocol `version` (`0.MINOR.PATCH`) with the hash of its verification key.
    /// Idempotent for the same hash.
    ///
    /// # Errors
    /// [`DalError::InvalidProtocolVersion`] for a malformed version;
    /// [`DalError::VersionConflict`] if it is stored with another hash;
    /// [`DalError::Database`].
    pub async fn insert_protocol_version(
        &self,
        version: &str,
        vk_hash: [u8; 32],
    ) -> Result<(), DalError> {
        if !rows::valid_version(version) {
            return Err(DalError::InvalidProtocolVersion(version.to_owned()));
        }
        let now = now_ms();
        let stored: Option<Vec<u8>> = on_pool!(self.pool, pool, dialect in (crate::sqlite, crate::postgres) => {
            let mut tx = dialect::begin_write(pool).await?;
            let fresh = sqlx::query(
                "INSERT INTO protocol_versions (version, vk_hash, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (version) DO NOTHING",
            )
            .bind(version)
            .bind(vk_hash.as_slice())
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            let stored = if fresh {
                None
            } else {
                sqlx::query_scalar("SELECT vk_hash FROM protocol_versions WHERE version = $1")
                    .bind(version)
                    .fetch_optional(&mut *tx)
                    .await?
            };
            tx.commit().await?;
            stored
        });
        match stored {
            Some(stored) if stored != vk_hash => Err(DalError::VersionConflict {
                version: version.to_owned(),
                stored_hex: hex_of(&stored),
            }),
            _ => Ok(()),
        }
    }

    /// The verification-key hash stored for `version`, or `None` if it is not registered.
    ///
    /// # Errors
    /// [`DalError::Corrupt`] if the stored hash is not 32 bytes; [`DalError::Database`].
    pub async fn protocol_version_vk(&self, version: &str) -> Result<Option<[u8; 32]>, DalError> {
        let stored: Option<Vec<u8>> = on_pool!(self.pool, pool => {
            sqlx::query_scalar("SELECT vk_hash FROM protocol_versions WHERE version = $1")
                .bind(version)
                .fetch_optional(pool)
                .await?
        });
        stored
            .map(|h| {
                <[u8; 32]>::try_from(h.as_slice()).map_err(|_| DalError::Corrupt {
                    what: "vk_hash",
                    detail: format!("{} bytes, expected 32", h.len()),
                })
            })
            .transpose()
    }
}

/// `bytes` as lowercase hex.
fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
