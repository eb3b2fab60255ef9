//! The Datastar SDK conformance server: `/test` (GET and POST) reads `{"events": [...]}` from the
//! request's signals and sends those events, in order, then ends the stream.
//!
//! Run with `cargo run --example conformance` (listens on `PORT`, default 7331); the golden
//! suite in `tests/conformance.rs` serves the same router.

use std::time::Duration;

use axum::{http::StatusCode, response::IntoResponse, response::Response, routing::get, Router};
use nitro::axum::ReadSignals;
use nitro::sse::{Event, Events, ExecuteScript, Mode, Namespace, PatchElements, PatchSignals};
use nitro::Selector;
use serde::Deserialize;
use serde_json::value::RawValue;

#[derive(Deserialize)]
struct Input {
    events: Vec<TestEvent>,
}

/// One event of a test case. Signals and attributes stay raw JSON so their key order survives.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TestEvent {
    #[serde(rename = "type")]
    kind: String,
    event_id: Option<String>,
    retry_duration: Option<u64>,
    selector: Option<String>,
    mode: Option<String>,
    use_view_transition: Option<bool>,
    view_transition_selector: Option<String>,
    namespace: Option<String>,
    elements: Option<String>,
    signals: Option<Box<RawValue>>,
    #[serde(rename = "signals-raw")]
    signals_raw: Option<String>,
    only_if_missing: Option<bool>,
    script: Option<String>,
    attributes: Option<Box<RawValue>>,
    auto_remove: Option<bool>,
}

/// The conformance router.
pub fn app() -> Router {
    Router::new().route("/test", get(test).post(test))
}

async fn test(ReadSignals(input): ReadSignals<Input>) -> Response {
    // A one-shot response: it ends after its events, so it never carries keep-alive comments
    // (those are for long-lived `Sse`s), and the golden output stays byte for byte.
    let mut events = Events::new();
    for e in input.events {
        match to_event(e) {
            Ok(event) => events.push(event),
            Err(message) => return (StatusCode::BAD_REQUEST, message).into_response(),
        }
    }
    events.into_response()
}

fn to_event(e: TestEvent) -> Result<Box<dyn Event + Send>, String> {
    let retry = e.retry_duration.map(Duration::from_millis);
    let id = e.event_id;
    Ok(match e.kind.as_str() {
        "patchElements" => {
            let mode = match e.mode {
                Some(m) => m.parse::<Mode>().map_err(|err| err.to_string())?,
                None => Mode::Outer,
            };
            let selector = e.selector.map(Selector::css);
            let mut p = PatchElements::trusted(selector, mode, e.elements.unwrap_or_default());
            p = p.use_view_transition(e.use_view_transition.unwrap_or(false));
            if let Some(s) = e.view_transition_selector {
                p = p.view_transition_selector(Selector::css(s));
            }
            if let Some(n) = e.namespace {
                p = p.namespace(n.parse::<Namespace>().map_err(|err| err.to_string())?);
            }
            if let Some(id) = id {
                p = p.id(id);
            }
            if let Some(r) = retry {
                p = p.retry(r);
            }
            Box::new(p)
        }
        "patchSignals" => {
            let json = match (e.signals_raw, e.signals) {
                (Some(raw), _) => raw,
                (None, Some(v)) => minify(v.get()),
                (None, None) => return Err("patchSignals needs `signals` or `signals-raw`".into()),
            };
            let mut p = PatchSignals::raw(json).only_if_missing(e.only_if_missing.unwrap_or(false));
            if let Some(id) = id {
                p = p.id(id);
            }
            if let Some(r) = retry {
                p = p.retry(r);
            }
            Box::new(p)
        }
        "executeScript" => {
            // The conformance contract sends the script and its attributes as data: this test
            // server trusts them by design (it exists to echo them).
            let mut s = ExecuteScript::trusted(e.script.unwrap_or_default())
                .auto_remove(e.auto_remove.unwrap_or(true));
            if let Some(attrs) = e.attributes {
                for (name, value) in ordered_attributes(attrs.get())? {
                    s = s.attribute_trusted(name, value);
                }
            }
            if let Some(id) = id {
                s = s.id(id);
            }
            if let Some(r) = retry {
                s = s.retry(r);
            }
            Box::new(s)
        }
        other => return Err(format!("unknown event type `{other}`")),
    })
}

/// An object's entries in document order (string values as is, others as JSON).
fn ordered_attributes(json: &str) -> Result<Vec<(String, String)>, String> {
    struct Ordered(Vec<(String, String)>);
    impl<'de> Deserialize<'de> for Ordered {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> serde::de::Visitor<'de> for V {
                type Value = Ordered;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("an object of attributes")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> Result<Ordered, A::Error> {
                    let mut out = Vec::new();
                    while let Some((k, v)) = map.next_entry::<String, serde_json::Value>()? {
                        let v = match v {
                            serde_json::Value::String(s) => s,
                            other => other.to_string(),
                        };
                        out.push((k, v));
                    }
                    Ok(Ordered(out))
                }
            }
            d.deserialize_map(V)
        }
    }
    serde_json::from_str::<Ordered>(json)
        .map(|o| o.0)
        .map_err(|e| e.to_string())
}

/// Removes the whitespace outside strings: compact JSON with the keys in their original order.
fn minify(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

#[allow(dead_code)] // the golden test includes this file for `app()` only
#[tokio::main]
async fn main() {
    let port = std::env::var("PORT").unwrap_or_else(|_| "7331".into());
    let addr = format!("127.0.0.1:{port}");
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
    println!("conformance server on http://{addr}/test");
    axum::serve(listener, app()).await.expect("serve");
}
