-- sq-storage schema v1, PostgreSQL dialect. Same meaning as migrations/sqlite/0001_init.sql;
-- the column types per dialect are listed in the crate README.

-- One row per decided height. `leaf` and `qc` are sq-types canonical encodings; the QC
-- certifies this leaf. Never pruned.
CREATE TABLE leaves (
    height    BIGINT  PRIMARY KEY,
    view      BIGINT  NOT NULL,
    leaf_hash BYTEA   NOT NULL UNIQUE,
    leaf      BYTEA   NOT NULL,
    qc        BYTEA   NOT NULL
);

-- The block payload, opaque bytes. Pruned by `Storage::prune`.
CREATE TABLE payloads (
    height  BIGINT  PRIMARY KEY REFERENCES leaves (height),
    payload BYTEA   NOT NULL
);

-- This node's VID common data and share, opaque bytes. Pruned by `Storage::prune`.
CREATE TABLE vid_shares (
    height BIGINT  PRIMARY KEY REFERENCES leaves (height),
    common BYTEA   NOT NULL,
    share  BYTEA   NOT NULL
);

-- The transactions of each block, by hash (keccak of namespace and payload). A hash that
-- occurs again later in the chain keeps its first position. Pruned by `Storage::prune`.
CREATE TABLE transactions (
    hash      BYTEA   PRIMARY KEY,
    height    BIGINT  NOT NULL REFERENCES leaves (height),
    idx       BIGINT  NOT NULL,
    namespace BIGINT  NOT NULL,
    payload   BYTEA   NOT NULL,
    UNIQUE (height, idx)
);

-- The consensus safety state, opaque bytes; at most one row.
CREATE TABLE safety (
    id    SMALLINT PRIMARY KEY CHECK (id = 1),
    state BYTEA   NOT NULL
);

-- Named integers: `pruned_through` = the highest height whose payload, VID share and
-- transactions were removed.
CREATE TABLE meta (
    key   TEXT    PRIMARY KEY,
    value BIGINT  NOT NULL
);
