//! `datastar-patch-elements`: morph, insert or remove elements.

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use bytes::BytesMut;

use super::{lines, meta_methods, Event, EventError, EventErrorKind, Meta};
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

    /// From `Render::NAMESPACE` (what `html!` saw at the top level).
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

/// A `datastar-patch-elements` event. Build it with [`emit_elements`] or [`remove_elements`].
///
/// The type parameter says, at compile time, where the elements go:
///
/// - [`ByIds`]: no selector; each top-level element morphs into the element with its id
///   (mode `outer`, or `replace` with [`PatchElements::replace`]). What [`emit_elements`]
///   returns for an `html!` template whose top-level elements all have ids (or whose top level
///   is spliced in, checked when the event is encoded).
/// - [`NeedsSelector`]: a template with a top-level element or text without an id, or a
///   string. It is not an [`Event`] until [`PatchElements::selector`] gives it a target, so
///   sending it without one does not compile.
/// - [`Explicit`] (the default): a selector was given ([`PatchElements::selector`],
///   [`remove_elements`]), or trusted HTML ([`PatchElements::from_trusted_html`]); every option
///   can be set, and a mode that needs a selector without one fails when encoded.
///
/// ```compile_fail
/// use nitro::sse::{emit_elements, Event};
/// // text has no id: without a selector the browser would not know where it goes
/// let _ = emit_elements("just text").to_bytes();
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatchElements<T = Explicit> {
    elements: Elements,
    selector: Option<Selector>,
    mode: Mode,
    view_transition: bool,
    view_transition_selector: Option<Selector>,
    namespace: Namespace,
    check_targets: bool,
    pub(crate) meta: Meta,
    target: PhantomData<T>,
}

impl<T> Default for PatchElements<T> {
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
            target: PhantomData,
        }
    }
}

/// The state of a [`PatchElements`] without a selector whose elements carry their ids.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ByIds;

/// The state of a [`PatchElements`] that cannot be sent before a selector is set: its
/// template has a top-level element without an id, or it is text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NeedsSelector;

/// The state of a [`PatchElements`] with an explicit selector, or of trusted HTML.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Explicit;

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::ByIds {}
    impl Sealed for super::Explicit {}
    impl Sealed for super::NeedsSelector {}
}

/// The states of a [`PatchElements`] that can be sent: [`ByIds`] and [`Explicit`].
#[diagnostic::on_unimplemented(
    message = "this element patch has no target: its template has text or an element without an id at the top level, so the browser would not know where it goes",
    label = "the patch is `PatchElements<NeedsSelector>`",
    note = "add `.selector(ID)` (and `.mode(Mode::Append)` or another mode) to say where it goes, or give every top-level element an id: `li #(ITEM.with(id)) {{ .. }}`"
)]
pub trait Sendable: sealed::Sealed {}
impl Sendable for ByIds {}
impl Sendable for Explicit {}

/// The states of a [`PatchElements`] without a selector ([`ByIds`], [`NeedsSelector`]).
pub trait Untargeted: sealed::Sealed {}
impl Untargeted for ByIds {}
impl Untargeted for NeedsSelector {}

/// Never implemented: what `.mode(..)` asks of its argument on a patch without a selector, so
/// that calling it is a compile error that says what to do.
#[diagnostic::on_unimplemented(
    message = "`.mode(..)` needs a selector first: without one, the client only morphs (`outer`) or replaces elements by their ids, and throws `PatchElementsExpectedSelector` for other modes",
    label = "this patch has no selector yet",
    note = "call `.selector(..)` before `.mode(..)`: `emit_elements(html! {{ .. }}).selector(LIST).mode(Mode::Append)`; to replace elements by their ids, use `.replace()`"
)]
pub trait SelectorFirst {}

