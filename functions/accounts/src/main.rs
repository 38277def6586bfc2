//! Lambda `accounts`: sign-up, activation, login and logout, `GET /api/me`,
//! password reset, behind API Gateway.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marelle_lambda::run_http(marelle_api::functions::accounts()).await
}
