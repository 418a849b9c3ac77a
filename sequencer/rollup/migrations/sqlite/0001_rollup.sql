-- sq-rollup schema v1 (sqlite): the example rollup's own database (sq_rollup::db::RollupDb). It
-- holds no sequencer table and no sequencer database holds these. Values are opaque
-- encodings owned by sq-rollup's store module.

-- One row per account: its 20-byte address, its leaf index in the state tree, the encoding.
CREATE TABLE rollup_accounts (
    address BLOB    PRIMARY KEY,
    idx     INTEGER NOT NULL UNIQUE,
    account BLOB    NOT NULL
);

-- One row per executed sequencer height: the rollup block (header fields, transaction hashes,
-- the witness of its transfers).
CREATE TABLE rollup_blocks (
    height INTEGER PRIMARY KEY,
    block  BLOB    NOT NULL
);

-- One receipt per rollup transaction (successful or failed), by its 32-byte hash.
CREATE TABLE rollup_receipts (
    hash    BLOB    PRIMARY KEY,
    height  INTEGER NOT NULL,
    idx     INTEGER NOT NULL,
    receipt BLOB    NOT NULL
);

-- One row per sealed batch; `proof` is set once a submitted proof has been verified.
CREATE TABLE rollup_batches (
    number       INTEGER PRIMARY KEY,
    first_height INTEGER NOT NULL,
    last_height  INTEGER NOT NULL,
    record       BLOB    NOT NULL,
    proof        BLOB
);

-- Named integers: `executed_height` = the last sequencer height the rollup executed.
CREATE TABLE rollup_meta (
    key   TEXT   PRIMARY KEY,
    value INTEGER NOT NULL
);