/// What [`emit_elements`] accepts: `html!` templates (their top level decides the
/// [`PatchElements`] state at compile time), [`Markup`](crate::Markup) and
/// [`PreEscaped`](crate::PreEscaped) (checked for ids when encoded), and text (which needs a
/// selector).
///
/// A component declared `-> impl Render` hides whether its top-level elements have ids:
/// declare it `-> impl IdentifiedElements` (patched by id) or `-> impl IntoElements` (patched
/// with a selector), or splice it, `emit_elements(html! { (value) })`, to have it checked when
/// sent. For a type of your own that implements [`Render`], implement this trait with
/// `type Target = ByIds;` (checked when sent) or `NeedsSelector`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be sent as elements: nitro cannot see whether its top-level elements have ids",
    label = "not a template, or a component that hides its template",
    note = "declare the component `-> impl IdentifiedElements` (every top-level element has an id) or `-> impl IntoElements` (sent with a selector) instead of `-> impl Render`, or splice it: `emit_elements(html! {{ (value) }})`"
)]
pub trait IntoElements: Render {
    /// [`ByIds`] or [`NeedsSelector`].
    type Target: Untargeted;
}

/// Elements whose top-level elements all carry an id, as a component's return type: the
/// compiler checks the component's template, and its callers can send it without a selector.
///
/// A component declared `-> impl Render` hides its template, so `emit_elements` cannot see
/// whether it has ids: declare `-> impl IdentifiedElements` for a component patched by id, or
/// `-> impl IntoElements` for one that is always patched with a selector.
///
/// ```
/// use nitro::sse::{emit_elements, Event, IdentifiedElements};
/// use nitro::PreEscaped;
///
/// // With `html!`: `html! { li #(ITEM.with(id)) { (text) } }`; a template whose top-level
/// // element has no id does not compile as `impl IdentifiedElements`.
/// fn item() -> impl IdentifiedElements {
///     PreEscaped("<li id=\"item-7\">milk</li>")
/// }
/// let e = emit_elements(item());
/// assert_eq!(e.to_string().unwrap(), "event: datastar-patch-elements\ndata: elements <li id=\"item-7\">milk</li>\n\n");
/// ```
pub trait IdentifiedElements: IntoElements<Target = ByIds> {}

impl<T: IntoElements<Target = ByIds> + ?Sized> IdentifiedElements for T {}

impl<F: Fn(&mut String), const R: u8, const N: u8> IntoElements for crate::Template<F, R, N>
where
    crate::__private::Roots<R>: crate::__private::RootsTarget,
{
    type Target = <crate::__private::Roots<R> as crate::__private::RootsTarget>::Target;
}

impl IntoElements for crate::Markup {
    type Target = ByIds;
}

impl<T: AsRef<str>> IntoElements for crate::PreEscaped<T> {
    type Target = ByIds;
}

impl IntoElements for str {
    type Target = NeedsSelector;
}

impl IntoElements for String {
    type Target = NeedsSelector;
}

impl IntoElements for std::borrow::Cow<'_, str> {
    type Target = NeedsSelector;
}

macro_rules! into_elements_pointer {
    ($($ty:ty),*) => {$(
        impl<T: IntoElements + ?Sized> IntoElements for $ty {
            type Target = T::Target;
        }
    )*};
}

into_elements_pointer!(&T, &mut T, Box<T>, std::rc::Rc<T>, std::sync::Arc<T>);

