//! Parents' crèche applications: apply, read, withdraw, renew, answer an
//! offer. Each application is a `creche_application` request in the
//! shared request model ("Mes demandes", the agents' queue, the digest):
//! the commune's messages and decisions are reflected on it.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::{DateTime, NaiveDate, Utc};
use marelle_domain::creche::{
    self, Action, Answer, Draft, Expected, ForChild, Situation, Slot, Status, TransitionError,
};
use marelle_domain::documents::{DocumentState, DocumentType, Scope};
use marelle_domain::ports::StoreError;
use marelle_domain::ports::store::{Condition, Item, Write};
use marelle_domain::requests::{Actor, Decision, RequestKind, RequestRecord};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::store::{self, Application, Event, HistoryEntry, MAX_FAMILY_APPLICATIONS, MAX_HISTORY};
use super::structures;
use crate::documents::table::{latest_documents, state_of};
use crate::documents::upload::StoredState;
use crate::family::{FamilyParam, access, store as family_store};
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{JsonBody, Parent, UrlQuery};
use crate::http::state::AppState;
use crate::requests::decide::{already_decided, publish_decided};
use crate::requests::store as request_store;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApplication {
    /// A child of the family; or `expected`.
    pub child_id: Option<String>,
    /// A child not born yet; or `child_id`.
    pub expected: Option<Expected>,
    /// Desired start, on or after today (and the due date).
    pub start_date: NaiveDate,
    /// Monday to Friday, each day once, arrival before departure.
    pub schedule: Vec<Slot>,
    /// 1 to 3 crèche ids, by preference.
    pub structures: Vec<String>,
    /// 2000 characters at most.
    pub comment: Option<String>,
    /// What a commission weighs (parents' work, siblings in a crèche).
    pub situation: Option<Situation>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ApplicationCreated {
    pub id: String,
    pub request_id: String,
    pub status: Status,
}

/// A place offered, as made.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OfferView {
    pub structure_id: String,
    pub structure: String,
    pub start_date: NaiveDate,
    pub schedule: Vec<Slot>,
    pub hours_per_week: f64,
    /// The last instant an answer is taken (RFC 3339, Paris offset).
    pub deadline: String,
    pub made_at: String,
    /// The deadline passed unanswered: the application is waiting again.
    pub lapsed: bool,
}

/// One step of an application's history (its own name in the contract:
/// the requests' `HistoryView` is another type).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(as = CrecheHistoryView)]
pub struct HistoryView {
    /// RFC 3339, Paris offset.
    pub at: String,
    pub event: Event,
    pub status: Status,
    pub by: Actor,
    pub message: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ApplicationView {
    pub id: String,
    pub family_id: String,
    pub request_id: String,
    pub child_id: Option<String>,
    /// "Léa Martin", or "Enfant à naître (Léa)".
    pub child: String,
    pub expected: Option<Expected>,
    pub start_date: NaiveDate,
    pub schedule: Vec<Slot>,
    pub hours_per_week: f64,
    /// Crèche ids, by preference.
    pub structures: Vec<String>,
    pub comment: Option<String>,
    pub situation: Situation,
    /// As it reads now: an offer past its deadline reads `waiting`.
    pub status: Status,
    /// RFC 3339, Paris offset.
    pub submitted_at: String,
    pub renew_before: NaiveDate,
    pub offer: Option<OfferView>,
    /// The dossier change declaring the expected child's birth (the child
    /// joins the dossier, and the application, when it is accepted).
    pub birth_request_id: Option<String>,
    /// The birth declared was refused by the commune (its dossier change
    /// refused or cancelled): `birth_request_id` is then absent and the
    /// family may declare it again. Read on one application's reads only.
    pub birth_refused: bool,
    /// An expected child's due date has passed, no birth declared, the
    /// application open.
    pub birth_overdue: bool,
    /// The child's age in whole months on the desired start (from the due
    /// date for a child not born yet); absent when unknown.
    pub age_at_start_months: Option<u32>,
    /// Oldest first.
    pub history: Vec<HistoryView>,
    /// The supporting documents the commune asks with a crèche
    /// application (types flagged `creche`, active), while it is open;
    /// empty once it is final. At most the commune's types (100).
    pub documents: Vec<ApplicationDocument>,
    /// How many of `documents` are still to send: missing, refused or
    /// expired (pending ones and those for a child not born yet are not
    /// counted).
    pub documents_missing: u32,
}

/// A supporting document an open application asks for, as the family's
/// "Pièces justificatives" table reads it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ApplicationDocument {
    pub type_id: String,
    pub name: String,
    /// `family`: the family's document; `child`: the application's child's.
    pub scope: Scope,
    /// As in the table: `missing` (à fournir), `pending` (en attente),
    /// `accepted`, `refused`, `expired`.
    pub state: DocumentState,
    /// Accepted and ending within 30 days.
    pub expires_soon: bool,
    /// Last valid day of an accepted document.
    pub expires_on: Option<NaiveDate>,
    /// The agent's reason, for a refused document.
    pub message: Option<String>,
    /// The commune's help text (may be empty).
    pub help: String,
    /// A child's document while the child is expected (no child in the
    /// dossier yet): « à fournir après la naissance », not counted missing.
    pub after_birth: bool,
}

