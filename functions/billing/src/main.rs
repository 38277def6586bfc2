//! Lambda `billing`: the families' billing space ("Mes factures", "Mes
//! opérations", "Mes règlements"), behind API Gateway.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marelle_lambda::run_http(marelle_api::functions::billing()).await
}
