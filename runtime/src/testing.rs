//! A test client for your own tests: calls an axum [`Router`] with the requests the Datastar
//! client sends (no socket, no server), and reads the answer back as typed [`Received`]s.
//!
//! * `Datastar-Request: true` is set, as the client sets it;
//! * signals ([`TestRequest::signals`]) go where the client puts them: in the `datastar` query
//!   parameter on GET and DELETE, as a JSON body on POST, PUT and PATCH;
//! * a redirect ([`ExecuteScript::redirect`](crate::sse::ExecuteScript::redirect)) comes back
//!   as [`Received::Redirect`] with the URL as it was given, not as the script that carries it;
//! * [`TestResponse::events`] reads a finished response (`Events::new()`), and
//!   [`TestResponse::first`] the first events of a stream that stays open, with a timeout.
//!
//! ```
//! use axum::{routing::post, Router};
//! use nitro::prelude::*;
//! use nitro::testing::{Received, TestClient};
//!
//! #[derive(Signals, serde::Serialize, serde::Deserialize)]
//! struct Counter { count: i64 }
//!
//! async fn increment(ReadSignals(c): ReadSignals<Counter>) -> Events {
//!     Events::new()
//!         .with(PatchElements::new(html! { p #counter { (c.count + 1) } }))
//!         .with(PatchSignals::new(&Counter { count: c.count + 1 }))
//! }
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let client = TestClient::new(Router::new().route("/increment", post(increment)));
//! let res = client.post("/increment").signals(&Counter { count: 1 }).await;
//! assert_eq!(res.status(), 200);
//! let events = res.events().await.unwrap();
//! let Received::Elements(patch) = &events[0] else { panic!("{events:?}") };
//! assert_eq!(patch.elements, r#"<p id="counter">2</p>"#);
//! assert_eq!(events[1], Received::Signals(serde_json::json!({ "count": 2 })));
//! # });
//! ```
//!
//! To look into the elements of a patch, parse [`ElementsPatch::elements`] with an HTML parser
//! such as the `scraper` crate (`Html::parse_fragment`).