impl ApplicationDocument {
    /// Still to send by the family now.
    pub fn missing(&self) -> bool {
        !self.after_birth
            && matches!(
                self.state,
                DocumentState::Missing | DocumentState::Refused | DocumentState::Expired
            )
    }
}

/// Fills the documents of the open applications among `views`. Store
/// reads: none when no application is open; else the commune's types (one
/// query), and, when one is flagged for crèches, each family's documents
/// (one query per family, at the same time), whatever the number of
/// applications of a family.
pub async fn with_documents(app: &AppState, views: &mut [ApplicationView]) -> ApiResult<()> {
    if !views.iter().any(|v| v.status.is_open()) {
        return Ok(());
    }
    let types: Vec<DocumentType> = crate::documents::types::list(app)
        .await?
        .into_iter()
        .filter(DocumentType::for_creche)
        .collect();
    if types.is_empty() {
        return Ok(());
    }
    let mut families: Vec<String> = views
        .iter()
        .filter(|v| v.status.is_open())
        .map(|v| v.family_id.clone())
        .collect();
    families.sort();
    families.dedup();
    let held = futures::future::try_join_all(families.iter().map(|f| async move {
        let docs = crate::documents::upload::family_documents(app, f).await?;
        ApiResult::Ok((f.clone(), latest_documents(docs)))
    }))
    .await?;
    let held: HashMap<String, _> = held.into_iter().collect();
    let today = marelle_domain::time::local_date(app.clock.now());
    for v in views.iter_mut().filter(|v| v.status.is_open()) {
        let Some(latest) = held.get(&v.family_id) else {
            continue;
        };
        v.documents = types
            .iter()
            .map(|t| {
                let whose = match t.scope {
                    Scope::Family => Some(None),
                    Scope::Child => v.child_id.clone().map(Some),
                };
                let doc = whose
                    .as_ref()
                    .and_then(|c| latest.get(&(t.id.clone(), c.clone())));
                let (state, expires_soon) = state_of(doc, today);
                ApplicationDocument {
                    type_id: t.id.clone(),
                    name: t.name.clone(),
                    scope: t.scope,
                    state,
                    expires_soon,
                    expires_on: doc.and_then(|d| d.expires_on),
                    message: doc
                        .filter(|d| d.state == StoredState::Refused)
                        .and_then(|d| d.message.clone()),
                    help: t.help.clone(),
                    after_birth: whose.is_none(),
                }
            })
            .collect();
        v.documents_missing = v.documents.iter().filter(|d| d.missing()).count() as u32;
    }
    Ok(())
}

/// An application as read, with its documents.
pub async fn view(app: &AppState, a: &Application) -> ApiResult<ApplicationView> {
    let mut v = [ApplicationView::new(a, app.clock.now())];
    with_documents(app, &mut v).await?;
    let [mut v] = v;
    if store::birth_refused(app, a).await? {
        v.birth_request_id = None;
        v.birth_refused = true;
    }
    Ok(v)
}

