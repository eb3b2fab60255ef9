//! Element ids declared once ([`ids!`](crate::ids)) and used both in templates (`#(COUNTER)`) and
//! as patch targets (`PatchElements::at(COUNTER, ..)`), so a typo is a compile error on either side.

use std::borrow::Cow;
use std::fmt;

use crate::{escape, Render};

/// A declared element id. Create them with [`ids!`](crate::ids).
///
/// ```
/// nitro::ids! { COUNTER = "counter" }
/// assert_eq!(COUNTER.as_str(), "counter");
/// assert_eq!(COUNTER.with(7).as_str(), "counter-7");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Id(&'static str);

impl Id {
    /// Declares an id. It must be non-empty and made of ASCII letters, digits, `-` and `_`
    /// (so it is also a valid CSS `#selector`); anything else fails at compile time when used
    /// in a `const`, as [`ids!`](crate::ids) does.
    pub const fn new(id: &'static str) -> Id {
        let b = id.as_bytes();
        if b.is_empty() {
            panic!("an element id cannot be empty");
        }
        if !b[0].is_ascii_alphabetic() {
            panic!("an element id must start with an ASCII letter");
        }
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if !(c.is_ascii_alphanumeric() || c == b'-' || c == b'_') {
                panic!("an element id may only contain ASCII letters, digits, `-` and `_`");
            }
            i += 1;
        }
        Id(id)
    }

    /// The id's text.
    pub const fn as_str(self) -> &'static str {
        self.0
    }

    /// A run-time id made of this one, `-` and a suffix: `TODO.with(3)` is `todo-3`.
    pub fn with(self, suffix: impl fmt::Display) -> DynId {
        DynId(format!("{}-{suffix}", self.0))
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// An id built at run time, explicitly: from a declared [`Id`] with [`Id::with`], or from any
/// string with [`DynId::new`].
///
/// ```
/// let id = nitro::DynId::new(format!("row-{}", 4));
/// assert_eq!(id.as_str(), "row-4");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DynId(String);

impl DynId {
    /// An explicitly unchecked id.
    pub fn new(id: impl Into<String>) -> DynId {
        DynId(id.into())
    }

    /// The id's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Render for Id {
    fn render_to(&self, buf: &mut String) {
        escape::text(self.0, buf);
    }
    fn render_attr_to(&self, buf: &mut String, _: crate::render::Internal) {
        escape::attribute(self.0, buf);
    }
}

impl Render for DynId {
    fn render_to(&self, buf: &mut String) {
        escape::text(&self.0, buf);
    }
    fn render_attr_to(&self, buf: &mut String, _: crate::render::Internal) {
        escape::attribute(&self.0, buf);
    }
}

/// A value that can be an element's id in a template: `#(ID)`, `id=(..)` (any case, quoted
/// or not) and `data-attr:id=(..)` accept only these, so every id a template writes is one the
/// program declared or built explicitly.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be used as an element id",
    label = "ids in templates must be declared",
    note = "declare it with `ids! {{ NAME = \"name\" }}` and write `#(NAME)` or `id=(NAME)`; for an id built at run time, write `#(NAME.with(n))` / `id=(NAME.with(n))`, or `DynId::new(format!(..))`, which says the id is unchecked"
)]
pub trait ElementId: Render {}

impl ElementId for Id {}
impl ElementId for DynId {}
impl<T: ElementId + ?Sized> ElementId for &T {}

/// A CSS selector naming a patch target: from a declared [`Id`] (`#id`), or any CSS text,
/// explicitly, with [`Selector::css`].
///
/// ```
/// use nitro::{ids, Selector};
/// ids! { LIST = "list" }
/// use nitro::IntoSelector;
/// assert_eq!(LIST.into_selector().as_str(), "#list");
/// assert_eq!(Selector::css("ul > li").as_str(), "ul > li");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Selector(Cow<'static, str>);

impl Selector {
    /// Any CSS selector, unchecked.
    pub fn css(selector: impl Into<Cow<'static, str>>) -> Selector {
        Selector(selector.into())
    }

    /// The selector's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a patch target can be made from: a declared [`Id`], a [`DynId`], or a [`Selector`].
/// A plain string is not accepted, so a typo in an id cannot slip through: write
/// `Selector::css("...")` for CSS text.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a patch target",
    label = "expected a declared id or a `Selector`",
    note = "use an id declared with `ids!` (`PatchElements::at(COUNTER, ..)`), or write CSS explicitly: `Selector::css(\"#x > li\")`"
)]
pub trait IntoSelector {
    /// The selector.
    fn into_selector(self) -> Selector;
}

impl IntoSelector for Selector {
    fn into_selector(self) -> Selector {
        self
    }
}

impl IntoSelector for Id {
    fn into_selector(self) -> Selector {
        Selector(Cow::Owned(format!("#{}", self.0)))
    }
}

impl IntoSelector for &Id {
    fn into_selector(self) -> Selector {
        (*self).into_selector()
    }
}

impl IntoSelector for &DynId {
    fn into_selector(self) -> Selector {
        Selector(Cow::Owned(css_id_selector(&self.0)))
    }
}

impl IntoSelector for DynId {
    fn into_selector(self) -> Selector {
        (&self).into_selector()
    }
}

/// `#` + the id, with CSS escapes for anything but letters, digits, `-` and `_`.
fn css_id_selector(id: &str) -> String {
    let mut out = String::with_capacity(id.len() + 1);
    out.push('#');
    for (i, c) in id.chars().enumerate() {
        let plain = c.is_ascii_alphabetic()
            || c == '-'
            || c == '_'
            || !c.is_ascii()
            || (i > 0 && c.is_ascii_digit());
        if plain {
            out.push(c);
        } else {
            out.push_str(&format!("\\{:x} ", c as u32));
        }
    }
    out
}

/// Declares element ids as constants of type [`Id`]: `ids! { COUNTER = "counter", pub LIST = "list" }`.
/// An invalid id is a compile error.
///
/// ```
/// nitro::ids! { pub COUNTER = "counter", HISTORY = "history" }
/// assert_eq!(HISTORY.as_str(), "history");
/// ```
#[macro_export]
macro_rules! ids {
    ($($(#[$meta:meta])* $vis:vis $name:ident = $value:literal),* $(,)?) => {
        $( $(#[$meta])* $vis const $name: $crate::Id = { const ID: $crate::Id = $crate::Id::new($value); ID }; )*
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dynamic_ids_become_escaped_selectors() {
        assert_eq!(DynId::new("a-1").into_selector().as_str(), "#a-1");
        assert_eq!(DynId::new("1a").into_selector().as_str(), "#\\31 a");
        assert_eq!(DynId::new("a b").into_selector().as_str(), "#a\\20 b");
    }
}
