//! Where an element patch may go without a selector: [`IntoElements`] (what a patch can carry)
//! and [`IdentifiedElements`] (what can be patched by its own ids, checked at compile time for
//! `html!` templates), with the top-level facts `html!` saw in a sealed supertrait.

use crate::render::kind::{Code, TopIdsAll, TopIdsUnknown};
use crate::Render;

pub(super) mod sealed {
    /// What `html!` saw of a template's top level: the facts the element patches read at
    /// compile time. Only nitro's types implement it.
    pub trait Sealed {
        /// `render::kind::ROOT_IDS_*`.
        const ROOT_IDS: u8 = crate::render::kind::ROOT_IDS_UNKNOWN;
        /// `render::kind::NAMESPACE_*`.
        const NAMESPACE: u8 = crate::render::kind::NAMESPACE_HTML;

        /// Renders into a patch's buffer; `true` when only code `html!` generated ran (a
        /// template's own closure, whose writer is the first to write and the last to touch
        /// `out`), so nothing but that writer had `out` unless it lent it. Everything else
        /// (text, [`Markup`](crate::Markup), a `Template::new` closure) returns `false`.
        fn render_into_patch(&self, out: &mut String) -> bool
        where
            Self: crate::Render,
        {
            self.render_to(out);
            false
        }
    }
}

/// What [`PatchElements::at`](super::PatchElements::at) accepts: `html!` templates, [`Markup`](crate::Markup),
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

/// Elements patched by their own ids, what [`PatchElements::new`](super::PatchElements::new) accepts: an `html!`
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

impl<W: crate::render::Body, R: Code, N: Code> sealed::Sealed for crate::Template<W, R, N> {
    const ROOT_IDS: u8 = R::CODE;
    const NAMESPACE: u8 = N::CODE;

    #[inline]
    fn render_into_patch(&self, out: &mut String) -> bool {
        self.render_to(out);
        self.made_by_html()
    }
}
impl<W: crate::render::Body, R: Code, N: Code> IntoElements for crate::Template<W, R, N> {}
impl<W: crate::render::Body, N: Code> IdentifiedElements for crate::Template<W, TopIdsAll, N> {}
impl<W: crate::render::Body, N: Code> IdentifiedElements for crate::Template<W, TopIdsUnknown, N> {}

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

            #[inline]
            fn render_into_patch(&self, out: &mut String) -> bool {
                T::render_into_patch(self, out)
            }
        }
        impl<T: IntoElements + ?Sized> IntoElements for $ty {}
        impl<T: IdentifiedElements + ?Sized> IdentifiedElements for $ty {}
    )*};
}

elements_pointer!(&T, &mut T, Box<T>, std::rc::Rc<T>, std::sync::Arc<T>);
