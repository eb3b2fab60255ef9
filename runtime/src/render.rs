//! The [`Render`] trait and the values `html!` can splice: everything renders into one caller
//! buffer, escaped for the context it lands in.

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::marker::PhantomData;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::escape;
use crate::writer::Writer;

/// Something that writes itself as HTML into a caller-supplied buffer.
///
/// `html!` templates implement it, and so do strings (escaped), numbers, `bool`, `char`,
/// [`Markup`], [`PreEscaped`], `Option<T>` (nothing for `None`) and references/smart pointers to
/// any of them. Implement one of [`Render::render_to`] and [`Render::render`]: each has a
/// default that calls the other (as in maud, whose `fn render(&self) -> Markup` components
/// port unchanged). `render_to` is the one to prefer: it writes into the caller's buffer, where
/// `render` builds a `String` of its own first. (Implementing neither recurses forever.)
///
/// That is the whole stable API. The trait has hidden methods (how `html!`'s code writes a value
/// in text or an attribute, and a size hint): they take a type only nitro can name, so no other
/// crate can override or call them, and they may change in any release.
///
/// ```
/// use nitro::Render;
///
/// struct Badge(u32);
/// impl Render for Badge {
///     fn render_to(&self, buf: &mut String) {
///         buf.push_str("<b>");
///         self.0.render_to(buf);
///         buf.push_str("</b>");
///     }
/// }
/// assert_eq!(Badge(7).render().into_string(), "<b>7</b>");
///
/// // maud's pattern: only `render`, with a template.
/// struct Pinkie;
/// impl Render for Pinkie {
///     fn render(&self) -> nitro::Markup {
///         nitro::html! { b { "pinkie" } }.render()
///     }
/// }
/// assert_eq!(nitro::html! { p { (Pinkie) } }.into_string(), "<p><b>pinkie</b></p>");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be spliced into `html!`: it does not implement `Render`",
    label = "this value does not implement `Render`",
    note = "implement `nitro::Render` for it, or splice `display(&value)` to render its `Display` output (escaped)"
)]
pub trait Render {
    /// Appends this value, escaped for an HTML text node, to `buf`. The default appends what
    /// [`Render::render`] returns.
    fn render_to(&self, buf: &mut String) {
        buf.push_str(self.render().as_str());
    }

    /// Renders into a new [`Markup`], which is an axum response: a component returned as
    /// `impl Render` from a handler is not one ("`IntoResponse` is not implemented for
    /// `impl Render`"); return `component.render()`.
    #[doc(alias = "IntoResponse")]
    fn render(&self) -> Markup {
        let mut buf = String::with_capacity(self.size_hint(Internal::new()));
        self.render_to(&mut buf);
        Markup(buf)
    }

    /// Appends this value, escaped for a quoted attribute value, to `buf`. The default renders
    /// as text and then encodes the quotes; strings and numbers escape in one pass.
    #[doc(hidden)]
    fn render_attr_to(&self, buf: &mut String, _: Internal) {
        let start = buf.len();
        self.render_to(buf);
        escape::attribute_region(buf, start);
    }

    /// A guess of the rendered size in bytes, used to reserve the buffer once.
    #[doc(hidden)]
    fn size_hint(&self, _: Internal) -> usize {
        0
    }

    /// Appends this value, escaped for an HTML text node, through the writer `html!`'s code
    /// writes with. The default lends the buffer to [`Render::render_to`]; numbers and strings
    /// write straight through the writer.
    #[doc(hidden)]
    #[inline]
    fn render_to_writer(&self, w: &mut Writer<'_>, _: Internal) {
        w.with_string(|buf| self.render_to(buf));
    }

    /// `render_attr_to` through `html!`'s writer.
    #[doc(hidden)]
    #[inline]
    fn render_attr_to_writer(&self, w: &mut Writer<'_>, _: Internal) {
        w.with_string(|buf| self.render_attr_to(buf, Internal::new()));
    }
}

