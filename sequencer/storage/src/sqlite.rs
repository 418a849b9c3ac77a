//! The SQLite statements that differ from PostgreSQL's (connection setup, durability and
//! write transactions are sq-db's [`sq_db::sqlite`]).

use sqlx::sqlite::SqliteConnection;

use crate::rows::TxRows;

/// Inserts one transaction unless its hash is stored: `$1` hash, `$2` height, `$3` index,
/// `$4` namespace, `$5` payload. SQLite runs in-process, so one statement per row is cheap.
const INSERT_TX: &str = "INSERT INTO transactions (hash, height, idx, namespace, payload) \
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (hash) DO NOTHING";

/// Inserts the transactions of the block at `height` inside the caller's SQL transaction.
pub(crate) async fn insert_transactions(
    conn: &mut SqliteConnection,
    height: i64,
    txs: &TxRows,
) -> Result<(), sqlx::Error> {
    for (((hash, idx), ns), payload) in txs
        .hashes
        .iter()
        .zip(&txs.idxs)
        .zip(&txs.namespaces)
        .zip(&txs.payloads)
    {
        sqlx::query(INSERT_TX)
            .bind(hash.as_slice())
            .bind(height)
            .bind(*idx)
            .bind(*ns)
            .bind(payload.as_slice())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
