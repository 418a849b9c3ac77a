//! Binding a process to one protocol version: this build's verification key must be the one
//! the database records for the configured version.

use sq_prover_dal::ProverDal;

/// Why a process must not start.
#[derive(Debug, thiserror::Error)]
pub enum VersionError {
    /// The database has no row for the version.
    #[error(
        "the prover database does not know protocol version {version}: register this build's \
verification key with `prover init --protocol-version {version}` (vk hash {vk})"
    )]
    Unknown {
        /// The configured version.
        version: String,
        /// This build's vk hash, hex.
        vk: String,
    },
    /// The database's key for the version is not this build's.
    #[error(
        "protocol version {version} in the database has verification key {db}, but this prover \
build has {ours}: run a prover built for {version}, or configure the version this build proves"
    )]
    Mismatch {
        /// The configured version.
        version: String,
        /// The database's vk hash, hex.
        db: String,
        /// This build's, hex.
        ours: String,
    },
    /// The database failed.
    #[error("cannot read the protocol versions: {0}")]
    Dal(#[from] sq_prover_dal::DalError),
}

/// This build's verification-key hash.
pub fn build_vk() -> [u8; 32] {
    sq_prover_circuits::vk_hash()
}

/// Checks that `dal` records [`build_vk`] for `version`.
///
/// # Errors
/// [`VersionError`].
pub async fn check(dal: &ProverDal, version: &str) -> Result<(), VersionError> {
    let ours = build_vk();
    match dal.protocol_version_vk(version).await? {
        None => Err(VersionError::Unknown {
            version: version.to_owned(),
            vk: hex::encode(ours),
        }),
        Some(db) if db != ours => Err(VersionError::Mismatch {
            version: version.to_owned(),
            db: hex::encode(db),
            ours: hex::encode(ours),
        }),
        Some(_) => Ok(()),
    }
}
