//! Lambda `documents`: the families' supporting documents and the agents'
//! document types, behind API Gateway; and the daily job of supporting
//! documents (expiry e-mails, deletion of retired documents), run by an
//! EventBridge Scheduler schedule at 07:00 Europe/Paris with the input
//! `{"job": "documents-expiry", "at": "<aws.scheduler.scheduled-time>"}`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marelle_lambda::run_documents(marelle_api::functions::documents()).await
}
