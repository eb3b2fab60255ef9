//! Where pages get the Datastar client (the browser script): the version nitro is tested
//! against, its public CDN URL, a [`script`] component for the `<script>` tag, and
//! [`ClientScript`] to serve a copy you provide yourself (with long-lived caching headers).
//!
//! nitro does not ship the client's JavaScript. Pages load it from the public CDN
//! ([`CDN_URL`]), or from a copy you put next to your app (downloaded once, vendored in your
//! repository or build) served by `ClientScript::routes` at [`PATH`].
//!
//! ```
//! use nitro::prelude::*;
//! use nitro::client;
//!
//! let page = html! { head { (client::script()) } };
//! assert_eq!(
//!     page.render().into_string(),
//!     format!(r#"<head><script type="module" src="{}"></script></head>"#, client::CDN_URL)
//! );
//! ```
//!
//! **Subresource Integrity.** nitro gives no `integrity` hash for the CDN build: a hash is
//! only worth something if it was computed from the very file the CDN serves, and that file
//! could not be fetched where nitro is built and tested. Add your own with
//! [`ClientScript::integrity`] after checking the file, or serve your own copy.

use bytes::Bytes;

use crate::{Render, TrustedUrl};

/// The version of the Datastar client nitro's browser tests run against (the client of the
/// `starhtml` 0.7.0 package, whose header reads `Datastar v1.0.1`).
///
/// ```
/// assert_eq!(nitro::client::VERSION, "1.0.1");
/// ```
pub const VERSION: &str = "1.0.1";

/// The public CDN (jsDelivr) URL of the Datastar client's [`VERSION`] bundle.
///
/// ```
/// assert!(nitro::client::CDN_URL.contains(nitro::client::VERSION));
/// ```
pub const CDN_URL: &str =
    "https://cdn.jsdelivr.net/gh/starfederation/datastar@v1.0.1/bundles/datastar.js";

/// The URL path where `ClientScript::routes` serves a copy of the client: `/datastar.js`.
///
/// ```
/// assert_eq!(nitro::client::PATH, "/datastar.js");
/// ```
pub const PATH: &str = "/datastar.js";

/// The `Cache-Control` of a served copy: one year, never revalidated. Give each version of the
/// file its own URL (see [`ClientScript::at`]) when you update it.
///
/// ```
/// assert!(nitro::client::CACHE_CONTROL.contains("immutable"));
/// ```
pub const CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// The `<script type="module">` tag that loads the client from [`CDN_URL`].
///
/// ```
/// use nitro::prelude::*;
/// let head = html! { head { (nitro::client::script()) } };
/// assert!(head.render().into_string().contains(r#"<script type="module" src="https://cdn"#));
/// ```
pub fn script() -> ClientScript {
    ClientScript::cdn()
}

/// Where a page loads the Datastar client from, and the copy to serve when it is local.
/// It renders (in `html!`, as `(datastar)`) as the `<script type="module">` tag.
///
/// ```
/// use nitro::client::ClientScript;
/// use nitro::prelude::*;
///
/// let local = ClientScript::bytes("/* the client */");
/// assert_eq!(
///     local.render().into_string(),
///     r#"<script type="module" src="/datastar.js"></script>"#
/// );
/// let elsewhere = ClientScript::url(nitro::TrustedUrl::new("https://example.com/ds.js"))
///     .integrity("sha384-abc");
/// assert_eq!(
///     elsewhere.render().into_string(),
///     r#"<script type="module" src="https://example.com/ds.js" integrity="sha384-abc" crossorigin="anonymous"></script>"#
/// );
/// ```
#[derive(Clone, Debug)]
pub struct ClientScript {
    src: TrustedUrl,
    integrity: Option<String>,
    copy: Option<Bytes>,
}

impl ClientScript {
    /// The public CDN build ([`CDN_URL`]).
    ///
    /// ```
    /// assert!(nitro::client::ClientScript::cdn().copy().is_none());
    /// ```
    pub fn cdn() -> Self {
        ClientScript {
            src: TrustedUrl::new(CDN_URL),
            integrity: None,
            copy: None,
        }
    }

    /// The client at another URL (your own CDN, a pinned version, Datastar Pro). The page
    /// runs the code found there, so the URL is a [`TrustedUrl`]: written in the program, or
    /// read from its configuration with [`TrustedUrl::from_config`].
    ///
    /// ```
    /// use nitro::TrustedUrl;
    /// let s = nitro::client::ClientScript::url(TrustedUrl::new("/static/datastar.js"));
    /// assert_eq!(s.src(), "/static/datastar.js");
    /// ```
    pub fn url(src: TrustedUrl) -> Self {
        ClientScript {
            src,
            integrity: None,
            copy: None,
        }
    }

