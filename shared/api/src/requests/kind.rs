//! How a kind of request plugs into the shared request model: what a
//! decision on it writes beside the request, what happens once that
//! decision is stored, and what its detail shows. Each kind implements
//! [`KindEffects`] in its own feature module; `crate::decisions` registers
//! it, so this model names no feature.

use std::future::Future;
use std::pin::Pin;

use async_trait::async_trait;
use marelle_domain::ports::store::Write;
use marelle_domain::requests::{Decision, RequestRecord};

use super::view::KindDetail;
use crate::http::error::ApiResult;
use crate::http::state::AppState;

/// Work to run once the decision is stored (a freed place offered to the
/// waiting list…). It owns what it needs; dropped unrun when the decision's
/// transaction has to be tried again.
pub type AfterCommit = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// What a decision on one request of a kind does beside the request.
#[derive(Default)]
pub struct Effects {
    /// Written in the decision's transaction, all or nothing with it.
    pub writes: Vec<Write>,
    pub after: Option<AfterCommit>,
}

impl Effects {
    pub fn writes(writes: Vec<Write>) -> Self {
        Self {
            writes,
            after: None,
        }
    }
}

#[async_trait]
pub trait KindEffects: Send + Sync {
    /// The effects of `decision` on `r` (already decided in memory).
    async fn decision(
        &self,
        app: &AppState,
        r: &RequestRecord,
        decision: Decision,
    ) -> ApiResult<Effects>;

    /// What the detail of `r` shows beyond the shared fields; `for_agent`
    /// unmasks what only the commune sees.
    async fn detail(
        &self,
        _app: &AppState,
        r: &RequestRecord,
        _for_agent: bool,
    ) -> ApiResult<KindDetail> {
        Ok(KindDetail {
            document: None,
            changes: Vec::new(),
            details: r.details.clone(),
        })
    }
}

/// A kind whose decision changes nothing but the request itself.
pub struct NoEffects;

#[async_trait]
impl KindEffects for NoEffects {
    async fn decision(&self, _: &AppState, _: &RequestRecord, _: Decision) -> ApiResult<Effects> {
        Ok(Effects::default())
    }
}
