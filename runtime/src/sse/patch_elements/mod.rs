//! `datastar-patch-elements`: morph, insert or remove elements.
//!
//! [`PatchElements`] (this file: the builder and its encoding), [`Mode`] and [`Namespace`]
//! (`mode`), what may be patched by id (`targets`), the top-level scan of HTML the compiler
//! could not see (`scan`); the HTML is framed in place by [`super::lines`].

use bytes::BytesMut;

use super::lines::{self, frame, is_framed, unframe, unframe_partial, PREFIX, PREFIX_STR};
use super::{meta_methods, Event, EventError, EventErrorKind, Meta};
use crate::{IntoSelector, Selector};

mod mode;
mod scan;
mod targets;

pub use mode::{Mode, Namespace, UnknownMode, UnknownNamespace};
pub(crate) use scan::{top_level_elements, top_level_without_id};
use targets::sealed;
pub use targets::{IdentifiedElements, IntoElements};

/// A `datastar-patch-elements` event. The target is chosen when the patch is built:
///
/// - [`PatchElements::new`]: each top-level element morphs into the element with its id (mode
///   `outer`); [`PatchElements::replace`] replaces it without morphing. Only
///   [`IdentifiedElements`] are accepted: an `html!` template whose top-level elements all
///   have ids (checked at compile time; a template with text or an element without an id at
///   the top level does not compile here), or spliced or trusted HTML (checked when encoded).
/// - [`PatchElements::at`]: the elements go to a selector, in a mode chosen here.
/// - [`PatchElements::remove`]: removes the elements matching a selector.
/// - [`PatchElements::trusted`]: HTML produced elsewhere, sent exactly as given.
///
/// ```
/// use nitro::prelude::*;
/// ids! { LIST = "list", ITEM = "item" }
/// let by_id = PatchElements::new(html! { li #(ITEM.with(7)) { "milk" } });
/// assert_eq!(by_id.encode().unwrap(), "event: datastar-patch-elements\ndata: elements <li id=\"item-7\">milk</li>\n\n");
/// let appended = PatchElements::at(LIST, Mode::Append, html! { li { "eggs" } });
/// assert_eq!(appended.encode().unwrap(), "event: datastar-patch-elements\ndata: selector #list\ndata: mode append\ndata: elements <li>eggs</li>\n\n");
/// ```
///
/// ```compile_fail
/// use nitro::prelude::*;
/// // text has no id: without a selector the browser would not know where it goes
/// let _ = PatchElements::new(html! { "just text" });
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatchElements {
    elements: Elements,
    selector: Option<Selector>,
    mode: Mode,
    view_transition: bool,
    view_transition_selector: Option<Selector>,
    namespace: Namespace,
    check_targets: bool,
    pub(crate) meta: Meta,
}

impl Default for PatchElements {
    fn default() -> Self {
        PatchElements {
            elements: Elements::default(),
            selector: None,
            mode: Mode::Outer,
            view_transition: false,
            view_transition_selector: None,
            namespace: Namespace::Html,
            check_targets: false,
            meta: Meta::default(),
        }
    }
}

impl PatchElements {
    /// Patches the page with rendered elements, each top-level element morphing into the
    /// element with its id (mode `outer`).
    ///
    /// For an `html!` template this is decided at compile time: one whose top level has text
    /// or an element without an id does not compile here (use [`PatchElements::at`]).
    /// Spliced or trusted HTML is checked when the event is encoded: it fails with
    /// [`EventErrorKind::MissingTarget`] before anything is sent.
    ///
    /// An `html!` template whose top-level elements are all `svg` (or all `math`) is sent with
    /// [`Namespace::Svg`] (or [`Namespace::MathMl`]); set it with [`PatchElements::namespace`]
    /// for other SVG or MathML elements.
    ///
    /// ```
    /// use nitro::prelude::*;
    /// let e = PatchElements::new(PreEscaped("<p id=\"n\">1</p>"));
    /// assert_eq!(e.encode().unwrap(), "event: datastar-patch-elements\ndata: elements <p id=\"n\">1</p>\n\n");
    /// assert!(PatchElements::new(PreEscaped("<p>no id</p>")).encode().is_err());
    /// ```
    pub fn new<R: IdentifiedElements>(elements: R) -> PatchElements {
        PatchElements {
            check_targets: true,
            ..render(elements)
        }
    }

