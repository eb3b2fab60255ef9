//! Flash messages: one call shows a message that disappears by itself, on the page that asked
//! or, through a cookie, on the page a redirect leads to.
//!
//! - The page's layout renders [`Flashed`] (an extractor) where messages appear: the
//!   container, holding any message a redirect left for this page.
//! - A handler answering a Datastar request sends [`Flash`] as an event
//!   (`Flash::success("Saved")`): it is appended to the container, and removes itself after
//!   its time ([`Flash::for_ms`], 5 s by default) through the element's own
//!   `data-init__delay`.
//! - Before a redirect, [`Flash::redirect`] answers with the redirect and a short-lived cookie
//!   (`nitro-flash`, a minute, `HttpOnly`, `SameSite=Lax`); the next page's [`Flashed`]
//!   renders the message and, returned in the page's response, clears the cookie.
//!
//! Messages are text, escaped where they are rendered. The cookie is
//! `<level>.<ms>.<text>` with only what cookies forbid percent-encoded, so that even a text of
//! [`MAX_FLASH_BYTES`] made of the worst characters stays under [`MAX_FLASH_COOKIE_BYTES`]
//! (browsers drop a cookie over 4,096 bytes, and some proxies refuse long headers). The cookie
//! is not signed: a message
//! someone else set on your users' browser (a sibling subdomain) would be shown as text, so
//! never put decisions in it.
//!
//! ```
//! use axum::Router;
//! use nitro::flash::{Flash, Flashed};
//! use nitro::prelude::*;
//! use nitro::routes::{get, post};
//! use nitro::testing::{Received, TestClient};
//!
//! routes! { PAGE = GET "/", SAVE = POST "/save", DONE = POST "/done" }
//!
//! async fn page(flash: Flashed) -> (Flashed, Markup) {
//!     let body = html! { main { (flash) h1 { "Board" } } }.render();
//!     (flash, body) // clears the cookie the message came in
//! }
//! async fn save() -> Flash {
//!     Flash::success("Saved") // shown at once, gone after 5 s
//! }
//! async fn done() -> impl axum::response::IntoResponse {
//!     Flash::info("Board archived").redirect("/") // shown on the next page
//! }
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let app = Router::new()
//!     .route_to(PAGE, get(page))
//!     .route_to(SAVE, post(save))
//!     .route_to(DONE, post(done));
//! let client = TestClient::new(app.clone());
//! let events = client.post("/save").await.events().await.unwrap();
//! let Received::Elements(toast) = &events[0] else { panic!("{events:?}") };
//! assert!(toast.elements.contains("Saved") && toast.elements.contains("data-init__delay.5000ms"));
//!
//! let res = client.post("/done").await;
//! let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
//! assert!(cookie.starts_with("nitro-flash="));
//! assert_eq!(res.events().await.unwrap(), [Received::Redirect("/".into())]);
//! # });
//! ```

use std::convert::Infallible;
use std::fmt;

use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, IntoResponseParts, Response, ResponseParts};
use bytes::BytesMut;
use http::header::{COOKIE, SET_COOKIE};
use http::request::Parts;
use http::HeaderValue;
use serde::{Deserialize, Serialize};

use crate::sse::{Event, EventError, ExecuteScript, Mode, PatchElements};
use crate::{Id, PreEscaped, Render};

/// The id of the element flash messages are appended to (rendered by [`Flashed`]).
pub const FLASH: Id = Id::new("nitro-flash");

/// The cookie a message waits in across a redirect.
pub const FLASH_COOKIE: &str = "nitro-flash";

/// How long a message stays by default: 5 s.
pub const DEFAULT_FLASH_MS: u32 = 5000;

/// The longest message text, in bytes: longer text is cut at a character boundary (logged
/// with `WARN` and counted in `stats::flash_truncated`), so that the cookie stays under
/// [`MAX_FLASH_COOKIE_BYTES`] whatever the text.
///
/// ```
/// use nitro::flash::{Flash, MAX_FLASH_BYTES};
/// assert_eq!(Flash::info("é".repeat(MAX_FLASH_BYTES)).text().len(), MAX_FLASH_BYTES);
/// ```
pub const MAX_FLASH_BYTES: usize = 1024;

/// The longest `Set-Cookie` header [`Flash::redirect`] sends, name and attributes included:
/// 4,000 bytes (browsers drop cookies over 4,096). A message of at most [`MAX_FLASH_BYTES`]
/// always fits (each byte takes at most 3 in the cookie); one that would not is not sent
/// (logged and counted in `stats::flash_truncated`), and the redirect still happens.
///
/// ```
/// use axum::response::IntoResponse;
/// use nitro::flash::{Flash, MAX_FLASH_BYTES, MAX_FLASH_COOKIE_BYTES};
/// let res = Flash::error("\"\u{1}é".repeat(MAX_FLASH_BYTES)).redirect("/").into_response();
/// assert!(res.headers()["set-cookie"].len() <= MAX_FLASH_COOKIE_BYTES);
/// ```
pub const MAX_FLASH_COOKIE_BYTES: usize = 4000;

