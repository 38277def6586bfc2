//! Lambda `family`: "Mes abonnements", "Dossier famille" and "Mes
//! demandes", behind API Gateway.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marelle_lambda::run_http(marelle_api::functions::family()).await
}
