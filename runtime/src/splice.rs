//! How `html!` writes a `(value)` in text: through [`Render`] when the value implements it,
//! otherwise through `Display`, escaped. The choice is made at compile time by method resolution
//! on `&&Splice(&value)` (autoref specialization): [`ViaRender`] is found one reference earlier
//! than [`ViaDisplay`], so a type with both keeps its own rendering.
#![allow(missing_docs)]

use std::fmt::{self, Write as _};

use crate::escape;
use crate::writer::Writer;
use crate::Render;

/// A value spliced into text, wrapped so method resolution can pick how it is written.
pub struct Splice<'a, T: ?Sized>(pub &'a T);

/// Writes through [`Render`].
pub struct RenderTag;

/// Writes through `Display`, escaped for a text node.
pub struct DisplayTag;

/// Chosen for [`Render`] types.
pub trait ViaRender {
    #[inline]
    fn nitro_splice_tag(&self) -> RenderTag {
        RenderTag
    }
}

impl<T: Render + ?Sized> ViaRender for &Splice<'_, T> {}

/// Chosen for everything else; `DisplayTag::write` then requires `Display`.
pub trait ViaDisplay {
    #[inline]
    fn nitro_splice_tag(&self) -> DisplayTag {
        DisplayTag
    }
}

impl<T: ?Sized> ViaDisplay for Splice<'_, T> {}

impl RenderTag {
    #[inline]
    pub fn write<T: Render + ?Sized>(self, value: &T, w: &mut Writer<'_>) {
        value.render_to_writer(w, crate::render::Internal::new());
    }
}

impl DisplayTag {
    #[inline]
    pub fn write<T: Spliceable + ?Sized>(self, value: &T, w: &mut Writer<'_>) {
        w.with_string(|buf| {
            let _ = write!(escape::TextWriter(buf), "{value}");
        });
    }
}

/// What a `(value)` in `html!` text needs: `Render` or `Display`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be spliced into `html!`: it implements neither `Render` nor `Display`",
    label = "this value implements neither `Render` nor `Display`",
    note = "implement `nitro::Render` (its own HTML) or `std::fmt::Display` (written escaped) for it"
)]
pub trait Spliceable: fmt::Display {}

impl<T: fmt::Display + ?Sized> Spliceable for T {}
