//! How `html!` writes a `(value)` in text: through [`Render`] when the value implements it,
//! otherwise through `Display`, escaped. The choice is made at compile time by method resolution
//! on `Splice(&value)` (autoref specialization): the inherent `Splice::nitro_tag` (bound:
//! `Render`) takes `self` and is found before [`SpliceDisplay`]'s `&self` method, so a type
//! with both keeps its own rendering.
//!
//! In a straight run of writes (a loop body like `td { (n) }`, optimized builds only), `html!`
//! needs a third choice first, so it writes `&&&Splice(&value)` and resolves
//! `nitro_splice_tag` among [`ViaBounded`], [`ViaRender`] and [`ViaDisplay`], one reference
//! apart: a value whose type has a largest rendered length ([`Bounded`]: the integers) tells
//! the macro's code how much to reserve for the run once ([`BoundedTag::max`]) and then writes
//! without a capacity check of its own (`Writer::push_u64_reserved`). Every other value writes
//! as above, with its checks, between the run's reserved writes ([`RenderTag::write_in_run`]).
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

/// Writes a value of a `Bounded` type from a run's reservation.
pub struct BoundedTag(usize);

/// A type whose rendering (as text or as an attribute value: the same bytes) is never longer
/// than `Bounded::MAX_LEN` bytes and never has a line break or a byte to escape. Sealed:
/// implemented by nitro for the integers (and references to them) only.
pub trait Bounded: sealed::Sealed {
    /// The largest number of bytes a value writes (20 for `u64`: `18446744073709551615`).
    const MAX_LEN: usize;
    /// Writes the value from the writer's reservation, charging it `MAX_LEN`.
    fn write_reserved(&self, w: &mut Writer<'_>);
}

mod sealed {
    pub trait Sealed {}
}

macro_rules! bounded {
    ($method:ident: $($ty:ty => $max:expr),*) => {$(
        impl sealed::Sealed for $ty {}
        impl Bounded for $ty {
            const MAX_LEN: usize = $max;
            #[inline]
            fn write_reserved(&self, w: &mut Writer<'_>) {
                w.$method(*self as _, $max);
            }
        }
    )*};
}

bounded!(push_u64_reserved: u8 => 3, u16 => 5, u32 => 10, u64 => 20, usize => 20);
bounded!(push_i64_reserved: i8 => 4, i16 => 6, i32 => 11, i64 => 20, isize => 20);

impl<T: Bounded + ?Sized> sealed::Sealed for &T {}
impl<T: Bounded + ?Sized> Bounded for &T {
    const MAX_LEN: usize = T::MAX_LEN;
    #[inline]
    fn write_reserved(&self, w: &mut Writer<'_>) {
        T::write_reserved(self, w)
    }
}

/// Chosen for `Bounded` types, in a run.
pub trait ViaBounded {
    fn nitro_splice_tag(&self) -> BoundedTag;
}

impl<T: Bounded + ?Sized> ViaBounded for &&Splice<'_, T> {
    #[inline]
    fn nitro_splice_tag(&self) -> BoundedTag {
        BoundedTag(T::MAX_LEN)
    }
}

impl BoundedTag {
    /// The bytes the run reserves for the value.
    #[inline]
    pub fn max(&self) -> usize {
        self.0
    }

    #[inline]
    pub fn write_in_run<T: Bounded + ?Sized>(self, value: &T, w: &mut Writer<'_>) {
        value.write_reserved(w);
    }
}

/// In a reserved run: chosen for [`Render`] types.
pub trait ViaRender {
    #[inline]
    fn nitro_splice_tag(&self) -> RenderTag {
        RenderTag
    }
}

impl<T: Render + ?Sized> ViaRender for &Splice<'_, T> {}

/// In a reserved run: chosen for everything else; `DisplayTag::write` then requires `Display`.
pub trait ViaDisplay {
    #[inline]
    fn nitro_splice_tag(&self) -> DisplayTag {
        DisplayTag
    }
}

impl<T: ?Sized> ViaDisplay for Splice<'_, T> {}

/// A `(value)` written on its own (not in a reserved run): `Splice(&value).nitro_tag()` finds
/// this inherent method (bound: `Render`; no trait to import) taking `self` before
/// [`SpliceDisplay`]'s `&self` method, one reference fewer than `&&Splice(..)`, which is
/// cheaper for rustc in every template. For a type that is not `Render` the bound does not hold
/// and resolution goes on to [`SpliceDisplay`]. Its own method name, so the reserved runs'
/// traits can be in scope at once.
impl<T: Render + ?Sized> Splice<'_, T> {
    #[inline]
    pub fn nitro_tag(self) -> RenderTag {
        RenderTag
    }
}

/// Everything that is not `Render` (see `Splice::nitro_tag`), written through `Display`
/// (escaped).
pub trait SpliceDisplay {
    fn nitro_tag(&self) -> DisplayTag;
}

impl<T: ?Sized> SpliceDisplay for Splice<'_, T> {
    #[inline]
    fn nitro_tag(&self) -> DisplayTag {
        DisplayTag
    }
}

impl RenderTag {
    #[inline]
    pub fn write<T: Render + ?Sized>(self, value: &T, w: &mut Writer<'_>) {
        value.render_to_writer(w, crate::render::Internal::new());
    }

    /// Nothing known: the run reserves nothing for it.
    #[inline]
    pub fn max(&self) -> usize {
        0
    }

    /// Writes with checks, then reserves again what the rest of the run needs.
    #[inline]
    pub fn write_in_run<T: Render + ?Sized>(self, value: &T, w: &mut Writer<'_>) {
        w.unreserved(|w| self.write(value, w));
    }
}

impl DisplayTag {
    #[inline]
    pub fn write<T: Spliceable + ?Sized>(self, value: &T, w: &mut Writer<'_>) {
        w.with_string(|buf| {
            let _ = write!(escape::TextWriter(buf), "{value}");
        });
    }

    /// Nothing known: the run reserves nothing for it.
    #[inline]
    pub fn max(&self) -> usize {
        0
    }

    /// Writes with checks, then reserves again what the rest of the run needs.
    #[inline]
    pub fn write_in_run<T: Spliceable + ?Sized>(self, value: &T, w: &mut Writer<'_>) {
        w.unreserved(|w| self.write(value, w));
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
