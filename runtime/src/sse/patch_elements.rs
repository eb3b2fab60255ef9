//! `datastar-patch-elements`: morph, insert or remove elements.

use std::fmt;
use std::str::FromStr;

use bytes::BytesMut;

use super::{lines, meta_methods, Event, EventError, EventErrorKind, Meta};
use crate::render::kind::{Code, TopIdsAll, TopIdsUnknown};
use crate::{IntoSelector, Render, Selector};

/// How patched elements are applied to the page. The default, [`Mode::Outer`], morphs each
/// element into the one with the same id.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Morph the target element itself (default).
    #[default]
    Outer,
    /// Morph the target's children.
    Inner,
    /// Replace the target without morphing.
    Replace,
    /// Insert as the target's first child.
    Prepend,
    /// Insert as the target's last child.
    Append,
    /// Insert before the target.
    Before,
    /// Insert after the target.
    After,
    /// Remove the target.
    Remove,
}

impl Mode {
    /// Every mode, in protocol order.
    pub const ALL: [Mode; 8] = [
        Mode::Outer,
        Mode::Inner,
        Mode::Replace,
        Mode::Prepend,
        Mode::Append,
        Mode::Before,
        Mode::After,
        Mode::Remove,
    ];

    /// The protocol name of the mode.
    ///
    /// ```
    /// assert_eq!(nitro::sse::Mode::Append.as_str(), "append");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Mode::Outer => "outer",
            Mode::Inner => "inner",
            Mode::Replace => "replace",
            Mode::Prepend => "prepend",
            Mode::Append => "append",
            Mode::Before => "before",
            Mode::After => "after",
            Mode::Remove => "remove",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing an unknown mode name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownMode(pub String);

impl fmt::Display for UnknownMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown patch mode `{}`", self.0)
    }
}

impl std::error::Error for UnknownMode {}

impl FromStr for Mode {
    type Err = UnknownMode;

    /// ```
    /// use nitro::sse::Mode;
    /// assert_eq!("inner".parse::<Mode>(), Ok(Mode::Inner));
    /// assert!("merge".parse::<Mode>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Mode::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| UnknownMode(s.to_owned()))
    }
}

/// The namespace in which the client creates patched elements (Datastar 1.0.2). Elements such
/// as `<circle>` or `<mi>` sent on their own only become SVG or MathML with it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Namespace {
    /// HTML (default; not sent).
    #[default]
    Html,
    /// SVG: `data: namespace svg`.
    Svg,
    /// MathML: `data: namespace mathml`.
    MathMl,
}

impl Namespace {
    /// The protocol name: `html`, `svg` or `mathml`.
    ///
    /// ```
    /// assert_eq!(nitro::sse::Namespace::MathMl.as_str(), "mathml");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Namespace::Html => "html",
            Namespace::Svg => "svg",
            Namespace::MathMl => "mathml",
        }
    }

    /// From a template's namespace code (what `html!` saw at the top level).
    const fn from_template(code: u8) -> Namespace {
        match code {
            crate::__private::NAMESPACE_SVG => Namespace::Svg,
            crate::__private::NAMESPACE_MATHML => Namespace::MathMl,
            _ => Namespace::Html,
        }
    }
}

impl fmt::Display for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Namespace {
    type Err = UnknownNamespace;

    /// ```
    /// use nitro::sse::Namespace;
    /// assert_eq!("svg".parse::<Namespace>(), Ok(Namespace::Svg));
    /// assert!("xml".parse::<Namespace>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Namespace::Html, Namespace::Svg, Namespace::MathMl]
            .into_iter()
            .find(|n| n.as_str() == s)
            .ok_or_else(|| UnknownNamespace(s.to_owned()))
    }
}

/// The error of parsing an unknown namespace name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownNamespace(pub String);

impl fmt::Display for UnknownNamespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown namespace `{}` (expected html, svg or mathml)",
            self.0
        )
    }
}

impl std::error::Error for UnknownNamespace {}

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

