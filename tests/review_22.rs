//! Regressions from the review of issue 22, run in headless Chromium with the real Datastar
//! client: values that `html!` accepted but the client turned into code.
//!
//! `data-attr` ends in `setAttribute(KEY, value)`. When KEY is itself a Datastar attribute
//! (`data-init`, `data-on:click`, `data-text`, …), the client's MutationObserver sees a new
//! `data-*` attribute and compiles its value as an expression: the value, data until then,
//! runs as code. `data-attr:data-init=(v)` is a compile error
//! (`ui-tests/tests/fail/guards/data_attr_datastar_key.rs`); a map's keys are only known at run
//! time, so the map is checked here.

mod common;

use std::time::{Duration, Instant};

use axum::response::Html;
use axum::routing::get;
use axum::Router;
use common::browser::{browser, chromedriver, datastar_js};
use nitro::prelude::*;

const HOOKS: &str = r#"
window.__hits = [];
window.__pwned = (n) => { window.__hits.push(String(n)); };
window.alert = (m) => { window.__hits.push('alert ' + m); };
"#;

/// A page with the sentinels and the client, then `body`.
fn page(body: impl Render) -> String {
    html! {
        !DOCTYPE
        html {
            head {
                meta charset="utf-8";
                script { (PreEscaped(HOOKS)) }
                script type="module" src="/datastar.js" {}
            }
            body { (body) }
        }
    }
    .render()
    .into_string()
}

/// Loads `url` and waits for Datastar to apply the page.
async fn hits(client: &fantoccini::Client, url: &str) {
    client.goto(url).await.expect("load the page");
    let start = Instant::now();
    loop {
        let ready = client
            .execute(
                "return !!document.querySelector('[data-done]') && document.querySelector('[data-done]').textContent === 'done'",
                vec![],
            )
            .await
            .expect("read the page");
        if ready == serde_json::Value::Bool(true) || start.elapsed() > Duration::from_secs(5) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The attribute set by `data-attr` is compiled on the observer's next turn.
    tokio::time::sleep(Duration::from_millis(200)).await;
}

/// A value from a user, in the forms a template takes it.
const PAYLOAD: &str = "__pwned('ran')";

fn attr_map_page() -> String {
    let mut map = std::collections::BTreeMap::new();
    map.insert("title".to_owned(), "a title".to_owned());
    map.insert("data-init".to_owned(), PAYLOAD.to_owned());
    map.insert("data-on:click".to_owned(), PAYLOAD.to_owned());
    page(html! {
        button data-attr=(map) { "b" }
        span "data-done" data-text="'done'" {}
    })
}

/// `data-attr:href="$link"`: literal code whose result, a signal's value, is data (a user's
/// profile link, patched in by the server). The same guard as for `data-attr:href=(expr)`.
fn literal_url_page() -> String {
    let signals = serde_json::json!({ "link": "javascript:__pwned('href')", "css": "x" });
    page(html! {
        @signals("link", "css")
        div data-signals=(signals) {
            a data-attr:href="$link" { "link" }
            p data-style:background-image="'url(javascript:__pwned(1))'" { "p" }
        }
        span "data-done" data-text="'done'" {}
    })
}

#[tokio::test]
async fn data_attr_never_writes_a_datastar_attribute() {
    let js = std::fs::read(datastar_js()).unwrap();
    let router = Router::new()
        .route("/map", get(|| async { Html(attr_map_page()) }))
        .route("/url", get(|| async { Html(literal_url_page()) }))
        .route(
            "/datastar.js",
            get(move || async move { ([("content-type", "text/javascript")], js.clone()) }),
        );
    let base = common::base_url(router).await;
    let driver = chromedriver();
    let b = browser(&driver).await;
    let mut ran = Vec::new();
    for path in ["map", "url"] {
        let url = format!("{base}/{path}");
        hits(&b.client, &url).await;
        // The link's URL, as the client set it: a blocked one would navigate away if clicked.
        let href = b
            .client
            .execute(
                "return document.querySelector('a')?.getAttribute('href') ?? null",
                vec![],
            )
            .await
            .unwrap();
        if path == "url" && href != serde_json::json!("about:invalid#nitro-blocked") {
            ran.push(format!("/url: href {href}"));
        }
        // The map's `data-on:click` runs on a click; so does a `javascript:` link.
        let _ = b
            .client
            .execute(
                "document.querySelector('button')?.click(); \
                 const a = document.querySelector('a'); \
                 if (a && a.getAttribute('href').startsWith('javascript:')) a.click();",
                vec![],
            )
            .await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        let after: Vec<String> = serde_json::from_value(
            b.client
                .execute("return window.__hits", vec![])
                .await
                .unwrap(),
        )
        .unwrap();
        if !after.is_empty() {
            ran.push(format!("/{path}: {after:?}"));
        }
        // The CSS guard left no `url(javascript:…)` in the style.
        if path == "url" {
            let bg = b
                .client
                .execute(
                    "return document.querySelector('p').style.backgroundImage",
                    vec![],
                )
                .await
                .unwrap();
            if bg != serde_json::json!("") {
                ran.push(format!("/url: background-image {bg}"));
            }
        }
    }
    b.client.close().await.unwrap();
    assert!(ran.is_empty(), "a value ran as code: {ran:?}");
}