impl ApplicationView {
    pub fn new(a: &Application, now: DateTime<Utc>) -> Self {
        let rfc = marelle_domain::time::rfc3339;
        Self {
            id: a.id.clone(),
            family_id: a.family_id.clone(),
            request_id: a.request_id.clone(),
            child_id: a.child_id.clone(),
            child: a.child.clone(),
            expected: a.expected.clone(),
            start_date: a.start_date,
            schedule: a.schedule.clone(),
            hours_per_week: creche::weekly_hours(&a.schedule),
            structures: a.structures.clone(),
            comment: a.comment.clone(),
            situation: a.situation.clone(),
            status: a.status_at(now),
            submitted_at: rfc(a.submitted_at),
            renew_before: a.renew_before,
            offer: a.offer.as_ref().map(|o| OfferView {
                structure_id: o.structure_id.clone(),
                structure: o.structure.clone(),
                start_date: o.start_date,
                schedule: o.schedule.clone(),
                hours_per_week: o.hours_per_week,
                deadline: rfc(o.deadline),
                made_at: rfc(o.made_at),
                lapsed: a.status == Status::Offered && now > o.deadline,
            }),
            birth_request_id: a.birth_request_id.clone(),
            birth_refused: false,
            birth_overdue: a.birth_overdue(now),
            age_at_start_months: a.age_at_start(),
            history: a
                .history
                .iter()
                .map(|h| HistoryView {
                    at: rfc(h.at),
                    event: h.event,
                    status: h.status,
                    by: h.by,
                    message: h.message.clone(),
                })
                .collect(),
            documents: Vec::new(),
            documents_missing: 0,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ApplicationList {
    pub items: Vec<ApplicationView>,
    /// Give it back as `page` for the next items; absent on the last page.
    pub next_page: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Renewed {
    pub renew_before: NaiveDate,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerBody {
    pub answer: Answer,
}

/// The error a lifecycle refusal answers.
pub fn transition_error(e: TransitionError) -> ApiError {
    match e {
        TransitionError::ApplicationClosed => ApiError::conflict(
            e.code(),
            "Cette préinscription est close\u{a0}: elle ne peut plus être modifiée.",
        ),
        TransitionError::NoOffer => ApiError::conflict(
            e.code(),
            "Aucune place n'est proposée pour cette préinscription.",
        ),
        TransitionError::OfferExpired => ApiError::rule(
            e.code(),
            "Le délai pour répondre à cette proposition de place est dépassé\u{a0}: la demande est de nouveau en attente de place.",
        ),
        TransitionError::InvalidTransition => ApiError::conflict(
            e.code(),
            "Ce changement n'est pas possible dans l'état actuel de la préinscription.",
        ),
        TransitionError::InvalidDeadline => ApiError::rule(
            e.code(),
            "La date limite de réponse doit être dans le futur.",
        ),
        TransitionError::InvalidStatus => ApiError::rule(
            e.code(),
            "L'état doit être « incomplete », « under_review », « waiting » ou « closed ».",
        ),
    }
}

fn history_full() -> ApiError {
    ApiError::rule(
        "history_full",
        format!(
            "Cette préinscription a atteint {MAX_HISTORY} événements\u{a0}: contactez la famille autrement."
        ),
    )
}

/// What one action changes beside the state.
pub struct Change {
    pub action: Action,
    pub by: Actor,
    /// The account acting.
    pub account_id: String,
    pub message: Option<String>,
    /// A new offer (agent offer).
    pub offer: Option<store::Offer>,
}

/// Applies `change` to `a` at `now` through the lifecycle, and reflects it
/// on the application's request; saves both, and drops the open marker
/// when the application becomes final, in one transaction conditioned on
/// the application's version: of two agents acting at once, one gets 409.
pub async fn act(app: &AppState, a: Application, change: Change) -> ApiResult<Application> {
    act_with(app, a, change, Vec::new()).await
}

/// [`act`], with `also` written in the same transaction (after the
/// application's own writes): a commission's decision recorded as applied
/// with the application it changes.
pub async fn act_with(
    app: &AppState,
    mut a: Application,
    change: Change,
    also: Vec<Write>,
) -> ApiResult<Application> {
    let now = app.clock.now();
    let next =
        creche::transition(a.status, a.deadline(), change.action, now).map_err(transition_error)?;
    if a.history.len() >= MAX_HISTORY {
        return Err(history_full());
    }
    let before = a.version;
    let event = match change.action {
        Action::Withdraw => Event::Withdrawn,
        Action::Renew => Event::Renewed,
        Action::Answer(_) => Event::Answered,
        Action::SetStatus(_) => Event::Status,
        Action::Offer { .. } => Event::Offered,
    };
    if let Some(offer) = change.offer.clone() {
        a.offer = Some(offer);
    }
    if change.action == Action::Renew {
        a.renew_before = creche::renew_before(now);
    }
    a.status = next;
    if !next.is_open() {
        a.closed_at = Some(now);
    }
    a.history.push(HistoryEntry {
        at: now,
        event,
        status: next,
        by: change.by,
        message: change.message.clone(),
    });
    a.version += 1;
    for _ in 0..4 {
        let mut writes = vec![Write::Put {
            item: store::item(&a)?,
            condition: Some(Condition::VersionIs(before)),
        }];
        let mut decided = None;
        if let Some(mut r) = request_store::load(app, &a.request_id).await? {
            let r_before = r.version;
            if reflect(&mut r, &a, &change, now)? {
                writes.push(request_store::save(&r, r_before)?);
                if r.state.is_decided() && r.decided_at == Some(now) {
                    decided = Some(r);
                }
            }
        }
        if !next.is_open() {
            writes.push(Write::Delete {
                key: a.open_marker(),
                condition: None,
            });
            writes.push(statistic(next, now));
        }
        writes.extend(also.iter().cloned());
        match app.store.transact(writes).await {
            Ok(()) => {
                if let Some(r) = decided {
                    publish_decided(app, &r).await;
                }
                return Ok(a);
            }
            // The request changed (read by the family…): read it again.
            Err(StoreError::ConditionFailed { index: Some(1) }) | Err(StoreError::Contention) => {
                continue;
            }
            Err(StoreError::ConditionFailed { .. }) => break,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::changed_meanwhile(
        "Cette préinscription a été modifiée entre-temps\u{a0}: rechargez la page.",
    ))
}

/// One more application that became final in the month of `now` (Paris),
/// in `next` state: what statistics keep once applications are deleted.
pub fn statistic(next: Status, now: DateTime<Utc>) -> Write {
    let month = marelle_domain::time::local_date(now)
        .format("%Y-%m")
        .to_string();
    Write::Update {
        key: marelle_domain::keys::creche_stat(&month, next.code()),
        update: marelle_domain::ports::store::Update::new()
            .set("month", month.clone())
            .set("status", next.code())
            .add("count", 1),
        condition: None,
    }
}

/// The commune's messages and decisions, on the application's request, as
/// the family reads them in "Mes demandes". True when it changed.
fn reflect(
    r: &mut RequestRecord,
    a: &Application,
    change: &Change,
    now: DateTime<Utc>,
) -> ApiResult<bool> {
    if r.state.is_decided() {
        return Ok(false);
    }
    let message = change.message.as_deref();
    let result = match (change.action, a.status) {
        (Action::Withdraw, _) | (Action::Answer(Answer::Decline), _) => {
            r.cancel(Actor::Family, None, now)
        }
        (Action::Answer(Answer::Accept), _) => {
            let by = a.offer.as_ref().map(|o| o.made_by.as_str()).unwrap_or("");
            r.decide(Decision::Accepted, None, by, now)
        }
        (Action::SetStatus(_), Status::Closed) => {
            r.decide(Decision::Refused, message, &change.account_id, now)
        }
        (Action::Offer { .. }, _) => match &a.offer {
            Some(o) => r.add_message(Actor::Commune, &offer_text(o, message), now),
            None => return Ok(false),
        },
        (Action::SetStatus(_), _) => match message {
            Some(m) => r.add_message(Actor::Commune, m, now),
            None => return Ok(false),
        },
        (Action::Renew, _) => return Ok(false),
    };
    result.map_err(already_decided)?;
    Ok(true)
}

/// The message an offer leaves on the request.
pub fn offer_text(o: &store::Offer, message: Option<&str>) -> String {
    let mut text = format!(
        "Une place vous est proposée à la crèche {} à partir du {}. Répondez avant le {}.",
        o.structure,
        marelle_domain::calendar::long_date(o.start_date),
        marelle_domain::calendar::long_date_time(o.deadline),
    );
    if let Some(m) = message {
        text.push(' ');
        text.push_str(m);
    }
    text
}

/// The family an account acts for, and the application of it.
async fn family_application(
    app: &AppState,
    account_id: &str,
    family: Option<&str>,
    id: &str,
) -> ApiResult<Application> {
    let family_id = access::family_of(app, account_id, family).await?;
    store::load(app, &family_id, id)
        .await?
        .ok_or_else(ApiError::not_found)
}

fn exists() -> ApiError {
    ApiError::conflict(
        "application_exists",
        "Une préinscription est déjà en cours pour cet enfant.",
    )
}

/// `POST /api/creche/applications`: a new application.
#[utoipa::path(post, path = "/api/creche/applications", operation_id = "create_creche_application", tag = "creche", params(FamilyParam), request_body = NewApplication,
    responses(
        (status = 201, description = "Préinscription déposée", body = ApplicationCreated),
        (status = 400, description = "Corps illisible ou champ inconnu", body = Problem),
        (status = 401, description = "Pas connecté", body = Problem),
        (status = 403, description = "Réservé aux familles", body = Problem),
        (status = 404, description = "Enfant inconnu, ou d'une autre famille", body = Problem),
        (status = 409, description = "`application_exists`", body = Problem),
        (status = 422, description = "`child_required`, `invalid_schedule`, `invalid_structures`, `invalid_start_date`, `invalid_due_date`, `child_too_old`, `invalid_first_name`, `invalid_comment`, `invalid_situation`, `too_many_applications`", body = Problem),
    ))]
pub async fn create(
    State(app): State<AppState>,
    Parent(p): Parent,
    UrlQuery(q): UrlQuery<FamilyParam>,
    JsonBody(body): JsonBody<NewApplication>,
) -> ApiResult<impl IntoResponse> {
    let family_id = access::family_of(&app, &p.account_id, q.family_id.as_deref()).await?;
    let now = app.clock.now();
    let today = marelle_domain::time::local_date(now);
    let (for_child, child_name, birth_date) = match (&body.child_id, &body.expected) {
        (Some(child_id), None) => {
            let loaded = family_store::load(&app, &family_id)
                .await?
                .ok_or_else(ApiError::not_found)?;
            let child = loaded
                .dossier
                .child(child_id)
                .ok_or_else(ApiError::not_found)?;
            (
                ForChild::Born {
                    birth_date: child.birth_date,
                },
                child.full_name(),
                Some(child.birth_date),
            )
        }
        (None, Some(e)) => (ForChild::Expected(e.clone()), String::new(), None),
        _ => {
            return Err(ApiError::rule(
                "child_required",
                "Indiquez l'enfant, ou la date prévue de naissance d'un enfant à naître.",
            ));
        }
    };
    let draft = Draft {
        child: for_child,
        start_date: body.start_date,
        schedule: body.schedule,
        structures: body.structures,
        comment: body.comment,
        situation: body.situation.unwrap_or_default(),
    };
    let checked = creche::validate(&draft, today).map_err(ApiError::invalid_fields)?;
    let known = structures::list(&app).await?;
    if let Some(missing) = checked
        .structures
        .iter()
        .find(|id| !known.iter().any(|s| &s.id == *id))
    {
        return Err(ApiError::invalid_fields(vec![
            marelle_domain::accounts::FieldError::new(
                "structures",
                "invalid_structures",
                format!("La crèche « {missing} » n'existe pas."),
            ),
        ]));
    }
    if store::of_family(&app, &family_id).await?.len() >= MAX_FAMILY_APPLICATIONS {
        return Err(ApiError::rule(
            "too_many_applications",
            format!("Une famille compte {MAX_FAMILY_APPLICATIONS} préinscriptions au plus."),
        ));
    }
    let child = match &checked.expected {
        Some(e) => match &e.first_name {
            Some(n) => format!("Enfant à naître ({n})"),
            None => format!(
                "Enfant à naître le {}",
                marelle_domain::calendar::long_date(e.due_date)
            ),
        },
        None => child_name,
    };
    let id = app.ids.next();
    let request_id = app.ids.next();
    let mut record = RequestRecord::new(
        request_id.clone(),
        family_id.clone(),
        RequestKind::CrecheApplication,
        p.account_id.clone(),
        now,
        format!("Préinscription crèche\u{a0}: {child}"),
        json!({ "application_id": id, "child": child }),
    );
    record.child_id = body.child_id.clone();
    let a = Application {
        id: id.clone(),
        family_id: family_id.clone(),
        request_id: request_id.clone(),
        created_by: p.account_id.clone(),
        child_id: body.child_id.clone(),
        child,
        birth_date,
        expected: checked.expected,
        start_date: checked.start_date,
        schedule: checked.schedule,
        structures: checked.structures,
        comment: checked.comment,
        situation: checked.situation,
        status: Status::Submitted,
        submitted_at: now,
        renew_before: creche::renew_before(now),
        offer: None,
        closed_at: None,
        reminded_for: None,
        birth_request_id: None,
        history: vec![HistoryEntry {
            at: now,
            event: Event::Submitted,
            status: Status::Submitted,
            by: Actor::Family,
            message: None,
        }],
        version: 1,
    };
    let mut marker = Item::new(a.open_marker());
    marker.set("application_id", id.clone().into());
    let writes = vec![
        Write::put_new(store::item(&a)?),
        Write::put_new(marker),
        request_store::create(&record)?,
    ];
    match app.store.transact(writes).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed { index: Some(1) }) => return Err(exists()),
        Err(e) => return Err(e.into()),
    }
    Ok((
        StatusCode::CREATED,
        Json(ApplicationCreated {
            id,
            request_id,
            status: Status::Submitted,
        }),
    ))
}

/// `GET /api/creche/applications`: the family's applications, newest first.
#[utoipa::path(get, path = "/api/creche/applications", operation_id = "list_creche_applications", tag = "creche", params(FamilyParam),
    responses(
        (status = 200, description = "Les préinscriptions de la famille, les plus récentes d'abord", body = ApplicationList),
        (status = 401, description = "Pas connecté", body = Problem),
        (status = 403, description = "Réservé aux familles", body = Problem),
        (status = 404, description = "Famille d'un autre compte", body = Problem),
    ))]