mod sealed {
    /// What `html!` saw of a template's top level: the facts the element patches read at
    /// compile time. Only nitro's types implement it.
    pub trait Sealed {
        /// `__private::ROOT_IDS_*`.
        const ROOT_IDS: u8 = crate::__private::ROOT_IDS_UNKNOWN;
        /// `__private::NAMESPACE_*`.
        const NAMESPACE: u8 = crate::__private::NAMESPACE_HTML;
    }
}

/// What [`PatchElements::at`] accepts: `html!` templates, [`Markup`](crate::Markup),
/// [`PreEscaped`](crate::PreEscaped) and text (escaped), or a pointer to one of them.
///
/// A component declared `-> impl Render` hides its template: declare it
/// `-> impl IntoElements` (or `-> impl IdentifiedElements` when it is patched by id), or
/// splice it, `html! { (value) }`. For a type of your own that implements
/// [`Render`], splice it the same way.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be sent as elements: nitro cannot see what its template is",
    label = "not a template, or a component that hides its template",
    note = "declare the component `-> impl IntoElements` (or `-> impl IdentifiedElements` when every top-level element has an id) instead of `-> impl Render`, or splice it: `html! {{ (value) }}`"
)]
pub trait IntoElements: Render + sealed::Sealed {}

/// Elements patched by their own ids, what [`PatchElements::new`] accepts: an `html!`
/// template whose top-level elements all carry an id (checked at compile time), spliced or
/// trusted HTML (checked when the event is encoded), or a component declared
/// `-> impl IdentifiedElements` (its template is checked where it is written).
///
/// ```
/// use nitro::prelude::*;
/// ids! { ITEM = "item" }
/// fn item(id: u32, text: &str) -> impl IdentifiedElements + '_ {
///     html! { li #(ITEM.with(id)) { (text) } }
/// }
/// let e = PatchElements::new(item(7, "milk"));
/// assert_eq!(e.encode().unwrap(), "event: datastar-patch-elements\ndata: elements <li id=\"item-7\">milk</li>\n\n");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be patched by id: nitro cannot see an id on each of its top-level elements, so the browser would not know where they go",
    label = "top-level text, an element without an id, or a component that hides its template",
    note = "give every top-level element an id (`li #(ITEM.with(id)) {{ .. }}`; a component returns `-> impl IdentifiedElements`), or choose the target: `PatchElements::at(LIST, Mode::Append, ..)`"
)]
pub trait IdentifiedElements: IntoElements {}

impl<F: Fn(&mut String), R: Code, N: Code> sealed::Sealed for crate::Template<F, R, N> {
    const ROOT_IDS: u8 = R::CODE;
    const NAMESPACE: u8 = N::CODE;
}
impl<F: Fn(&mut String), R: Code, N: Code> IntoElements for crate::Template<F, R, N> {}
impl<F: Fn(&mut String), N: Code> IdentifiedElements for crate::Template<F, TopIdsAll, N> {}
impl<F: Fn(&mut String), N: Code> IdentifiedElements for crate::Template<F, TopIdsUnknown, N> {}

