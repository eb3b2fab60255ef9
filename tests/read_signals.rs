//! `ReadSignals<T>` over real HTTP: GET/DELETE query, POST body, and every way to get it wrong.

mod common;

use axum::{routing::get, Router};
use nitro::axum::{ReadSignals, SignalsLimit};
use serde::Deserialize;

#[derive(Deserialize)]
struct Form {
    name: String,
    inner: Inner,
}

#[derive(Deserialize)]
struct Inner {
    count: i64,
}

async fn handler(ReadSignals(f): ReadSignals<Form>) -> String {
    format!("{}:{}", f.name, f.inner.count)
}

async fn optional(s: Option<ReadSignals<serde_json::Value>>) -> String {
    match s {
        Some(ReadSignals(v)) => v.to_string(),
        None => "no datastar request".into(),
    }
}

async fn serve() -> String {
    let app = Router::new()
        .route(
            "/f",
            get(handler).post(handler).delete(handler).put(handler),
        )
        .route("/opt", get(optional).post(optional))
        .route(
            "/small",
            axum::routing::post(handler).layer(axum::Extension(SignalsLimit(16))),
        );
    common::base_url(app).await
}

#[tokio::test]
async fn reads_signals_from_query_or_body_and_rejects_clearly() {
    let base = serve().await;
    let c = reqwest::Client::new();
    let good = r#"{"name":"a b","inner":{"count":2}}"#;
    let q = |s: &str| format!("{base}/f?datastar={}", urlencoding::encode(s));

    let cases: Vec<(reqwest::RequestBuilder, u16, &str)> = vec![
        (c.get(q(good)), 200, "a b:2"),
        (c.delete(q(good)), 200, "a b:2"),
        (
            c.post(format!("{base}/f"))
                .header("content-type", "application/json")
                .body(good),
            200,
            "a b:2",
        ),
        (c.put(format!("{base}/f")).body(good), 200, "a b:2"),
        (
            c.get(format!("{base}/f")),
            400,
            "`datastar` query parameter",
        ),
        (
            c.get(format!("{base}/f?datastar=%FF%FE")),
            400,
            "not valid percent-encoded UTF-8",
        ),
        (
            c.get(q("{\"name\":")),
            400,
            "not valid JSON: EOF while parsing",
        ),
        (
            c.get(q(r#"{"name":"x","inner":{"count":"two"}}"#)),
            422,
            "at `inner.count`",
        ),
        (
            c.get(q(r#"{"name":"x","inner":{}}"#)),
            422,
            "missing field `count`",
        ),
        (
            c.post(format!("{base}/opt"))
                .header("datastar-request", "true")
                .body("[".repeat(100_000)),
            400,
            "recursion limit",
        ),
        (
            c.post(format!("{base}/f"))
                .header("content-type", "text/plain")
                .body(good),
            415,
            "Content-Type: application/json",
        ),
        (
            c.post(format!("{base}/small")).body(good),
            413,
            "limit of 16 bytes",
        ),
        (
            c.post(format!("{base}/f"))
                .body(vec![b'"'; 2 * 1024 * 1024]),
            413,
            "limit of 1048576 bytes",
        ),
    ];
    for (i, (req, status, needle)) in cases.into_iter().enumerate() {
        let r = req.send().await.unwrap();
        let got = r.status().as_u16();
        let body = r.text().await.unwrap();
        assert_eq!(got, status, "case {i}: {body}");
        assert!(body.contains(needle), "case {i}: {body:?} lacks {needle:?}");
    }

    let r = c
        .get(format!("{base}/opt"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(r, "no datastar request");
    let r = c
        .get(format!("{base}/opt?datastar=%7B%22a%22%3A1%7D"))
        .header("datastar-request", "true")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(r, r#"{"a":1}"#);
}
