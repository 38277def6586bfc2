//! The `notify` consumer: e-mails sent from bus events, never from the
//! request that caused them (sending never blocks or fails a family's
//! request). The in-process bus calls it locally; an EventBridge rule
//! invokes the `notify` Lambda with the same events in AWS.
//!
//! Each event's e-mails are claimed in the store before sending and marked
//! sent after: a redelivered event sends nothing again; a failed send
//! releases the claim and fails the delivery, so the bus delivers it again.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::Duration;
use marelle_domain::accounts::Account;
use marelle_domain::emails::billing::{NewInvoiceLine, new_invoices};
use marelle_domain::emails::planning::{self as emails, RequestLine};
use marelle_domain::keys;
use marelle_domain::ports::store::{Condition, Index, Item, Key, Query, Update};
use marelle_domain::ports::{Event, EventHandler};
use marelle_domain::requests::{RequestRecord, RequestState};
use serde::Deserialize;

use crate::http::error::{ApiError, ApiResult};
use crate::http::state::AppState;
use crate::planning::submission::PlanningDetails;

pub struct Notifier {
    app: AppState,
}

impl Notifier {
    pub fn new(app: AppState) -> Self {
        Self { app }
    }
}

/// A claim older than this without "sent" is taken as a crashed attempt.
const CLAIM_MINUTES: i64 = 10;

fn claim_key(event_id: &str, to: &str) -> Key {
    Key::new(
        format!("SENT#{event_id}"),
        format!("TO#{}", to.to_lowercase()),
    )
}

#[derive(Deserialize)]
struct Submitted {
    account_id: String,
    request_ids: Vec<String>,
}

#[derive(Deserialize)]
struct Cancelled {
    family_id: String,
    request_ids: Vec<String>,
    reason: String,
}

#[derive(Deserialize)]
struct InvoicesImported {
    family_id: String,
    invoice_ids: Vec<String>,
}

#[derive(Deserialize)]
struct Given {
    family_id: String,
    request_id: String,
}

fn line(r: &RequestRecord) -> Option<RequestLine> {
    let details: PlanningDetails = serde_json::from_value(r.details.clone()).ok()?;
    Some(RequestLine {
        date: r.date?,
        time: details.start,
        kind: r.kind,
        activity: details.activity,
    })
}

impl Notifier {
    async fn requests(&self, ids: &[String]) -> ApiResult<Vec<RequestRecord>> {
        let keys: Vec<Key> = ids.iter().map(|id| keys::request(id)).collect();
        let mut out: Vec<RequestRecord> = self
            .app
            .store
            .get_many(&keys)
            .await?
            .iter()
            .map(|i| i.data())
            .collect::<Result<_, _>>()?;
        out.sort_by(|a, b| (a.date, &a.id).cmp(&(b.date, &b.id)));
        Ok(out)
    }

    /// The accounts linked to a family, with their e-mails.
    async fn family_accounts(&self, family_id: &str) -> ApiResult<Vec<Account>> {
        let subs = self
            .app
            .store
            .query(Query::on(Index::Gsi1, keys::subscribers(family_id)).begins_with("SUB#"))
            .await?
            .items;
        let keys: Vec<Key> = subs
            .iter()
            .filter_map(|s| s.pk().strip_prefix("ACCOUNT#").map(keys::account))
            .collect();
        self.app
            .store
            .get_many(&keys)
            .await?
            .iter()
            .map(|i| Ok(i.data()?))
            .collect()
    }

    /// Sends `message` once for this event and recipient.
    async fn send_once(
        &self,
        event: &Event,
        message: &marelle_domain::emails::Message,
    ) -> ApiResult<()> {
        let key = claim_key(&event.id, &message.to);
        let now = self.app.clock.now();
        let claim =
            Item::new(key.clone()).expires_at((now + Duration::minutes(CLAIM_MINUTES)).timestamp());
        match self.app.store.put(claim, Some(Condition::NotExists)).await {
            Ok(()) => {}
            Err(e) if e.is_condition_failed() => return Ok(()), // sent, or being sent
            Err(e) => return Err(e.into()),
        }
        if let Err(e) = crate::http::mail::send(&self.app, message).await {
            let _ = self.app.store.delete(&key, None).await;
            return Err(ApiError::unavailable("mail", e));
        }
        self.app
            .store
            .update(
                &key,
                Update::new()
                    .set("sent", true)
                    .set("ttl", (now + Duration::days(30)).timestamp()),
                None,
            )
            .await?;
        Ok(())
    }