mod internal {
    /// The argument of [`Render`](super::Render)'s hidden methods: only nitro can make one, so
    /// only nitro's own impls override them and only nitro calls them.
    #[derive(Clone, Copy, Debug)]
    pub struct Internal(());

    impl Internal {
        #[cfg_attr(debug_assertions, inline)]
        #[cfg_attr(not(debug_assertions), inline(always))]
        pub(crate) const fn new() -> Internal {
            Internal(())
        }
    }
}
pub(crate) use internal::Internal;

/// Rendered, trusted HTML.
///
/// ```
/// use nitro::{Markup, Render};
/// let m = "<b>".render();
/// assert_eq!(m.as_str(), "&lt;b&gt;");
/// assert_eq!(m.into_string(), "&lt;b&gt;");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Markup(String);

impl Markup {
    /// Wraps a string that is already valid, trusted HTML. It is written verbatim: never pass
    /// user input here.
    ///
    /// ```
    /// let m = nitro::Markup::from_trusted("<br>".to_string());
    /// assert_eq!(m.as_str(), "<br>");
    /// ```
    pub fn from_trusted(html: String) -> Self {
        Markup(html)
    }

    /// The HTML as a string slice.
    ///
    /// ```
    /// assert_eq!(nitro::Markup::default().as_str(), "");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The HTML as an owned `String`.
    ///
    /// ```
    /// use nitro::Render;
    /// assert_eq!(42.render().into_string(), "42");
    /// ```
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Markup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Markup> for String {
    fn from(m: Markup) -> String {
        m.0
    }
}

impl Render for Markup {
    fn render_to(&self, buf: &mut String) {
        buf.push_str(&self.0);
    }
    #[inline]
    fn render_to_writer(&self, w: &mut Writer<'_>, _: Internal) {
        w.push_str(&self.0);
    }
    fn size_hint(&self, _: Internal) -> usize {
        self.0.len()
    }
}

/// Trusted HTML that is written verbatim, without escaping: the one explicit opt-out.
///
/// ```
/// use nitro::{PreEscaped, Render};
/// assert_eq!(PreEscaped("<hr>").render().as_str(), "<hr>");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct PreEscaped<T>(pub T);

impl<T: AsRef<str>> Render for PreEscaped<T> {
    fn render_to(&self, buf: &mut String) {
        buf.push_str(self.0.as_ref());
    }
    #[inline]
    fn render_to_writer(&self, w: &mut Writer<'_>, _: Internal) {
        w.push_str(self.0.as_ref());
    }
    fn size_hint(&self, _: Internal) -> usize {
        self.0.as_ref().len()
    }
}

/// Renders a value through its `Display` impl, escaped for its context.
///
/// In text, `html!` already does this for any value that is `Display` but not `Render`:
/// `p { (ip) }`. `display(..)` is the explicit form, and the one an attribute value needs:
/// `p title=(display(ip)) {}`.
///
/// ```
/// use nitro::{display, Render};
/// let ip = std::net::Ipv4Addr::LOCALHOST;
/// assert_eq!(display(&ip).render().as_str(), "127.0.0.1");
/// ```
pub fn display<T: fmt::Display>(value: T) -> DisplayValue<T> {
    DisplayValue(value)
}

/// See [`display`].
#[derive(Clone, Copy, Debug)]
pub struct DisplayValue<T>(pub T);

impl<T: fmt::Display> Render for DisplayValue<T> {
    fn render_to(&self, buf: &mut String) {
        let _ = write!(escape::TextWriter(buf), "{}", self.0);
    }
    fn render_attr_to(&self, buf: &mut String, _: Internal) {
        let _ = write!(escape::AttributeWriter(buf), "{}", self.0);
    }
}

impl Render for str {
    #[inline]
    fn render_to(&self, buf: &mut String) {
        escape::text(self, buf);
    }
    #[inline]
    fn render_to_writer(&self, w: &mut Writer<'_>, _: Internal) {
        escape::text_to_writer(self, w);
    }
    #[inline]
    fn render_attr_to_writer(&self, w: &mut Writer<'_>, _: Internal) {
        escape::attribute_to_writer(self, w);
    }
    #[inline]
    fn render_attr_to(&self, buf: &mut String, _: Internal) {
        escape::attribute(self, buf);
    }
    fn size_hint(&self, _: Internal) -> usize {
        self.len()
    }
}

macro_rules! render_via {
    ($($ty:ty => |$s:ident| $e:expr;)*) => {$(
        impl Render for $ty {
            #[inline]
            fn render_to(&self, buf: &mut String) {
                let $s = self;
                Render::render_to($e, buf)
            }
            #[inline]
            fn render_attr_to(&self, buf: &mut String, _: Internal) {
                let $s = self;
                Render::render_attr_to($e, buf, Internal::new())
            }
            #[inline]
            fn render_to_writer(&self, w: &mut Writer<'_>, _: Internal) {
                let $s = self;
                Render::render_to_writer($e, w, Internal::new())
            }
            #[inline]
            fn render_attr_to_writer(&self, w: &mut Writer<'_>, _: Internal) {
                let $s = self;
                Render::render_attr_to_writer($e, w, Internal::new())
            }
            fn size_hint(&self, _: Internal) -> usize {
                let $s = self;
                Render::size_hint($e, Internal::new())
            }
        }
    )*};
}

render_via! {
    String => |s| s.as_str();
    Cow<'_, str> => |s| s.as_ref();
}

macro_rules! render_pointer {
    ($($ty:ty),*) => {$(
        impl<T: Render + ?Sized> Render for $ty {
            #[inline]
            fn render_to(&self, buf: &mut String) {
                T::render_to(self, buf)
            }
            #[inline]
            fn render_attr_to(&self, buf: &mut String, _: Internal) {
                T::render_attr_to(self, buf, Internal::new())
            }
            #[inline]
            fn render_to_writer(&self, w: &mut Writer<'_>, _: Internal) {
                T::render_to_writer(self, w, Internal::new())
            }
            #[inline]
            fn render_attr_to_writer(&self, w: &mut Writer<'_>, _: Internal) {
                T::render_attr_to_writer(self, w, Internal::new())
            }
            fn size_hint(&self, _: Internal) -> usize {
                T::size_hint(self, Internal::new())
            }
        }
    )*};
}

render_pointer!(&T, &mut T, Box<T>, Rc<T>, Arc<T>);

impl<T: Render> Render for Option<T> {
    fn render_to(&self, buf: &mut String) {
        if let Some(v) = self {
            v.render_to(buf);
        }
    }
    fn render_attr_to(&self, buf: &mut String, _: Internal) {
        if let Some(v) = self {
            v.render_attr_to(buf, Internal::new());
        }
    }
    #[inline]
    fn render_to_writer(&self, w: &mut Writer<'_>, _: Internal) {
        if let Some(v) = self {
            v.render_to_writer(w, Internal::new());
        }
    }
    fn size_hint(&self, _: Internal) -> usize {
        self.as_ref().map_or(0, |v| v.size_hint(Internal::new()))
    }
}

/// Appends the decimal digits of `n`. Below 10,000 (counts, indexes, years, scores) the digits
/// are pushed one by one, which costs less than formatting into a scratch buffer and copying
/// it with a call to `memcpy`; larger values go through `itoa`.
#[inline]
fn push_u64(buf: &mut String, n: u64) {
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn digit(d: u64) -> char {
        char::from(b'0' + d as u8)
    }
    if n < 10 {
        buf.push(digit(n));
    } else if n < 100 {
        buf.reserve(2);
        buf.push(digit(n / 10));
        buf.push(digit(n % 10));
    } else if n < 1000 {
        buf.reserve(3);
        buf.push(digit(n / 100));
        buf.push(digit(n / 10 % 10));
        buf.push(digit(n % 10));
    } else if n < 10_000 {
        buf.reserve(4);
        buf.push(digit(n / 1000));
        buf.push(digit(n / 100 % 10));
        buf.push(digit(n / 10 % 10));
        buf.push(digit(n % 10));
    } else {
        buf.push_str(itoa::Buffer::new().format(n));
    }
}

macro_rules! render_unsigned {
    ($($ty:ty),*) => {$(
        impl Render for $ty {
            #[inline]
            fn render_to(&self, buf: &mut String) {
                push_u64(buf, *self as u64);
            }
            #[inline]
            fn render_to_writer(&self, w: &mut Writer<'_>, _: Internal) {
                w.push_u64(*self as u64);
            }
            #[inline]
            fn render_attr_to_writer(&self, w: &mut Writer<'_>, _: Internal) {
                w.push_u64(*self as u64);
            }
            #[inline]
            fn render_attr_to(&self, buf: &mut String, _: Internal) {
                self.render_to(buf);
            }
        }
    )*};
}

render_unsigned!(u8, u16, u32, u64, usize);

macro_rules! render_signed {
    ($($ty:ty),*) => {$(
        impl Render for $ty {
            #[inline]
            fn render_to(&self, buf: &mut String) {
                if *self < 0 {
                    buf.push('-');
                }
                push_u64(buf, self.unsigned_abs() as u64);
            }
            #[inline]
            fn render_to_writer(&self, w: &mut Writer<'_>, _: Internal) {
                if *self < 0 {
                    w.push_ascii(b'-');
                }
                w.push_u64(self.unsigned_abs() as u64);
            }
            #[inline]
            fn render_attr_to_writer(&self, w: &mut Writer<'_>, _: Internal) {
                self.render_to_writer(w, Internal::new());
            }
            #[inline]
            fn render_attr_to(&self, buf: &mut String, _: Internal) {
                self.render_to(buf);
            }
        }
    )*};
}

render_signed!(i8, i16, i32, i64, isize);

macro_rules! render_integer {
    ($($ty:ty),*) => {$(
        impl Render for $ty {
            #[inline]
            fn render_to(&self, buf: &mut String) {
                buf.push_str(itoa::Buffer::new().format(*self));
            }
            #[inline]
            fn render_attr_to(&self, buf: &mut String, _: Internal) {
                self.render_to(buf);
            }
        }
    )*};
}

render_integer!(i128, u128);

macro_rules! render_display_plain {
    ($($ty:ty),*) => {$(
        impl Render for $ty {
            #[inline]
            fn render_to(&self, buf: &mut String) {
                // Numbers, booleans: their Display output never contains a character to escape.
                let _ = write!(buf, "{}", self);
            }
            #[inline]
            fn render_attr_to(&self, buf: &mut String, _: Internal) {
                self.render_to(buf);
            }
        }
    )*};
}

render_display_plain!(f32, f64, bool);

impl Render for char {
    fn render_to(&self, buf: &mut String) {
        self.encode_utf8(&mut [0; 4]).render_to(buf);
    }
    fn render_attr_to(&self, buf: &mut String, _: Internal) {
        self.encode_utf8(&mut [0; 4])
            .render_attr_to(buf, Internal::new());
    }
}

impl Render for fmt::Arguments<'_> {
    fn render_to(&self, buf: &mut String) {
        let _ = escape::TextWriter(buf).write_fmt(*self);
    }
    fn render_attr_to(&self, buf: &mut String, _: Internal) {
        let _ = escape::AttributeWriter(buf).write_fmt(*self);
    }
}

