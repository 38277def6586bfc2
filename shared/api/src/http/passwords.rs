//! Password hashing with argon2id, off the async threads and with bounded
//! concurrency: hashing takes a permit (one per spare core) and runs on the
//! blocking pool, so that a burst of logins queues here while every other
//! route keeps its latency. Past a bounded queue, callers are told to retry.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("too many password checks waiting")]
    Busy,
    #[error("hashing failed: {0}")]
    Failed(String),
}

#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    /// Calls hashing or waiting to.
    inflight: Arc<AtomicUsize>,
    /// Most calls hashing or waiting at once.
    capacity: usize,
    params: Params,
    /// A hash to verify against when the account does not exist, so that
    /// the answer takes as long either way; made on first need, not at
    /// start (a Lambda's cold start would pay for it).
    dummy: Arc<OnceLock<String>>,
}

/// OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane.
pub fn default_params() -> Params {
    Params::new(19 * 1024, 2, 1, None).unwrap_or_default()
}

fn argon(params: &Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
}

impl PasswordHasher {
    /// `concurrency` hashes at once at most, `max_waiting` more queued.
    pub fn new(concurrency: usize, max_waiting: usize, params: Params) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            inflight: Arc::new(AtomicUsize::new(0)),
            capacity: concurrency.max(1) + max_waiting,
            params,
            dummy: Arc::new(OnceLock::new()),
        }
    }

    /// One permit per core but one (the async threads keep a core).
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self::new(cores.saturating_sub(1).max(1), 64 * cores, default_params())
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        struct Leave(Arc<AtomicUsize>);
        impl Drop for Leave {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::SeqCst);
            }
        }
        if self.inflight.fetch_add(1, Ordering::SeqCst) >= self.capacity {
            self.inflight.fetch_sub(1, Ordering::SeqCst);
            return Err(HashError::Busy);
        }
        let _leave = Leave(Arc::clone(&self.inflight));
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| HashError::Failed(e.to_string()))?;
        tokio::task::spawn_blocking(f)
            .await
            .map_err(|e| HashError::Failed(e.to_string()))
    }

    pub async fn hash(&self, password: &str) -> Result<String, HashError> {
        let password = password.to_string();
        let params = self.params.clone();
        self.run(move || {
            let salt = SaltString::generate(&mut OsRng);
            argon(&params)
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| HashError::Failed(e.to_string()))
        })
        .await?
    }

    /// Whether `password` matches `phc`; `None` checks against a dummy hash
    /// (and says no), taking the same time.
    pub async fn verify(&self, password: &str, phc: Option<&str>) -> Result<bool, HashError> {
        let known = phc.is_some();
        let phc = phc.map(str::to_string);
        let dummy = Arc::clone(&self.dummy);
        let params = self.params.clone();
        let password = password.to_string();
        let ok = self
            .run(move || {
                let phc = phc.unwrap_or_else(|| {
                    dummy
                        .get_or_init(|| {
                            let salt = SaltString::generate(&mut OsRng);
                            argon(&params)
                                .hash_password(b"not a real password", &salt)
                                .map(|h| h.to_string())
                                .unwrap_or_default()
                        })
                        .clone()
                });
                match PasswordHash::new(&phc) {
                    Ok(parsed) => Argon2::default()
                        .verify_password(password.as_bytes(), &parsed)
                        .is_ok(),
                    Err(_) => false,
                }
            })
            .await?;
        Ok(ok && known)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast() -> PasswordHasher {
        PasswordHasher::new(2, 8, Params::new(1024, 1, 1, None).unwrap())
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let h = fast();
        let phc = h.hash("Motdepasse1").await.unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(h.verify("Motdepasse1", Some(&phc)).await.unwrap());
        assert!(!h.verify("Motdepasse2", Some(&phc)).await.unwrap());
        assert!(!h.verify("not a real password", None).await.unwrap());
    }

    #[tokio::test]
    async fn the_default_cost_is_owasps() {
        let h = PasswordHasher::new(1, 1, default_params());
        let phc = h.hash("Motdepasse1").await.unwrap();
        assert!(phc.contains("m=19456,t=2,p=1"), "{phc}");
    }

    #[tokio::test]
    async fn past_the_queue_callers_are_told_to_retry() {
        let h = PasswordHasher::new(1, 0, Params::new(64 * 1024, 8, 1, None).unwrap());
        let a = tokio::spawn({
            let h = h.clone();
            async move { h.hash("Motdepasse1").await }
        });
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let b = h.hash("Motdepasse1").await;
        assert!(matches!(b, Err(HashError::Busy)), "{b:?}");
        assert!(a.await.unwrap().is_ok());
    }
}
