//! Commission sessions: an agent decides many crèche applications in one
//! go (a place offered, the waiting list, a refusal), then sends the
//! offer e-mails.
//!
//! Recording a session first checks every decision against the
//! application as it is (the lifecycle's [`creche::transition`], and for
//! an offer the offer route's own checks): one faulty row and nothing is
//! written (422 `invalid_decisions`, a problem per row). Then the session
//! is stored (one item per decision, the session's item last) and each
//! decision is applied through the same functions as the single routes
//! ([`agent::make_offer`], [`agent::change_status`]), in its own
//! transaction conditioned on the application's version as checked, with
//! the decision marked applied in that same transaction: an application is
//! never half changed, a decision never applied twice. No e-mail yet.
//!
//! An application changed between the check and the write (the family
//! withdrew, another agent acted) makes its decision « not applied » with
//! the reason; the others stand. `POST …/apply` tries the decisions not
//! applied again on the applications as they are now (the lifecycle
//! decides again); what is applied stays so: retrying is idempotent.
//!
//! A session's items are deleted by the store 3 years after it, as the
//! applications not followed by a place are (CNIL).
//!
//! `POST …/send` e-mails each offer of the session still standing, each
//! once: the decision is claimed by a conditional write before the
//! e-mail (two clicks, two agents: one e-mail).

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::{DateTime, NaiveDate, Utc};
use marelle_domain::accounts::FieldError;
use marelle_domain::creche::commission::{self as rules, DecisionKind, Row};
use marelle_domain::creche::jobs::deleted_at;
use marelle_domain::creche::{self, Status};
use marelle_domain::ports::store::{Condition, Item, Key, Query, Update, Write};
use marelle_domain::ports::{Cursor, Index};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::agent::{self, OfferBody, checked_message};
use super::applications::transition_error;
use super::jobs::{self, Sent};
use super::store::{self, Application};
use crate::family::store as family_store;
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{Agent, JsonBody, UrlQuery};
use crate::http::state::AppState;

/// Sessions per page of the list.
pub const PAGE_SIZE: usize = 20;
/// Decision items written per transaction when a session is stored.
const WRITE_CHUNK: usize = 25;

/// The partition of a session: its item and one item per decision.
fn partition(id: &str) -> String {
    format!("CRECHECOMM#{id}")
}
fn session_key(id: &str) -> Key {
    Key::new(partition(id), "SESSION")
}
fn decision_key(id: &str, index: usize) -> Key {
    Key::new(partition(id), format!("D#{index:03}"))
}
/// Every session, on GSI2, by creation.
const SESSIONS: &str = "CRECHECOMMS";

fn plausible_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 40 && !id.contains('#')
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCommission {
    /// The day the commission met.
    pub held_on: NaiveDate,
    /// « Commission de mars » (100 characters at most).
    pub name: Option<String>,
    /// The last instant the families answer the session's offers (RFC
    /// 3339), in the future.
    #[schema(value_type = String)]
    pub deadline: DateTime<Utc>,
    /// 1 to 100, each application once.
    pub decisions: Vec<NewDecision>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDecision {
    pub application_id: String,
    pub decision: DecisionKind,
    /// The crèche offered (an offer).
    pub structure_id: Option<String>,
    /// The start offered (an offer), today or later.
    pub start_date: Option<NaiveDate>,
    /// Shown to the family (700 characters at most); a refusal's reason.
    pub message: Option<String>,
}

/// What became of a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Not tried yet (the session was interrupted): `apply` does it.
    Pending,
    Applied,
    /// Nothing to change (already on the waiting list).
    Unchanged,
    /// The application did not allow it when applied: `reason` says why.
    NotApplied,
}

