//! Helpers shared by the process tests: the binaries and a throw-away PostgreSQL database.
#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};

/// The folder holding this test build's binaries, building them when missing.
pub fn bin_dir() -> PathBuf {
    let dir = std::env::current_exe()
        .expect("exe")
        .parent()
        .and_then(Path::parent)
        .expect("target dir")
        .to_path_buf();
    sq_testing::cluster::ensure_bins(
        &dir,
        &["cdn-server", "sequencer", "rollup", "prover"],
        &["sq-cdn", "sq-node", "sq-rollup", "sq-prover-service"],
    );
    dir
}

/// A fresh PostgreSQL database for one node; dropped when the guard goes.
pub struct PgDatabase {
    admin: String,
    name: String,
    pub url: String,
}

impl PgDatabase {
    pub fn create(tag: &str) -> PgDatabase {
        let admin = std::env::var("SQ_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let name = format!("sq_node_{tag}_{}", std::process::id());
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        rt.block_on(async {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&admin)
                .await
                .unwrap_or_else(|e| {
                    panic!("PostgreSQL unreachable at {admin} (set SQ_TEST_POSTGRES_URL): {e}")
                });
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
                .execute(&mut conn)
                .await
                .expect("drop");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .expect("create");
        });
        let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
        let url = format!("{base}/{name}");
        PgDatabase { admin, name, url }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let Ok(rt) = tokio::runtime::Runtime::new() else {
            return;
        };
        rt.block_on(async {
            use sqlx::Connection;
            if let Ok(mut conn) = sqlx::PgConnection::connect(&self.admin).await {
                let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
                sqlx::query(&sql).execute(&mut conn).await.ok();
            }
        });
    }
}