/// The bytes a cookie value cannot hold as they are (RFC 6265 `cookie-octet`), and `%`.
const COOKIE_ESCAPE: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b',')
    .add(b';')
    .add(b'\\')
    .add(b'%');

/// How a message is shown: its class is `nitro-flash-<level>` (style it as you like), and
/// `Error` is announced with `role="alert"` instead of `role="status"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Neutral news.
    Info,
    /// Something worked.
    Success,
    /// Something failed.
    Error,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Success => "success",
            Level::Error => "error",
        }
    }
}

/// A message shown for a few seconds: as an event, appended to the page's [`FLASH`]
/// container; with [`Flash::redirect`], shown by the page the browser goes to. See the
/// [module](self).
///
/// ```
/// use nitro::flash::Flash;
/// use nitro::sse::Event;
/// let text = Flash::error("<b>not saved</b>").for_ms(8000).encode().unwrap();
/// assert!(text.contains("data: selector #nitro-flash\n"));
/// assert!(text.contains("&lt;b&gt;not saved&lt;/b&gt;"));
/// assert!(text.contains(r#"role="alert""#) && text.contains("__delay.8000ms"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[must_use = "a flash message does nothing unless sent or returned"]
pub struct Flash {
    level: Level,
    text: String,
    ms: u32,
}

impl Flash {
    /// A message of `level`, shown for [`DEFAULT_FLASH_MS`].
    pub fn new(level: Level, text: impl Into<String>) -> Flash {
        let mut text = text.into();
        if text.len() > MAX_FLASH_BYTES {
            crate::stats::FLASH_TRUNCATED.incr();
            crate::log::warning!(
                bytes = text.len(),
                limit = MAX_FLASH_BYTES,
                "flash: message text cut to its limit"
            );
            let mut end = MAX_FLASH_BYTES;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.truncate(end);
        }
        Flash {
            level,
            text,
            ms: DEFAULT_FLASH_MS,
        }
    }

    /// [`Level::Info`].
    pub fn info(text: impl Into<String>) -> Flash {
        Flash::new(Level::Info, text)
    }

    /// [`Level::Success`].
    pub fn success(text: impl Into<String>) -> Flash {
        Flash::new(Level::Success, text)
    }

    /// [`Level::Error`].
    pub fn error(text: impl Into<String>) -> Flash {
        Flash::new(Level::Error, text)
    }

