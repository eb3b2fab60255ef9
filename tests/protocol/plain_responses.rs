//! Non-SSE responses over real HTTP, as the Datastar client reads them (its `fetch` action):
//! `text/html` with `datastar-selector` / `datastar-mode` / `datastar-namespace` /
//! `datastar-use-view-transition`, `application/json` with `datastar-only-if-missing`,
//! `text/javascript` with `datastar-script-attributes`; and `html!` templates and `Markup`
//! returned directly from handlers.

use crate::common;

use axum::response::IntoResponse;
use axum::{routing::get, Router};
use nitro::prelude::*;
use nitro::sse::{PatchElements, PatchSignals};

async fn template() -> impl IntoResponse {
    let name = "<Ada>";
    html! { p #greeting { "Hello, " (name) } }
}

async fn markup() -> Markup {
    html! { p { "rendered" } }.render()
}

async fn elements() -> PatchElements {
    PatchElements::at(Selector::css("#list"), Mode::Append, html! { li { "new" } })
        .use_view_transition(true)
}

async fn outer() -> PatchElements {
    PatchElements::new(html! { svg #chart {} })
}

async fn no_target() -> PatchElements {
    PatchElements::new(PreEscaped("<p>no id</p>"))
}

async fn bad_selector() -> PatchElements {
    PatchElements::at(Selector::css("#a\nb"), Mode::Outer, PreEscaped("<p>x</p>"))
}

async fn signals() -> PatchSignals {
    PatchSignals::new(&serde_json::json!({ "count": 3, "user": { "name": "Zoë" } }))
}

async fn signals_if_missing() -> PatchSignals {
    PatchSignals::new(&serde_json::json!({ "count": 3 })).only_if_missing(true)
}

async fn script() -> impl IntoResponse {
    ExecuteScript::new("console.log(1)").attribute("type", "module")
}

async fn kept_script() -> impl IntoResponse {
    ExecuteScript::new("console.log(2)").auto_remove(false)
}

#[tokio::test]
async fn events_as_plain_responses_carry_the_headers_the_client_reads() {
    let app = Router::new()
        .route("/template", get(template))
        .route("/markup", get(markup))
        .route("/elements", get(elements))
        .route("/outer", get(outer))
        .route("/no-target", get(no_target))
        .route("/bad-selector", get(bad_selector))
        .route("/signals", get(signals))
        .route("/signals-if-missing", get(signals_if_missing))
        .route("/script", get(script))
        .route("/kept-script", get(kept_script));
    let base = common::base_url(app).await;
    let fetch = |path: &'static str| {
        let base = base.clone();
        async move {
            let r = reqwest::get(format!("{base}{path}")).await.unwrap();
            let status = r.status().as_u16();
            let mut headers: Vec<(String, String)> = r
                .headers()
                .iter()
                .filter(|(k, _)| k.as_str().starts_with("datastar-") || *k == "content-type")
                .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
                .collect();
            headers.sort();
            (status, headers, r.text().await.unwrap())
        }
    };
    let h = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        let mut v: Vec<_> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        v.sort();
        v
    };

    let html = "text/html; charset=utf-8";
    assert_eq!(
        fetch("/template").await,
        (
            200,
            h(&[("content-type", html)]),
            "<p id=\"greeting\">Hello, &lt;Ada&gt;</p>".into()
        )
    );
    assert_eq!(
        fetch("/markup").await,
        (200, h(&[("content-type", html)]), "<p>rendered</p>".into())
    );
    assert_eq!(
        fetch("/elements").await,
        (
            200,
            h(&[
                ("content-type", html),
                ("datastar-selector", "#list"),
                ("datastar-mode", "append"),
                ("datastar-use-view-transition", "true"),
            ]),
            "<li>new</li>".into()
        )
    );
    assert_eq!(
        fetch("/outer").await,
        (
            200,
            h(&[("content-type", html), ("datastar-namespace", "svg")]),
            "<svg id=\"chart\"></svg>".into()
        )
    );
    // A patch that cannot be sent: a generic 500 for the client, the reason in the log.
    let logs = common::logs::capture();
    let generic = "internal error: the response could not be encoded";
    let (status, _, body) = fetch("/no-target").await;
    assert_eq!((status, body.as_str()), (500, generic));
    logs.wait_for(&["WARN", "plain response", "top-level `<p>` has no id"])
        .await;
    let (status, _, body) = fetch("/bad-selector").await;
    assert_eq!((status, body.as_str()), (500, generic));
    logs.wait_for(&["WARN", "plain response", "datastar-selector"])
        .await;

    assert_eq!(
        fetch("/signals").await,
        (
            200,
            h(&[("content-type", "application/json")]),
            r#"{"count":3,"user":{"name":"Zoë"}}"#.into()
        )
    );
    assert_eq!(
        fetch("/signals-if-missing").await,
        (
            200,
            h(&[
                ("content-type", "application/json"),
                ("datastar-only-if-missing", "true")
            ]),
            r#"{"count":3}"#.into()
        )
    );
    assert_eq!(
        fetch("/script").await,
        (
            200,
            h(&[
                ("content-type", "text/javascript"),
                (
                    "datastar-script-attributes",
                    r#"{"data-effect":"el.remove()","type":"module"}"#
                )
            ]),
            "console.log(1)".into()
        )
    );
    assert_eq!(
        fetch("/kept-script").await,
        (
            200,
            h(&[("content-type", "text/javascript")]),
            "console.log(2)".into()
        )
    );
}