    /// Replaces each element with the element of the same id, without morphing (mode
    /// `replace`); the elements are checked as for [`PatchElements::new`].
    ///
    /// ```
    /// use nitro::prelude::*;
    /// let e = PatchElements::replace(PreEscaped("<p id=\"n\">1</p>"));
    /// assert!(e.encode().unwrap().contains("data: mode replace\n"));
    /// ```
    pub fn replace<R: IdentifiedElements>(elements: R) -> PatchElements {
        PatchElements {
            mode: Mode::Replace,
            ..PatchElements::new(elements)
        }
    }

    /// Patches the elements matching `selector` (a declared [`Id`](crate::Id), or CSS text
    /// with [`Selector::css`]) with rendered elements, in `mode`.
    ///
    /// ```
    /// use nitro::prelude::*;
    /// ids! { LIST = "list" }
    /// let e = PatchElements::at(LIST, Mode::Append, "a line");
    /// assert!(e.encode().unwrap().starts_with("event: datastar-patch-elements\ndata: selector #list\ndata: mode append\n"));
    /// ```
    pub fn at<R: IntoElements>(selector: impl IntoSelector, mode: Mode, elements: R) -> Self {
        PatchElements {
            selector: Some(selector.into_selector()),
            mode,
            ..render(elements)
        }
    }

    /// Removes the elements matching a selector.
    ///
    /// ```
    /// use nitro::prelude::*;
    /// ids! { TODO = "todo" }
    /// assert_eq!(
    ///     PatchElements::remove(TODO.with(3)).encode().unwrap(),
    ///     "event: datastar-patch-elements\ndata: selector #todo-3\ndata: mode remove\n\n"
    /// );
    /// ```
    pub fn remove(selector: impl IntoSelector) -> PatchElements {
        PatchElements {
            selector: Some(selector.into_selector()),
            mode: Mode::Remove,
            ..PatchElements::default()
        }
    }

    /// A patch of an HTML string produced elsewhere, sent exactly as given: not escaped and
    /// not checked for ids. Without a selector, a mode other than `outer` or `replace` fails
    /// when encoded ([`EventErrorKind::MissingSelector`]). Prefer [`PatchElements::new`] and
    /// [`PatchElements::at`].
    ///
    /// ```
    /// use nitro::prelude::*;
    /// let e = PatchElements::trusted(None, Mode::Outer, "<div>Merge</div>");
    /// assert_eq!(e.encode().unwrap(), "event: datastar-patch-elements\ndata: elements <div>Merge</div>\n\n");
    /// ```
    pub fn trusted(selector: Option<Selector>, mode: Mode, html: impl Into<String>) -> Self {
        PatchElements {
            elements: Elements::Html(html.into()),
            selector,
            mode,
            ..PatchElements::default()
        }
    }
}

