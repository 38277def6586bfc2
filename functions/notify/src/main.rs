//! Lambda `notify`: the target of the EventBridge rule on Marelle's bus;
//! sends the e-mails events call for (acknowledgments, cancellations,
//! places freed).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marelle_lambda::run_events(marelle_api::jobs::notify::Notifier::new).await
}
