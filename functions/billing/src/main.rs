//! Lambda `billing`: the families' billing space ("Mes factures", "Mes
//! opérations", "Mes règlements", online payment and the payment service's
//! notification and return), behind API Gateway; and the polling of online
//! payments, run by an EventBridge Scheduler schedule every two minutes
//! with the input `{"job": "poll_payments"}`; and the agents' background
//! imports, one chunk per `BillingImportChunk` event of its EventBridge rule.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marelle_lambda::run_billing(marelle_api::functions::billing()).await
}