/// Patches the page with rendered elements (mode `outer` by default: each top-level element
/// morphs into the element with its id).
///
/// Without a selector, every top-level element must have an `id`. For an `html!` template
/// this is decided at compile time: one whose top-level element has none gives a
/// `PatchElements<NeedsSelector>`, which only [`PatchElements::selector`] turns into an event,
/// and a mode other than `outer`/`replace` needs a selector too. Spliced or trusted HTML
/// is checked when the event is encoded: it fails with [`EventErrorKind::MissingTarget`] before
/// anything is sent.
///
/// An `html!` template whose top-level elements are all `svg` (or all `math`) is sent with
/// [`Namespace::Svg`] (or [`Namespace::MathMl`]); set it with [`PatchElements::namespace`]
/// for other SVG or MathML elements.
///
/// ```
/// use nitro::sse::{emit_elements, Event, Mode};
/// use nitro::PreEscaped;
/// nitro::ids! { LIST = "list" }
/// let e = emit_elements(PreEscaped("<p id=\"n\">1</p>"));
/// assert_eq!(e.to_string().unwrap(), "event: datastar-patch-elements\ndata: elements <p id=\"n\">1</p>\n\n");
/// assert!(emit_elements(PreEscaped("<p>no id</p>")).to_bytes().is_err());
/// // text goes somewhere only with a selector
/// let e = emit_elements("new item").selector(LIST).mode(Mode::Append);
/// assert!(e.to_string().unwrap().contains("data: elements new item\n"));
/// ```
pub fn emit_elements<R: IntoElements>(elements: R) -> PatchElements<R::Target> {
    // Rendered straight behind the first `data: elements ` prefix; line breaks (rare in
    // `html!` output) then get their prefixes in place, so encoding is one copy.
    let mut out = String::with_capacity(PREFIX.len() + elements.size_hint() + 1);
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
            ids_proven: R::ROOT_IDS == crate::__private::ROOT_IDS_ALL,
            html: std::sync::OnceLock::new(),
        }
    };
    PatchElements {
        elements,
        check_targets: true,
        namespace: const { Namespace::from_template(R::NAMESPACE) },
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
    /// HTML as given ([`PatchElements::from_trusted_html`]), framed when encoded.
    Html(String),
    /// HTML rendered by [`emit_elements`], already framed: its `data: elements …` lines, each
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

/// Removes the elements matching a CSS selector.
///
/// ```
/// use nitro::sse::{remove_elements, Event};
/// nitro::ids! { TODO = "todo" }
/// assert_eq!(
///     remove_elements(TODO.with(3)).to_string().unwrap(),
///     "event: datastar-patch-elements\ndata: selector #todo-3\ndata: mode remove\n\n"
/// );
/// ```
pub fn remove_elements(selector: impl IntoSelector) -> PatchElements {
    PatchElements {
        selector: Some(selector.into_selector()),
        mode: Mode::Remove,
        ..PatchElements::default()
    }
}

impl PatchElements {
    /// A patch of an HTML string sent exactly as given: not escaped and not checked for
    /// targets. For HTML produced elsewhere; prefer [`emit_elements`].
    ///
    /// ```
    /// use nitro::sse::{Event, PatchElements};
    /// let e = PatchElements::from_trusted_html("<div>Merge</div>");
    /// assert_eq!(e.to_string().unwrap(), "event: datastar-patch-elements\ndata: elements <div>Merge</div>\n\n");
    /// ```
    pub fn from_trusted_html(html: impl Into<String>) -> Self {
        PatchElements {
            elements: Elements::Html(html.into()),
            ..PatchElements::default()
        }
    }

    /// Targets the elements matching this selector instead of the elements' own ids: a
    /// declared [`Id`](crate::Id) (`.selector(LIST)`), or CSS text with
    /// [`Selector::css`].
    pub fn selector(mut self, selector: impl IntoSelector) -> Self {
        self.selector = Some(selector.into_selector());
        self
    }

    /// Sets how the elements are applied (default [`Mode::Outer`]). Modes other than `outer`
    /// and `replace` need a selector: on a patch without one they fail when encoded (and
    /// [`emit_elements`] patches refuse them at compile time).
    ///
    /// ```
    /// use nitro::sse::{emit_elements, Event, Mode};
    /// use nitro::PreEscaped;
    /// nitro::ids! { LIST = "list" }
    /// let e = emit_elements(PreEscaped("<li>x</li>")).selector(LIST).mode(Mode::Append);
    /// assert!(e.to_string().unwrap().contains("data: mode append\n"));
    /// ```
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }
}

