//! Typed conditions, updates and key conditions translated to DynamoDB
//! expressions with `#n`/`:v` placeholders. Pure: unit-tested here, run
//! against moto by the conformance suite.
//!
//! An item whose `ttl` is past may still be in the table (DynamoDB deletes
//! expired items lazily, within days), but the port says it is absent for
//! readers and for conditions, so every condition is written against the
//! *live* item:
//!
//! | condition | expression |
//! |---|---|
//! | `NotExists` | `attribute_not_exists(#PK) OR #ttl <= :now` |
//! | `Exists` | `attribute_exists(#PK) AND (attribute_not_exists(#ttl) OR #ttl > :now)` |
//! | `Equals(a, v)` | live `AND #a = :v` |
//! | `VersionIs(n)` | live `AND #version = :n` |
//! | `Below(a, n)` | absent `OR attribute_not_exists(#a) OR attribute_type(#a, NULL) OR #a < :n` |
//! | `And(x, y)` | `(x) AND (y)` |

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use marelle_domain::ports::store::{Condition, SkCondition, StoreError, Update, attr};
use serde_json::Value;

/// Placeholders of one request (names and values are shared by its
/// condition, update, key condition and filter expressions). Only what an
/// expression uses is declared, as DynamoDB refuses unused placeholders.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Placeholders {
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
    by_name: HashMap<String, String>,
}

impl Placeholders {
    pub fn new() -> Self {
        Self::default()
    }

    /// The placeholder of an attribute name (the same one each time).
    pub fn name(&mut self, name: &str) -> String {
        if let Some(p) = self.by_name.get(name) {
            return p.clone();
        }
        let p = format!("#n{}", self.by_name.len());
        self.by_name.insert(name.to_string(), p.clone());
        self.names.insert(p.clone(), name.to_string());
        p
    }

    /// A fresh placeholder for a value.
    pub fn value(&mut self, value: AttributeValue) -> String {
        let p = format!(":v{}", self.values.len());
        self.values.insert(p.clone(), value);
        p
    }

    /// A JSON value as a placeholder.
    pub fn json(&mut self, value: &Value) -> Result<String, StoreError> {
        let av = serde_dynamo::to_attribute_value(value)
            .map_err(|e| StoreError::Invalid(format!("value not storable: {e}")))?;
        Ok(self.value(av))
    }

    pub fn number(&mut self, n: i64) -> String {
        self.value(AttributeValue::N(n.to_string()))
    }

    pub fn string(&mut self, s: &str) -> String {
        self.value(AttributeValue::S(s.to_string()))
    }

    /// Names for the request (`None` when empty, as the API wants).
    pub fn names(&self) -> Option<HashMap<String, String>> {
        (!self.names.is_empty()).then(|| self.names.clone())
    }

    /// Values for the request (`None` when empty, as the API wants).
    pub fn values(&self) -> Option<HashMap<String, AttributeValue>> {
        (!self.values.is_empty()).then(|| self.values.clone())
    }
}

/// The item is there and not expired at `now`.
fn live(p: &mut Placeholders, now: i64) -> String {
    let pk = p.name(attr::PK);
    let ttl = p.name(attr::TTL);
    let now = p.number(now);
    format!("attribute_exists({pk}) AND (attribute_not_exists({ttl}) OR {ttl} > {now})")
}

/// No item, or an expired one, at `now`.
fn absent(p: &mut Placeholders, now: i64) -> String {
    let pk = p.name(attr::PK);
    let ttl = p.name(attr::TTL);
    let now = p.number(now);
    format!("attribute_not_exists({pk}) OR {ttl} <= {now}")
}

/// The condition expression of `condition`, evaluated at `now` (Unix
/// seconds, from the store's clock).
pub fn condition(p: &mut Placeholders, c: &Condition, now: i64) -> Result<String, StoreError> {
    Ok(match c {
        Condition::NotExists => absent(p, now),
        Condition::Exists => live(p, now),
        Condition::Equals(name, value) => {
            let live = live(p, now);
            let n = p.name(name);
            let v = p.json(value)?;
            format!("{live} AND {n} = {v}")
        }
        Condition::VersionIs(version) => {
            let live = live(p, now);
            let n = p.name("version");
            let v = p.number(*version);
            format!("{live} AND {n} = {v}")
        }
        Condition::Below(name, bound) => {
            let absent = absent(p, now);
            let n = p.name(name);
            let null = p.string("NULL");
            let b = p.number(*bound);
            format!(
                "{absent} OR attribute_not_exists({n}) OR attribute_type({n}, {null}) OR {n} < {b}"
            )
        }
        Condition::And(a, b) => {
            let a = condition(p, a, now)?;
            let b = condition(p, b, now)?;
            format!("({a}) AND ({b})")
        }
    })
}