/// The e-mail of an offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MailState {
    /// Not an offer, or an offer not applied.
    None,
    /// To send.
    ToSend,
    Sent,
    /// The family refused e-mails (or no account reads them).
    NoEmail,
    /// The mail server failed: sending again tries it again.
    Failed,
    /// The offer no longer stands (answered, withdrawn…) when sending.
    NotSent,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Session {
    id: String,
    held_on: NaiveDate,
    name: Option<String>,
    deadline: DateTime<Utc>,
    created_at: DateTime<Utc>,
    created_by: String,
    decisions: usize,
    offers: usize,
    sent_at: Option<DateTime<Utc>>,
    sent_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Decision {
    session_id: String,
    /// When the session was recorded (its items' retention).
    recorded_at: DateTime<Utc>,
    index: usize,
    application_id: String,
    family_id: String,
    family: String,
    child: String,
    decision: DecisionKind,
    structure_id: Option<String>,
    structure: Option<String>,
    start_date: Option<NaiveDate>,
    message: Option<String>,
    outcome: Outcome,
    reason: Option<String>,
    applied_at: Option<DateTime<Utc>>,
    mail: MailState,
    version: i64,
}

impl Decision {
    fn item(&self) -> ApiResult<Item> {
        Ok(
            Item::with_data(decision_key(&self.session_id, self.index), self)?
                .expires_at(deleted_at(self.recorded_at)),
        )
    }

    /// This decision at its next version, conditioned on the current one.
    fn write(&self, next: &Decision) -> ApiResult<Write> {
        Ok(Write::Put {
            item: next.item()?,
            condition: Some(Condition::VersionIs(self.version)),
        })
    }
}

fn session_item(s: &Session) -> ApiResult<Item> {
    Ok(Item::with_data(session_key(&s.id), s)?
        .expires_at(deleted_at(s.created_at))
        .index(
            Index::Gsi2,
            SESSIONS,
            format!(
                "{}#{}",
                s.created_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                s.id
            ),
        ))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DecisionView {
    pub index: usize,
    pub application_id: String,
    pub family_id: String,
    /// The guardians, « Léa DUPONT ».
    pub family: String,
    pub child: String,
    pub decision: DecisionKind,
    pub structure_id: Option<String>,
    /// The crèche's name when decided.
    pub structure: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub message: Option<String>,
    pub outcome: Outcome,
    /// Why it was not applied.
    pub reason: Option<String>,
    pub mail: MailState,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CommissionView {
    pub id: String,
    pub held_on: NaiveDate,
    pub name: Option<String>,
    /// RFC 3339, Paris offset.
    pub deadline: String,
    pub created_at: String,
    pub created_by: String,
    /// When the offers were sent (RFC 3339, Paris offset).
    pub sent_at: Option<String>,
    pub sent_by: Option<String>,
    /// Offers applied whose e-mail is still to send (or failed).
    pub to_send: usize,
    /// Decisions not applied (or not tried): `apply` tries them again.
    pub not_applied: usize,
    pub decisions: Vec<DecisionView>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CommissionSummary {
    pub id: String,
    pub held_on: NaiveDate,
    pub name: Option<String>,
    pub deadline: String,
    pub created_at: String,
    pub decisions: usize,
    pub offers: usize,
    pub sent_at: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CommissionList {
    /// Newest first.
    pub items: Vec<CommissionSummary>,
    /// Give it back as `page` for the next items; absent on the last page.
    pub next_page: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    pub page: Option<String>,
}

/// What sending did.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SendReport {
    /// E-mails sent now.
    pub sent: usize,
    /// Offers whose family refused e-mails (read in their space).
    pub no_email: usize,
    /// E-mails the server refused: sending again tries them again.
    pub failed: usize,
    /// Offers no longer standing (answered, withdrawn…).
    pub not_sent: usize,
    /// Sent before (another click, another agent).
    pub already_sent: usize,
    pub commission: CommissionView,
}

fn view(s: &Session, decisions: &[Decision]) -> CommissionView {
    let rfc = marelle_domain::time::rfc3339;
    CommissionView {
        id: s.id.clone(),
        held_on: s.held_on,
        name: s.name.clone(),
        deadline: rfc(s.deadline),
        created_at: rfc(s.created_at),
        created_by: s.created_by.clone(),
        sent_at: s.sent_at.map(rfc),
        sent_by: s.sent_by.clone(),
        to_send: decisions
            .iter()
            .filter(|d| matches!(d.mail, MailState::ToSend | MailState::Failed))
            .count(),
        not_applied: decisions
            .iter()
            .filter(|d| matches!(d.outcome, Outcome::Pending | Outcome::NotApplied))
            .count(),
        decisions: decisions
            .iter()
            .map(|d| DecisionView {
                index: d.index,
                application_id: d.application_id.clone(),
                family_id: d.family_id.clone(),
                family: d.family.clone(),
                child: d.child.clone(),
                decision: d.decision,
                structure_id: d.structure_id.clone(),
                structure: d.structure.clone(),
                start_date: d.start_date,
                message: d.message.clone(),
                outcome: d.outcome,
                reason: d.reason.clone(),
                mail: d.mail,
            })
            .collect(),
    }
}

/// A session and its decisions, in order; `None` when unknown.
async fn load(app: &AppState, id: &str) -> ApiResult<Option<(Session, Vec<Decision>)>> {
    if !plausible_id(id) {
        return Ok(None);
    }
    let Some(item) = app.store.get(&session_key(id)).await? else {
        return Ok(None);
    };
    let session: Session = item.data()?;
    let page = app
        .store
        .query(
            Query::new(partition(id))
                .begins_with("D#")
                .limit(rules::MAX_DECISIONS + 1),
        )
        .await?;
    let mut decisions = page
        .items
        .iter()
        .map(|i| i.data::<Decision>().map_err(ApiError::from))
        .collect::<ApiResult<Vec<_>>>()?;
    decisions.sort_by_key(|d| d.index);
    Ok(Some((session, decisions)))
}

fn offer_body(s: &Session, d: &Decision) -> OfferBody {
    OfferBody {
        structure_id: d.structure_id.clone().unwrap_or_default(),
        start_date: d.start_date.unwrap_or(NaiveDate::MIN),
        schedule: None,
        deadline: s.deadline,
        message: d.message.clone(),
    }
}

/// The names of a family's guardians, « Léa DUPONT et Marc DUPONT ».
async fn family_name(app: &AppState, family_id: &str) -> ApiResult<String> {
    Ok(match family_store::load(app, family_id).await? {
        Some(l) => l
            .dossier
            .guardians
            .iter()
            .map(|g| g.full_name())
            .collect::<Vec<_>>()
            .join(" et "),
        None => String::new(),
    })
}

/// Whether `kind` may be decided for `a` now, as the single routes would
/// check it; the crèche's name for an offer.
async fn check(
    app: &AppState,
    account_id: &str,
    session: &Session,
    a: &Application,
    d: &Decision,
) -> ApiResult<Option<String>> {
    let now = app.clock.now();
    if a.history.len() >= store::MAX_HISTORY && !d.decision.leaves_unchanged(a.status_at(now)) {
        return Err(ApiError::rule(
            "history_full",
            format!(
                "Cette préinscription a atteint {} événements\u{a0}: contactez la famille autrement.",
                store::MAX_HISTORY
            ),
        ));
    }
    match d.decision {
        DecisionKind::Offer => {
            let offer = agent::prepare_offer(app, account_id, a, &offer_body(session, d)).await?;
            Ok(Some(offer.structure))
        }
        kind if kind.leaves_unchanged(a.status_at(now)) => Ok(None),
        kind => {
            creche::transition(a.status, a.deadline(), kind.action(session.deadline), now)
                .map_err(transition_error)?;
            Ok(None)
        }
    }
}

fn changed_reason(e: &ApiError) -> String {
    if e.code == "conflict" {
        "La préinscription a été modifiée entre-temps (par la famille ou un autre agent)\u{a0}: décision non appliquée.".to_string()
    } else {
        e.detail.clone()
    }
}

/// Applies one decision to `a` (as read: its version is the condition),
/// marking it applied in the same transaction; or records why not.
async fn apply_one(
    app: &AppState,
    account_id: &str,
    session: &Session,
    d: &mut Decision,
    a: Option<Application>,
) -> ApiResult<()> {
    if matches!(d.outcome, Outcome::Applied | Outcome::Unchanged) {
        return Ok(());
    }
    let now = app.clock.now();
    let mut next = d.clone();
    next.version += 1;
    next.reason = None;
    next.applied_at = Some(now);
    let result = match a {
        None => Err(ApiError::rule(
            "unknown_application",
            "Cette préinscription n'existe plus.",
        )),
        Some(a) => match d.decision {
            DecisionKind::Offer => {
                next.outcome = Outcome::Applied;
                next.mail = MailState::ToSend;
                let mark = d.write(&next)?;
                agent::make_offer(
                    app,
                    account_id,
                    a,
                    &offer_body(session, d),
                    d.message.clone(),
                    vec![mark],
                )
                .await
                .map(|_| ())
            }
            kind if kind.leaves_unchanged(a.status_at(now)) => {
                next.outcome = Outcome::Unchanged;
                let mark = d.write(&next)?;
                app.store.transact(vec![mark]).await.map_err(ApiError::from)
            }
            kind => {
                next.outcome = Outcome::Applied;
                let status = match kind {
                    DecisionKind::Refuse => Status::Closed,
                    _ => Status::Waiting,
                };
                let mark = d.write(&next)?;
                agent::change_status(app, account_id, a, status, d.message.clone(), vec![mark])
                    .await
                    .map(|_| ())
            }
        },
    };
    match result {
        Ok(()) => {
            *d = next;
            Ok(())
        }
        Err(e) if e.status.is_server_error() => Err(e),
        Err(e) => {
            // Applied meanwhile by another click? Then it stands.
            if let Some(item) = app.store.get(&decision_key(&d.session_id, d.index)).await? {
                let current: Decision = item.data()?;
                if current.version != d.version {
                    *d = current;
                    return Ok(());
                }
            }
            let mut failed = d.clone();
            failed.version += 1;
            failed.outcome = Outcome::NotApplied;
            failed.reason = Some(changed_reason(&e));
            failed.mail = MailState::None;
            match app.store.transact(vec![d.write(&failed)?]).await {
                Ok(()) => *d = failed,
                Err(err) if err.is_condition_failed() => {
                    if let Some(item) = app.store.get(&decision_key(&d.session_id, d.index)).await?
                    {
                        *d = item.data()?;
                    }
                }
                Err(err) => return Err(err.into()),
            }
            Ok(())
        }
    }
}

fn invalid_rows(rows: Vec<FieldError>) -> ApiError {
    let mut e = ApiError::invalid_fields(rows);
    e.code = "invalid_decisions".into();
    e.detail =
        "Certaines décisions ne peuvent pas être enregistrées\u{a0}: rien n'a été enregistré."
            .into();
    e
}

fn row_error(index: usize, code: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(&format!("decisions[{index}]"), code, message.into())
}

/// `POST /api/agent/creche/commissions`: a session's decisions, checked
/// all, then recorded and applied (no e-mail yet).
#[utoipa::path(post, path = "/api/agent/creche/commissions", operation_id = "create_creche_commission", tag = "agent", request_body = NewCommission,
    responses(
        (status = 201, description = "Commission enregistrée, décisions appliquées (voir `outcome`)", body = CommissionView),
        (status = 400, description = "Corps illisible", body = Problem),
        (status = 403, description = "Réservé aux agents", body = Problem),
        (status = 422, description = "`invalid_decisions` (une erreur par ligne, `decisions[i]`: `duplicate_application`, `unknown_application`, `structure_required`, `start_date_required`, `invalid_transition`, `application_closed`, `invalid_structures`, `invalid_start_date`, `message_too_long`…), `invalid_name`, `invalid_deadline`", body = Problem),
    ))]
pub async fn create(
    State(app): State<AppState>,
    Agent(agent): Agent,
    JsonBody(body): JsonBody<NewCommission>,
) -> ApiResult<impl IntoResponse> {
    let now = app.clock.now();
    let name = body
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string);
    rules::check_session(body.decisions.len(), name.as_deref(), body.deadline, now)
        .map_err(|p| ApiError::rule(p.code(), p.message()))?;
    let rows: Vec<Row<'_>> = body
        .decisions
        .iter()
        .map(|d| Row {
            application_id: &d.application_id,
            kind: d.decision,
            structure_id: d.structure_id.as_deref(),
            start_date: d.start_date,
        })
        .collect();
    let mut errors: Vec<FieldError> = rules::check_rows(&rows)
        .into_iter()
        .map(|p| row_error(p.index, p.code, p.message))
        .collect();
    let session = Session {
        id: app.ids.next(),
        held_on: body.held_on,
        name,
        deadline: body.deadline,
        created_at: now,
        created_by: agent.account_id.clone(),
        decisions: body.decisions.len(),
        offers: body
            .decisions
            .iter()
            .filter(|d| d.decision == DecisionKind::Offer)
            .count(),
        sent_at: None,
        sent_by: None,
    };
    let mut families: HashMap<String, String> = HashMap::new();
    let mut checked: Vec<(Decision, Application)> = Vec::new();
    for (index, d) in body.decisions.iter().enumerate() {
        if errors
            .iter()
            .any(|e| e.field == format!("decisions[{index}]"))
        {
            continue;
        }
        let message = match checked_message(d.message.as_deref()) {
            Ok(m) => m,
            Err(e) => {
                errors.push(row_error(index, &e.code, e.detail));
                continue;
            }
        };
        let Some(a) = store::load_by_id(&app, &d.application_id).await? else {
            errors.push(row_error(
                index,
                "unknown_application",
                "Cette préinscription n'existe pas.",
            ));
            continue;
        };
        let family = match families.get(&a.family_id) {
            Some(f) => f.clone(),
            None => {
                let f = family_name(&app, &a.family_id).await?;
                families.insert(a.family_id.clone(), f.clone());
                f
            }
        };
        let mut decision = Decision {
            session_id: session.id.clone(),
            recorded_at: now,
            index,
            application_id: a.id.clone(),
            family_id: a.family_id.clone(),
            family,
            child: a.child.clone(),
            decision: d.decision,
            structure_id: d
                .structure_id
                .clone()
                .filter(|_| d.decision == DecisionKind::Offer),
            structure: None,
            start_date: d.start_date.filter(|_| d.decision == DecisionKind::Offer),
            message,
            outcome: Outcome::Pending,
            reason: None,
            applied_at: None,
            mail: MailState::None,
            version: 1,
        };
        match check(&app, &agent.account_id, &session, &a, &decision).await {
            Ok(structure) => {
                decision.structure = structure;
                checked.push((decision, a));
            }
            Err(e) if e.status.is_server_error() => return Err(e),
            Err(e) => errors.push(row_error(
                index,
                &e.code,
                format!("{}\u{a0}: {}", a.child, e.detail),
            )),
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| {
            e.field
                .trim_start_matches("decisions[")
                .trim_end_matches(']')
                .parse::<usize>()
                .unwrap_or(usize::MAX)
        });
        return Err(invalid_rows(errors));
    }
    // The decisions first, the session last: a session listed is whole.
    let items = checked
        .iter()
        .map(|(d, _)| d.item().map(Write::put_new))
        .collect::<ApiResult<Vec<_>>>()?;
    for chunk in marelle_domain::ports::store::chunks(items, WRITE_CHUNK) {
        app.store.transact(chunk).await?;
    }
    app.store
        .transact(vec![Write::put_new(session_item(&session)?)])
        .await?;
    let mut decisions = Vec::with_capacity(checked.len());
    for (mut d, a) in checked {
        apply_one(&app, &agent.account_id, &session, &mut d, Some(a)).await?;
        decisions.push(d);
    }
    Ok((StatusCode::CREATED, Json(view(&session, &decisions))))
}

/// `POST /api/agent/creche/commissions/{id}/apply`: the decisions not
/// applied, tried again on the applications as they are now.
#[utoipa::path(post, path = "/api/agent/creche/commissions/{id}/apply", operation_id = "apply_creche_commission", tag = "agent", params(("id" = String, Path)),
    responses(
        (status = 200, description = "La commission, ses décisions appliquées ou non (avec la raison)", body = CommissionView),
        (status = 403, description = "Réservé aux agents", body = Problem),
        (status = 404, description = "Inconnue", body = Problem),
    ))]
