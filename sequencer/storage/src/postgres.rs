//! The PostgreSQL statements that differ from SQLite's (connection setup, durability and
//! write transactions are sq-db's [`sq_db::postgres`]).

use sqlx::postgres::PgConnection;

use crate::rows::TxRows;

/// Inserts a block's transactions in one round trip from parallel arrays: `$1` hashes,
/// `$2` height, `$3` indices, `$4` namespaces, `$5` payloads. Hashes already stored are
/// skipped.
const INSERT_TXS: &str = "INSERT INTO transactions (hash, height, idx, namespace, payload) \
     SELECT t.hash, $2, t.idx, t.namespace, t.payload \
     FROM UNNEST($1::BYTEA[], $3::BIGINT[], $4::BIGINT[], $5::BYTEA[]) \
     AS t (hash, idx, namespace, payload) \
     ON CONFLICT (hash) DO NOTHING";

/// Inserts the transactions of the block at `height` inside the caller's SQL transaction.
pub(crate) async fn insert_transactions(
    conn: &mut PgConnection,
    height: i64,
    txs: &TxRows,
) -> Result<(), sqlx::Error> {
    if txs.hashes.is_empty() {
        return Ok(());
    }
    sqlx::query(INSERT_TXS)
        .bind(txs.hashes.as_slice())
        .bind(height)
        .bind(txs.idxs.as_slice())
        .bind(txs.namespaces.as_slice())
        .bind(txs.payloads.as_slice())
        .execute(conn)
        .await?;
    Ok(())
}