/// The value an `html!` template evaluates to: a renderer that writes the template into the
/// caller's buffer. Nothing is rendered until [`Render::render_to`] (or [`Render::render`]) is
/// called, so a component is just a function returning `impl Render`.
///
/// Its two last parameters are what `html!` saw of the template's top level (whether every
/// top-level element has an id; HTML, SVG or MathML), as hidden marker types: the element
/// patches read them at compile time. Write `impl Render`, `impl IdentifiedElements` or
/// `impl IntoElements` rather than naming the type.
///
/// ```
/// use nitro::{Render, Template};
/// let t = Template::new(5, |buf: &mut String| buf.push_str("<br>"));
/// let mut buf = String::from("x");
/// t.render_to(&mut buf);
/// assert_eq!(buf, "x<br>");
/// assert_eq!(format!("{t:?}"), "Template { size_hint: 5, .. }");
/// ```
pub struct Template<F, R = kind::TopIdsUnknown, N = kind::Html> {
    size_hint: usize,
    /// The size of the last render at this `html!` call site, so the next one reserves once.
    last_size: Option<&'static AtomicUsize>,
    write: F,
    kind: PhantomData<fn() -> (R, N)>,
}

impl<F: Clone, R, N> Clone for Template<F, R, N> {
    fn clone(&self) -> Self {
        Template {
            size_hint: self.size_hint,
            last_size: self.last_size,
            write: self.write.clone(),
            kind: PhantomData,
        }
    }
}