pub async fn apply(
    State(app): State<AppState>,
    Agent(agent): Agent,
    Path(id): Path<String>,
) -> ApiResult<Json<CommissionView>> {
    let (session, mut decisions) = load(&app, &id).await?.ok_or_else(ApiError::not_found)?;
    for d in &mut decisions {
        if matches!(d.outcome, Outcome::Pending | Outcome::NotApplied) {
            let a = store::load(&app, &d.family_id, &d.application_id).await?;
            apply_one(&app, &agent.account_id, &session, d, a).await?;
        }
    }
    Ok(Json(view(&session, &decisions)))
}

/// `GET /api/agent/creche/commissions/{id}`: a session and its decisions.
#[utoipa::path(get, path = "/api/agent/creche/commissions/{id}", operation_id = "read_creche_commission", tag = "agent", params(("id" = String, Path)),
    responses(
        (status = 200, description = "La commission et ses décisions", body = CommissionView),
        (status = 403, description = "Réservé aux agents", body = Problem),
        (status = 404, description = "Inconnue", body = Problem),
    ))]
pub async fn detail(
    State(app): State<AppState>,
    Agent(_): Agent,
    Path(id): Path<String>,
) -> ApiResult<Json<CommissionView>> {
    let (session, decisions) = load(&app, &id).await?.ok_or_else(ApiError::not_found)?;
    Ok(Json(view(&session, &decisions)))
}

