//! SQL text valid in both dialects.
//!
//! SQLite accepts PostgreSQL's `$N` placeholders, `ON CONFLICT … DO NOTHING / DO UPDATE` and
//! `excluded.`, so every statement here runs unchanged on both. Statements that differ live in
//! [`crate::sqlite`] and [`crate::postgres`].

/// Inserts a leaf unless its height or its hash is taken: `$1` height, `$2` view, `$3` leaf
/// hash, `$4` leaf, `$5` qc. Affects 0 rows on either conflict; the caller then compares the
/// stored row. No conflict target, so that on PostgreSQL two transactions inserting the same
/// leaf at once both succeed (one inserts, the other waits and does nothing) instead of the
/// second failing on the `leaf_hash` unique index, which a `(height)` target does not cover.
pub(crate) const INSERT_LEAF: &str = "INSERT INTO leaves (height, view, leaf_hash, leaf, qc) \
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING";

/// `$1` height → `leaf_hash`.
pub(crate) const LEAF_HASH_AT: &str = "SELECT leaf_hash FROM leaves WHERE height = $1";

/// `$1` height, `$2` payload; keeps a payload already stored.
pub(crate) const INSERT_PAYLOAD: &str = "INSERT INTO payloads (height, payload) VALUES ($1, $2) \
     ON CONFLICT (height) DO NOTHING";

/// `$1` height, `$2` common, `$3` share; keeps a share already stored.
pub(crate) const INSERT_VID: &str = "INSERT INTO vid_shares (height, common, share) \
     VALUES ($1, $2, $3) ON CONFLICT (height) DO NOTHING";

/// The highest height → `height`.
pub(crate) const LATEST_HEIGHT: &str = "SELECT height FROM leaves ORDER BY height DESC LIMIT 1";

/// `$1` height → `height, leaf, qc`.
pub(crate) const LEAF_AT: &str = "SELECT height, leaf, qc FROM leaves WHERE height = $1";

/// `$1` leaf hash → `height, leaf, qc`.
pub(crate) const LEAF_BY_HASH: &str = "SELECT height, leaf, qc FROM leaves WHERE leaf_hash = $1";

/// `$1` first height, `$2` limit → `height, leaf, qc` ascending.
pub(crate) const LEAVES_FROM: &str =
    "SELECT height, leaf, qc FROM leaves WHERE height >= $1 ORDER BY height LIMIT $2";

/// `$1` height → `payload`.
pub(crate) const PAYLOAD_AT: &str = "SELECT payload FROM payloads WHERE height = $1";

/// `$1` height → `common, share`.
pub(crate) const VID_AT: &str = "SELECT common, share FROM vid_shares WHERE height = $1";

/// `$1` hash → `hash, height, idx, namespace, payload`.
pub(crate) const TX_BY_HASH: &str =
    "SELECT hash, height, idx, namespace, payload FROM transactions WHERE hash = $1";

/// `$1` height, `$2` index → `hash, height, idx, namespace, payload`.
pub(crate) const TX_AT: &str = "SELECT hash, height, idx, namespace, payload FROM transactions \
     WHERE height = $1 AND idx = $2";

/// `$1` = K → the height of the (K+1)-th newest leaf, the highest height that pruning to K
/// blocks removes; no row when at most K leaves exist.
pub(crate) const PRUNE_CUTOFF: &str =
    "SELECT height FROM leaves ORDER BY height DESC LIMIT 1 OFFSET $1";

/// `$1` cutoff height.
pub(crate) const PRUNE_PAYLOADS: &str = "DELETE FROM payloads WHERE height <= $1";
/// `$1` cutoff height.
pub(crate) const PRUNE_VID: &str = "DELETE FROM vid_shares WHERE height <= $1";
/// `$1` cutoff height.
pub(crate) const PRUNE_TXS: &str = "DELETE FROM transactions WHERE height <= $1";

/// `$1` cutoff height: raises `meta.pruned_through` to it (never lowers it).
pub(crate) const SET_PRUNED_THROUGH: &str = "INSERT INTO meta (key, value) \
     VALUES ('pruned_through', $1) ON CONFLICT (key) DO UPDATE SET value = \
     CASE WHEN excluded.value > meta.value THEN excluded.value ELSE meta.value END";

/// → `value` of `pruned_through`.
pub(crate) const PRUNED_THROUGH: &str = "SELECT value FROM meta WHERE key = 'pruned_through'";
