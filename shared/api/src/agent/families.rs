//! Back-office: family files (create, list, read, codes, CSV import) and
//! the invoice records subscriptions look up.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use marelle_domain::family::import::{self, ImportError};
use marelle_domain::family::{NewFamily, codes};
use marelle_domain::keys;
use marelle_domain::ports::Cursor;
use marelle_domain::ports::store::{Index, Item, Query, Write};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::family::store;
use crate::family::view::{self, DossierView, SubscriberView};
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{Agent, JsonBody, UrlQuery, require_csv};
use crate::http::state::AppState;
use crate::subscriptions::InvoiceLookup;

fn new_family_error(errors: Vec<marelle_domain::accounts::FieldError>) -> ApiError {
    ApiError::invalid_fields(errors)
}

/// `POST /api/agent/families`: a new family file, with its subscriber code.
#[utoipa::path(post, path = "/api/agent/families", operation_id = "create_family", tag = "agent", request_body = NewFamily,
    responses(
        (status = 201, description = "Famille créée, avec son code abonné et les codes personnels des responsables", body = DossierView),
        (status = 403, description = "Réservé aux agents", body = Problem),
        (status = 422, description = "Champs non conformes", body = Problem),
    ))]
pub async fn create(
    State(app): State<AppState>,
    Agent(_): Agent,
    JsonBody(body): JsonBody<NewFamily>,
) -> ApiResult<impl IntoResponse> {
    let today = marelle_domain::time::local_date(app.clock.now());
    let ids = app.ids.clone();
    let family = body
        .validate(today, &mut || ids.next(), &mut codes::new_personal_code)
        .map_err(new_family_error)?;
    let record = store::create(&app, &family, None, Vec::new()).await?;
    let loaded = store::load(&app, &record.id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok((
        StatusCode::CREATED,
        Json(view::dossier(&app, &loaded, true).await?),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Beginning of the family's label ("famille dup").
    pub q: Option<String>,
    pub page: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FamilyLine {
    pub id: String,
    pub label: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FamilyList {
    pub items: Vec<FamilyLine>,
    pub next_page: Option<String>,
}

/// `GET /api/agent/families`: families by label.
#[utoipa::path(get, path = "/api/agent/families", operation_id = "list_families", tag = "agent", params(ListParams),
    responses((status = 200, description = "Familles, par nom", body = FamilyList)))]
pub async fn list(
    State(app): State<AppState>,
    Agent(_): Agent,
    UrlQuery(p): UrlQuery<ListParams>,
) -> ApiResult<Json<FamilyList>> {
    let mut q = Query::on(Index::Gsi2, keys::FAMILIES).limit(crate::requests::store::PAGE_SIZE);
    if let Some(prefix) = p.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q = q.begins_with(prefix.to_lowercase());
    }
    let page = app
        .store
        .query(q.after(p.page.filter(|s| !s.is_empty()).map(Cursor)))
        .await?;
    Ok(Json(FamilyList {
        items: page
            .items
            .iter()
            .map(|i| FamilyLine {
                id: i.str_attr("id").unwrap_or_default().into(),
                label: i.str_attr("label").unwrap_or_default().into(),
            })
            .collect(),
        next_page: page.cursor.map(|c| c.0),
    }))
}

/// `GET /api/agent/families/{id}`: the whole dossier.
#[utoipa::path(get, path = "/api/agent/families/{id}", params(("id" = String, Path)), operation_id = "agent_read_family", tag = "agent",
    responses((status = 200, description = "Le dossier, complet", body = DossierView),
              (status = 404, description = "Famille inconnue", body = Problem)))]
pub async fn read(
    State(app): State<AppState>,
    Agent(_): Agent,
    Path(id): Path<String>,
) -> ApiResult<Json<DossierView>> {
    let loaded = store::load(&app, &id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let mut dossier = view::dossier(&app, &loaded, true).await?;
    let subs = app
        .store
        .query(Query::on(Index::Gsi1, keys::subscribers(&id)).begins_with("SUB#"))
        .await?
        .items;
    let account_keys: Vec<_> = subs
        .iter()
        .filter_map(|s| s.pk().strip_prefix("ACCOUNT#").map(keys::account))
        .collect();
    let accounts = app.store.get_many(&account_keys).await?;
    dossier.subscribers = Some(
        subs.iter()
            .filter_map(|s| {
                let account_id = s.pk().strip_prefix("ACCOUNT#")?;
                let email = accounts
                    .iter()
                    .find(|a| a.pk() == s.pk())
                    .and_then(|a| a.str_attr("email"))
                    .unwrap_or_default();
                Some(SubscriberView {
                    account_id: account_id.into(),
                    email: email.into(),
                    linked_at: s.str_attr("linked_at").unwrap_or_default().into(),
                })
            })
            .collect(),
    );
    dossier.history = Some(crate::family::history::recent(&app, &id).await?);
    Ok(Json(dossier))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CodeAnswer {
    /// `ABCD-EFGH-JK`.
    pub subscriber_code: String,
}

/// `POST /api/agent/families/{id}/subscriber-code`: a new code.
#[utoipa::path(post, path = "/api/agent/families/{id}/subscriber-code", params(("id" = String, Path)), tag = "agent",
    responses((status = 200, description = "Nouveau code ; l'ancien ne fonctionne plus", body = CodeAnswer),
              (status = 404, description = "Famille inconnue", body = Problem)))]