/// The update expression of `update` (`None` for an empty update, which
/// only creates the item with its key).
pub fn update(p: &mut Placeholders, update: &Update) -> Result<Option<String>, StoreError> {
    for name in update.names() {
        if name == attr::PK || name == attr::SK {
            return Err(StoreError::Invalid(format!(
                "cannot update key attribute {name}"
            )));
        }
    }
    for (p_name, s_name) in attr::GSI {
        for name in [p_name, s_name] {
            if let Some(v) = update.set.get(name)
                && !v.is_string()
            {
                return Err(StoreError::Invalid(format!("{name} must be a string")));
            }
            if update.add.iter().any(|(n, _)| n == name) {
                return Err(StoreError::Invalid(format!("{name} must be a string")));
            }
        }
    }
    let mut clauses = Vec::new();
    if !update.set.is_empty() {
        let mut parts = Vec::with_capacity(update.set.len());
        for (name, value) in &update.set {
            let n = p.name(name);
            let v = p.json(value)?;
            parts.push(format!("{n} = {v}"));
        }
        clauses.push(format!("SET {}", parts.join(", ")));
    }
    if !update.remove.is_empty() {
        let parts: Vec<String> = update.remove.iter().map(|n| p.name(n)).collect();
        clauses.push(format!("REMOVE {}", parts.join(", ")));
    }
    if !update.add.is_empty() {
        let mut parts = Vec::with_capacity(update.add.len());
        for (name, delta) in &update.add {
            let n = p.name(name);
            let v = p.number(*delta);
            parts.push(format!("{n} {v}"));
        }
        clauses.push(format!("ADD {}", parts.join(", ")));
    }
    Ok((!clauses.is_empty()).then(|| clauses.join(" ")))
}

/// The key condition of a query on the key attributes `pk_name`/`sk_name`.
pub fn key_condition(
    p: &mut Placeholders,
    pk_name: &str,
    sk_name: &str,
    pk: &str,
    sk: &SkCondition,
) -> String {
    let pk_n = p.name(pk_name);
    let pk_v = p.string(pk);
    let head = format!("{pk_n} = {pk_v}");
    let mut cmp = |op: &str, v: &str| {
        let n = p.name(sk_name);
        let v = p.string(v);
        format!("{head} AND {n} {op} {v}")
    };
    match sk {
        SkCondition::All => head.clone(),
        SkCondition::Equals(v) => cmp("=", v),
        SkCondition::Below(v) => cmp("<", v),
        SkCondition::AtMost(v) => cmp("<=", v),
        SkCondition::Above(v) => cmp(">", v),
        SkCondition::AtLeast(v) => cmp(">=", v),
        SkCondition::BeginsWith(prefix) => {
            let n = p.name(sk_name);
            let v = p.string(prefix);
            format!("{head} AND begins_with({n}, {v})")
        }
        SkCondition::Between(a, b) => {
            let n = p.name(sk_name);
            let a = p.string(a);
            let b = p.string(b);
            format!("{head} AND {n} BETWEEN {a} AND {b}")
        }
    }
}

