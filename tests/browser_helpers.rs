//! The browser helpers (`ExecuteScript::console_log`, `console_error`, `dispatch`,
//! `dispatch_at`, `replace_query`, `prefetch`) in headless Chromium with the real Datastar
//! client: hostile strings sent through each arrive as the same strings (logged, as an event's
//! `detail`, in the address bar's query, in the speculation rules) and run nothing: no sentinel
//! call, no request to `/pwn`, no other console error.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::Uri;
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use common::browser::{browser, chromedriver, datastar_js};
use nitro::prelude::*;

/// Strings that would run code if they were spliced into the script, the HTML around it, or a
/// Datastar expression.
fn payloads() -> Vec<String> {
    [
        "plain text",
        "</script><script>top.__pwned(1)</script>",
        "\"); top.__pwned(2); (\"",
        "'); top.__pwned(3); ('",
        "`${top.__pwned(4)}`",
        "\\\"); top.__pwned(5); //",
        "\u{2028}top.__pwned(6)\u{2029}",
        "<img src=x onerror=top.__pwned(7)>",
        "@get('/pwn/8')",
        "$x = top.__pwned(9)",
        "🖕JS_0_DS🚀 top.__pwned(10)",
        "<!-- <script> top.__pwned(11)",
        "é日本語😀",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Installed before the client loads: records what the helpers deliver and every sign that
/// something ran.
const HOOKS: &str = r#"
window.__hits = [];
window.__logs = [];
window.__errors = [];
window.__events = [];
window.__pwned = (n) => { window.__hits.push('sentinel ' + n); };
window.alert = window.confirm = window.prompt = (m) => { window.__hits.push('alert ' + m); };
console.log = (...a) => { window.__logs.push(a); };
console.error = (...a) => { window.__errors.push(a); };
addEventListener('error', (e) => { window.__hits.push('error: ' + e.message); });
addEventListener('unhandledrejection', (e) => { window.__hits.push('rejection: ' + e.reason); });
document.addEventListener('nitro-test', (e) => { window.__events.push(['document', e.detail]); });
document.addEventListener('nitro-at', (e) => { window.__events.push([e.target.id, e.detail]); });
"#;

fn page() -> Html<String> {
    Html(format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><script>{HOOKS}</script>\
         <script type=\"module\" src=\"/datastar.js\"></script></head>\
         <body><div id=\"target\"></div><div data-init=\"@get('/helpers')\"></div></body></html>"
    ))
}

async fn helpers() -> Events {
    let payloads = payloads();
    let mut events = Events::new();
    for p in &payloads {
        events.push(ExecuteScript::console_log(p));
        events.push(ExecuteScript::console_error(p));
        events.push(ExecuteScript::dispatch("nitro-test", p));
        events.push(ExecuteScript::dispatch_at(
            Selector::css("#target"),
            "nitro-at",
            p,
        ));
    }
    let query: Vec<(&str, &str)> = payloads.iter().map(|p| ("q", p.as_str())).collect();
    events.push(ExecuteScript::replace_query(&query));
    events.push(ExecuteScript::prefetch(
        payloads.iter().map(|p| format!("/p?x={p}")),
    ));
    events.push(ExecuteScript::new("window.__done = true"));
    events
}

async fn js(c: &fantoccini::Client, code: &str) -> serde_json::Value {
    c.execute(code, vec![]).await.unwrap()
}

#[tokio::test]
async fn helpers_deliver_hostile_strings_as_data() {
    let driver = chromedriver();
    let client_js = datastar_js();
    let pwn: Arc<Mutex<Vec<String>>> = Arc::default();
    let router = Router::new()
        .route("/", get(|| async { page() }))
        .route("/helpers", get(helpers))
        .route(
            "/datastar.js",
            get(move || {
                let js = client_js.clone();
                async move {
                    (
                        [(axum::http::header::CONTENT_TYPE, "text/javascript")],
                        std::fs::read(js).unwrap(),
                    )
                }
            }),
        )
        .fallback(
            |State(pwn): State<Arc<Mutex<Vec<String>>>>, uri: Uri| async move {
                if uri.path().starts_with("/pwn") {
                    pwn.lock().unwrap().push(uri.to_string());
                }
                axum::http::StatusCode::NOT_FOUND
            },
        )
        .with_state(pwn.clone());
    let base = common::base_url(router).await;
    let b = browser(&driver).await;
    b.client.goto(&base).await.unwrap();
    let start = Instant::now();
    while js(&b.client, "return window.__done === true").await != true {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the helpers' events were not all applied: {}",
            js(&b.client, "return [window.__hits, window.__logs.length]").await
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let payloads = payloads();
    let one_arg: Vec<serde_json::Value> = payloads.iter().map(|p| serde_json::json!([p])).collect();
    assert_eq!(
        js(&b.client, "return window.__logs").await,
        serde_json::json!(one_arg)
    );
    assert_eq!(
        js(&b.client, "return window.__errors").await,
        serde_json::json!(one_arg)
    );
    let events: Vec<serde_json::Value> = payloads
        .iter()
        .flat_map(|p| {
            [
                serde_json::json!(["document", p]),
                serde_json::json!(["target", p]),
            ]
        })
        .collect();
    assert_eq!(
        js(&b.client, "return window.__events").await,
        serde_json::json!(events)
    );
    assert_eq!(
        js(
            &b.client,
            "return [location.pathname, new URLSearchParams(location.search).getAll('q')]"
        )
        .await,
        serde_json::json!(["/", payloads])
    );
    let urls: Vec<String> = payloads.iter().map(|p| format!("/p?x={p}")).collect();
    assert_eq!(
        js(
            &b.client,
            "return [...document.querySelectorAll('script[type=speculationrules]')].map(s => JSON.parse(s.textContent))"
        )
        .await,
        serde_json::json!([{ "prefetch": [{ "source": "list", "urls": urls }] }])
    );
    assert_eq!(
        js(&b.client, "return window.__hits").await,
        serde_json::json!([])
    );
    assert_eq!(*pwn.lock().unwrap(), Vec::<String>::new());
    b.client.clone().close().await.unwrap();
}
