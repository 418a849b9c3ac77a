//! The OpenAPI document covers exactly the routes the router serves, with their methods, and
//! lists every error code.

mod common;

use axum::http::StatusCode;
use common::*;
use sq_api::{openapi, routes, ErrorCode};

#[test]
fn every_route_is_documented_and_every_documented_path_is_served() {
    let doc = openapi::document();
    assert_eq!(doc["openapi"], "3.0.3");
    let paths = doc["paths"].as_object().expect("paths");
    let served = routes();
    for (method, path) in &served {
        let op = &paths
            .get(*path)
            .unwrap_or_else(|| panic!("{path} is not in the document"))
            [method.as_str().to_lowercase()];
        assert!(op.is_object(), "{method} {path} is not in the document");
        assert!(
            op["responses"]["200"].is_object(),
            "{method} {path} has no 200"
        );
        // Every path parameter is described.
        let params: Vec<&str> = op["parameters"]
            .as_array()
            .map(|ps| ps.iter().filter_map(|p| p["name"].as_str()).collect())
            .unwrap_or_default();
        for segment in path.split('/') {
            if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                assert!(
                    params.contains(&name),
                    "{path}: parameter {name} undocumented"
                );
            }
        }
    }
    for path in paths.keys() {
        assert!(
            served.iter().any(|(_, p)| p == path),
            "{path} is documented but not served"
        );
    }
    // Every $ref resolves.
    let text = doc.to_string();
    for piece in text.split("\"#/components/schemas/").skip(1) {
        let name = piece.split('"').next().unwrap_or_default();
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "dangling $ref {name}"
        );
    }
}

#[test]
fn every_error_code_is_listed() {
    let doc = openapi::document();
    let listed = &doc["components"]["schemas"]["Error"]["properties"]["code"]["enum"];
    let want: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(listed, &serde_json::json!(want));
}

#[tokio::test]
async fn the_document_is_served() {
    let f = Fixture::new().await;
    let (status, v) = get(&f.router(), "/v0/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v, openapi::document());
}