#[cfg(feature = "browser-testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "browser-testing")))]
pub mod browser;

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use axum::body::Body;
use axum::Router;
use http::{header, HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::sse::Mode;

/// Calls a [`Router`] with Datastar requests, without a socket. Cloning is cheap.
///
/// ```
/// use axum::{routing::get, Router};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let client = nitro::testing::TestClient::new(Router::new().route("/", get(|| async { "hi" })));
/// assert_eq!(client.get("/").await.text().await.unwrap(), "hi");
/// # });
/// ```
#[derive(Clone, Debug)]
pub struct TestClient {
    router: Router,
}

impl TestClient {
    /// A client for `router` (give it its state first: `Router::with_state`).
    ///
    /// ```
    /// let client = nitro::testing::TestClient::new(axum::Router::new());
    /// ```
    pub fn new(router: Router) -> Self {
        TestClient { router }
    }

    /// A request with any method.
    ///
    /// ```
    /// let client = nitro::testing::TestClient::new(axum::Router::new());
    /// let req = client.request(http::Method::OPTIONS, "/");
    /// ```
    pub fn request(&self, method: Method, path: &str) -> TestRequest {
        TestRequest {
            router: self.router.clone(),
            method,
            path: path.to_owned(),
            signals: None,
            headers: HeaderMap::new(),
            datastar: true,
        }
    }

    /// A GET request (signals in the `datastar` query parameter).
    ///
    /// ```
    /// let req = nitro::testing::TestClient::new(axum::Router::new()).get("/search");
    /// ```
    pub fn get(&self, path: &str) -> TestRequest {
        self.request(Method::GET, path)
    }

    /// A POST request (signals as a JSON body).
    ///
    /// ```
    /// let req = nitro::testing::TestClient::new(axum::Router::new()).post("/todos");
    /// ```
    pub fn post(&self, path: &str) -> TestRequest {
        self.request(Method::POST, path)
    }

    /// A PUT request (signals as a JSON body).
    ///
    /// ```
    /// let req = nitro::testing::TestClient::new(axum::Router::new()).put("/todos/1");
    /// ```
    pub fn put(&self, path: &str) -> TestRequest {
        self.request(Method::PUT, path)
    }

    /// A PATCH request (signals as a JSON body).
    ///
    /// ```
    /// let req = nitro::testing::TestClient::new(axum::Router::new()).patch("/todos/1");
    /// ```
    pub fn patch(&self, path: &str) -> TestRequest {
        self.request(Method::PATCH, path)
    }

    /// A DELETE request (signals in the `datastar` query parameter, as the client sends them).
    ///
    /// ```
    /// let req = nitro::testing::TestClient::new(axum::Router::new()).delete("/todos/1");
    /// ```
    pub fn delete(&self, path: &str) -> TestRequest {
        self.request(Method::DELETE, path)
    }
}

/// A request being built; `.await` it (or call [`TestRequest::send`]) for the response.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let client = nitro::testing::TestClient::new(axum::Router::new());
/// let res = client.get("/nowhere").header("x-test", "1").await;
/// assert_eq!(res.status(), 404);
/// # });
/// ```
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct TestRequest {
    router: Router,
    method: Method,
    path: String,
    signals: Option<String>,
    headers: HeaderMap,
    datastar: bool,
}

impl TestRequest {
    /// Sends these signals, serialized as JSON, where the Datastar client puts them.
    ///
    /// # Panics
    ///
    /// If `signals` cannot be serialized to JSON (a test setup error).
    ///
    /// ```
    /// let client = nitro::testing::TestClient::new(axum::Router::new());
    /// let req = client.get("/search").signals(&serde_json::json!({ "query": "rust" }));
    /// ```
    pub fn signals<T: serde::Serialize + ?Sized>(mut self, signals: &T) -> Self {
        let json = serde_json::to_string(signals)
            .unwrap_or_else(|e| panic!("the test's signals could not be serialized: {e}"));
        self.signals = Some(json);
        self
    }

    /// Adds a header.
    ///
    /// # Panics
    ///
    /// If `name` or `value` is not a valid header (a test setup error).
    ///
    /// ```
    /// let client = nitro::testing::TestClient::new(axum::Router::new());
    /// let req = client.get("/").header("last-event-id", "7");
    /// ```
    pub fn header(mut self, name: &str, value: &str) -> Self {
        let name = HeaderName::try_from(name).expect("a valid header name");
        let value = HeaderValue::try_from(value).expect("a valid header value");
        self.headers.append(name, value);
        self
    }

    /// Leaves out `Datastar-Request: true`, as a plain browser navigation or another site would.
    ///
    /// ```
    /// let client = nitro::testing::TestClient::new(axum::Router::new());
    /// let req = client.post("/todos").without_datastar_header();
    /// ```
    pub fn without_datastar_header(mut self) -> Self {
        self.datastar = false;
        self
    }

    /// Sends the request through the router.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let client = nitro::testing::TestClient::new(axum::Router::new());
    /// assert_eq!(client.get("/").send().await.status(), 404);
    /// # });
    /// ```
    pub async fn send(self) -> TestResponse {
        let in_query = self.method == Method::GET || self.method == Method::DELETE;
        let mut uri = self.path;
        let mut body = Body::empty();
        let mut json_body = false;
        if let Some(signals) = self.signals {
            if in_query {
                uri.push(if uri.contains('?') { '&' } else { '?' });
                uri.push_str("datastar=");
                uri.extend(form_urlencoded::byte_serialize(signals.as_bytes()));
            } else {
                body = Body::from(signals);
                json_body = true;
            }
        }
        let mut req = Request::builder()
            .method(self.method)
            .uri(&uri)
            .body(body)
            .unwrap_or_else(|e| panic!("not a valid request URI {uri:?}: {e}"));
        let headers = req.headers_mut();
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_static("text/event-stream, text/html, application/json"),
        );
        if self.datastar {
            headers.insert(
                crate::axum::DATASTAR_REQUEST,
                HeaderValue::from_static("true"),
            );
        }
        if json_body {
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
        }
        let mut last = None;
        for (name, value) in self.headers {
            // `None`: another value of the header named just before.
            let name = match name {
                Some(name) => {
                    headers.remove(&name);
                    last = Some(name.clone());
                    name
                }
                None => last.clone().expect("a header value follows its name"),
            };
            headers.append(name, value);
        }
        let res = match self.router.oneshot(req).await {
            Ok(res) => res,
            Err(infallible) => match infallible {},
        };
        let (parts, body) = res.into_parts();
        TestResponse {
            status: parts.status,
            headers: parts.headers,
            body,
            buf: Vec::new(),
        }
    }
}

