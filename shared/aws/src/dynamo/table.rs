//! The table's schema, for tests and local tooling (the SAM template
//! declares the same one for deployments): `PK`/`SK`, three GSIs
//! `GSI1`…`GSI3` on `GSInPK`/`GSInSK` projecting every attribute, all keys
//! strings, on-demand billing, TTL on `ttl`.

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TableStatus, TimeToLiveSpecification,
};
use marelle_domain::ports::store::{Index, StoreError, attr};

use super::errors;

fn built<T>(r: Result<T, aws_sdk_dynamodb::error::BuildError>) -> Result<T, StoreError> {
    r.map_err(|e| StoreError::Invalid(format!("table definition: {e}")))
}

fn key_schema(pk: &str, sk: &str) -> Result<Vec<KeySchemaElement>, StoreError> {
    Ok(vec![
        built(
            KeySchemaElement::builder()
                .attribute_name(pk)
                .key_type(KeyType::Hash)
                .build(),
        )?,
        built(
            KeySchemaElement::builder()
                .attribute_name(sk)
                .key_type(KeyType::Range)
                .build(),
        )?,
    ])
}

/// Creates the table `name`, waits until it is active and enables TTL.
pub async fn create_table(client: &Client, name: &str) -> Result<(), StoreError> {
    let mut names = vec![attr::PK, attr::SK];
    let mut request = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .set_key_schema(Some(key_schema(attr::PK, attr::SK)?));
    for index in [Index::Gsi1, Index::Gsi2, Index::Gsi3] {
        let (Some(index_name), Some((pk, sk))) = (index.name(), index.attr_names()) else {
            continue;
        };
        names.extend([pk, sk]);
        request = request.global_secondary_indexes(built(
            GlobalSecondaryIndex::builder()
                .index_name(index_name)
                .set_key_schema(Some(key_schema(pk, sk)?))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::All)
                        .build(),
                )
                .build(),
        )?);
    }
    for attribute in names {
        request = request.attribute_definitions(built(
            AttributeDefinition::builder()
                .attribute_name(attribute)
                .attribute_type(ScalarAttributeType::S)
                .build(),
        )?);
    }
    request
        .send()
        .await
        .map_err(|e| errors::sdk("CreateTable", e))?;
    wait_active(client, name).await?;
    client
        .update_time_to_live()
        .table_name(name)
        .time_to_live_specification(built(
            TimeToLiveSpecification::builder()
                .enabled(true)
                .attribute_name(attr::TTL)
                .build(),
        )?)
        .send()
        .await
        .map_err(|e| errors::sdk("UpdateTimeToLive", e))?;
    Ok(())
}

async fn wait_active(client: &Client, name: &str) -> Result<(), StoreError> {
    for _ in 0..120 {
        let out = client
            .describe_table()
            .table_name(name)
            .send()
            .await
            .map_err(|e| errors::sdk("DescribeTable", e))?;
        if out.table().and_then(|t| t.table_status()) == Some(&TableStatus::Active) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Err(StoreError::Unavailable(format!(
        "table {name} not active after a minute"
    )))
}