impl<F: Copy, R, N> Copy for Template<F, R, N> {}

impl<F: Fn(&mut String)> Template<F> {
    /// A template that writes with `write` and expects about `size_hint` bytes.
    pub const fn new(size_hint: usize, write: F) -> Self {
        Template {
            size_hint,
            last_size: None,
            write,
            kind: PhantomData,
        }
    }
}

impl<W: Body, R, N> Template<W, R, N> {
    /// Renders the template into a new `String`: `html! { .. }.into_string()`, as in maud.
    ///
    /// ```
    /// assert_eq!(nitro::html! { p { "hi" } }.into_string(), "<p>hi</p>");
    /// ```
    pub fn into_string(self) -> String {
        self.render().into_string()
    }

    /// Whether `html!` built this template: its closure is the macro's ([`ByWriter`]), which
    /// writes only through the [`Writer`] it is given. [`Template::new`]'s closure is the
    /// caller's, given the `String`. (Like the escaping of `html!`'s static text, this trusts
    /// the code `html!` generates; a crate calling `__private` by hand is outside every
    /// guarantee.)
    #[inline]
    pub(crate) fn made_by_html(&self) -> bool {
        matches!(self.write.body(), BodyRef::Writer(_))
    }
}

impl<W: Body, R, N> Render for Template<W, R, N> {
    // Each method hands the closure as a trait object (`BodyRef`) to one function compiled
    // once in nitro, so a template instantiates no code of its own beyond its closure, these
    // one-line shims and the one method of its closure's vtable (what a debug build spends its
    // time on). The shims are `inline(always)`, also at `opt-level = 0`: inlined into the
    // caller, they cost a debug build less than a function of their own each (BENCHMARKS
    // §10). Optimized builds inline `render_template` too and call the closure directly.
    #[inline(always)]
    fn render_to(&self, buf: &mut String) {
        render_template(buf, self.size_hint, self.last_size, self.write.body());
    }
    #[inline(always)]
    fn render(&self) -> Markup {
        render_template_new(self.size_hint, self.last_size, self.write.body())
    }
    #[inline]
    fn size_hint(&self, _: Internal) -> usize {
        template_size_hint(self.size_hint, self.last_size)
    }
    /// A template spliced into another: one `html!` built writes on through the same writer
    /// (framed as it goes in an element patch, reserving as its own runs need); a
    /// `Template::new` closure is lent a `String` as any `Render` is.
    #[inline(always)]
    fn render_to_writer(&self, w: &mut Writer<'_>, _: Internal) {
        splice_template(w, self.size_hint, self.last_size, self.write.body());
    }
}

