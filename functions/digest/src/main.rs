//! Lambda `digest`: the processing digest ("Accusé de traitement"), run by
//! two EventBridge Scheduler schedules at 13:00 and 18:00 Europe/Paris
//! with the input `{"at": "<aws.scheduler.scheduled-time>"}`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marelle_lambda::run_digest().await
}
