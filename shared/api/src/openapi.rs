//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use axum::Json;
use utoipa::OpenApi;
use utoipa::openapi::OpenApi as Document;

#[derive(OpenApi)]
#[openapi(
    paths(
        crate::subscriptions::list,
        crate::subscriptions::subscribe,
        crate::subscriptions::leave,
        crate::family::read,
        crate::family::change_family,
        crate::family::change_guardian,
        crate::family::change_child,
        crate::family::photo_upload,
        crate::family::photo_confirm,
        crate::requests::list,
        crate::requests::detail,
        crate::agent::families::create,
        crate::agent::families::list,
        crate::agent::families::read,
        crate::agent::families::renew_code,
        crate::agent::families::revoke_code,
        crate::agent::links::unlink,
        crate::agent::families::import_csv,
        crate::agent::families::create_invoice,
        crate::billing::invoices,
        crate::billing::invoice,
        crate::billing::operations,
        crate::billing::payments,
        crate::billing::record_payment,
        crate::billing::family_invoices,
        crate::billing::cancel_invoice,
        crate::billing::online::start,
        crate::billing::online::read,
        crate::billing::online::notification,
        crate::billing::online::return_get,
        crate::billing::online::return_post,
        crate::billing::documents::download,
        crate::billing::documents::upload,
        crate::billing::documents::start_upload,
        crate::billing::documents::confirm_upload,
        crate::billing::logo::put_logo,
        crate::billing::logo::get_logo,
        crate::billing::logo::delete_logo,
        crate::billing::regies::list_regies,
        crate::billing::regies::create_regie,
        crate::billing::regies::update_regie,
        crate::documents::types::list_types,
        crate::documents::types::create_type,
        crate::documents::types::update_type,
        crate::documents::table::list,
        crate::documents::upload::start,
        crate::documents::upload::confirm,
        crate::documents::upload::link,
        crate::creche::structures::parent_list,
        crate::creche::structures::agent_list,
        crate::creche::structures::create,
        crate::creche::structures::places_report,
        crate::creche::applications::create,
        crate::creche::applications::list,
        crate::creche::applications::detail,
        crate::creche::applications::withdraw,
        crate::creche::applications::renew,
        crate::creche::applications::answer,
        crate::creche::birth::confirm,
        crate::creche::agent::list,
        crate::creche::agent::detail,
        crate::creche::agent::set_status,
        crate::creche::agent::offer,
        crate::creche::commission::create,
        crate::creche::commission::list,
        crate::creche::commission::detail,
        crate::creche::commission::apply,
        crate::creche::commission::send,
        crate::creche::stats::read,
        crate::billing::review::list,
        crate::billing::review::settle,
        crate::billing::import::import_invoices,
        crate::billing::import::import_payments,
        crate::billing::import_jobs::create,
        crate::billing::import_jobs::check,
        crate::billing::import_jobs::start,
        crate::billing::import_jobs::show,
        crate::billing::import_jobs::list,
        crate::invoicing::run::start_run,
        crate::invoicing::run::show_run,
        crate::invoicing::run::list_corrections,
        crate::invoicing::run::add_correction,
        crate::invoicing::run::remove_correction,
        crate::agent::requests::queue,
        crate::agent::requests::digest_preview,
        crate::agent::requests::detail,
        crate::agent::requests::decide,
        crate::agent::requests::decide_many,
        crate::agent::requests::message,
        crate::planning::planning,
        crate::planning::submit::submit,
        crate::agent::activities::create,
        crate::agent::activities::list,
        crate::agent::activities::read,
        crate::agent::activities::update,
        crate::agent::activities::close,
        crate::agent::activities::enrol,
        crate::agent::activities::enrolments,
    ),
    components(schemas(
        crate::http::error::Problem,
        crate::http::error::ProblemField,
        crate::subscriptions::Subscription,
        crate::subscriptions::Subscriptions,
        crate::subscriptions::SubscribeRequest,
        crate::subscriptions::InvoiceReferences,
        crate::family::DossierView,
        crate::family::ChangeSubmitted,
        crate::family::PhotoUpload,
        crate::family::PhotoUploadAnswer,
        crate::family::PhotoConfirm,
        crate::requests::view::RequestPage,
        crate::requests::view::RequestDetail,
        crate::agent::families::FamilyList,
        crate::agent::families::ImportReport,
        crate::agent::families::NewInvoice,
        crate::billing::InvoiceView,
        crate::billing::InvoicePage,
        crate::billing::InvoiceDetail,
        crate::billing::InvoiceNature,
        crate::billing::PaymentView,
        crate::billing::PaymentPage,
        crate::billing::OperationPage,
        crate::billing::NewPayment,
        crate::billing::PaymentRecorded,
        crate::billing::CancelBody,
        crate::billing::online::PaymentStarted,
        crate::billing::online::OnlinePaymentView,
        crate::billing::online::OnlineState,
        crate::billing::online::NotificationAnswer,
        crate::billing::documents::PdfFile,
        crate::billing::documents::PdfUpload,
        crate::billing::documents::PdfUploadAnswer,
        crate::billing::documents::PdfConfirm,
        crate::billing::logo::ImageFile,
        crate::billing::regies::RegieView,
        crate::billing::regies::RegieList,
        crate::billing::regies::NewRegie,
        crate::billing::regies::RegiePatch,
        crate::invoicing::run::RunRequest,
        crate::invoicing::run::RunView,
        crate::invoicing::run::RunJob,
        crate::invoicing::run::FamilyResult,
        crate::invoicing::run::jobs::RunState,
        crate::invoicing::run::issue::Issued,
        crate::invoicing::run::CorrectionList,
        crate::invoicing::run::StoredCorrection,
        marelle_domain::invoicing::run::Correction,
        marelle_domain::invoicing::run::FamilyBill,
        marelle_domain::invoicing::run::BillLine,
        marelle_domain::invoicing::run::Skip,
        marelle_domain::invoicing::run::BillNote,
        marelle_domain::invoicing::run::LineKind,
        marelle_domain::invoicing::run::SkipReason,
        marelle_domain::invoicing::tariff::Unit,
        marelle_domain::invoicing::tariff::PriceBasis,
        crate::documents::types::DocumentTypeView,
        crate::documents::types::DocumentTypeList,
        crate::documents::types::NewDocumentType,
        crate::documents::types::DocumentTypePatch,
        crate::documents::types::CreatedDocumentType,
        crate::documents::table::DocumentRow,
        crate::documents::upload::DocumentUpload,
        crate::documents::upload::DocumentUploadAnswer,
        crate::documents::upload::DocumentConfirm,
        crate::documents::upload::DocumentSent,
        crate::documents::upload::DocumentLink,
        crate::requests::view::AttachedDocument,
        crate::requests::view::DocumentVersion,
        crate::documents::upload::StoredState,
        crate::documents::table::DocumentTable,
        marelle_domain::documents::Scope,
        marelle_domain::documents::DocumentState,
        crate::creche::structures::Structure,
        crate::creche::structures::StructureList,
        crate::creche::structures::NewStructure,
        crate::creche::structures::CreatedStructure,
        crate::creche::applications::NewApplication,
        crate::creche::birth::BirthBody,
        crate::creche::applications::ApplicationCreated,
        crate::creche::applications::OfferView,
        crate::creche::applications::HistoryView,
        crate::creche::applications::ApplicationView,
        crate::creche::applications::ApplicationList,
        crate::creche::applications::Renewed,
        crate::creche::applications::AnswerBody,
        crate::creche::agent::StatusBody,
        crate::creche::agent::OfferBody,
        crate::creche::commission::NewCommission,
        crate::creche::commission::NewDecision,
        crate::creche::commission::Outcome,
        crate::creche::commission::MailState,
        crate::creche::commission::DecisionView,
        crate::creche::commission::CommissionView,
        crate::creche::commission::CommissionSummary,
        crate::creche::commission::CommissionList,
        crate::creche::commission::SendReport,
        marelle_domain::creche::commission::DecisionKind,
        crate::creche::stats::CrecheStats,
        crate::creche::stats::MonthStats,
        crate::creche::stats::OpenStats,
        crate::creche::store::Event,
        marelle_domain::creche::Status,
        marelle_domain::creche::Answer,
        marelle_domain::creche::Slot,
        marelle_domain::creche::Expected,
        marelle_domain::creche::Situation,
        marelle_domain::creche::WorkSituation,
        marelle_domain::creche::AgeGroup,
        marelle_domain::creche::places::MonthPlaces,
        marelle_domain::creche::places::GroupPlaces,
        crate::creche::structures::StructurePlaces,
        crate::creche::structures::PlacesReport,
        crate::billing::review::ReviewState,
        crate::billing::online::SettleAction,
        crate::billing::online::Review,
        crate::billing::review::ReviewedInvoice,
        crate::billing::review::OnlinePaymentReview,
        crate::billing::review::OnlinePaymentReviewPage,
        crate::billing::review::SettleBody,
        crate::billing::review::Settled,
        crate::billing::import::BillingImportReport,
        crate::billing::import_jobs::ImportKind,
        crate::billing::import_jobs::ImportState,
        crate::billing::import_jobs::ImportRequest,
        crate::billing::import_jobs::ImportUploadAnswer,
        crate::billing::import_jobs::ImportJob,
        crate::billing::import_jobs::ImportList,
        marelle_domain::billing::import::ImportError,
        marelle_domain::billing::InvoiceLine,
        marelle_domain::billing::InvoiceState,
        marelle_domain::billing::CreditNote,
        marelle_domain::billing::PaymentMethod,
        marelle_domain::billing::Operation,
        marelle_domain::billing::OperationNature,
        crate::agent::links::UnlinkBody,
        marelle_domain::family::history::FamilyEvent,
        crate::agent::requests::QueuePage,
        crate::agent::requests::DecisionBody,
        crate::agent::requests::BulkDecision,
        crate::agent::requests::BulkAnswer,
        crate::agent::requests::MessageBody,
        marelle_domain::family::FamilyPatch,
        marelle_domain::family::GuardianPatch,
        marelle_domain::family::ChildPatch,
        marelle_domain::family::NewFamily,
        crate::planning::PlanningView,
        crate::planning::submission::Submission,
        crate::planning::submission::Submitted,
        crate::agent::activities::ActivityList,
        crate::agent::activities::ClosureAnswer,
        crate::agent::activities::ActivityPatch,
        crate::planning::documents::Warning,
        marelle_domain::planning::MissingDocument,
        crate::agent::activities::NewEnrolment,
        crate::agent::activities::EnrolmentList,
        crate::agent::activities::EnrolmentLine,
        marelle_domain::planning::NewActivity,
        marelle_domain::planning::Activity,
        marelle_domain::planning::Closure,
        marelle_domain::planning::Enrolment,
    )),
    tags(
        (name = "subscriptions", description = "Mes abonnements"),
        (name = "family", description = "Dossier famille"),
        (name = "requests", description = "Mes demandes"),
        (name = "planning", description = "Planning, réservations et absences"),
        (name = "billing", description = "Espace facturation : factures, opérations, règlements"),
        (name = "documents", description = "Pièces justificatives"),
        (name = "creche", description = "Préinscription en crèche"),
        (name = "agent", description = "Back-office (agents de la collectivité)"),
    )
)]
struct FamilyFileApi;

