//! Lambda `planning`: the planning and its requests, behind API Gateway.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marelle_lambda::run_http(marelle_api::functions::planning()).await
}