    /// Shown for `ms` milliseconds instead (at least 1).
    pub fn for_ms(mut self, ms: u32) -> Flash {
        self.ms = ms.max(1);
        self
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Answers a Datastar request with a redirect to `url` (as [`ExecuteScript::redirect`]),
    /// and leaves the message in a cookie for the page there, whose [`Flashed`] shows it.
    pub fn redirect(self, url: impl Into<String>) -> FlashRedirect {
        FlashRedirect {
            flash: self,
            url: url.into(),
        }
    }

    /// The message's element: removes itself after its time.
    fn write_toast(&self, out: &mut String) {
        let role = if self.level == Level::Error {
            "alert"
        } else {
            "status"
        };
        out.push_str(r#"<div class="nitro-flash-"#);
        out.push_str(self.level.name());
        out.push_str(r#"" role=""#);
        out.push_str(role);
        out.push_str(r#"" data-init__delay."#);
        out.push_str(itoa::Buffer::new().format(self.ms));
        out.push_str(r#"ms="el.remove()">"#);
        crate::escape::text(&self.text, out);
        out.push_str("</div>");
    }

    /// The `Set-Cookie` header: `nitro-flash=<level>.<ms>.<text>`, at most
    /// [`MAX_FLASH_COOKIE_BYTES`].
    fn cookie(&self) -> Option<HeaderValue> {
        let text = percent_encoding::utf8_percent_encode(&self.text, COOKIE_ESCAPE);
        let header = format!(
            "{FLASH_COOKIE}={}.{}.{text}; Path=/; Max-Age=60; HttpOnly; SameSite=Lax",
            self.level.name(),
            self.ms
        );
        if header.len() > MAX_FLASH_COOKIE_BYTES {
            crate::stats::FLASH_TRUNCATED.incr();
            crate::log::warning!(
                bytes = header.len(),
                limit = MAX_FLASH_COOKIE_BYTES,
                "flash: message too long for its cookie, not sent"
            );
            return None;
        }
        HeaderValue::from_str(&header).ok()
    }

    /// The message of a cookie value [`Flash::cookie`] made.
    fn from_cookie(value: &str) -> Option<Flash> {
        let mut parts = value.splitn(3, '.');
        let level = match parts.next()? {
            "info" => Level::Info,
            "success" => Level::Success,
            "error" => Level::Error,
            _ => return None,
        };
        let ms: u32 = parts.next()?.parse().ok()?;
        let text = percent_encoding::percent_decode_str(parts.next()?)
            .decode_utf8()
            .ok()?;
        Some(Flash::new(level, text).for_ms(ms))
    }
}

impl Event for Flash {
    /// The message appended to the [`FLASH`] container.
    fn encode_to(&self, buf: &mut BytesMut) -> Result<(), EventError> {
        let mut html = String::new();
        self.write_toast(&mut html);
        PatchElements::at(FLASH, Mode::Append, PreEscaped(html)).encode_to(buf)
    }
}

impl IntoResponse for Flash {
    /// The message as a one-event SSE response.
    fn into_response(self) -> Response {
        crate::sse::Events::new().with(self).into_response()
    }
}

/// A redirect that leaves a [`Flash`] for the page it leads to ([`Flash::redirect`]).
#[derive(Debug)]
#[must_use = "a redirect does nothing unless returned from a handler"]
pub struct FlashRedirect {
    flash: Flash,
    url: String,
}

impl IntoResponse for FlashRedirect {
    fn into_response(self) -> Response {
        let mut response = crate::sse::Events::new()
            .with(ExecuteScript::redirect(&self.url))
            .into_response();
        if response.status().is_success() {
            if let Some(cookie) = self.flash.cookie() {
                response.headers_mut().append(SET_COOKIE, cookie);
            }
        }
        response
    }
}

/// The flash container of a page, holding the messages a redirect left for it: an extractor
/// (it never fails). Render it where messages appear (it is the element [`FLASH`] every
/// [`Flash`] event is appended to), and return it with the page, which clears the cookie the
/// message came in (`(flash, page)`), so a reload does not show it again.
#[derive(Clone, Debug, Default)]
pub struct Flashed {
    waiting: Option<Flash>,
}

impl Flashed {
    /// The message a redirect left, if any.
    pub fn message(&self) -> Option<&Flash> {
        self.waiting.as_ref()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Flashed {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        let waiting = parts
            .headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|h| h.to_str().ok())
            .flat_map(|h| h.split(';'))
            .filter_map(|c| c.trim().strip_prefix(FLASH_COOKIE)?.strip_prefix('='))
            .find_map(Flash::from_cookie);
        Ok(Flashed { waiting })
    }
}

impl IntoResponseParts for Flashed {
    type Error = Infallible;

    fn into_response_parts(self, mut res: ResponseParts) -> Result<ResponseParts, Infallible> {
        if self.waiting.is_some() {
            res.headers_mut().append(
                SET_COOKIE,
                HeaderValue::from_static("nitro-flash=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"),
            );
        }
        Ok(res)
    }
}

impl Render for Flashed {
    fn render_to(&self, out: &mut String) {
        out.push_str(r#"<div id="nitro-flash" class="nitro-flash" aria-live="polite">"#);
        if let Some(flash) = &self.waiting {
            flash.write_toast(out);
        }
        out.push_str("</div>");
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Review F5: the worst texts (JSON- and percent-escaped ones before) fit the cookie, and
    /// come back unchanged through the extractor's parsing.
    #[test]
    fn the_cookie_stays_under_4000_bytes_and_round_trips() {
        for text in [
            "\"".repeat(MAX_FLASH_BYTES),
            "\u{1}".repeat(MAX_FLASH_BYTES),
            "é".repeat(MAX_FLASH_BYTES / 2),
            "a; b, c\\ 100% \u{7f}€".repeat(60),
        ] {
            let flash = Flash::error(text).for_ms(1234);
            let cookie = flash.cookie().unwrap();
            assert!(cookie.len() <= MAX_FLASH_COOKIE_BYTES, "{}", cookie.len());
            let value = cookie.to_str().unwrap();
            let value = value.strip_prefix("nitro-flash=").unwrap();
            let value = value.split(';').next().unwrap();
            assert!(value
                .bytes()
                .all(|b| b.is_ascii_graphic() && !b"\",;\\".contains(&b)));
            assert_eq!(Flash::from_cookie(value).unwrap(), flash);
        }
        let before = crate::stats::snapshot().flash_truncated;
        let long = Flash::info("x".repeat(MAX_FLASH_BYTES + 1));
        assert_eq!(long.text().len(), MAX_FLASH_BYTES);
        assert!(crate::stats::snapshot().flash_truncated > before);
        assert_eq!(
            Flash::from_cookie("info.5000.%E2%82%AC").unwrap().text(),
            "€"
        );
        assert!(Flash::from_cookie("alert.5000.x").is_none());
    }
}
