//! Query cursors: DynamoDB's `LastEvaluatedKey` (only string key
//! attributes in this table) as base64url of a JSON object, checked on the
//! way back so that a forged or foreign cursor is `BadCursor`, never a
//! service error.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use marelle_domain::ports::store::{Cursor, Index, StoreError, attr};

/// The key attributes a `LastEvaluatedKey` of `index` holds.
fn key_names(index: Index) -> Vec<&'static str> {
    let mut names = vec![attr::PK, attr::SK];
    if let Some((p, s)) = index.attr_names() {
        names.extend([p, s]);
    }
    names.sort_unstable();
    names
}

/// The cursor for a `LastEvaluatedKey`.
pub fn encode(last_key: &HashMap<String, AttributeValue>) -> Result<Cursor, StoreError> {
    let mut plain = BTreeMap::new();
    for (name, value) in last_key {
        match value {
            AttributeValue::S(s) => {
                plain.insert(name.as_str(), s.as_str());
            }
            _ => {
                return Err(StoreError::Corrupt(format!(
                    "key attribute {name} is not a string"
                )));
            }
        }
    }
    let json = serde_json::to_vec(&plain).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(Cursor(URL_SAFE_NO_PAD.encode(json)))
}

/// The `ExclusiveStartKey` of a cursor, for a query on `index` with
/// partition key `pk`.
pub fn decode(
    cursor: &Cursor,
    index: Index,
    pk: &str,
) -> Result<HashMap<String, AttributeValue>, StoreError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(&cursor.0)
        .map_err(|_| StoreError::BadCursor)?;
    let plain: BTreeMap<String, String> =
        serde_json::from_slice(&bytes).map_err(|_| StoreError::BadCursor)?;
    let names: Vec<&str> = plain.keys().map(String::as_str).collect();
    if names != key_names(index) {
        return Err(StoreError::BadCursor);
    }
    let pk_name = index.attr_names().map_or(attr::PK, |(p, _)| p);
    if plain.get(pk_name).map(String::as_str) != Some(pk) {
        return Err(StoreError::BadCursor);
    }
    Ok(plain
        .into_iter()
        .map(|(k, v)| (k, AttributeValue::S(v)))
        .collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn key(pairs: &[(&str, &str)]) -> HashMap<String, AttributeValue> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), AttributeValue::S(v.to_string())))
            .collect()
    }

    #[test]
    fn a_table_cursor_comes_back_as_the_same_start_key() {
        let last = key(&[("PK", "FAMILY#1"), ("SK", "REQ#005")]);
        let c = encode(&last).unwrap();
        assert!(
            c.0.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_eq!(decode(&c, Index::Table, "FAMILY#1").unwrap(), last);
    }

    #[test]
    fn an_index_cursor_carries_the_index_keys_too() {
        let last = key(&[
            ("PK", "REQ#1"),
            ("SK", "REQ"),
            ("GSI2PK", "W"),
            ("GSI2SK", "F#03"),
        ]);
        let c = encode(&last).unwrap();
        assert_eq!(decode(&c, Index::Gsi2, "W").unwrap(), last);
        assert!(matches!(
            decode(&c, Index::Gsi1, "W"),
            Err(StoreError::BadCursor)
        ));
        assert!(matches!(
            decode(&c, Index::Table, "REQ#1"),
            Err(StoreError::BadCursor)
        ));
    }

    #[test]
    fn garbage_or_a_cursor_of_another_partition_is_refused() {
        for bad in ["not a cursor", "", "e30", "eyJQSyI6MX0"] {
            assert!(
                matches!(
                    decode(&Cursor(bad.into()), Index::Table, "X"),
                    Err(StoreError::BadCursor)
                ),
                "{bad}"
            );
        }
        let c = encode(&key(&[("PK", "A"), ("SK", "1")])).unwrap();
        assert!(matches!(
            decode(&c, Index::Table, "B"),
            Err(StoreError::BadCursor)
        ));
    }
}
