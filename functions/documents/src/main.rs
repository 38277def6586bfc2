//! Lambda `documents`: the families' supporting documents and the agents'
//! document types, behind API Gateway.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marelle_lambda::run_http(marelle_api::functions::documents()).await
}
