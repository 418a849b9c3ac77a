//! The house keeper: requeues jobs that timed out in progress or failed, while their
//! attempts stay below the limit.

use sq_prover_dal::ProverDal;
use tracing::info;

use crate::ProverConfig;

/// One pass; returns the number of jobs requeued.
///
/// # Errors
/// The database's.
pub async fn step(dal: &ProverDal, cfg: &ProverConfig) -> anyhow::Result<u64> {
    let report = dal
        .requeue_stuck(cfg.processing_timeout, cfg.max_attempts)
        .await?;
    let n = report.total();
    if n > 0 {
        info!(target: "prover", requeued = n, report = ?report, "house keeper requeued jobs");
    }
    Ok(n)
}
