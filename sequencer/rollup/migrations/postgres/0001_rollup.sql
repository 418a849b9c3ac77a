-- sq-rollup schema v1 (postgres): the example rollup's own database (sq_rollup::db::RollupDb). It
-- holds no sequencer table and no sequencer database holds these. Values are opaque
-- encodings owned by sq-rollup's store module.

-- One row per account: its 20-byte address, its leaf index in the state tree, the encoding.
CREATE TABLE rollup_accounts (
    address BYTEA    PRIMARY KEY,
    idx     BIGINT NOT NULL UNIQUE,
    account BYTEA    NOT NULL
);

-- One row per executed sequencer height: the rollup block (header fields, transaction hashes,
-- the witness of its transfers).
CREATE TABLE rollup_blocks (
    height BIGINT PRIMARY KEY,
    block  BYTEA    NOT NULL
);

-- One receipt per rollup transaction (successful or failed), by its 32-byte hash.
CREATE TABLE rollup_receipts (
    hash    BYTEA    PRIMARY KEY,
    height  BIGINT NOT NULL,
    idx     BIGINT NOT NULL,
    receipt BYTEA    NOT NULL
);

-- One row per sealed batch; `proof` is set once a submitted proof has been verified.
CREATE TABLE rollup_batches (
    number       BIGINT PRIMARY KEY,
    first_height BIGINT NOT NULL,
    last_height  BIGINT NOT NULL,
    record       BYTEA    NOT NULL,
    proof        BYTEA
);

-- Named integers: `executed_height` = the last sequencer height the rollup executed.
CREATE TABLE rollup_meta (
    key   TEXT   PRIMARY KEY,
    value BIGINT NOT NULL
);
