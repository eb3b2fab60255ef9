//! The dev loop: [`live_reload`] makes every page of the app reload itself when the server
//! restarts (after a rebuild), in debug builds only. In a release build it returns the router
//! unchanged and none of its code is compiled in.
//!
//! How: each HTML page gets, before `</body>`, a hidden element whose `data-init` opens a
//! Datastar stream to `/_nitro/reload` that retries forever, every 100 ms. The stream's first
//! event is a script that remembers the server's boot id; when the server restarts, the stream
//! reconnects to the new process, whose boot id differs, and the page reloads.
//!
//! On only when both hold: the app calls [`live_reload`], and `nitro-runtime` is compiled with
//! debug assertions (`cargo run`, `cargo build`). A plain `cargo build --release` compiles
//! none of it; **a release profile with `debug-assertions = true`** (for the whole build or
//! for `nitro-runtime`) **turns it on**, exposing `/_nitro/reload` (the process id and boot
//! time) and buffering every HTML page: call `live_reload` only where you mean it (e.g. behind
//! `cfg!(debug_assertions)` of your own crate, or a setting of yours), and do not ship builds
//! with debug assertions. When on, it says so once at `WARN`.
//!
//! Pages it leaves as they are: bodies with a `Content-Encoding` (compressed), streamed bodies
//! (no known length) and bodies over [`MAX_INJECT_BYTES`].
//!
//! ```
//! use axum::{routing::get, Router};
//! let app: Router = nitro::dev::live_reload(Router::new().route("/", get(|| async { "hi" })));
//! # let _ = app;
//! ```

use axum::Router;

/// The path of the reload stream (debug builds).
pub const RELOAD_PATH: &str = "/_nitro/reload";

/// The largest HTML body [`live_reload`] buffers to add its element: 4 MiB. Larger ones, and
/// ones whose length is not known in advance (streamed), are sent unchanged.
///
/// ```
/// assert_eq!(nitro::dev::MAX_INJECT_BYTES, 4 << 20);
/// ```
pub const MAX_INJECT_BYTES: u64 = 4 << 20;

