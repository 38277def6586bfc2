//! Benchmarks, run by hand: `cargo run --profile perf -p marelle-bench -- <name>`.
//!
//! - `http`: requests/s and latency percentiles of `GET /api/me` and of
//!   login on a release `marelle` (built first with the bench profile),
//!   each alone, then both at once to show that logins queue without
//!   slowing the other routes.
//! - `lambda`: stripped size of the accounts Lambda binary and its time
//!   from process start to its first poll of the Lambda runtime API.
//!
//! - `billing`: "Mes factures" and "Mes opérations" of a family with 120
//!   invoices.
//! - `billing-import`: the import of 20,000 invoice lines (seconds, the
//!   server's peak memory).
//!
//! - `invoicing`: the monthly invoicing run of 5,000 families × 2 children
//!   × 2 activities (seconds, store calls per family, peak memory).
//!
//! Figures are printed; nothing here is a pass/fail test.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a tool run by hand

mod billing;
mod billing_import;
mod digest;
mod family_planning;
mod http;
mod invoicing;
mod lambda;
mod load;
mod server;

#[tokio::main]
async fn main() {
    let which = std::env::args().nth(1).unwrap_or_else(|| "all".into());
    match which.as_str() {
        "http" => http::run().await,
        "lambda" => lambda::run().await,
        "family-planning" => family_planning::run().await,
        "billing" => billing::run().await,
        "billing-import" => billing_import::run().await,
        "invoicing" => {
            let families = std::env::args()
                .nth(2)
                .and_then(|a| a.parse().ok())
                .unwrap_or(invoicing::FAMILIES);
            invoicing::run(families).await
        }
        "digest" => {
            let arg = |i: usize, default: usize| {
                std::env::args()
                    .nth(i)
                    .and_then(|a| a.parse().ok())
                    .unwrap_or(default)
            };
            digest::run(arg(2, 100_000), arg(3, 10)).await;
        }
        "all" => {
            http::run().await;
            family_planning::run().await;
            billing::run().await;
            billing_import::run().await;
            invoicing::run(invoicing::FAMILIES).await;
            lambda::run().await;
        }
        other => {
            eprintln!(
                "unknown benchmark {other}: http, family-planning, billing, billing-import, invoicing, lambda, digest or all"
            );
            std::process::exit(2);
        }
    }
}