pub async fn list(
    State(app): State<AppState>,
    Parent(p): Parent,
    UrlQuery(q): UrlQuery<FamilyParam>,
) -> ApiResult<Json<ApplicationList>> {
    let family_id = access::family_of(&app, &p.account_id, q.family_id.as_deref()).await?;
    let now = app.clock.now();
    let mut items: Vec<ApplicationView> = store::of_family(&app, &family_id)
        .await?
        .iter()
        .take(MAX_FAMILY_APPLICATIONS)
        .map(|a| ApplicationView::new(a, now))
        .collect();
    with_documents(&app, &mut items).await?;
    Ok(Json(ApplicationList {
        items,
        next_page: None,
    }))
}

/// `GET /api/creche/applications/{id}`: one application and its history.
#[utoipa::path(get, path = "/api/creche/applications/{id}", operation_id = "read_creche_application", tag = "creche", params(("id" = String, Path), FamilyParam),
    responses(
        (status = 200, description = "La préinscription", body = ApplicationView),
        (status = 401, description = "Pas connecté", body = Problem),
        (status = 403, description = "Réservé aux familles", body = Problem),
        (status = 404, description = "Inconnue, ou d'une autre famille", body = Problem),
    ))]
pub async fn detail(
    State(app): State<AppState>,
    Parent(p): Parent,
    Path(id): Path<String>,
    UrlQuery(q): UrlQuery<FamilyParam>,
) -> ApiResult<Json<ApplicationView>> {
    let a = family_application(&app, &p.account_id, q.family_id.as_deref(), &id).await?;
    Ok(Json(view(&app, &a).await?))
}

