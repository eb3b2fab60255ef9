//! [`Sections`]: the slow parts of a page, each patched in when its work is done.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use bytes::Bytes;
use futures_util::stream::FuturesUnordered;
use futures_util::StreamExt;

use super::Sse;
use crate::sse::{Event, Mode, PatchElements};
use crate::{IntoSelector, PreEscaped, Selector};

/// What a section whose work failed shows in place (the error itself goes to the log).
pub const SECTION_ERROR_HTML: &str =
    r#"<p class="nitro-section-error" role="alert">This part could not be loaded.</p>"#;

type Work = Pin<Box<dyn Future<Output = Option<Bytes>> + Send>>;

/// Sections that stream in: the page answers at once with a placeholder for each slow part
/// (`div #(PROFILE) { "Loading…" }`) and opens this stream with `data-init`; each section's work
/// (an `async` block: a query, a call to another service) runs concurrently with the others,
/// and when it is done its result replaces the placeholder's content
/// ([`Mode::Inner`](crate::sse::Mode::Inner)), in the order the work finishes. The stream ends
/// after the last section.
///
/// - **Errors in place:** work that returns `Err(e)` shows [`SECTION_ERROR_HTML`] in its
///   placeholder (a generic text; never the error's own words, which may hold internals), and
///   `e` is logged (`WARN`) and counted (`stats::sections_failed`). To show your own text,
///   map the error into an `Ok` of your markup.
/// - **Cancelled with the client:** when the client goes away (tab closed, navigated), the
///   stream is dropped and every unfinished piece of work with it, at its next `.await`.
///
/// What it saves is measured in BENCHMARKS.md ("Sections that stream in"): the page's first
/// byte no longer waits for the slowest await.
///
/// ```
/// use std::time::Duration;
/// use nitro::axum::Sections;
/// use nitro::prelude::*;
/// use nitro::routes::get;
/// use nitro::testing::{Received, TestClient};
///
/// ids! { STATS = "stats", FEED = "feed" }
/// routes! { PAGE = GET "/", PARTS = GET "/parts" }
///
/// async fn page() -> Markup {
///     html! {
///         main data-init=(PARTS.action()) {
///             section #(STATS) { "Loading…" }
///             section #(FEED) { "Loading…" }
///         }
///     }.render()
/// }
///
/// async fn parts() -> Sections {
///     Sections::new()
///         .add(STATS, async {
///             tokio::time::sleep(Duration::from_millis(20)).await; // a slow query
///             Ok::<_, std::io::Error>(html! { p { "42 open" } }.render())
///         })
///         .add(FEED, async { Err::<Markup, _>("the feed service is down") })
/// }
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let client = TestClient::new(axum::Router::new().route_to(PAGE, get(page)).route_to(PARTS, get(parts)));
/// let events = client.get("/parts").await.events().await.unwrap();
/// let Received::Elements(first) = &events[0] else { panic!() };
/// assert_eq!((first.selector.as_deref(), first.elements.as_str()),
///     (Some("#feed"), r#"<p class="nitro-section-error" role="alert">This part could not be loaded.</p>"#));
/// let Received::Elements(second) = &events[1] else { panic!() };
/// assert_eq!((second.selector.as_deref(), second.elements.as_str()), (Some("#stats"), "<p>42 open</p>"));
/// # });
/// ```
#[must_use = "sections do nothing unless returned from a handler"]
pub struct Sections {
    work: FuturesUnordered<Work>,
}

impl Default for Sections {
    fn default() -> Self {
        Sections::new()
    }
}

impl fmt::Debug for Sections {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sections")
            .field("pending", &self.work.len())
            .finish()
    }
}

impl Sections {
    /// No sections yet.
    pub fn new() -> Sections {
        Sections {
            work: FuturesUnordered::new(),
        }
    }

    /// A section: when `work` is done, its `Ok` value (a template, [`Markup`](crate::Markup),
    /// text) becomes the content of the element `target` (the placeholder); an `Err` shows
    /// [`SECTION_ERROR_HTML`] there and is logged, as does a patch that fails to encode. The
    /// work starts when the stream is sent.
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub fn add<F, R, E>(self, target: impl IntoSelector, work: F) -> Sections
    where
        F: Future<Output = Result<R, E>> + Send + 'static,
        R: crate::sse::IntoElements,
        E: fmt::Display,
    {
        let target = target.into_selector();
        self.work.push(Box::pin(async move {
            match work.await {
                Ok(done) => {
                    let patch = PatchElements::at(target.clone(), Mode::Inner, done);
                    encode_or_error(&patch, target)
                }
                Err(e) => {
                    crate::stats::SECTIONS_FAILED.incr();
                    crate::log::warning!(section = target.as_str(), error = %e, "a section's work failed; it shows an error in place");
                    error_patch(target)
                }
            }
        }));
        self
    }

    /// The stream of the sections' patches, to set its options ([`Sse::on_end`],
    /// [`Sse::keep_alive`]) before returning it.
    pub fn into_sse(self) -> Sse {
        Sse::from_bytes(self.work.filter_map(std::future::ready))
    }
}

/// `patch` encoded, or, when it does not encode (logged by `encode_logged`, and counted as a
/// failed section), [`SECTION_ERROR_HTML`] at `target`: never a placeholder left "Loading…".
fn encode_or_error(patch: &impl Event, target: Selector) -> Option<Bytes> {
    crate::sse::encode_logged(patch, None, "Sections").or_else(|| {
        crate::stats::SECTIONS_FAILED.incr();
        error_patch(target)
    })
}

/// [`SECTION_ERROR_HTML`] as the content of `target`.
fn error_patch(target: Selector) -> Option<Bytes> {
    let patch = PatchElements::at(target, Mode::Inner, PreEscaped(SECTION_ERROR_HTML));
    crate::sse::encode_logged(&patch, None, "Sections")
}

impl axum::response::IntoResponse for Sections {
    fn into_response(self) -> axum::response::Response {
        self.into_sse().into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sse::{EventError, EventErrorKind};

    /// An event that never encodes.
    struct Broken;

    impl Event for Broken {
        fn encode_to(&self, _: &mut bytes::BytesMut) -> Result<(), EventError> {
            Err(EventError::new(
                EventErrorKind::InvalidArgument,
                "broken on purpose",
            ))
        }
    }

    /// Review F8: a section whose patch does not encode shows the error in place.
    #[test]
    fn a_patch_that_does_not_encode_shows_the_error() {
        let before = crate::stats::snapshot().sections_failed;
        let bytes = encode_or_error(&Broken, Selector::css("#feed")).unwrap();
        let text = std::str::from_utf8(&bytes).unwrap();
        assert!(text.contains("data: selector #feed\n"), "{text}");
        assert!(text.contains(SECTION_ERROR_HTML), "{text}");
        assert!(crate::stats::snapshot().sections_failed > before);
    }
}
