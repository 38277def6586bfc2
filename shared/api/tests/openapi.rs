//! The web app's copy of the HTTP contract (`web/openapi.json`, from which
//! its TypeScript types are generated) is the document the server serves:
//! a contract change fails here until the copy is refreshed, and then the
//! web build fails until the web app follows it.
//! `UPDATE_OPENAPI=1 cargo test -p marelle-api --test openapi` rewrites it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

const COPY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../web/openapi.json");

#[test]
fn the_web_apps_copy_of_the_contract_is_the_served_document() {
    let served = serde_json::to_value(marelle_api::openapi::document()).unwrap();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        // Keys sorted, so that the file is the same whatever serde_json's
        // features in the build that writes it.
        let mut text = serde_json::to_string_pretty(&sorted(served.clone())).unwrap();
        text.push('\n');
        std::fs::write(COPY, text).unwrap();
    }
    let copy: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(COPY).expect("web/openapi.json: run with UPDATE_OPENAPI=1"),
    )
    .unwrap();
    assert!(
        copy == served,
        "web/openapi.json differs from the served contract: run \
         `UPDATE_OPENAPI=1 cargo test -p marelle-api --test openapi`, then \
         `npm run api:types` in web/ and make the web app follow"
    );
}

fn sorted(v: serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(map) => {
            let ordered: std::collections::BTreeMap<String, serde_json::Value> =
                map.into_iter().map(|(k, v)| (k, sorted(v))).collect();
            serde_json::Value::Object(ordered.into_iter().collect())
        }
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.into_iter().map(sorted).collect())
        }
        other => other,
    }
}
