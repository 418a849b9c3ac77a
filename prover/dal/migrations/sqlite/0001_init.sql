-- sq-prover-dal schema v1, sqlite dialect. Same meaning as migrations/postgres/0001_init.sql.
--
-- Conventions: every timestamp (created_at, updated_at, processing_started_at, proven_at,
-- sent_at, archived_at) is Unix time in MILLISECONDS as a 64-bit integer; time_taken_ms is a
-- duration in milliseconds. Integers are INTEGER. Payloads (witness JSON, chunk witness JSON,
-- proofs) are opaque bytes. Job status strings: 'queued', 'in_progress', 'successful',
-- 'failed', and for scheduler_jobs also 'waiting_for_proofs'. No foreign keys: the dal
-- writes and deletes a batch's rows across tables in one transaction.

-- Known protocol versions ('0.minor.patch') and the hash of their verification key.
CREATE TABLE protocol_versions (
    version    TEXT    PRIMARY KEY,
    vk_hash    BLOB    NOT NULL CHECK (length(vk_hash) = 32),
    created_at INTEGER NOT NULL
);

-- One row per batch fetched from the server by the gateway.
CREATE TABLE batches (
    batch            INTEGER PRIMARY KEY,
    status           TEXT    NOT NULL CHECK (status IN ('received', 'proven', 'sent_to_server')),
    protocol_version TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    proven_at        INTEGER,
    sent_at          INTEGER
);

-- The witness-generator stage: one job per batch, its input the batch witness.
CREATE TABLE witness_inputs (
    batch                 INTEGER PRIMARY KEY,
    witness               BLOB    NOT NULL,
    status                TEXT    NOT NULL,
    attempts              INTEGER NOT NULL DEFAULT 0,
    error                 TEXT,
    picked_by             TEXT,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL,
    processing_started_at INTEGER,
    time_taken_ms         INTEGER,
    protocol_version      TEXT    NOT NULL,
    CHECK (status IN ('queued', 'in_progress', 'successful', 'failed'))
);
CREATE INDEX witness_inputs_pick ON witness_inputs (status, protocol_version, batch);

-- Basic (aggregation round 0) prover jobs: one per chunk of a batch.
CREATE TABLE prover_jobs (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    batch                 INTEGER NOT NULL,
    aggregation_round     INTEGER NOT NULL,
    circuit_id            INTEGER NOT NULL,
    depth                 INTEGER NOT NULL,
    sequence_number       INTEGER NOT NULL,
    input                 BLOB    NOT NULL,
    proof                 BLOB,
    status                TEXT    NOT NULL,
    attempts              INTEGER NOT NULL DEFAULT 0,
    error                 TEXT,
    picked_by             TEXT,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL,
    processing_started_at INTEGER,
    time_taken_ms         INTEGER,
    protocol_version      TEXT    NOT NULL,
    CHECK (status IN ('queued', 'in_progress', 'successful', 'failed')),
    UNIQUE (batch, aggregation_round, circuit_id, depth, sequence_number)
);
CREATE INDEX prover_jobs_pick
    ON prover_jobs (status, protocol_version, batch, aggregation_round, sequence_number);

-- The scheduler (aggregation) stage: one job per batch, 'waiting_for_proofs' until all
-- number_of_chunks basic jobs are successful, then 'queued'.
CREATE TABLE scheduler_jobs (
    batch                 INTEGER PRIMARY KEY,
    number_of_chunks      INTEGER NOT NULL,
    result                BLOB,
    status                TEXT    NOT NULL,
    attempts              INTEGER NOT NULL DEFAULT 0,
    error                 TEXT,
    picked_by             TEXT,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL,
    processing_started_at INTEGER,
    time_taken_ms         INTEGER,
    protocol_version      TEXT    NOT NULL,
    CHECK (status IN ('waiting_for_proofs', 'queued', 'in_progress', 'successful', 'failed'))
);
CREATE INDEX scheduler_jobs_pick ON scheduler_jobs (status, protocol_version, batch);

-- The compression stage: one job per batch, queued when its scheduler job succeeds; its
-- input is the scheduler result.
CREATE TABLE compression_jobs (
    batch                 INTEGER PRIMARY KEY,
    result                BLOB,
    status                TEXT    NOT NULL,
    attempts              INTEGER NOT NULL DEFAULT 0,
    error                 TEXT,
    picked_by             TEXT,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL,
    processing_started_at INTEGER,
    time_taken_ms         INTEGER,
    protocol_version      TEXT    NOT NULL,
    CHECK (status IN ('queued', 'in_progress', 'successful', 'failed'))
);
CREATE INDEX compression_jobs_pick ON compression_jobs (status, protocol_version, batch);

-- prover_jobs rows of batches whose proof was delivered (moved by ProverDal::mark_sent).
CREATE TABLE prover_jobs_archive (
    id                    INTEGER PRIMARY KEY,
    batch                 INTEGER NOT NULL,
    aggregation_round     INTEGER NOT NULL,
    circuit_id            INTEGER NOT NULL,
    depth                 INTEGER NOT NULL,
    sequence_number       INTEGER NOT NULL,
    input                 BLOB    NOT NULL,
    proof                 BLOB,
    status                TEXT    NOT NULL,
    attempts              INTEGER NOT NULL DEFAULT 0,
    error                 TEXT,
    picked_by             TEXT,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL,
    processing_started_at INTEGER,
    time_taken_ms         INTEGER,
    protocol_version      TEXT    NOT NULL,
    archived_at           INTEGER NOT NULL
);
CREATE INDEX prover_jobs_archive_batch ON prover_jobs_archive (batch);
