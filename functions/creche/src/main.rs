//! Lambda `creche`: crèche pre-registration (the families' applications,
//! the agents' crèches and review of applications), behind API Gateway;
//! and the crèche's daily job (renewal reminders and closings, lapsed
//! offers), run by an EventBridge Scheduler schedule at 07:00
//! Europe/Paris with the input `{"job": "creche-jobs", "at":
//! "<aws.scheduler.scheduled-time>"}`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marelle_lambda::run_creche(marelle_api::functions::creche()).await
}