/// The filter that keeps only live items of a query.
pub fn live_filter(p: &mut Placeholders, now: i64) -> String {
    let ttl = p.name(attr::TTL);
    let now = p.number(now);
    format!("attribute_not_exists({ttl}) OR {ttl} > {now}")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use serde_json::json;

    /// The expression with its placeholders replaced, to read in asserts.
    fn expand(p: &Placeholders, expr: &str) -> String {
        let mut out = expr.to_string();
        let mut names: Vec<_> = p.names.iter().collect();
        // Longest placeholders first, so that #n1 does not eat #n10.
        names.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));
        for (k, v) in names {
            out = out.replace(k.as_str(), v);
        }
        let mut values: Vec<_> = p.values.iter().collect();
        values.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));
        for (k, v) in values {
            let shown = match v {
                AttributeValue::S(s) => format!("'{s}'"),
                AttributeValue::N(n) => n.clone(),
                other => format!("{other:?}"),
            };
            out = out.replace(k.as_str(), &shown);
        }
        out
    }

    fn cond(c: Condition) -> String {
        let mut p = Placeholders::new();
        let e = condition(&mut p, &c, 100).unwrap();
        expand(&p, &e)
    }

    #[test]
    fn not_exists_counts_an_expired_item_as_absent() {
        assert_eq!(
            cond(Condition::NotExists),
            "attribute_not_exists(PK) OR ttl <= 100"
        );
    }

    #[test]
    fn exists_needs_a_live_item() {
        assert_eq!(
            cond(Condition::Exists),
            "attribute_exists(PK) AND (attribute_not_exists(ttl) OR ttl > 100)"
        );
    }

    #[test]
    fn equals_and_version_need_a_live_item() {
        assert_eq!(
            cond(Condition::Equals("state".into(), json!("open"))),
            "attribute_exists(PK) AND (attribute_not_exists(ttl) OR ttl > 100) AND state = 'open'"
        );
        assert_eq!(
            cond(Condition::VersionIs(3)),
            "attribute_exists(PK) AND (attribute_not_exists(ttl) OR ttl > 100) AND version = 3"
        );
    }

    #[test]
    fn below_holds_for_an_absent_item_or_attribute() {
        assert_eq!(
            cond(Condition::Below("taken".into(), 5)),
            "attribute_not_exists(PK) OR ttl <= 100 OR attribute_not_exists(taken) \
             OR attribute_type(taken, 'NULL') OR taken < 5"
        );
    }

    #[test]
    fn and_brackets_both_sides_and_shares_name_placeholders() {
        let mut p = Placeholders::new();
        let e = condition(
            &mut p,
            &Condition::VersionIs(1).and(Condition::Equals("version".into(), json!(1))),
            100,
        )
        .unwrap();
        assert!(e.starts_with('(') && e.contains(") AND ("), "{e}");
        // PK, ttl and version: three names, each declared once.
        assert_eq!(p.names().unwrap().len(), 3);
    }

    #[test]
    fn equals_maps_json_values_to_attribute_values() {
        let mut p = Placeholders::new();
        condition(
            &mut p,
            &Condition::Equals("n".into(), json!(2.0))
                .and(Condition::Equals("m".into(), json!({"a": [true, null]}))),
            0,
        )
        .unwrap();
        let values = p.values().unwrap();
        assert!(values.values().any(|v| v == &AttributeValue::N("2".into())));
        assert!(
            values
                .values()
                .any(|v| matches!(v, AttributeValue::M(m) if m.contains_key("a")))
        );
    }

    #[test]
    fn an_update_sets_removes_and_adds() {
        let mut p = Placeholders::new();
        let e = update(
            &mut p,
            &Update::new().set("a", "x").remove("b").add("n", -2),
        )
        .unwrap()
        .unwrap();
        assert_eq!(expand(&p, &e), "SET a = 'x' REMOVE b ADD n -2");
    }

    #[test]
    fn an_empty_update_has_no_expression() {
        let mut p = Placeholders::new();
        assert_eq!(update(&mut p, &Update::new()).unwrap(), None);
        assert_eq!(p.names(), None);
        assert_eq!(p.values(), None);
    }

    #[test]
    fn an_update_of_a_key_or_a_non_string_index_key_is_refused() {
        let mut p = Placeholders::new();
        for bad in [
            Update::new().set("PK", "x"),
            Update::new().remove("SK"),
            Update::new().set("GSI1PK", 3),
            Update::new().add("GSI2SK", 1),
        ] {
            assert!(
                matches!(update(&mut p, &bad), Err(StoreError::Invalid(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn key_conditions_cover_every_sort_key_condition() {
        let cases = [
            (SkCondition::All, "PK = 'F'"),
            (SkCondition::Equals("a".into()), "PK = 'F' AND SK = 'a'"),
            (SkCondition::Below("a".into()), "PK = 'F' AND SK < 'a'"),
            (SkCondition::AtMost("a".into()), "PK = 'F' AND SK <= 'a'"),
            (SkCondition::Above("a".into()), "PK = 'F' AND SK > 'a'"),
            (SkCondition::AtLeast("a".into()), "PK = 'F' AND SK >= 'a'"),
            (
                SkCondition::BeginsWith("C#".into()),
                "PK = 'F' AND begins_with(SK, 'C#')",
            ),
            (
                SkCondition::Between("a".into(), "b".into()),
                "PK = 'F' AND SK BETWEEN 'a' AND 'b'",
            ),
        ];
        for (sk, expected) in cases {
            let mut p = Placeholders::new();
            let e = key_condition(&mut p, "PK", "SK", "F", &sk);
            assert_eq!(expand(&p, &e), expected);
        }
    }

    #[test]
    fn the_live_filter_keeps_items_without_ttl_or_not_yet_expired() {
        let mut p = Placeholders::new();
        let e = live_filter(&mut p, 42);
        assert_eq!(expand(&p, &e), "attribute_not_exists(ttl) OR ttl > 42");
    }
}