impl IntoFuture for TestRequest {
    type Output = TestResponse;
    type IntoFuture = Pin<Box<dyn Future<Output = TestResponse> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// A response: status, headers, and the body as text or as Datastar events.
///
/// ```
/// use axum::{routing::get, Router};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let client = nitro::testing::TestClient::new(Router::new().route("/", get(|| async { "hi" })));
/// let res = client.get("/").await;
/// assert_eq!(res.status(), 200);
/// assert_eq!(res.headers()["content-type"], "text/plain; charset=utf-8");
/// # });
/// ```
#[derive(Debug)]
pub struct TestResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Body,
    /// Bytes read from the body and not yet parsed into events.
    buf: Vec<u8>,
}

/// Why the events of a response could not be read.
///
/// ```
/// use axum::{routing::get, Router};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let client = nitro::testing::TestClient::new(Router::new().route("/", get(|| async { "hi" })));
/// let err = client.get("/").await.events().await.unwrap_err();
/// assert!(matches!(err, nitro::testing::EventsError::NotSse(_)));
/// # });
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum EventsError {
    /// The response is not `text/event-stream` (its status and body text).
    NotSse(String),
    /// Fewer events came before the timeout (those that came).
    Timeout(Vec<Received>),
    /// The stream ended before the number of events asked for (those that came).
    Ended(Vec<Received>),
    /// The body failed, or an event is not valid (a description).
    Invalid(String),
}

impl std::fmt::Display for EventsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EventsError::NotSse(what) => write!(f, "not an SSE response: {what}"),
            EventsError::Timeout(got) => write!(f, "timed out after {} event(s)", got.len()),
            EventsError::Ended(got) => write!(f, "the stream ended after {} event(s)", got.len()),
            EventsError::Invalid(what) => write!(f, "invalid SSE body: {what}"),
        }
    }
}

impl std::error::Error for EventsError {}

impl TestResponse {
    /// The status code.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let client = nitro::testing::TestClient::new(axum::Router::new());
    /// assert_eq!(client.get("/").await.status(), http::StatusCode::NOT_FOUND);
    /// # });
    /// ```
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let client = nitro::testing::TestClient::new(axum::Router::new());
    /// assert!(client.get("/").await.headers().get("content-type").is_none());
    /// # });
    /// ```
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The whole body as text (waits for the body to end).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let client = nitro::testing::TestClient::new(axum::Router::new());
    /// assert_eq!(client.get("/").await.text().await.unwrap(), "");
    /// # });
    /// ```
    pub async fn text(self) -> Result<String, EventsError> {
        let mut bytes = self.buf;
        let rest = self
            .body
            .collect()
            .await
            .map_err(|e| EventsError::Invalid(e.to_string()))?
            .to_bytes();
        bytes.extend_from_slice(&rest);
        String::from_utf8(bytes).map_err(|e| EventsError::Invalid(e.to_string()))
    }

    /// Every event of a response that ends (`Events::new()`, a finished stream).
    ///
    /// ```
    /// use axum::{routing::get, Router};
    /// use nitro::prelude::*;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let app = Router::new().route("/", get(|| async { Events::new().with(PatchSignals::new(&serde_json::json!({ "n": 1 }))) }));
    /// let events = nitro::testing::TestClient::new(app).get("/").await.events().await.unwrap();
    /// assert_eq!(events, [nitro::testing::Received::Signals(serde_json::json!({ "n": 1 }))]);
    /// # });
    /// ```
    pub async fn events(self) -> Result<Vec<Received>, EventsError> {
        self.check_sse()?;
        let text = self.text().await?;
        let mut rest = text.as_bytes().to_vec();
        let mut events = Vec::new();
        while let Some(event) = take_event(&mut rest)? {
            events.extend(event);
        }
        if rest.iter().any(|b| !b.is_ascii_whitespace()) {
            return Err(EventsError::Invalid(
                "the body ends inside an event (no blank line after it)".into(),
            ));
        }
        Ok(events)
    }