/// Renders `elements` framed for SSE, with the namespace its template says.
fn render<R: IntoElements>(elements: R) -> PatchElements {
    // Rendered straight behind the first `data: elements ` prefix; line breaks (rare in
    // `html!` output) then get their prefixes in place, so encoding is one copy.
    let mut out = String::with_capacity(
        PREFIX.len() + elements.size_hint(crate::render::Internal::new()) + 1,
    );
    out.push_str(PREFIX_STR);
    // An `html!` template rendered into `out` writes its lines framed as it goes (its static
    // line breaks were framed by the macro; only dynamic values are scanned).
    let framing = crate::writer::Framing::begin(&out);
    let only_html = elements.render_into_patch(&mut out);
    let framed = framing.finish();
    let elements = if out.len() == PREFIX.len() {
        Elements::default()
    } else {
        let (start, lf_after_cr) = match framed {
            // Framed by construction: only `html!`'s code ran, and its writer wrote every byte
            // framed, never handing `out` to other code (`writer::Framing`).
            Some(f) if only_html && f.len == out.len() => (f.len, f.lf_after_cr),
            // Otherwise code other than `html!`'s had `out` after the framed writer (a
            // `Template::new` closure around the template) and may have changed bytes already
            // framed: trusted only if they still are framed.
            Some(f) if f.len <= out.len() && is_framed(&out.as_bytes()[..f.len]) => {
                (f.len, f.lf_after_cr)
            }
            Some(_) => {
                // Repaired, not refused: the HTML as the other code left it, framed afresh.
                out = unframe_partial(&out);
                (PREFIX.len(), false)
            }
            // No framed writer: everything after the prefix is framed below, and the prefix
            // must still be ours (a `Template::new` closure may have written over it).
            None if out.as_bytes().starts_with(PREFIX) => (PREFIX.len(), false),
            None => {
                out.insert_str(0, PREFIX_STR);
                (PREFIX.len(), false)
            }
        };
        Elements::Framed {
            lines: frame(out.into_bytes(), start, lf_after_cr),
            // `html!` proved every top-level element has an id: nothing to look for.
            ids_proven: <R as sealed::Sealed>::ROOT_IDS == crate::render::kind::ROOT_IDS_ALL,
            html: std::sync::OnceLock::new(),
        }
    };
    PatchElements {
        elements,
        namespace: const { Namespace::from_template(<R as sealed::Sealed>::NAMESPACE) },
        ..PatchElements::default()
    }
}

/// The elements of a patch.
#[derive(Clone, Debug)]
enum Elements {
    /// HTML as given ([`PatchElements::trusted`]), framed when encoded.
    Html(String),
    /// HTML rendered by [`PatchElements::new`] or [`PatchElements::at`], already framed: its `data: elements …` lines, each
    /// ending in `\n`.
    Framed {
        lines: Vec<u8>,
        /// Whether `html!` proved that every top-level element has an id.
        ids_proven: bool,
        /// The HTML, recovered from `lines` when asked for ([`PatchElements::elements`]).
        html: std::sync::OnceLock<String>,
    },
}

impl Default for Elements {
    fn default() -> Self {
        Elements::Html(String::new())
    }
}

impl PartialEq for Elements {
    fn eq(&self, other: &Self) -> bool {
        self.html() == other.html()
    }
}

impl Eq for Elements {}

impl Elements {
    fn html(&self) -> &str {
        match self {
            Elements::Html(h) => h,
            Elements::Framed { lines, html, .. } => html.get_or_init(|| unframe(lines)),
        }
    }

    #[cfg_attr(not(feature = "axum"), allow(dead_code))]
    fn into_html(self) -> String {
        match self {
            Elements::Html(h) => h,
            Elements::Framed { lines, html, .. } => {
                html.into_inner().unwrap_or_else(|| unframe(&lines))
            }
        }
    }

    fn missing_target(&self) -> Option<String> {
        match self {
            Elements::Framed {
                ids_proven: true, ..
            } => None,
            _ => top_level_without_id(self.html()),
        }
    }
}

impl PatchElements {
    /// Runs the patch inside a view transition.
    pub fn use_view_transition(mut self, yes: bool) -> Self {
        self.view_transition = yes;
        self
    }

    /// Runs the view transition on the element matching `selector` instead of the whole
    /// document (Datastar 1.0.2). Sent only together with
    /// [`use_view_transition(true)`](Self::use_view_transition).
    ///
    /// ```
    /// use nitro::prelude::*;
    /// let e = PatchElements::new(PreEscaped("<p id=\"n\">1</p>"))
    ///     .use_view_transition(true)
    ///     .view_transition_selector(Selector::css("#main"));
    /// assert!(e.encode().unwrap().contains("data: useViewTransition true\ndata: viewTransitionSelector #main\n"));
    /// ```
    pub fn view_transition_selector(mut self, selector: impl IntoSelector) -> Self {
        self.view_transition_selector = Some(selector.into_selector());
        self
    }