/// How a [`Template`] writes: what its closure is given. Implemented by every
/// `Fn(&mut String)` ([`Template::new`]) and by [`ByWriter`] (`html!`'s closures).
#[doc(hidden)]
pub trait Body {
    /// The closure as a trait object, for the functions compiled once in nitro.
    fn body(&self) -> BodyRef<'_>;
}

/// A template's closure as a trait object, by what it writes to.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub enum BodyRef<'a> {
    /// A [`Template::new`] closure, appending to a `String`.
    String(&'a dyn WriteString),
    /// An `html!` closure, writing through a [`Writer`].
    Writer(&'a dyn WriteWriter),
}

/// An `html!` template's closure: it writes through the [`Writer`] it is given, so a template
/// spliced into another writes on through the other's writer (no writer of its own, no lend),
/// and a closure holds no writer to drop (no cleanup code in every template of a debug build).
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct ByWriter<F>(pub F);

impl<F: Fn(&mut String)> Body for F {
    #[inline(always)]
    fn body(&self) -> BodyRef<'_> {
        BodyRef::String(self)
    }
}

impl<F: Fn(&mut Writer<'_>)> Body for ByWriter<F> {
    #[inline(always)]
    fn body(&self) -> BodyRef<'_> {
        BodyRef::Writer(&self.0)
    }
}

