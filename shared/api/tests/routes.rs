//! Which Lambda serves which route: every route of the OpenAPI document is
//! served by exactly one function, and `infra/routes.json` (which
//! `infra/check.sh` compares with the SAM template) says the same.
//! `UPDATE_ROUTES=1 cargo test -p marelle-api --test routes` rewrites it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{Method, Request};
use marelle_testkit::TestApp;
use tower::ServiceExt;

const MANIFEST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../infra/routes.json");

/// Routes the local binary or the shared layers add, not a function's.
const SHARED: [&str; 1] = ["GET /api/openapi.json"];

#[tokio::test]
async fn every_documented_route_belongs_to_exactly_one_function_and_the_manifest_is_current() {
    let app = TestApp::new().await;
    let doc = marelle_api::openapi::document();
    let doc = serde_json::to_value(&doc).unwrap();
    let mut routes: Vec<(String, String)> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                routes.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    routes.sort();
    assert!(routes.len() >= 40, "{} routes", routes.len());
    routes.push(("GET".into(), "/api/openapi.json".into()));

    let mut manifest: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (method, path) in &routes {
        let concrete = path
            .split('/')
            .map(|seg| {
                if seg.starts_with('{') {
                    "01JPROBE000000000000000000"
                } else {
                    seg
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let mut servers = Vec::new();
        for (name, router) in marelle_api::functions::all() {
            let svc = marelle_api::service(app.state.clone(), router);
            let req = Request::builder()
                .method(Method::from_bytes(method.as_bytes()).unwrap())
                .uri(&concrete)
                .header("origin", marelle_testkit::app::ORIGIN)
                .body(Body::empty())
                .unwrap();
            let resp = svc.oneshot(req).await.unwrap();
            let status = resp.status().as_u16();
            let body = axum::body::to_bytes(resp.into_body(), 1 << 20)
                .await
                .unwrap();
            let code = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["code"].as_str().map(str::to_string))
                .unwrap_or_default();
            let unserved = (status == 404 && code == "not_found")
                || (status == 405 && code == "method_not_allowed");
            if !unserved {
                servers.push(name);
            }
        }
        let route = format!("{method} {path}");
        if SHARED.contains(&route.as_str()) {
            assert_eq!(
                servers.len(),
                marelle_api::functions::all().len(),
                "{route}"
            );
            manifest.entry("*".into()).or_default().push(route);
            continue;
        }
        assert_eq!(servers.len(), 1, "{route} is served by {servers:?}");
        manifest.entry(servers[0].into()).or_default().push(route);
    }
    let text = serde_json::to_string_pretty(&manifest).unwrap() + "\n";
    if std::env::var_os("UPDATE_ROUTES").is_some() {
        std::fs::write(MANIFEST, &text).unwrap();
    }
    let committed = std::fs::read_to_string(MANIFEST).unwrap_or_default();
    assert_eq!(
        committed, text,
        "infra/routes.json is out of date: run UPDATE_ROUTES=1 cargo test -p marelle-api --test routes"
    );
}

#[test]
fn the_documented_parameters_are_where_the_routes_read_them() {
    let doc = serde_json::to_value(marelle_api::openapi::document()).unwrap();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                let expected = if path.contains(&format!("{{{name}}}")) {
                    "path"
                } else if name == "Idempotency-Key" {
                    "header"
                } else {
                    "query"
                };
                assert_eq!(p["in"], expected, "{method} {path}: parameter {name}");
                checked += 1;
            }
        }
    }
    assert!(checked >= 15, "{checked} parameters");
    // Enumerations are documented with the values the API reads and writes.
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["Sex"]["enum"], serde_json::json!(["M", "F"]));
    assert_eq!(schemas["Quality"]["enum"][2], "legal_guardian");
}