pub async fn renew_code(
    State(app): State<AppState>,
    Agent(_): Agent,
    Path(id): Path<String>,
) -> ApiResult<Json<CodeAnswer>> {
    let code = store::set_code(&app, &id, true).await?.unwrap_or_default();
    Ok(Json(CodeAnswer {
        subscriber_code: codes::display_code(&code),
    }))
}

/// `DELETE /api/agent/families/{id}/subscriber-code`: no code any more.
#[utoipa::path(delete, path = "/api/agent/families/{id}/subscriber-code", params(("id" = String, Path)), tag = "agent",
    responses((status = 204, description = "Code révoqué"), (status = 404, description = "Famille inconnue", body = Problem)))]
pub async fn revoke_code(
    State(app): State<AppState>,
    Agent(_): Agent,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    store::set_code(&app, &id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportParams {
    /// Only check the file (default: true).
    pub dry_run: Option<bool>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ImportReport {
    pub dry_run: bool,
    pub families: usize,
    pub guardians: usize,
    pub children: usize,
    /// Families already imported under the same reference, left as they are.
    pub skipped: usize,
    pub errors: Vec<ImportError>,
}

/// Largest CSV file accepted.
pub const IMPORT_MAX_BYTES: usize = 8 * 1024 * 1024;

/// `POST /api/agent/families/import`: families from a CSV file
/// (`text/csv`, format in docs/family-file.md). With errors, nothing is
/// written; each family is written whole or not at all, and importing a
/// file again skips the families already imported.
#[utoipa::path(post, path = "/api/agent/families/import", tag = "agent", params(ImportParams),
    request_body(content = String, content_type = "text/csv"),
    responses(
        (status = 200, description = "Rapport (avec dry_run=true, rien n'est écrit)", body = ImportReport),
        (status = 422, description = "Fichier non conforme : toutes les lignes en erreur, rien d'importé", body = ImportReport),
    ))]
pub async fn import_csv(
    State(app): State<AppState>,
    Agent(_): Agent,
    UrlQuery(p): UrlQuery<ImportParams>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    require_csv(&headers)?;
    let dry_run = p.dry_run.unwrap_or(true);
    let today = marelle_domain::time::local_date(app.clock.now());
    let plan = match import::parse(&body, today) {
        Ok(plan) => plan,
        Err(errors) => {
            let report = ImportReport {
                dry_run,
                families: 0,
                guardians: 0,
                children: 0,
                skipped: 0,
                errors,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(report)));
        }
    };
    let mut report = ImportReport {
        dry_run,
        families: plan.families.len(),
        guardians: plan.families.iter().map(|(_, f)| f.guardians.len()).sum(),
        children: plan.families.iter().map(|(_, f)| f.children.len()).sum(),
        skipped: 0,
        errors: Vec::new(),
    };
    if dry_run {
        // Says already which families an import would leave as they are.
        let markers: Vec<_> = plan
            .families
            .iter()
            .map(|(reference, _)| keys::imported(reference))
            .collect();
        report.skipped = app.store.get_many(&markers).await?.len();
        return Ok((StatusCode::OK, Json(report)));
    }
    for (reference, family) in plan.families {
        let ids = app.ids.clone();
        let valid = family
            .validate(today, &mut || ids.next(), &mut codes::new_personal_code)
            .map_err(ApiError::invalid_fields)?;
        let marker = Item::new(keys::imported(&reference));
        match store::create(&app, &valid, Some(reference), vec![Write::put_new(marker)]).await {
            Ok(_) => {}
            Err(e) if e.code == "already_imported" => report.skipped += 1,
            Err(e) => return Err(e),
        }
    }
    Ok((StatusCode::OK, Json(report)))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvoice {
    pub family_id: String,
    pub guardian_id: String,
    pub emission_code: String,
    pub reference: String,
    /// Required without `lines`; with them, their sum (422 `amount_mismatch`
    /// when it differs).
    pub amount_cents: Option<i64>,
    pub issued_on: chrono::NaiveDate,
    pub due_on: chrono::NaiveDate,
    /// The invoice's number, unique in the commune (default: its reference).
    pub number: Option<String>,
    /// The régie (default: "Régie municipale").
    pub service: Option<String>,
    /// Default: the commune's name.
    pub issuer: Option<String>,
    /// At most 200.
    pub lines: Option<Vec<marelle_domain::billing::InvoiceLine>>,
}

/// Largest invoice body accepted (200 lines with their longest texts).
pub const INVOICE_MAX_BYTES: usize = 512 * 1024;

/// The régie of an invoice that names none.
pub const DEFAULT_SERVICE: &str = "Régie municipale";

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Created {
    pub id: String,
}

/// `POST /api/agent/invoices`: an invoice of a family, in its billing
/// space, and the record of its references that lets the recipient
/// subscribe with them.
#[utoipa::path(post, path = "/api/agent/invoices", tag = "agent", request_body = NewInvoice,
    responses((status = 201, description = "Facture enregistrée", body = Created),
              (status = 404, description = "Famille ou responsable inconnu", body = Problem),
              (status = 409, description = "Une facture a déjà ces références (`invoice_exists`) ou ce numéro (`invoice_number_exists`)", body = Problem),
              (status = 422, description = "Montant, lignes ou références non conformes (`amount_mismatch`, `too_many_lines`…)", body = Problem)))]
