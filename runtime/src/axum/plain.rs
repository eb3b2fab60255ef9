//! Events as plain (non-SSE) responses: the Datastar client applies a `text/html`,
//! `application/json` or `text/javascript` response to `@get`/`@post`/… the same way as the
//! matching SSE event, with its options in `datastar-*` headers.

use axum::response::{IntoResponse, Response};
use http::header::{HeaderName, HeaderValue, CACHE_CONTROL, CONTENT_TYPE};
use http::StatusCode;

use crate::sse::{EventError, ExecuteScript, PatchElements, PatchSignals};

/// An event's `datastar-*` headers (name, value) and body.
type PlainParts = (Vec<(&'static str, String)>, String);

/// The 500 of an event that could not be sent: a generic body, the detail is in the log.
fn failed() -> Response {
    crate::stats::RESPONSES_FAILED.incr();
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal error: the response could not be encoded",
    )
        .into_response()
}

fn respond(content_type: &'static str, parts: Result<PlainParts, EventError>) -> Response {
    let (headers, body) = match parts {
        Ok(parts) => parts,
        Err(e) => {
            crate::stats::event_failed("plain response", &e);
            return failed();
        }
    };
    let mut response = body.into_response();
    let h = response.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    for (name, value) in headers {
        // Header values are visible ASCII; a selector or attribute outside it cannot be sent
        // this way (it can over SSE).
        match HeaderValue::from_str(&value) {
            Ok(v) if value.is_ascii() => {
                h.insert(HeaderName::from_static(name), v);
            }
            _ => {
                crate::stats::EVENTS_FAILED.incr();
                crate::log::warning!(
                    header = name,
                    "plain response: a value cannot be sent as an HTTP header (only visible ASCII); send this event over SSE instead"
                );
                return failed();
            }
        }
    }
    response
}

impl IntoResponse for PatchElements {
    /// A `text/html` response the client patches in like the SSE event: the elements as the
    /// body, `datastar-selector`, `datastar-mode`, `datastar-namespace` and
    /// `datastar-use-view-transition` headers for the options that are not defaults. (The
    /// client reads no view-transition selector, event id or retry from a plain response.)
    /// A 500 with a generic body if the patch has no target (the detail goes to the log).
    ///
    /// ```
    /// use axum::response::IntoResponse;
    /// use nitro::prelude::*;
    /// let r = PatchElements::at(Selector::css("#list"), Mode::Append, PreEscaped("<li>new</li>"))
    ///     .into_response();
    /// assert_eq!(r.headers()["content-type"], "text/html; charset=utf-8");
    /// assert_eq!(r.headers()["datastar-selector"], "#list");
    /// assert_eq!(r.headers()["datastar-mode"], "append");
    /// ```
    fn into_response(self) -> Response {
        respond("text/html; charset=utf-8", self.plain_parts())
    }
}

impl IntoResponse for PatchSignals {
    /// An `application/json` response the client merges into its signals like the SSE event,
    /// with `datastar-only-if-missing: true` when set.
    ///
    /// ```
    /// use axum::response::IntoResponse;
    /// use nitro::prelude::*;
    /// let r = PatchSignals::new(&serde_json::json!({ "count": 1 })).only_if_missing(true).into_response();
    /// assert_eq!(r.headers()["content-type"], "application/json");
    /// assert_eq!(r.headers()["datastar-only-if-missing"], "true");
    /// ```
    fn into_response(self) -> Response {
        respond("application/json", self.plain_parts())
    }
}

impl IntoResponse for ExecuteScript {
    /// A `text/javascript` response the client runs by appending a `<script>` to `<head>`, its
    /// attributes in the `datastar-script-attributes` header (a JSON object; with
    /// `auto_remove`, `data-effect="el.remove()"` as over SSE). A 500 with a generic body if
    /// an attribute would run or load code (see [`ExecuteScript::attribute`]).
    ///
    /// ```
    /// use axum::response::IntoResponse;
    /// use nitro::prelude::*;
    /// let r = ExecuteScript::new("console.log(1)").attribute("nonce", "abc").into_response();
    /// assert_eq!(r.headers()["content-type"], "text/javascript");
    /// assert_eq!(
    ///     r.headers()["datastar-script-attributes"],
    ///     r#"{"data-effect":"el.remove()","nonce":"abc"}"#
    /// );
    /// ```
    fn into_response(self) -> Response {
        respond("text/javascript", self.plain_parts())
    }
}
