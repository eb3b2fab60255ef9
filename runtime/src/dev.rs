//! The dev loop: [`live_reload`] makes every page of the app reload itself when the server
//! restarts (after a rebuild), in debug builds only. In a release build it returns the router
//! unchanged and none of its code is compiled in.
//!
//! How: each HTML page gets, before `</body>`, a hidden element whose `data-init` opens a
//! Datastar stream to `/_nitro/reload` that retries forever, every 100 ms. The stream's first
//! event is a script that remembers the server's boot id; when the server restarts, the stream
//! reconnects to the new process, whose boot id differs, and the page reloads.
//!
//! ```
//! use axum::{routing::get, Router};
//! let app: Router = nitro::dev::live_reload(Router::new().route("/", get(|| async { "hi" })));
//! # let _ = app;
//! ```

use axum::Router;

/// The path of the reload stream (debug builds).
pub const RELOAD_PATH: &str = "/_nitro/reload";

/// In a debug build: serves the reload stream and adds its element to every HTML response
/// (`text/html`, before `</body>`, or at the end). In a release build: `router`, unchanged.
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
    use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
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
        crate::log::debug!(path = super::RELOAD_PATH, "live reload is on (debug build)");
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
        if !is_html {
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