    /// The namespace in which the client creates the elements (Datastar 1.0.2; sent when not
    /// [`Namespace::Html`]). Needed for SVG or MathML elements patched on their own, such as
    /// `<circle>` appended into an `<svg>`.
    ///
    /// ```
    /// use nitro::prelude::*;
    /// use nitro::sse::Namespace;
    /// let e = PatchElements::at(Selector::css("#chart"), Mode::Append, PreEscaped("<circle r=\"5\"></circle>"))
    ///     .namespace(Namespace::Svg);
    /// assert!(e.encode().unwrap().contains("data: namespace svg\n"));
    /// ```
    pub fn namespace(mut self, namespace: Namespace) -> Self {
        self.namespace = namespace;
        self
    }

    meta_methods!();

    /// The HTML this event carries. For a rendered patch, which stores it
    /// framed for SSE, every line break (`\r\n`, `\r`) reads as `\n`, as the browser reads it.
    ///
    /// ```
    /// use nitro::prelude::*;
    /// assert_eq!(PatchElements::new(PreEscaped("<p id=\"a\">1\n2</p>")).elements(), "<p id=\"a\">1\n2</p>");
    /// ```
    pub fn elements(&self) -> &str {
        self.elements.html()
    }
}

/// An event as a plain response: its `datastar-*` headers (name, value) and its body.
#[cfg(feature = "axum")]
pub(crate) type PlainParts = (Vec<(&'static str, String)>, String);

impl PatchElements {
    fn check_targets(&self) -> Result<(), EventError> {
        if self.selector.is_some() {
            return Ok(());
        }
        if !matches!(self.mode, Mode::Outer | Mode::Replace) {
            return Err(EventError::new(
                EventErrorKind::MissingSelector,
                format!(
                    "mode `{}` needs a selector (the client throws PatchElementsExpectedSelector)",
                    self.mode.as_str()
                ),
            ));
        }
        if self.check_targets {
            if let Some(tag) = self.elements.missing_target() {
                let what = if tag == "#text" {
                    "top-level text cannot be placed by id; wrap it in an element with an id or set a selector".to_owned()
                } else {
                    format!("top-level `<{tag}>` has no id; give it one or set a selector")
                };
                return Err(EventError::new(EventErrorKind::MissingTarget, what));
            }
        }
        Ok(())
    }

    /// The event as a plain `text/html` response: the `datastar-*` headers the client reads
    /// (name, value) and the body.
    #[cfg(feature = "axum")]
    pub(crate) fn plain_parts(self) -> Result<PlainParts, EventError> {
        self.check_targets()?;
        let mut headers = Vec::new();
        if let Some(sel) = &self.selector {
            headers.push(("datastar-selector", sel.as_str().to_owned()));
        }
        if self.mode != Mode::Outer {
            headers.push(("datastar-mode", self.mode.as_str().to_owned()));
        }
        if self.namespace != Namespace::Html {
            headers.push(("datastar-namespace", self.namespace.as_str().to_owned()));
        }
        if self.view_transition {
            headers.push(("datastar-use-view-transition", "true".to_owned()));
        }
        Ok((headers, self.elements.into_html()))
    }
}

impl Event for PatchElements {
    fn encode_to(&self, buf: &mut BytesMut) -> Result<(), EventError> {
        self.meta.check()?;
        self.check_targets()?;
        self.meta.head(buf, "datastar-patch-elements");
        if let Some(sel) = &self.selector {
            lines::write_data(buf, "selector", sel.as_str());
        }
        if self.mode != Mode::Outer {
            lines::write_data(buf, "mode", self.mode.as_str());
        }
        if self.view_transition {
            lines::write_data(buf, "useViewTransition", "true");
            if let Some(sel) = &self.view_transition_selector {
                lines::write_data(buf, "viewTransitionSelector", sel.as_str());
            }
        }
        if self.namespace != Namespace::Html {
            lines::write_data(buf, "namespace", self.namespace.as_str());
        }
        match &self.elements {
            Elements::Html(html) if html.is_empty() => {}
            Elements::Html(html) => lines::write_data(buf, "elements", html),
            Elements::Framed { lines, .. } => buf.extend_from_slice(lines),
        }
        lines::write_end(buf);
        Ok(())
    }
}