    /// The first `n` events of a stream, failing with [`EventsError::Timeout`] if they do not
    /// all come within `timeout`. The stream stays open: call it again for the next events.
    ///
    /// ```
    /// use axum::{routing::get, Router};
    /// use futures_util::StreamExt;
    /// use nitro::prelude::*;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let app = Router::new().route("/", get(|| async {
    ///     Sse::new(futures_util::stream::iter(1..).map(|n| PatchSignals::new(&serde_json::json!({ "n": n }))))
    /// }));
    /// let mut res = nitro::testing::TestClient::new(app).get("/").await;
    /// let first = res.first(2, std::time::Duration::from_secs(5)).await.unwrap();
    /// assert_eq!(first[1], nitro::testing::Received::Signals(serde_json::json!({ "n": 2 })));
    /// # });
    /// ```
    pub async fn first(
        &mut self,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<Received>, EventsError> {
        self.check_sse()?;
        let mut events = Vec::new();
        let deadline = tokio::time::Instant::now() + timeout;
        while events.len() < n {
            if let Some(parsed) = take_event(&mut self.buf)? {
                events.extend(parsed);
                continue;
            }
            let frame = match tokio::time::timeout_at(deadline, self.body.frame()).await {
                Err(_) => return Err(EventsError::Timeout(events)),
                Ok(None) => return Err(EventsError::Ended(events)),
                Ok(Some(Err(e))) => return Err(EventsError::Invalid(e.to_string())),
                Ok(Some(Ok(frame))) => frame,
            };
            if let Ok(data) = frame.into_data() {
                self.buf.extend_from_slice(&data);
            }
        }
        Ok(events)
    }

    fn is_sse(&self) -> bool {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"))
    }

    fn check_sse(&self) -> Result<(), EventsError> {
        if self.is_sse() {
            Ok(())
        } else {
            Err(EventsError::NotSse(format!(
                "status {}, content-type {:?}",
                self.status,
                self.headers.get(header::CONTENT_TYPE)
            )))
        }
    }
}

/// One event of a Datastar SSE response.
///
/// ```
/// use nitro::testing::{ElementsPatch, Received};
/// let e = Received::Script("alert(1)".into());
/// assert!(matches!(e, Received::Script(_)));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Received {
    /// `datastar-patch-elements`.
    Elements(ElementsPatch),
    /// `datastar-patch-signals`: the JSON merge patch.
    Signals(serde_json::Value),
    /// A script run in the browser ([`ExecuteScript`](crate::sse::ExecuteScript)): the code of
    /// the `<script>` appended to `<body>`.
    Script(String),
    /// A redirect ([`ExecuteScript::redirect`](crate::sse::ExecuteScript::redirect)): the URL,
    /// decoded (`/exports/1`, not the `\u002fexports\u002f1` of the script that carries it).
    ///
    /// ```
    /// use axum::{routing::post, Router};
    /// use nitro::prelude::*;
    /// use nitro::testing::{Received, TestClient};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let app = Router::new().route("/export", post(|| async {
    ///     Events::new().with(ExecuteScript::redirect("/exports/1?as=\"csv\""))
    /// }));
    /// let events = TestClient::new(app).post("/export").await.events().await.unwrap();
    /// assert_eq!(events, [Received::Redirect("/exports/1?as=\"csv\"".into())]);
    /// # });
    /// ```
    Redirect(String),
    /// Any other event type: its name and data lines.
    Other {
        /// The `event:` name.
        event: String,
        /// The `data:` lines.
        data: Vec<String>,
    },
}