/// `POST /api/creche/applications/{id}/withdraw`: the family withdraws it.
#[utoipa::path(post, path = "/api/creche/applications/{id}/withdraw", operation_id = "withdraw_creche_application", tag = "creche", params(("id" = String, Path), FamilyParam),
    responses(
        (status = 200, description = "Préinscription retirée", body = ApplicationView),
        (status = 401, description = "Pas connecté", body = Problem),
        (status = 403, description = "Réservé aux familles", body = Problem),
        (status = 404, description = "Inconnue, ou d'une autre famille", body = Problem),
        (status = 409, description = "`application_closed`, ou modifiée entre-temps (`conflict`)", body = Problem),
    ))]
pub async fn withdraw(
    State(app): State<AppState>,
    Parent(p): Parent,
    Path(id): Path<String>,
    UrlQuery(q): UrlQuery<FamilyParam>,
) -> ApiResult<Json<ApplicationView>> {
    let a = family_application(&app, &p.account_id, q.family_id.as_deref(), &id).await?;
    let a = act(
        &app,
        a,
        Change {
            action: Action::Withdraw,
            by: Actor::Family,
            account_id: p.account_id.clone(),
            message: None,
            offer: None,
        },
    )
    .await?;
    Ok(Json(view(&app, &a).await?))
}