impl<T: Untargeted> PatchElements<T> {
    /// Targets the elements matching this selector instead of the elements' own ids: a
    /// declared [`Id`](crate::Id) (`.selector(LIST)`), or CSS text with
    /// [`Selector::css`]. Then [`PatchElements::mode`] can say how they are applied.
    ///
    /// ```
    /// use nitro::sse::{emit_elements, Event, Mode};
    /// nitro::ids! { LIST = "list" }
    /// let e = emit_elements("a line").selector(LIST).mode(Mode::Append);
    /// assert!(e.to_string().unwrap().starts_with("event: datastar-patch-elements\ndata: selector #list\ndata: mode append\n"));
    /// ```
    pub fn selector(self, selector: impl IntoSelector) -> PatchElements<Explicit> {
        PatchElements {
            selector: Some(selector.into_selector()),
            ..self.retarget()
        }
    }

    /// Refused at compile time: a mode needs a selector first (see [`SelectorFirst`]); use
    /// `.selector(..).mode(..)`, or [`PatchElements::replace`].
    ///
    /// ```compile_fail
    /// use nitro::sse::{emit_elements, Mode};
    /// use nitro::PreEscaped;
    /// let _ = emit_elements(PreEscaped("<p id=\"a\"></p>")).mode(Mode::Inner);
    /// ```
    pub fn mode<M: SelectorFirst>(self, _mode: M) -> Self {
        self
    }
}

impl PatchElements<ByIds> {
    /// Replaces each element with the element of the same id, without morphing (mode
    /// `replace`).
    ///
    /// ```
    /// use nitro::sse::{emit_elements, Event};
    /// use nitro::PreEscaped;
    /// let e = emit_elements(PreEscaped("<p id=\"n\">1</p>")).replace();
    /// assert!(e.to_string().unwrap().contains("data: mode replace\n"));
    /// ```
    pub fn replace(mut self) -> Self {
        self.mode = Mode::Replace;
        self
    }
}

impl<T> PatchElements<T> {
    /// The same patch in another state.
    fn retarget<U>(self) -> PatchElements<U> {
        PatchElements {
            elements: self.elements,
            selector: self.selector,
            mode: self.mode,
            view_transition: self.view_transition,
            view_transition_selector: self.view_transition_selector,
            namespace: self.namespace,
            check_targets: self.check_targets,
            meta: self.meta,
            target: PhantomData,
        }
    }

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
    /// use nitro::sse::{emit_elements, Event};
    /// use nitro::{PreEscaped, Selector};
    /// let e = emit_elements(PreEscaped("<p id=\"n\">1</p>"))
    ///     .use_view_transition(true)
    ///     .view_transition_selector(Selector::css("#main"));
    /// assert!(e.to_string().unwrap().contains("data: useViewTransition true\ndata: viewTransitionSelector #main\n"));
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
    /// use nitro::sse::{emit_elements, Event, Mode, Namespace};
    /// use nitro::{PreEscaped, Selector};
    /// let e = emit_elements(PreEscaped("<circle r=\"5\"></circle>"))
    ///     .selector(Selector::css("#chart"))
    ///     .mode(Mode::Append)
    ///     .namespace(Namespace::Svg);
    /// assert!(e.to_string().unwrap().contains("data: namespace svg\n"));
    /// ```
    pub fn namespace(mut self, namespace: Namespace) -> Self {
        self.namespace = namespace;
        self
    }

    meta_methods!();

    /// The HTML this event carries. For a patch built by [`emit_elements`], which stores it
    /// framed for SSE, every line break (`\r\n`, `\r`) reads as `\n`, as the browser reads it.
    ///
    /// ```
    /// use nitro_runtime::sse::emit_elements;
    /// use nitro_runtime::PreEscaped;
    /// assert_eq!(emit_elements(PreEscaped("<p id=\"a\">1\n2</p>")).elements(), "<p id=\"a\">1\n2</p>");
    /// ```
    pub fn elements(&self) -> &str {
        self.elements.html()
    }
}

/// An event as a plain response: its `datastar-*` headers (name, value) and its body.
#[cfg(feature = "axum")]
pub(crate) type PlainParts = (Vec<(&'static str, String)>, String);

impl<T> PatchElements<T> {
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

impl<T: Sendable> Event for PatchElements<T> {
    fn encode(&self, buf: &mut BytesMut) -> Result<(), EventError> {
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
