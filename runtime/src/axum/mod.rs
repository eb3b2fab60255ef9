//! axum integration (feature `axum`, on by default): SSE responses, HTML responses and the
//! [`ReadSignals`] extractor.
//!
//! ```no_run
//! use axum::{routing::post, Router};
//! use nitro::prelude::*;
//!
//! #[derive(serde::Deserialize)]
//! struct Counter { count: i64 }
//!
//! async fn increment(ReadSignals(c): ReadSignals<Counter>) -> Events {
//!     Events::new().with(PatchSignals::new(&serde_json::json!({ "count": c.count + 1 })))
//! }
//!
//! let app: Router = Router::new().route("/inc", post(increment));
//! ```

#[cfg(feature = "compression")]
mod compress;
#[cfg(not(feature = "compression"))]
mod compression_feature;
mod last_event_id;
mod plain;
mod read_signals;
mod rejection;
mod sections;
mod stream;

#[cfg(feature = "compression")]
#[cfg_attr(docsrs, doc(cfg(feature = "compression")))]
pub use compress::{Compression, StreamEncoding};
#[cfg(not(feature = "compression"))]
pub use compression_feature::CompressionFeature;
pub use last_event_id::LastEventId;
pub use read_signals::{ReadSignals, ReadSignalsUnchecked, SignalsLimit, DEFAULT_SIGNALS_LIMIT};
pub use rejection::ReadSignalsRejection;
pub use sections::{Sections, SECTION_ERROR_HTML};
pub use stream::{Sender, Sse, SseError, SseErrorKind, DEFAULT_KEEP_ALIVE};

use axum::response::{Html, IntoResponse, Response};
use http::header::{HeaderValue, CACHE_CONTROL, CONNECTION, CONTENT_TYPE};

use crate::{Markup, Render, Template};

/// The `Datastar-Request` header the browser client sends with every request.
pub const DATASTAR_REQUEST: http::HeaderName = http::HeaderName::from_static("datastar-request");

/// Sets the headers every SSE response carries.
pub(crate) fn sse_headers(response: &mut Response) {
    let h = response.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // hyper drops connection-specific headers on HTTP/2, so this only reaches HTTP/1.1.
    h.insert(CONNECTION, HeaderValue::from_static("keep-alive"));
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
}

impl IntoResponse for Markup {
    /// An HTML page (`text/html; charset=utf-8`).
    fn into_response(self) -> Response {
        Html(self.into_string()).into_response()
    }
}

impl<W: crate::render::Body, R, N> IntoResponse for Template<W, R, N> {
    /// Renders the template into an HTML page.
    fn into_response(self) -> Response {
        self.render().into_response()
    }
}