macro_rules! elements {
    (identified: $($ty:ty),*) => {$(
        impl sealed::Sealed for $ty {}
        impl IntoElements for $ty {}
        impl IdentifiedElements for $ty {}
    )*};
    (text: $($ty:ty),*) => {$(
        impl sealed::Sealed for $ty {}
        impl IntoElements for $ty {}
    )*};
}
elements!(identified: crate::Markup);
elements!(text: str, String, std::borrow::Cow<'_, str>);
impl<T: AsRef<str>> sealed::Sealed for crate::PreEscaped<T> {}
impl<T: AsRef<str>> IntoElements for crate::PreEscaped<T> {}
impl<T: AsRef<str>> IdentifiedElements for crate::PreEscaped<T> {}

macro_rules! elements_pointer {
    ($($ty:ty),*) => {$(
        impl<T: IntoElements + ?Sized> sealed::Sealed for $ty {
            const ROOT_IDS: u8 = <T as sealed::Sealed>::ROOT_IDS;
            const NAMESPACE: u8 = <T as sealed::Sealed>::NAMESPACE;
        }
        impl<T: IntoElements + ?Sized> IntoElements for $ty {}
        impl<T: IdentifiedElements + ?Sized> IdentifiedElements for $ty {}
    )*};
}

elements_pointer!(&T, &mut T, Box<T>, std::rc::Rc<T>, std::sync::Arc<T>);

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
    elements.render_to(&mut out);
    let framed_end = framing.finish();
    let elements = if out.len() == PREFIX.len() {
        Elements::default()
    } else {
        let (start, lf_after_cr) = match framed_end {
            // Trusted only if it still is framed: code that ran after the framed writer (a
            // `Template::new` closure, a hand-written `Render`) may have changed those bytes.
            Some((end, cr)) if end <= out.len() && is_framed(&out.as_bytes()[..end]) => (end, cr),
            Some(_) => {
                out = unframe_partial(&out);
                (PREFIX.len(), false)
            }
            None => (PREFIX.len(), false),
        };
        Elements::Framed {
            lines: frame(out.into_bytes(), start, lf_after_cr),
            // `html!` proved every top-level element has an id: nothing to look for.
            ids_proven: <R as sealed::Sealed>::ROOT_IDS == crate::__private::ROOT_IDS_ALL,
            html: std::sync::OnceLock::new(),
        }
    };
    PatchElements {
        elements,
        namespace: const { Namespace::from_template(<R as sealed::Sealed>::NAMESPACE) },
        ..PatchElements::default()
    }
}

/// Is `b` (the prefix, then framed HTML) framed: is every line break a `\n` followed by the
/// prefix, so that no byte of it can start an SSE field of its own?
fn is_framed(b: &[u8]) -> bool {
    memchr::memchr2_iter(b'\n', b'\r', b).all(|i| b[i] == b'\n' && b[i + 1..].starts_with(PREFIX))
}

/// The HTML of a partly framed rendering (prefix included): each `\n` + prefix back to `\n`,
/// for `frame` to frame the whole again.
#[cold]
fn unframe_partial(out: &str) -> String {
    let framed = ["\n", PREFIX_STR].concat();
    let mut s = String::with_capacity(out.len());
    s.push_str(PREFIX_STR);
    s.push_str(&out[PREFIX.len()..].replace(&framed, "\n"));
    s
}

/// The prefix of every line of the HTML in the event.
const PREFIX_STR: &str = crate::writer::PREFIX;
const PREFIX: &[u8] = PREFIX_STR.as_bytes();

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

/// Turns `PREFIX` + HTML into the event's lines: each line break of the HTML after `start`
/// (`\r\n`, `\r` or `\n`) becomes `\n` + `PREFIX`, and a final `\n` is added. The same
/// bytes as [`lines::write_data`] writes for the HTML. Without a line break (the usual case)
/// this is a vectorized scan and one push; otherwise the buffer grows once and each line moves
/// back to its place, from the last one to the first. Bytes before `start` are already framed;
/// with `lf_after_cr`, a `\n` at `start` ends a `\r` framed before it and is dropped.
fn frame(mut v: Vec<u8>, start: usize, lf_after_cr: bool) -> Vec<u8> {
    if lf_after_cr && v.get(start) == Some(&b'\n') {
        v.remove(start);
    }
    let old_len = v.len();
    let mut growth = 0;
    for i in memchr::memchr2_iter(b'\n', b'\r', &v[start..]) {
        let i = start + i;
        growth += match v[i] {
            b'\r' if v.get(i + 1) == Some(&b'\n') => 0,
            b'\n' if i > start && v[i - 1] == b'\r' => PREFIX.len() - 1,
            _ => PREFIX.len(),
        };
    }
    if growth == 0 {
        v.push(b'\n');
        return v;
    }
    v.resize(old_len + growth + 1, 0);
    let mut dst = v.len() - 1;
    v[dst] = b'\n';
    let mut cur = old_len;
    while let Some(off) = memchr::memrchr2(b'\n', b'\r', &v[start..cur]) {
        let i = start + off;
        let brk = if v[i] == b'\n' && i > start && v[i - 1] == b'\r' {
            i - 1
        } else {
            i
        };
        let seg = cur - (i + 1);
        v.copy_within(i + 1..cur, dst - seg);
        dst -= seg;
        dst -= PREFIX.len();
        v[dst..dst + PREFIX.len()].copy_from_slice(PREFIX);
        dst -= 1;
        v[dst] = b'\n';
        cur = brk;
    }
    debug_assert_eq!(dst, cur, "every line moved to its place");
    v
}

