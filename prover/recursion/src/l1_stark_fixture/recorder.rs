//! The recording configuration: the L1 configuration whose challenger records every
//! transcript operation, shared by its clones.

use std::sync::{Arc, Mutex};

use p3_baby_bear::BabyBear;
use p3_challenger::{CanObserve, CanSample, CanSampleBits, FieldChallenger, GrindingChallenger};
use p3_uni_stark::{StarkConfig, StarkGenericConfig};
use sq_prover_circuits::l1::L1StarkConfig;
use sq_prover_circuits::l1_pcs_fixture::RecordingChallenger;
use sq_prover_circuits::l1_transcript_fixture::TranscriptScript;

use crate::circuit::Ext;

type L1Pcs = <L1StarkConfig as StarkGenericConfig>::Pcs;

/// A [`RecordingChallenger`] whose clones share one sponge and one script, so that the
/// transcript `verify_batch` runs on its own clone of the configuration's challenger is
/// still readable afterwards. (Sharing the sponge is only faithful while the verifier
/// never forks the challenger; were it to, the proof would fail to verify here.)
#[derive(Clone, Default)]
pub(super) struct SharedRecorder(Arc<Mutex<RecordingChallenger>>);

impl SharedRecorder {
    fn with<R>(&self, f: impl FnOnce(&mut RecordingChallenger) -> R) -> R {
        f(&mut self.0.lock().expect("the recorder is not poisoned"))
    }

    pub(super) fn script(&self) -> TranscriptScript {
        self.with(|r| r.script.clone())
    }
}

impl<T> CanObserve<T> for SharedRecorder
where
    RecordingChallenger: CanObserve<T>,
{
    fn observe(&mut self, value: T) {
        self.with(|r| r.observe(value));
    }
}

impl<T> CanSample<T> for SharedRecorder
where
    RecordingChallenger: CanSample<T>,
{
    fn sample(&mut self) -> T {
        self.with(|r| r.sample())
    }
}

impl CanSampleBits<usize> for SharedRecorder {
    fn sample_bits(&mut self, bits: usize) -> usize {
        self.with(|r| r.sample_bits(bits))
    }
}

impl GrindingChallenger for SharedRecorder {
    type Witness = BabyBear;

    fn grind(&mut self, bits: usize) -> BabyBear {
        self.with(|r| r.grind(bits))
    }

    fn check_witness(&mut self, bits: usize, witness: BabyBear) -> bool {
        self.with(|r| r.check_witness(bits, witness))
    }
}

impl FieldChallenger<BabyBear> for SharedRecorder {}

/// The L1 configuration with a recording challenger: the same PCS and parameters, so a
/// proof made in [`L1StarkConfig`] verifies here and leaves its transcript.
pub(super) type RecordingConfig = StarkConfig<L1Pcs, Ext, SharedRecorder>;
