-- sq-storage schema v1, SQLite dialect. Same meaning as migrations/postgres/0001_init.sql;
-- the column types per dialect are listed in the crate README.

-- One row per decided height. `leaf` and `qc` are sq-types canonical encodings; the QC
-- certifies this leaf. Never pruned.
CREATE TABLE leaves (
    height    INTEGER PRIMARY KEY,
    view      INTEGER NOT NULL,
    leaf_hash BLOB    NOT NULL UNIQUE,
    leaf      BLOB    NOT NULL,
    qc        BLOB    NOT NULL
);

-- The block payload, opaque bytes. Pruned by `Storage::prune`.
CREATE TABLE payloads (
    height  INTEGER PRIMARY KEY REFERENCES leaves (height),
    payload BLOB    NOT NULL
);

-- This node's VID common data and share, opaque bytes. Pruned by `Storage::prune`.
CREATE TABLE vid_shares (
    height INTEGER PRIMARY KEY REFERENCES leaves (height),
    common BLOB    NOT NULL,
    share  BLOB    NOT NULL
);

-- The transactions of each block, by hash (keccak of namespace and payload). A hash that
-- occurs again later in the chain keeps its first position. Pruned by `Storage::prune`.
CREATE TABLE transactions (
    hash      BLOB    PRIMARY KEY,
    height    INTEGER NOT NULL REFERENCES leaves (height),
    idx       INTEGER NOT NULL,
    namespace INTEGER NOT NULL,
    payload   BLOB    NOT NULL,
    UNIQUE (height, idx)
);

-- The consensus safety state, opaque bytes; at most one row.
CREATE TABLE safety (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    state BLOB    NOT NULL
);

-- Named integers: `pruned_through` = the highest height whose payload, VID share and
-- transactions were removed.
CREATE TABLE meta (
    key   TEXT    PRIMARY KEY,
    value INTEGER NOT NULL
);