pub async fn create_invoice(
    State(app): State<AppState>,
    Agent(_): Agent,
    JsonBody(inv): JsonBody<NewInvoice>,
) -> ApiResult<impl IntoResponse> {
    use marelle_domain::billing::rules::{InvoiceFields, validate_new_invoice};
    let clean = |s: &str| {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase()
    };
    let (emission, reference) = (clean(&inv.emission_code), clean(&inv.reference));
    let mut errors = Vec::new();
    if emission.is_empty() || emission.len() > 40 {
        errors.push(marelle_domain::accounts::FieldError::new(
            "emission_code",
            "required",
            "Le code émission est obligatoire (40 caractères au plus).",
        ));
    }
    if reference.is_empty() || reference.len() > 40 {
        errors.push(marelle_domain::accounts::FieldError::new(
            "reference",
            "required",
            "La référence est obligatoire (40 caractères au plus).",
        ));
    }
    let valid = validate_new_invoice(&InvoiceFields {
        number: inv.number.clone().unwrap_or_else(|| reference.clone()),
        service: inv
            .service
            .clone()
            .unwrap_or_else(|| DEFAULT_SERVICE.to_string()),
        issuer: inv
            .issuer
            .clone()
            .unwrap_or_else(|| app.commune.name.clone()),
        amount_cents: inv.amount_cents,
        lines: inv.lines.clone().unwrap_or_default(),
    });
    let valid = match valid {
        Ok(v) => Some(v),
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    if inv.due_on < inv.issued_on {
        errors.push(marelle_domain::accounts::FieldError::new(
            "due_on",
            "invalid_date",
            "L'échéance ne peut précéder la date d'émission.",
        ));
    }
    let valid = match valid {
        Some(v) if errors.is_empty() => v,
        _ => return Err(ApiError::invalid_fields(errors)),
    };
    let loaded = store::load(&app, &inv.family_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let guardian = loaded
        .dossier
        .guardian(&inv.guardian_id)
        .ok_or_else(ApiError::not_found)?;
    let id = app.ids.next();
    let lookup = InvoiceLookup {
        family_id: inv.family_id.clone(),
        guardian_id: guardian.id.clone(),
        amount_cents: valid.amount_cents,
        personal_code: guardian.personal_code.clone(),
    };
    let mut item = Item::with_data(keys::invoice_lookup(&emission, &reference), &lookup)?;
    item.set("invoice_id", serde_json::Value::String(id.clone()));
    item.set(
        "issued_on",
        serde_json::to_value(inv.issued_on).unwrap_or_default(),
    );
    item.set(
        "due_on",
        serde_json::to_value(inv.due_on).unwrap_or_default(),
    );
    let invoice = marelle_domain::billing::Invoice {
        id: id.clone(),
        family_id: inv.family_id.clone(),
        number: valid.number,
        issued_on: inv.issued_on,
        due_on: inv.due_on,
        service: valid.service,
        issuer: valid.issuer,
        amount_cents: valid.amount_cents,
        paid_cents: 0,
        credit_note: None,
        line_count: valid.lines.len(),
        version: 1,
    };
    let mut number = Item::new(keys::invoice_number(&invoice.number));
    number.set("invoice_id", serde_json::Value::String(id.clone()));
    number.set(
        "family_id",
        serde_json::Value::String(invoice.family_id.clone()),
    );
    let mut writes = vec![
        Write::put_new(item),
        Write::put_new(number),
        Write::put_new(crate::billing::store::invoice_item(&invoice)?),
    ];
    if !valid.lines.is_empty() {
        let lines = crate::billing::store::lines_item(&invoice.family_id, &id, &valid.lines)?;
        if lines.approximate_size() > marelle_domain::ports::store::limits::ITEM_BYTES {
            return Err(ApiError::rule(
                "invoice_too_large",
                "Les lignes de cette facture sont trop volumineuses : raccourcissez les libellés.",
            ));
        }
        writes.push(Write::put_new(lines));
    }
    match app.store.transact(writes).await {
        Ok(()) => Ok((StatusCode::CREATED, Json(Created { id }))),
        Err(marelle_domain::ports::StoreError::ConditionFailed { index: Some(1) }) => Err(
            ApiError::conflict("invoice_number_exists", "Une facture porte déjà ce numéro."),
        ),
        Err(e) if e.is_condition_failed() => Err(ApiError::conflict(
            "invoice_exists",
            "Une facture porte déjà ce code émission et cette référence.",
        )),
        Err(e) => Err(e.into()),
    }
}
