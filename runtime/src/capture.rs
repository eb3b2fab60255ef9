//! How an `html!` template holds the locals it names without taking them: a `Copy` value is
//! copied into the template, anything else is borrowed, so the local stays usable afterwards.
//! The choice is made at compile time by method resolution on `Capture(&local)` (autoref
//! specialization): the inherent `Capture::nitro_capture` (bound: `Copy`) takes `self` and is
//! found before [`CaptureRef`]'s, which takes `&self`. (One reference fewer than
//! `&&Capture(..)`, and one trait fewer to import: cheaper for rustc to check and to compile in
//! every template.)
//!
//! [`Flat`] undoes one level of reference for `&name` written in the template, so `&items`
//! still reads as `&Vec<_>` (iterable) when `items` is held as a reference.
#![allow(missing_docs)]

/// `let local = Capture(&local).nitro_capture();`: how `html!` (without `move`) re-binds each
/// local it names before its closure takes them. A `macro_rules!` macro with a name that
/// reads as advice, because rustc names it when an error's span falls in it: a template that
/// outlives a local it borrows gets E0597 (or E0505, E0502) at the local, with the note "this
/// error originates in the macro `::nitro::__private::html_borrows_this_local__write_html_move_to_take_it`".
/// No proc macro can attach a note to a borrow error on stable Rust; a name can.
#[doc(hidden)]
#[macro_export]
macro_rules! html_borrows_this_local__write_html_move_to_take_it {
    ($local:ident) => {
        let $local = $crate::__private::Capture(&$local).nitro_capture();
    };
}

/// A local named in a template, wrapped so method resolution can pick how it is held.
pub struct Capture<'a, T: ?Sized>(pub &'a T);

/// Chosen for `Copy` types: the template holds a copy. An inherent method (so no trait to
/// import) taking `self`, so method resolution finds it on `Capture(&local)` itself, before
/// [`CaptureRef`]'s `&self` method; for other types its bound does not hold and resolution
/// goes on to [`CaptureRef`].
impl<T: Copy> Capture<'_, T> {
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn nitro_capture(self) -> T {
        *self.0
    }
}

/// Chosen for everything else: the template holds a reference.
pub trait CaptureRef<'a, T: ?Sized> {
    fn nitro_capture(&self) -> &'a T;
}

impl<'a, T: ?Sized> CaptureRef<'a, T> for Capture<'a, T> {
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn nitro_capture(&self) -> &'a T {
        self.0
    }
}

/// `&name` in a template, for a `name` the template may hold as a reference.
pub struct Flat<'a, T: ?Sized>(pub &'a T);

/// `name` is a reference `&U`: `&name` is that reference again, not `&&U`.
pub trait FlatRef<'b, U: ?Sized> {
    fn nitro_flat(self) -> &'b U;
}

impl<'b, U: ?Sized> FlatRef<'b, U> for &Flat<'_, &'b U> {
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn nitro_flat(self) -> &'b U {
        self.0
    }
}

/// Anything else: `&name` as written.
pub trait FlatId<'a, T: ?Sized> {
    fn nitro_flat(self) -> &'a T;
}

impl<'a, T: ?Sized> FlatId<'a, T> for &&Flat<'a, T> {
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn nitro_flat(self) -> &'a T {
        self.0
    }
}