/// A `Fn(&mut String)` as a trait object with one method: its vtable holds that method only
/// (a `dyn Fn` vtable also needs `call_once`, two shims per template in a debug build).
#[doc(hidden)]
pub trait WriteString {
    fn write_string(&self, buf: &mut String);
}

impl<F: Fn(&mut String)> WriteString for F {
    #[inline]
    fn write_string(&self, buf: &mut String) {
        self(buf)
    }
}

/// A `Fn(&mut Writer)` as a trait object with one method (see [`WriteString`]).
#[doc(hidden)]
pub trait WriteWriter {
    fn write_writer(&self, w: &mut Writer<'_>);
}

impl<F: Fn(&mut Writer<'_>)> WriteWriter for F {
    #[inline]
    fn write_writer(&self, w: &mut Writer<'_>) {
        self(w)
    }
}

/// [`Template`]'s rendering: reserve the larger of the macro's estimate and the last render's
/// size at this call site, write (an `html!` closure through a writer made here, which takes
/// over an element patch's framing: `Writer::new`), remember the size.
#[cfg_attr(debug_assertions, inline(never))]
#[cfg_attr(not(debug_assertions), inline(always))]
fn render_template(
    buf: &mut String,
    size_hint: usize,
    last_size: Option<&'static AtomicUsize>,
    body: BodyRef<'_>,
) {
    buf.reserve(template_size_hint(size_hint, last_size));
    let start = buf.len();
    match body {
        BodyRef::String(f) => f.write_string(buf),
        BodyRef::Writer(f) => f.write_writer(&mut Writer::new(buf)),
    }
    if let Some(last) = last_size {
        // A `Render` the template lent the buffer to may have cut it below `start`.
        last.store(buf.len().saturating_sub(start), Ordering::Relaxed);
    }
}

/// [`render_template`] into a new `String` of the right capacity.
#[cfg_attr(debug_assertions, inline(never))]
#[cfg_attr(not(debug_assertions), inline(always))]
fn render_template_new(
    size_hint: usize,
    last_size: Option<&'static AtomicUsize>,
    body: BodyRef<'_>,
) -> Markup {
    let mut buf = String::with_capacity(template_size_hint(size_hint, last_size));
    render_template(&mut buf, size_hint, last_size, body);
    Markup(buf)
}

/// A template spliced into another's writer: an `html!` closure writes through it; a
/// `Template::new` closure is lent the `String` (in framed mode, a `String` of its own, framed
/// when appended: `Writer::with_string`).
#[cfg_attr(debug_assertions, inline(never))]
#[cfg_attr(not(debug_assertions), inline(always))]
fn splice_template(
    w: &mut Writer<'_>,
    size_hint: usize,
    last_size: Option<&'static AtomicUsize>,
    body: BodyRef<'_>,
) {
    match body {
        BodyRef::Writer(f) => f.write_writer(w),
        BodyRef::String(_) => w.with_string(|buf| render_template(buf, size_hint, last_size, body)),
    }
}

/// The bytes to reserve for a template: the larger of the macro's estimate and the last
/// render's size at this call site, plus [`RUN_SLACK`].
#[inline]
fn template_size_hint(size_hint: usize, last_size: Option<&'static AtomicUsize>) -> usize {
    let last = last_size.map_or(0, |l| l.load(Ordering::Relaxed));
    size_hint.max(last) + RUN_SLACK
}

/// Room beyond the expected size. `html!` reserves each straight run of writes once, for its
/// static text plus the largest length of each number in it (`writer`, "Reserved runs"), so
/// the run that ends a render may ask for up to that much more than it writes; without this,
/// a buffer sized to the last render's exact length would be reallocated (and copied) by the
/// last run of nearly every render.
const RUN_SLACK: usize = 64;

impl<F, R, N> fmt::Debug for Template<F, R, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Template")
            .field("size_hint", &self.size_hint)
            .finish_non_exhaustive()
    }
}

