//! `POST /api/requests`: reservations and absences for one day (a click on
//! the planning) or a period (the form). One submission is one
//! transaction: a request and a slot per day (and a place where the
//! activity counts them), the idempotency record, all or nothing.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use chrono::NaiveDate;
use marelle_domain::planning::Refusal;
use marelle_domain::ports::Event;
use marelle_domain::requests::RequestKind;
use marelle_domain::secrets::token_hash;

use super::documents::Required;
use super::idempotency::Remembered;
use super::idempotency::{idempotency_key, remembered};
use super::plan::{Ask, Writes, writes_of};
use super::store;
use super::submission::{Mode, Submission, Submitted, days_asked, not_enrolled};
use crate::family::access;
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{JsonBody, Parent};
use crate::http::state::AppState;
use crate::requests::view::RequestSummary;

/// Why none of the days of a period can be asked, when one reason holds
/// for all of them.
fn common_reason(refused: &[Refusal]) -> &'static str {
    let code = refused.first().map(|r| r.code.as_str()).unwrap_or_default();
    if refused.iter().any(|r| r.code != code) {
        return "chaque jour est refusé pour la raison indiquée.";
    }
    match code {
        "already_reserved" => "une réservation est déjà demandée ou acceptée chacun de ces jours.",
        "already_waiting" => "votre enfant est déjà sur la liste d'attente chacun de ces jours.",
        "already_absent" => "une absence est déjà demandée chacun de ces jours.",
        "not_reserved" => {
            "une absence n'est possible que sur un jour réservé, et aucun de ces jours ne l'est."
        }
        "full" => "l'activité est complète chacun de ces jours.",
        "deadline_passed" => "la date limite de demande est passée pour chacun de ces jours.",
        "day_passed" => "ces jours sont passés.",
        "closed" => "l'activité est fermée ces jours-là.",
        "missing_document" => {
            "une pièce justificative obligatoire manque ou n'est pas valable ces jours-là (voir Pièces justificatives)."
        }
        _ => "chaque jour est refusé pour la raison indiquée.",
    }
}

/// 422 with each refused day. When nothing can be recorded from a period
/// (or several dates), the code is `no_day_possible`: `mode: valid_days`
/// would be refused too. Otherwise (a single date, or a period some days
/// of which are possible) the code is the first refused day's.
fn refused_problem(refused: Vec<Refusal>, nothing_possible: bool) -> ApiError {
    let first = refused
        .first()
        .map(|r| r.message.clone())
        .unwrap_or_default();
    let mut e = if nothing_possible {
        ApiError::rule(
            "no_day_possible",
            format!(
                "Aucun jour de cette période ne peut être demandé : {}",
                common_reason(&refused)
            ),
        )
    } else {
        ApiError::rule(
            refused.first().map_or("days_refused", |r| r.code.as_str()),
            if refused.len() == 1 {
                first
            } else {
                format!(
                    "{} jours ne peuvent pas être demandés. {first}",
                    refused.len()
                )
            },
        )
    };
    e.errors = refused
        .into_iter()
        .map(|r| crate::http::error::ProblemField {
            field: r.date.to_string(),
            code: r.code,
            message: r.message,
        })
        .collect();
    e
}

/// `POST /api/requests`.
#[utoipa::path(post, path = "/api/requests", tag = "planning", request_body = Submission,
    params(("family_id" = Option<String>, Query, description = "Accepté pour la symétrie avec les autres routes des familles ; la famille est celle de l'enfant."),
        ("Idempotency-Key" = Option<String>, Header, description = "Une nouvelle soumission avec la même clé rend la première réponse, sans rien refaire.")),
    responses(
        (status = 201, description = "Une demande par jour enregistré ; un accusé d'enregistrement part par e-mail", body = Submitted),
        (status = 404, description = "Enfant ou activité inconnus (ou d'une autre famille)", body = Problem),
        (status = 422, description = "Jours refusés, chacun avec sa raison dans `errors` (not_enrolled, closed, deadline_passed, full, not_reserved, missing_document : une pièce justificative obligatoire de l'enfant ou de la famille manque, ou n'est pas valable ce jour-là…). `no_day_possible` : aucun jour d'une période (ou de plusieurs dates) ne peut être demandé, `mode: valid_days` serait refusé aussi ; sinon le code est celui du premier jour refusé.", body = Problem),
    ))]