/// A `datastar-patch-elements` event.
///
/// ```
/// use nitro::testing::ElementsPatch;
/// use nitro::prelude::Mode;
/// let p = ElementsPatch::default();
/// assert_eq!(p.mode, Mode::Outer);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ElementsPatch {
    /// The CSS selector of the target; `None` to target elements by their ids.
    pub selector: Option<String>,
    /// How the elements are applied (`outer` when not sent).
    pub mode: Mode,
    /// The HTML of the elements (empty for `remove`). Parse it with an HTML parser (the
    /// `scraper` crate's `Html::parse_fragment`) to look inside.
    pub elements: String,
    /// `useViewTransition`.
    pub use_view_transition: bool,
    /// `namespace` (`svg`, `mathml`).
    pub namespace: Option<String>,
    /// The SSE `id:` of the event.
    pub id: Option<String>,
}

/// Takes one complete event (up to a blank line) off the front of `buf`: `Ok(None)` if there is
/// no complete event yet, `Ok(Some(None))` for a block without an event (a comment).
fn take_event(buf: &mut Vec<u8>) -> Result<Option<Option<Received>>, EventsError> {
    let Some(end) = buf.windows(2).position(|w| w == b"\n\n") else {
        return Ok(None);
    };
    let block: Vec<u8> = buf.drain(..end + 2).collect();
    let block = std::str::from_utf8(&block).map_err(|e| EventsError::Invalid(e.to_string()))?;
    Ok(Some(parse_event(block.trim_end_matches('\n'))?))
}

fn parse_event(block: &str) -> Result<Option<Received>, EventsError> {
    let mut name = None;
    let mut id = None;
    let mut data: Vec<String> = Vec::new();
    for line in block.split('\n') {
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "" => {} // a comment (keep-alive)
            "event" => name = Some(value.to_owned()),
            "id" => id = Some(value.to_owned()),
            "data" => data.push(value.to_owned()),
            _ => {}
        }
    }
    let Some(name) = name else {
        return Ok(None);
    };
    let field = |key: &str| -> Vec<&str> {
        data.iter()
            .filter_map(|d| {
                let (k, v) = d.split_once(' ').unwrap_or((d.as_str(), ""));
                (k == key).then_some(v)
            })
            .collect()
    };
    let event = match name.as_str() {
        "datastar-patch-signals" => {
            let json = field("signals").join("\n");
            Received::Signals(
                serde_json::from_str(&json)
                    .map_err(|e| EventsError::Invalid(format!("signals {json:?}: {e}")))?,
            )
        }
        "datastar-patch-elements" => {
            let mode = match field("mode").first() {
                Some(m) => m
                    .parse()
                    .map_err(|_| EventsError::Invalid(format!("unknown mode {m:?}")))?,
                None => Mode::Outer,
            };
            let patch = ElementsPatch {
                selector: field("selector").first().map(|s| s.to_string()),
                mode,
                elements: field("elements").join("\n"),
                use_view_transition: field("useViewTransition").first() == Some(&"true"),
                namespace: field("namespace").first().map(|s| s.to_string()),
                id,
            };
            match script_of(&patch) {
                Some(code) => match redirect_of(&code) {
                    Some(url) => Received::Redirect(url),
                    None => Received::Script(code),
                },
                None => Received::Elements(patch),
            }
        }
        _ => Received::Other { event: name, data },
    };
    Ok(Some(event))
}

/// The code of a script-running patch: one `<script>` appended to `body`.
fn script_of(patch: &ElementsPatch) -> Option<String> {
    if patch.selector.as_deref() != Some("body") || patch.mode != Mode::Append {
        return None;
    }
    let rest = patch.elements.strip_prefix("<script")?;
    let open_end = rest.find('>')?;
    let code = rest[open_end + 1..].strip_suffix("</script>")?;
    (!code.contains("</script")).then(|| code.to_owned())
}

/// The URL of a redirect's code ([`ExecuteScript::redirect`](crate::sse::ExecuteScript::redirect)):
/// the whole code is the redirect's prefix, one JSON string, and its suffix.
fn redirect_of(code: &str) -> Option<String> {
    use crate::sse::execute_script::{REDIRECT_PREFIX, REDIRECT_SUFFIX};
    let json = code
        .strip_prefix(REDIRECT_PREFIX)?
        .strip_suffix(REDIRECT_SUFFIX)?;
    serde_json::from_str::<String>(json).ok()
}