/// `POST /api/creche/applications/{id}/renewal`: the family still wants a
/// place; the application stands three more months.
#[utoipa::path(post, path = "/api/creche/applications/{id}/renewal", operation_id = "renew_creche_application", tag = "creche", params(("id" = String, Path), FamilyParam),
    responses(
        (status = 200, description = "Préinscription renouvelée", body = Renewed),
        (status = 401, description = "Pas connecté", body = Problem),
        (status = 403, description = "Réservé aux familles", body = Problem),
        (status = 404, description = "Inconnue, ou d'une autre famille", body = Problem),
        (status = 409, description = "`application_closed`, ou modifiée entre-temps (`conflict`)", body = Problem),
    ))]
pub async fn renew(
    State(app): State<AppState>,
    Parent(p): Parent,
    Path(id): Path<String>,
    UrlQuery(q): UrlQuery<FamilyParam>,
) -> ApiResult<Json<Renewed>> {
    let a = family_application(&app, &p.account_id, q.family_id.as_deref(), &id).await?;
    let a = act(
        &app,
        a,
        Change {
            action: Action::Renew,
            by: Actor::Family,
            account_id: p.account_id.clone(),
            message: None,
            offer: None,
        },
    )
    .await?;
    Ok(Json(Renewed {
        renew_before: a.renew_before,
    }))
}

