//! Test support: one conformance suite per port, run against both adapters
//! (the embedded ones here, the AWS ones in `marelle-aws` against moto),
//! and servers the tests need.
//!
//! A suite is one public async function per behaviour, taking a fixture;
//! the `*_conformance!` macros turn the list into one `#[tokio::test]` each
//! for a given fixture constructor.

#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod app;
pub mod blob_suite;
pub mod bus_suite;
pub mod counting;
pub mod embedded;
pub mod mail_suite;
pub mod moto;
pub mod store_suite;

pub use app::{TestApp, TestResponse};
pub use counting::CountingStore;

use chrono::{DateTime, TimeZone, Utc};

/// A fixed instant for tests: 2026-11-28 10:00:00 UTC (11:00 in Paris).
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0)
        .single()
        .expect("valid instant")
}

/// A name unique in this process and across runs, for tables, buckets…
pub fn unique_name(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{prefix}-{}-{n}-{nanos}", std::process::id())
}