/// `GET /api/agent/creche/commissions`: the sessions, newest first.
#[utoipa::path(get, path = "/api/agent/creche/commissions", operation_id = "list_creche_commissions", tag = "agent", params(ListParams),
    responses(
        (status = 200, description = "Les commissions, les plus récentes d'abord", body = CommissionList),
        (status = 400, description = "`invalid_page`", body = Problem),
        (status = 403, description = "Réservé aux agents", body = Problem),
    ))]
pub async fn list(
    State(app): State<AppState>,
    Agent(_): Agent,
    UrlQuery(q): UrlQuery<ListParams>,
) -> ApiResult<Json<CommissionList>> {
    let cursor = match q.page.as_deref() {
        Some(p) if !p.is_empty() => {
            if p.len() > 2048 {
                return Err(ApiError::invalid_page());
            }
            Some(Cursor(p.to_string()))
        }
        _ => None,
    };
    let page = app
        .store
        .query(
            Query::on(Index::Gsi2, SESSIONS)
                .backwards()
                .limit(PAGE_SIZE)
                .after(cursor),
        )
        .await?;
    let rfc = marelle_domain::time::rfc3339;
    let items = page
        .items
        .iter()
        .map(|i| {
            let s: Session = i.data()?;
            Ok(CommissionSummary {
                id: s.id,
                held_on: s.held_on,
                name: s.name,
                deadline: rfc(s.deadline),
                created_at: rfc(s.created_at),
                decisions: s.decisions,
                offers: s.offers,
                sent_at: s.sent_at.map(rfc),
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(Json(CommissionList {
        items,
        next_page: page.cursor.map(|c| c.0),
    }))
}

/// `POST /api/agent/creche/commissions/{id}/send`: the e-mail of each
/// offer of the session still standing, each once.
#[utoipa::path(post, path = "/api/agent/creche/commissions/{id}/send", operation_id = "send_creche_commission", tag = "agent", params(("id" = String, Path)),
    responses(
        (status = 200, description = "Propositions envoyées (les comptes, et la commission)", body = SendReport),
        (status = 403, description = "Réservé aux agents", body = Problem),
        (status = 404, description = "Inconnue", body = Problem),
    ))]
pub async fn send(
    State(app): State<AppState>,
    Agent(agent): Agent,
    Path(id): Path<String>,
) -> ApiResult<Json<SendReport>> {
    let (mut session, mut decisions) = load(&app, &id).await?.ok_or_else(ApiError::not_found)?;
    let now = app.clock.now();
    let mut report = SendReport {
        sent: 0,
        no_email: 0,
        failed: 0,
        not_sent: 0,
        already_sent: 0,
        commission: view(&session, &[]),
    };
    for d in &mut decisions {
        match d.mail {
            MailState::ToSend | MailState::Failed => {}
            MailState::Sent => {
                report.already_sent += 1;
                continue;
            }
            _ => continue,
        }
        let a = store::load(&app, &d.family_id, &d.application_id).await?;
        // The offer still stands, and is this session's.
        let standing = a.as_ref().filter(|a| {
            a.status_at(now) == Status::Offered
                && a.offer.as_ref().is_some_and(|o| {
                    o.deadline == session.deadline
                        && Some(&o.structure_id) == d.structure_id.as_ref()
                })
        });
        let mut claimed = d.clone();
        claimed.version += 1;
        claimed.mail = if standing.is_some() {
            MailState::Sent
        } else {
            MailState::NotSent
        };
        match app.store.transact(vec![d.write(&claimed)?]).await {
            Ok(()) => {}
            Err(e) if e.is_condition_failed() => {
                // Another click claimed it.
                report.already_sent += 1;
                if let Some(item) = app.store.get(&decision_key(&id, d.index)).await? {
                    *d = item.data()?;
                }
                continue;
            }
            Err(e) => return Err(e.into()),
        }
        *d = claimed;
        let Some(a) = standing else {
            report.not_sent += 1;
            continue;
        };
        let after = match jobs::offer_mail_sent(&app, a).await? {
            Sent::Sent => {
                report.sent += 1;
                None
            }
            Sent::Nobody => {
                report.no_email += 1;
                Some(MailState::NoEmail)
            }
            Sent::Failed => {
                report.failed += 1;
                Some(MailState::Failed)
            }
        };
        if let Some(mail) = after {
            let mut next = d.clone();
            next.version += 1;
            next.mail = mail;
            if app.store.transact(vec![d.write(&next)?]).await.is_ok() {
                *d = next;
            }
        }
    }
    if session.sent_at.is_none() {
        let update = Update::new()
            .set("sent_at", marelle_domain::time::rfc3339(now))
            .set("sent_by", agent.account_id.clone());
        // Two agents sending at once both set it, within a moment.
        app.store.update(&session_key(&id), update, None).await?;
        session.sent_at = Some(now);
        session.sent_by = Some(agent.account_id.clone());
    }
    report.commission = view(&session, &decisions);
    Ok(Json(report))
}