pub fn document() -> Document {
    let mut doc = crate::accounts::AccountsApi::openapi();
    doc.merge(FamilyFileApi::openapi());
    doc.merge(crate::invoicing::settings::SettingsApi::openapi());
    doc.merge(crate::invoicing::attendance::AttendanceApi::openapi());
    doc.info.title = "Marelle".into();
    doc.info.version = env!("CARGO_PKG_VERSION").into();
    doc.info.description = Some(
        "Portail famille des communes. Erreurs : application/problem+json avec un `code` stable et un `detail` en français.".into(),
    );
    problems_as_problem_json(&mut doc);
    doc
}

/// Every error answer is `application/problem+json` (see `http::error`):
/// the documented ones say so, and a `default` answer describes the rest
/// (400 malformed, 401, 403, 405, 413, 429…) on every operation.
fn problems_as_problem_json(doc: &mut Document) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let problem = || {
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("Problem")))
            .build()
    };
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in operations.into_iter().flatten() {
            for response in op.responses.responses.values_mut() {
                let RefOr::T(response) = response else {
                    continue;
                };
                let is_problem = response.content.get("application/json").is_some_and(|c| {
                    matches!(&c.schema, Some(RefOr::Ref(r)) if r.ref_location.ends_with("/Problem"))
                });
                if is_problem {
                    response.content.shift_remove("application/json");
                    response
                        .content
                        .insert("application/problem+json".into(), problem());
                }
            }
            op.responses
                .responses
                .entry("default".into())
                .or_insert_with(|| {
                    ResponseBuilder::new()
                        .description("Erreur : application/problem+json avec un `code` stable")
                        .content("application/problem+json", problem())
                        .build()
                        .into()
                });
        }
    }
}

pub async fn serve() -> Json<Document> {
    Json(document())
}