    async fn acknowledge(&self, event: &Event) -> ApiResult<()> {
        let s: Submitted = serde_json::from_value(event.detail.clone())
            .map_err(|e| ApiError::internal("event", e))?;
        let requests = self.requests(&s.request_ids).await?;
        let Some(first) = requests.first() else {
            return Ok(());
        };
        let Some(account) = crate::accounts::store::by_id(&self.app, &s.account_id).await? else {
            return Ok(());
        };
        let lines: Vec<RequestLine> = requests.iter().filter_map(line).collect();
        let decided = requests.iter().all(|r| r.state == RequestState::Accepted);
        let message = emails::acknowledgment(
            &account.email,
            &account.greeting_name(),
            account.civility,
            &self.app.commune,
            first.created_at,
            &lines,
            decided,
        );
        self.send_once(event, &message).await
    }

    async fn cancelled(&self, event: &Event) -> ApiResult<()> {
        let c: Cancelled = serde_json::from_value(event.detail.clone())
            .map_err(|e| ApiError::internal("event", e))?;
        let requests = self.requests(&c.request_ids).await?;
        let lines: Vec<RequestLine> = requests.iter().filter_map(line).collect();
        if lines.is_empty() {
            return Ok(());
        }
        for account in self.family_accounts(&c.family_id).await? {
            let message = emails::cancelled_by_closure(
                &account.email,
                &account.greeting_name(),
                &self.app.commune,
                &c.reason,
                &lines,
            );
            self.send_once(event, &message).await?;
        }
        Ok(())
    }

    async fn given(&self, event: &Event) -> ApiResult<()> {
        let g: Given = serde_json::from_value(event.detail.clone())
            .map_err(|e| ApiError::internal("event", e))?;
        let Some(r) = crate::requests::store::load(&self.app, &g.request_id).await? else {
            return Ok(());
        };
        let Some(l) = line(&r) else { return Ok(()) };
        let children: HashMap<String, String> = crate::family::store::load(&self.app, &g.family_id)
            .await?
            .map(|d| {
                d.dossier
                    .children
                    .iter()
                    .map(|c| (c.id.clone(), c.first_name.clone()))
                    .collect()
            })
            .unwrap_or_default();
        let child = r
            .child_id
            .as_ref()
            .and_then(|c| children.get(c))
            .cloned()
            .unwrap_or_default();
        for account in self.family_accounts(&g.family_id).await? {
            let message = emails::place_given(
                &account.email,
                &account.greeting_name(),
                &self.app.commune,
                &child,
                &l,
                r.state == RequestState::Accepted,
            );
            self.send_once(event, &message).await?;
        }
        Ok(())
    }
}

impl Notifier {
    /// "Nouvelle facture disponible": the invoices an import created for
    /// one family, in one e-mail to each of its accounts.
    async fn invoices_imported(&self, event: &Event) -> ApiResult<()> {
        let i: InvoicesImported = serde_json::from_value(event.detail.clone())
            .map_err(|e| ApiError::internal("event", e))?;
        let keys: Vec<Key> = i
            .invoice_ids
            .iter()
            .map(|id| keys::invoice(&i.family_id, id))
            .collect();
        let lines: Vec<NewInvoiceLine> = self
            .app
            .store
            .get_many(&keys)
            .await?
            .iter()
            .map(|item| {
                let inv: marelle_domain::billing::Invoice = item.data()?;
                Ok(NewInvoiceLine {
                    number: inv.number,
                    service: inv.service,
                    amount_cents: inv.amount_cents,
                    due_on: inv.due_on,
                })
            })
            .collect::<ApiResult<_>>()?;
        if lines.is_empty() {
            return Ok(());
        }
        for account in self.family_accounts(&i.family_id).await? {
            let message = new_invoices(
                &account.email,
                &account.greeting_name(),
                &self.app.commune,
                &lines,
            );
            self.send_once(event, &message).await?;
        }
        Ok(())
    }
}

#[async_trait]
impl EventHandler for Notifier {
    async fn handle(&self, event: &Event) -> Result<(), String> {
        let result = match event.detail_type.as_str() {
            "RequestsSubmitted" => self.acknowledge(event).await,
            "ReservationsCancelled" => self.cancelled(event).await,
            "PlaceGiven" => self.given(event).await,
            "InvoicesImported" => self.invoices_imported(event).await,
            _ => Ok(()),
        };
        result.map_err(|e| format!("{}: {}", e.code, e.detail))
    }
}
