//! A small closed-loop load generator: `connections` tasks, each sending
//! its next request when the previous answered, for `duration`.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct Report {
    pub requests: usize,
    pub errors: usize,
    pub elapsed: Duration,
    pub latencies: Vec<Duration>,
}

impl Report {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    pub fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let mut l = self.latencies.clone();
        l.sort();
        let i = ((p / 100.0) * (l.len() - 1) as f64).round() as usize;
        l[i.min(l.len() - 1)]
    }

    pub fn line(&self, name: &str) -> String {
        format!(
            "{name:<34} {:>9.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms  ({} requests, {} errors)",
            self.per_second(),
            ms(self.percentile(50.0)),
            ms(self.percentile(99.0)),
            ms(self.percentile(100.0)),
            self.requests,
            self.errors
        )
    }
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub async fn run<F, Fut>(connections: usize, duration: Duration, make: F) -> Report
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send,
{
    let make = Arc::new(make);
    run_until(connections, duration, move |i| {
        let make = make.clone();
        async move { Some(make(i).await) }
    })
    .await
}

/// Like [`run`], but a connection stops early when its request returns
/// `None` (nothing left to ask).
pub async fn run_until<F, Fut>(connections: usize, duration: Duration, make: F) -> Report
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Option<bool>> + Send,
{
    let make = Arc::new(make);
    let start = Instant::now();
    let deadline = start + duration;
    let tasks: Vec<_> = (0..connections)
        .map(|c| {
            let make = make.clone();
            tokio::spawn(async move {
                let mut lat = Vec::new();
                let mut errors = 0;
                let mut i = 0usize;
                while Instant::now() < deadline {
                    let t = Instant::now();
                    let Some(ok) = make(c * 1_000_000 + i).await else {
                        break;
                    };
                    lat.push(t.elapsed());
                    if !ok {
                        errors += 1;
                    }
                    i += 1;
                }
                (lat, errors)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.unwrap();
        latencies.extend(l);
        errors += e;
    }
    Report {
        requests: latencies.len(),
        errors,
        elapsed: start.elapsed(),
        latencies,
    }
}