/// In a debug build: serves the reload stream and adds its element to every HTML response
/// (`text/html`, before `</body>`, or at the end; not compressed, streamed or larger than
/// [`MAX_INJECT_BYTES`] ones). In a release build: `router`, unchanged. See the
/// [module](self) for when it is on.
///
/// ```
/// use axum::{routing::get, Router};
/// use nitro::testing::TestClient;
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let app = nitro::dev::live_reload(Router::new().route("/", get(|| async {
///     axum::response::Html("<html><body><p>hi</p></body></html>")
/// })));
/// let page = TestClient::new(app).get("/").await.text().await.unwrap();
/// assert_eq!(page.contains(nitro::dev::RELOAD_PATH), cfg!(debug_assertions));
/// # });
/// ```
pub fn live_reload<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    #[cfg(debug_assertions)]
    {
        debug::live_reload(router)
    }
    #[cfg(not(debug_assertions))]
    {
        router
    }
}

#[cfg(debug_assertions)]
mod debug {
    use std::sync::OnceLock;
    use std::time::{SystemTime, UNIX_EPOCH};

    use axum::body::Body;
    use axum::response::Response;
    use axum::Router;
    use futures_util::{stream, StreamExt};
    use http::header::{CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE};
    use http_body::Body as _;
    use http_body_util::BodyExt;

    use crate::axum::Sse;
    use crate::sse::{Event, ExecuteScript};

    /// The element added to each page: a stream that retries forever.
    pub(super) const ELEMENT: &str = "<div hidden data-init=\"@get('/_nitro/reload', {retry: 'always', retryInterval: 100, retryScaler: 1, retryMaxCount: 1000000000, openWhenHidden: true})\"></div>";

    /// This process's boot id.
    fn boot() -> &'static str {
        static BOOT: OnceLock<String> = OnceLock::new();
        BOOT.get_or_init(|| {
            let nanos = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            format!("{}-{nanos}", std::process::id())
        })
    }

    fn script() -> impl Event {
        ExecuteScript::new(
            "if (window.__nitroBoot && window.__nitroBoot !== boot) { location.reload(); } window.__nitroBoot = boot;",
        )
        .arg("boot", boot())
        .expect("`boot` is an identifier and a string serializes")
    }

    pub(super) fn live_reload<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
        crate::log::warning!(
            path = super::RELOAD_PATH,
            "live reload is on (debug assertions): never serve this build to the public"
        );
        router
            .route(
                super::RELOAD_PATH,
                axum::routing::get(|| async {
                    Sse::new(stream::once(async { script() }).chain(stream::pending()))
                }),
            )
            .layer(axum::middleware::map_response(inject))
    }

    /// Adds [`ELEMENT`] to an HTML response.
    async fn inject(response: Response) -> Response {
        let is_html = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        if !is_html || response.headers().contains_key(CONTENT_ENCODING) {
            return response;
        }
        let fits = response
            .body()
            .size_hint()
            .upper()
            .is_some_and(|n| n <= super::MAX_INJECT_BYTES);
        if !fits {
            crate::log::debug!(
                "live reload: a streamed or large page was left without its element"
            );
            return response;
        }
        let (mut parts, body) = response.into_parts();
        let Ok(bytes) = body.collect().await.map(|c| c.to_bytes()) else {
            return Response::from_parts(parts, Body::empty());
        };
        let mut html = String::from_utf8_lossy(&bytes).into_owned();
        match html.rfind("</body>") {
            Some(at) => html.insert_str(at, ELEMENT),
            None => html.push_str(ELEMENT),
        }
        parts.headers.remove(CONTENT_LENGTH);
        Response::from_parts(parts, Body::from(html))
    }
}

#[cfg(test)]
mod tests {
    #[cfg(debug_assertions)]
    #[test]
    fn debug_builds_reload() {
        assert!(super::debug::ELEMENT.contains(super::RELOAD_PATH));
    }

    /// Review F6: compressed, streamed and large pages pass unchanged (a streamed page is not
    /// held until it ends); a plain page gets the element.
    #[cfg(debug_assertions)]
    #[tokio::test]
    async fn only_plain_known_length_pages_are_rewritten() {
        use axum::body::Body;
        use axum::response::Response;
        use axum::{routing::get, Router};
        use futures_util::StreamExt;
        use std::time::Duration;

        fn html(body: Body) -> Response {
            Response::builder()
                .header("content-type", "text/html; charset=utf-8")
                .body(body)
                .unwrap()
        }
        let big = "x".repeat(super::MAX_INJECT_BYTES as usize + 1);
        let app = super::live_reload(
            Router::new()
                .route(
                    "/plain",
                    get(|| async { html(Body::from("<body></body>")) }),
                )
                .route(
                    "/gzip",
                    get(|| async {
                        let mut r = html(Body::from("<body></body>"));
                        r.headers_mut()
                            .insert("content-encoding", "gzip".parse().unwrap());
                        r
                    }),
                )
                .route(
                    "/big",
                    get(move || {
                        let big = big.clone();
                        async move { html(Body::from(big)) }
                    }),
                )
                .route(
                    "/stream",
                    get(|| async {
                        let first = futures_util::stream::once(async {
                            Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"<body>"))
                        });
                        html(Body::from_stream(
                            first.chain(futures_util::stream::pending()),
                        ))
                    }),
                ),
        );
        let client = crate::testing::TestClient::new(app);
        let text = |path: &'static str| {
            let client = client.clone();
            async move { client.get(path).await.text().await.unwrap() }
        };
        assert!(text("/plain").await.contains(super::RELOAD_PATH));
        assert!(!text("/gzip").await.contains(super::RELOAD_PATH));
        assert_eq!(
            text("/big").await.len(),
            super::MAX_INJECT_BYTES as usize + 1
        );
        let streamed = tokio::time::timeout(Duration::from_secs(5), client.get("/stream"))
            .await
            .expect("a streamed page is passed on, not held until it ends");
        assert_eq!(streamed.status(), 200);
    }

    /// Runs in release test builds (`cargo test --release`, or `-C debug-assertions=off`): the
    /// router comes back as it was, with no reload route.
    #[cfg(not(debug_assertions))]
    #[tokio::test]
    async fn release_builds_have_none_of_it() {
        use axum::{routing::get, Router};
        let app = super::live_reload(Router::new().route(
            "/",
            get(|| async { axum::response::Html("<html><body></body></html>") }),
        ));
        let client = crate::testing::TestClient::new(app);
        assert_eq!(client.get(super::RELOAD_PATH).await.status(), 404);
        assert!(!client
            .get("/")
            .await
            .text()
            .await
            .unwrap()
            .contains(super::RELOAD_PATH));
    }
}