/// The HTML back from framed lines (each break becomes `\n`).
fn unframe(lines: &[u8]) -> String {
    let body = lines
        .strip_prefix(PREFIX)
        .and_then(|b| b.strip_suffix(b"\n"))
        .unwrap_or(lines);
    let mut html = Vec::with_capacity(body.len());
    let mut rest = body;
    while let Some(i) = memchr::memchr(b'\n', rest) {
        html.extend_from_slice(&rest[..=i]);
        rest = rest[i + 1..].strip_prefix(PREFIX).unwrap_or(&rest[i + 1..]);
    }
    html.extend_from_slice(rest);
    // Only ASCII was inserted and removed at line breaks, so this is the rendered UTF-8.
    String::from_utf8(html).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
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

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];
const RAW: &[&str] = &["script", "style", "textarea", "title"];

/// The name of the first top-level element without an `id` attribute, or `#text` for
/// top-level text (which a patch without a selector cannot place), if any.
pub(crate) fn top_level_without_id(html: &str) -> Option<String> {
    let mut missing = None;
    top_level_elements(html, |name, id| {
        if id.is_none() {
            missing = Some(name.to_owned());
            return false;
        }
        true
    });
    missing
}

/// Calls `visit` with the (lowercase) name and the `id` attribute of each top-level element, in
/// order, while it returns true; top-level text (not whitespace) is visited as `#text` without
/// an id. An `id` is `Some("")` when present but not a plain value (with a character
/// reference, or empty).
pub(crate) fn top_level_elements(html: &str, mut visit: impl FnMut(&str, Option<&str>) -> bool) {
    let b = html.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    // Where the current run of top-level text began.
    let mut text_start = 0;
    let text_at = |from: usize, to: usize| !html[from..to].trim_ascii().is_empty();
    while let Some(off) = memchr::memchr(b'<', &b[i..]) {
        i += off;
        let rest = &html[i..];
        let name_len = rest[1..]
            .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
            .unwrap_or(rest.len() - 1);
        let is_tag = rest.starts_with("<!")
            || rest.starts_with("<?")
            || rest.starts_with("</")
            || rest[1..].starts_with(|c: char| c.is_ascii_alphabetic());
        if !is_tag {
            // A `<` that starts no tag is text.
            i += 1;
            continue;
        }
        if depth == 0 && text_at(text_start, i) && !visit("#text", None) {
            return;
        }
        if rest.starts_with("<!--") {
            i += rest.find("-->").map_or(rest.len(), |e| e + 3);
        } else if rest.starts_with("<!") || rest.starts_with("<?") {
            i += rest.find('>').map_or(rest.len(), |e| e + 1);
        } else if rest.starts_with("</") {
            depth = depth.saturating_sub(1);
            i += rest.find('>').map_or(rest.len(), |e| e + 1);
        } else {
            let name = rest[1..1 + name_len].to_ascii_lowercase();
            // Scan the attributes up to the tag's `>`, honouring quotes.
            let mut j = 1 + name_len;
            let mut id: Option<&str> = None;
            let mut self_closing = false;
            let tb = rest.as_bytes();
            while j < tb.len() && tb[j] != b'>' {
                match tb[j] {
                    b'"' | b'\'' => {
                        let q = tb[j];
                        j += 1 + rest[j + 1..].find(q as char).unwrap_or(rest.len() - j - 1);
                    }
                    b'/' if tb.get(j + 1) == Some(&b'>') => self_closing = true,
                    c if c.is_ascii_alphabetic() && tb[j - 1].is_ascii_whitespace() => {
                        let end = rest[j..]
                            .find(|c: char| {
                                !(c.is_ascii_alphanumeric() || c == '-' || c == ':' || c == '_')
                            })
                            .map_or(rest.len(), |e| j + e);
                        if rest[j..end].eq_ignore_ascii_case("id") {
                            id = Some(attribute_value(&rest[end..]));
                        }
                        j = end;
                        continue;
                    }
                    _ => {}
                }
                j += 1;
            }
            if depth == 0 && !visit(&name, id) {
                return;
            }
            i += (j + 1).min(rest.len());
            if RAW.contains(&name.as_str()) {
                // The raw text runs to `</name` (any case), found without copying the rest.
                let n = name.len();
                i = memchr::memmem::find_iter(&b[i..], b"</")
                    .map(|k| i + k)
                    .find(|&k| {
                        b.get(k + 2..k + 2 + n)
                            .is_some_and(|t| t.eq_ignore_ascii_case(name.as_bytes()))
                    })
                    .unwrap_or(b.len());
                depth += 1;
            } else if !self_closing && !VOID.contains(&name.as_str()) {
                depth += 1;
            }
        }
        if depth == 0 {
            text_start = i;
        }
    }
    if depth == 0 && text_at(text_start, html.len()) {
        visit("#text", None);
    }
}