/// `POST /api/creche/applications/{id}/answer`: the family accepts or
/// declines the place offered, by its deadline.
#[utoipa::path(post, path = "/api/creche/applications/{id}/answer", operation_id = "answer_creche_offer", tag = "creche", params(("id" = String, Path), FamilyParam), request_body = AnswerBody,
    responses(
        (status = 200, description = "Réponse enregistrée", body = ApplicationView),
        (status = 400, description = "Corps illisible", body = Problem),
        (status = 401, description = "Pas connecté", body = Problem),
        (status = 403, description = "Réservé aux familles", body = Problem),
        (status = 404, description = "Inconnue, ou d'une autre famille", body = Problem),
        (status = 409, description = "`no_offer`, `application_closed`, ou modifiée entre-temps (`conflict`)", body = Problem),
        (status = 422, description = "`offer_expired`", body = Problem),
    ))]
pub async fn answer(
    State(app): State<AppState>,
    Parent(p): Parent,
    Path(id): Path<String>,
    UrlQuery(q): UrlQuery<FamilyParam>,
    JsonBody(body): JsonBody<AnswerBody>,
) -> ApiResult<Json<ApplicationView>> {
    let a = family_application(&app, &p.account_id, q.family_id.as_deref(), &id).await?;
    let a = act(
        &app,
        a,
        Change {
            action: Action::Answer(body.answer),
            by: Actor::Family,
            account_id: p.account_id.clone(),
            message: None,
            offer: None,
        },
    )
    .await?;
    Ok(Json(view(&app, &a).await?))
}