/// What `html!` saw of a template's top level, as types ([`Template`]'s last two parameters).
/// Hidden: only `html!` and the element patches use them.
#[doc(hidden)]
#[allow(missing_docs)]
pub mod kind {
    /// Every top-level element has an id.
    #[derive(Clone, Copy, Debug)]
    pub struct TopIdsAll;
    /// Some top-level element has no id, or there is top-level text.
    #[derive(Clone, Copy, Debug)]
    pub struct TopIdsMissing;
    /// The top level is spliced: checked when a patch is encoded.
    #[derive(Clone, Copy, Debug)]
    pub struct TopIdsUnknown;
    /// HTML elements (or mixed): no namespace is sent.
    #[derive(Clone, Copy, Debug)]
    pub struct Html;
    /// Every top-level element is `svg`.
    #[derive(Clone, Copy, Debug)]
    pub struct Svg;
    /// Every top-level element is `math`.
    #[derive(Clone, Copy, Debug)]
    pub struct MathMl;

    /// What `html!` saw of a template's top-level ids, as the code it writes: only templates
    /// with `ROOT_IDS_ALL` (or spliced top levels, checked when sent) are `IdentifiedElements`.
    pub const ROOT_IDS_UNKNOWN: u8 = 0;
    pub const ROOT_IDS_ALL: u8 = 1;
    pub const ROOT_IDS_MISSING: u8 = 2;

    /// The namespace `html!` saw for a template's top-level elements, as the code it writes:
    /// patches of a template whose top-level elements are all `svg` or all `math` say so.
    pub const NAMESPACE_HTML: u8 = 0;
    pub const NAMESPACE_SVG: u8 = 1;
    pub const NAMESPACE_MATHML: u8 = 2;

    /// The code of a kind for the patch builder.
    pub trait Code {
        /// `ROOT_IDS_*` or `NAMESPACE_*`.
        const CODE: u8;
    }
    impl Code for TopIdsUnknown {
        const CODE: u8 = ROOT_IDS_UNKNOWN;
    }
    impl Code for TopIdsAll {
        const CODE: u8 = ROOT_IDS_ALL;
    }
    impl Code for TopIdsMissing {
        const CODE: u8 = ROOT_IDS_MISSING;
    }
    impl Code for Html {
        const CODE: u8 = NAMESPACE_HTML;
    }
    impl Code for Svg {
        const CODE: u8 = NAMESPACE_SVG;
    }
    impl Code for MathMl {
        const CODE: u8 = NAMESPACE_MATHML;
    }
}

/// What `html!` builds: a template with what the macro saw of its top level as kind types
/// (`R`: [`kind::TopIdsAll`], …; `N`: [`kind::Html`], …), its closure writing through a
/// [`Writer`], keeping the size of the last render of its call site in `last_size`. The kinds
/// are type arguments (not constant codes mapped to types): nothing for rustc to evaluate per
/// template.
#[doc(hidden)]
#[inline(always)]
pub const fn template<F: Fn(&mut Writer<'_>), R, N>(
    size_hint: usize,
    last_size: &'static AtomicUsize,
    write: F,
) -> Template<ByWriter<F>, R, N> {
    Template {
        size_hint,
        last_size: Some(last_size),
        write: ByWriter(write),
        kind: PhantomData,
    }
}