    /// A copy of the client you provide, served at [`PATH`] by `ClientScript::routes`.
    ///
    /// ```
    /// let s = nitro::client::ClientScript::bytes(&b"export {}"[..]);
    /// assert_eq!(s.copy().unwrap(), &b"export {}"[..]);
    /// ```
    pub fn bytes(js: impl Into<Bytes>) -> Self {
        ClientScript {
            src: TrustedUrl::new(PATH),
            integrity: None,
            copy: Some(js.into()),
        }
    }

    /// A copy of the client read (once, now) from a file, served at [`PATH`] by
    /// `ClientScript::routes`. Fails if the file cannot be read, so a missing file shows at
    /// start-up rather than as broken pages.
    ///
    /// ```
    /// assert!(nitro::client::ClientScript::file("/no/such/datastar.js").is_err());
    /// ```
    pub fn file(path: impl AsRef<std::path::Path>) -> std::io::Result<Self> {
        Ok(Self::bytes(std::fs::read(path)?))
    }

    /// Serves the copy at another URL path than [`PATH`] (e.g. one with the version in it),
    /// or, for [`ClientScript::url`] and [`ClientScript::cdn`], loads from another URL.
    ///
    /// ```
    /// use nitro::TrustedUrl;
    /// let s = nitro::client::ClientScript::bytes("").at(TrustedUrl::new("/assets/datastar-1.0.1.js"));
    /// assert_eq!(s.src(), "/assets/datastar-1.0.1.js");
    /// ```
    pub fn at(mut self, src: TrustedUrl) -> Self {
        self.src = src;
        self
    }

    /// Adds a Subresource Integrity hash (`sha384-…`) to the tag, with
    /// `crossorigin="anonymous"`, which the browser needs to check a cross-origin script.
    ///
    /// ```
    /// let s = nitro::client::ClientScript::cdn().integrity("sha384-xyz");
    /// assert!(nitro::prelude::Render::render(&s).into_string().contains(r#"integrity="sha384-xyz""#));
    /// ```
    pub fn integrity(mut self, hash: impl Into<String>) -> Self {
        self.integrity = Some(hash.into());
        self
    }

    /// The URL the tag loads.
    ///
    /// ```
    /// assert_eq!(nitro::client::ClientScript::cdn().src(), nitro::client::CDN_URL);
    /// ```
    pub fn src(&self) -> &str {
        self.src.as_str()
    }

    /// The copy this app serves, if it serves one.
    ///
    /// ```
    /// assert!(nitro::client::ClientScript::url(nitro::TrustedUrl::new("/x.js")).copy().is_none());
    /// ```
    pub fn copy(&self) -> Option<&Bytes> {
        self.copy.as_ref()
    }

    /// Adds the route serving the copy (`GET` [`ClientScript::src`], as
    /// `text/javascript; charset=utf-8` with [`CACHE_CONTROL`] and
    /// `X-Content-Type-Options: nosniff`, so a browser never reads it as anything but a
    /// script); the router is returned as it was when the client comes from elsewhere.
    ///
    /// ```
    /// use axum::Router;
    /// use nitro::client::ClientScript;
    /// let js = ClientScript::bytes("export {}");
    /// let app: Router = js.routes(Router::new());
    /// ```
    #[cfg(feature = "axum")]
    #[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
    pub fn routes<S: Clone + Send + Sync + 'static>(
        &self,
        router: ::axum::Router<S>,
    ) -> ::axum::Router<S> {
        use http::header::{
            HeaderValue, CACHE_CONTROL as CC, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS,
        };
        let Some(js) = self.copy.clone() else {
            return router;
        };
        router.route(
            self.src.as_str(),
            ::axum::routing::get(move || {
                let js = js.clone();
                async move {
                    (
                        [
                            (
                                CONTENT_TYPE,
                                HeaderValue::from_static("text/javascript; charset=utf-8"),
                            ),
                            (CC, HeaderValue::from_static(CACHE_CONTROL)),
                            (X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
                        ],
                        js,
                    )
                }
            }),
        )
    }
}

impl Render for ClientScript {
    fn render_to(&self, buf: &mut String) {
        buf.push_str(r#"<script type="module" src=""#);
        crate::guards::render_code_url(&self.src, buf);
        buf.push('"');
        if let Some(hash) = &self.integrity {
            buf.push_str(r#" integrity=""#);
            crate::escape::attribute(hash, buf);
            buf.push_str(r#"" crossorigin="anonymous""#);
        }
        buf.push_str("></script>");
    }
}