/// The value of an attribute whose name `after` follows (`="v"`, `='v'`, `=v`); `""` for none
/// or a value with a character reference (not compared).
fn attribute_value(after: &str) -> &str {
    let t = after.trim_start();
    let Some(t) = t.strip_prefix('=') else {
        return "";
    };
    let t = t.trim_start();
    let v = match t.as_bytes().first() {
        Some(&q @ (b'"' | b'\'')) => t[1..].split(q as char).next().unwrap_or(""),
        _ => t
            .split(|c: char| c.is_ascii_whitespace() || c == '>')
            .next()
            .unwrap_or(""),
    };
    if v.contains('&') {
        ""
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn framed(html: &str) -> Vec<u8> {
        frame(
            format!("{PREFIX_STR}{html}").into_bytes(),
            PREFIX.len(),
            false,
        )
    }

    fn split_and_copy(html: &str) -> Vec<u8> {
        let mut b = BytesMut::new();
        lines::write_data(&mut b, "elements", html);
        b.to_vec()
    }

    #[test]
    fn frames_every_kind_of_line_break() {
        for html in [
            "a",
            "a\nb",
            "a\r\nb\rc\n",
            "\n",
            "\r",
            "\r\n",
            "\n\r",
            "\r\r\n\n",
            "é\r€\n🦀",
        ] {
            assert_eq!(framed(html), split_and_copy(html), "{html:?}");
            assert_eq!(
                unframe(&framed(html)),
                html.replace("\r\n", "\n").replace('\r', "\n")
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn framing_in_place_equals_split_and_copy(html in "([a-z<>é]{0,5}|\r|\n|\r\n){0,12}") {
            prop_assert_eq!(framed(&html), split_and_copy(&html));
        }
    }

    #[test]
    fn finds_top_level_elements_without_id() {
        assert_eq!(top_level_without_id("<div id=\"a\"><p>x</p></div>"), None);
        assert_eq!(
            top_level_without_id("<div id=a></div><span>x</span>").as_deref(),
            Some("span")
        );
        assert_eq!(
            top_level_without_id("<p data-x=\"id=1 >\">x</p>").as_deref(),
            Some("p")
        );
        assert_eq!(
            top_level_without_id("<!-- <p> --><br id=x><input id=y>"),
            None
        );
        assert_eq!(
            top_level_without_id("<script id=s>if (a</b) {}</script><i id=i></i>"),
            None
        );
        assert_eq!(top_level_without_id("text only").as_deref(), Some("#text"));
        assert_eq!(
            top_level_without_id("<p id=a>x</p> and more").as_deref(),
            Some("#text")
        );
        assert_eq!(top_level_without_id(" \n<p id=a>1 < 2</p>\n "), None);
        assert_eq!(
            top_level_without_id("<p id=a></p>a < b").as_deref(),
            Some("#text")
        );
        assert_eq!(top_level_without_id("<div ID='x'></div>"), None);
        assert_eq!(
            top_level_without_id("<div data-id='x'></div>").as_deref(),
            Some("div")
        );
    }
}