pub async fn submit(
    State(app): State<AppState>,
    Parent(parent): Parent,
    headers: HeaderMap,
    JsonBody(s): JsonBody<Submission>,
) -> ApiResult<impl IntoResponse> {
    if !matches!(s.kind, RequestKind::Reservation | RequestKind::Absence) {
        return Err(ApiError::rule(
            "invalid_kind",
            "Le planning reçoit des réservations et des absences.",
        ));
    }
    let idempotency = idempotency_key(&headers)?;
    let (family, child_name) =
        access::family_and_name_of_child(&app, &parent.account_id, &s.child_id).await?;
    let payload_hash = token_hash(&serde_json::to_string(&s).unwrap_or_default());
    if let Some(key) = &idempotency
        && let Some(answer) = remembered(&app, &family, key, Some(&payload_hash)).await?
    {
        return Ok((StatusCode::CREATED, Json(answer)));
    }
    let (activity, _) = store::activity(&app, &s.activity_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let enrolments = store::enrolments(&app, &family).await?;
    if !enrolments
        .iter()
        .any(|e| e.child_id == s.child_id && e.activity_id == activity.id)
    {
        return Err(not_enrolled(&activity));
    }
    let calendar = app.settings.calendar;
    let days = days_asked(&s, &activity, &enrolments, &calendar)?;
    // Absences never need a document.
    let documents = match s.kind {
        RequestKind::Reservation => {
            Required::read(&app, &family, &activity, &s.child_id, &child_name).await?
        }
        _ => None,
    };
    let ask = Ask {
        app: &app,
        s: &s,
        family_id: &family,
        account_id: &parent.account_id,
        activity: &activity,
        enrolments: &enrolments,
        calendar,
        documents: documents.as_ref(),
    };

    // Full days found by the store (a place counter at capacity) go to the
    // waiting list or are refused, then the transaction is tried again.
    let mut full: Vec<NaiveDate> = Vec::new();
    for _ in 0..=days.len() + 3 {
        let now = app.clock.now();
        let (plans, refused) = ask.plan_days(&days, &full, now).await?;
        if plans.is_empty() || (s.mode == Mode::AllOrNothing && !refused.is_empty()) {
            let several = s.dates.is_none() || days.len() > 1;
            return Err(refused_problem(refused, plans.is_empty() && several));
        }
        let answer = Submitted {
            requests: plans
                .iter()
                .map(|p| RequestSummary::from(&p.request))
                .collect(),
            refused,
            warnings: documents
                .as_ref()
                .map(|d| d.warnings(plans.iter().map(|p| p.date)))
                .unwrap_or_default(),
        };
        let remember = idempotency.as_deref().map(|key| {
            (
                key,
                Remembered {
                    hash: payload_hash.clone(),
                    answer: answer.clone(),
                },
            )
        });
        let Writes { writes, takes } = writes_of(&family, &plans, remember, now)?;
        match app.store.transact(writes).await {
            Ok(()) => {
                for p in plans.iter().filter(|p| p.promote_waiting) {
                    super::waiting::promote(&app, &activity, p.date).await;
                }
                publish_submitted(&app, &family, &parent.account_id, &answer).await;
                for p in plans.iter().filter(|p| p.request.state.is_decided()) {
                    crate::requests::decide::publish_decided(&app, &p.request).await;
                }
                return Ok((StatusCode::CREATED, Json(answer)));
            }
            Err(marelle_domain::ports::StoreError::ConditionFailed { index: Some(i) }) => {
                if let Some((_, date)) = takes.iter().find(|(at, _)| *at == i) {
                    full.push(*date);
                }
                // Otherwise a slot changed in between, or a retried
                // submission with the same key was recorded: look again.
                if let Some(key) = &idempotency
                    && let Some(answer) = remembered(&app, &family, key, None).await?
                {
                    return Ok((StatusCode::CREATED, Json(answer)));
                }
            }
            Err(marelle_domain::ports::StoreError::Contention) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::changed_meanwhile(
        "Le planning a changé pendant la demande. Recommencez.",
    ))
}

/// `RequestsSubmitted`: the acknowledgment e-mail is sent from it.
async fn publish_submitted(app: &AppState, family_id: &str, account_id: &str, answer: &Submitted) {
    let event = Event {
        id: app.ids.next(),
        detail_type: "RequestsSubmitted".into(),
        detail: serde_json::json!({
            "family_id": family_id,
            "account_id": account_id,
            "request_ids": answer.requests.iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
        }),
    };
    if let Err(e) = app.bus.publish(vec![event]).await {
        // The requests stand; the parent sees them in "Mes demandes".
        tracing::error!(error = %e, "RequestsSubmitted not published: no acknowledgment e-mail");
    }
}