/// What `html!` builds for an attribute value written as markup (`title={ "a-" (b) }`):
/// [`template`] without the memory of the last render's size (it is rendered into the
/// attribute's own buffer, in place).
#[doc(hidden)]
#[inline(always)]
pub const fn template_untracked<F: Fn(&mut Writer<'_>)>(
    size_hint: usize,
    write: F,
) -> Template<ByWriter<F>> {
    Template {
        size_hint,
        last_size: None,
        write: ByWriter(write),
        kind: PhantomData,
    }
}

/// A value serialized as JSON, safe to splice into a `<script>` element, an attribute or text.
///
/// Inside `<script>`, `<`, `>`, `&` and the JS line separators are written as `\uXXXX` escapes, so
/// no string can close the element. A value whose `Serialize` fails (a map with non-string
/// keys, a custom impl's error) is written as `null`, logged (`WARN`) and counted
/// ([`stats::Snapshot::json_failures`](crate::stats::Snapshot::json_failures)).
///
/// ```
/// use nitro::{Json, Render};
/// let m = Json(&"</script>").render();
/// assert_eq!(m.as_str(), "\"\\u003c/script\\u003e\"");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Json<T>(pub T);

impl<T: serde::Serialize> Json<T> {
    /// Writes the JSON with script-safe escapes (no HTML escaping): the form used inside
    /// `<script>`.
    pub fn write_script_safe(&self, buf: &mut String) {
        let start = buf.len();
        if let Err(e) = serde_json::to_writer(ScriptSafeWriter(buf), &self.0) {
            buf.truncate(start);
            buf.push_str("null");
            crate::stats::json_failed(&e);
        }
    }
}

impl<T: serde::Serialize> Render for Json<T> {
    fn render_to(&self, buf: &mut String) {
        // Script-safe JSON has no `<`, `>` or `&`, so it is also valid text; attribute
        // rendering (the default) then encodes the quotes.
        self.write_script_safe(buf);
    }
}

struct ScriptSafeWriter<'a>(&'a mut String);

impl std::io::Write for ScriptSafeWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let s = std::str::from_utf8(bytes)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        for c in s.chars() {
            match c {
                '<' => self.0.push_str("\\u003c"),
                '>' => self.0.push_str("\\u003e"),
                '&' => self.0.push_str("\\u0026"),
                '\u{2028}' => self.0.push_str("\\u2028"),
                '\u{2029}' => self.0.push_str("\\u2029"),
                c => self.0.push(c),
            }
        }
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The HTML5 doctype, `<!DOCTYPE html>`.
///
/// ```
/// use nitro::{Render, DOCTYPE};
/// assert_eq!(DOCTYPE.render().as_str(), "<!DOCTYPE html>");
/// ```
pub const DOCTYPE: PreEscaped<&str> = PreEscaped("<!DOCTYPE html>");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_match_display() {
        let mut values: Vec<i128> = vec![0, 9, 10, 99, 100, 999, 1000, 9999, 10_000, 65_535];
        values.extend([
            u64::MAX as i128,
            i64::MIN as i128,
            i64::MAX as i128,
            -1,
            -10,
            -9999,
        ]);
        values.extend((0..200_000).step_by(7).map(|v| v as i128));
        for v in values {
            if let Ok(u) = u64::try_from(v) {
                assert_eq!(u.render().into_string(), u.to_string());
                assert_eq!((u as usize).render().into_string(), u.to_string());
            }
            if let Ok(i) = i64::try_from(v) {
                assert_eq!(i.render().into_string(), i.to_string());
            }
            if let Ok(i) = i8::try_from(v) {
                assert_eq!(i.render().into_string(), i.to_string());
            }
            if let Ok(u) = u16::try_from(v) {
                assert_eq!(u.render().into_string(), u.to_string());
            }
            assert_eq!(v.render().into_string(), v.to_string());
        }
        assert_eq!(i8::MIN.render().into_string(), "-128");
        assert_eq!(i64::MIN.render().into_string(), i64::MIN.to_string());
    }
}
