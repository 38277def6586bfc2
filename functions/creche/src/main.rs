//! Lambda `creche`: crèche pre-registration (the families' applications,
//! the agents' crèches and review of applications), behind API Gateway.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marelle_lambda::run_http(marelle_api::functions::creche()).await
}
