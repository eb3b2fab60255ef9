//! How an `html!` template holds the locals it names without taking them: a `Copy` value is
//! copied into the template, anything else is borrowed, so the local stays usable afterwards.
//! The choice is made at compile time by method resolution on `&&Capture(|| &local)` (autoref
//! specialization): [`CaptureCopy`] is found one reference earlier than [`CaptureRef`]. The
//! template's body starts by turning each held local back into a value or a reference
//! (`nitro_get`).
//!
//! [`Flat`] undoes one level of reference for `&name` written in the template, so `&items`
//! still reads as `&Vec<_>` (iterable) when `items` is held as a reference.
#![allow(missing_docs)]

/// A local named in a template, as a closure that borrows it (`|| &local`), wrapped so method
/// resolution can pick how it is held.
///
/// The closure is what makes a forgotten `move` readable: a template that outlives a local it
/// borrows is then a closure that outlives a borrowed local, and rustc says so (E0373) with
/// its own help, "use the `move` keyword", placed where `html! { move .. }` goes (the macro
/// spans the closure at the template's first token).
pub struct Capture<F>(pub F);

/// A `Copy` local, copied into the template.
pub struct Held<T>(T);

/// Any other local: the template holds the closure that borrows it.
#[derive(Clone, Copy)]
pub struct Lazy<F>(F);

/// Chosen for `Copy` types: the template holds a copy (the closure's borrow ends here).
pub trait CaptureCopy<T> {
    fn nitro_capture(&self) -> Held<T>;
}

impl<'a, T: Copy + 'a, F: Fn() -> &'a T> CaptureCopy<T> for &Capture<F> {
    #[inline(always)]
    fn nitro_capture(&self) -> Held<T> {
        Held(*(self.0)())
    }
}

/// Chosen for everything else: the template holds the borrow.
pub trait CaptureRef<F> {
    fn nitro_capture(&self) -> Lazy<F>;
}

impl<'a, T: ?Sized + 'a, F: Fn() -> &'a T + Copy> CaptureRef<F> for Capture<F> {
    #[inline(always)]
    fn nitro_capture(&self) -> Lazy<F> {
        Lazy(self.0)
    }
}

impl<T: Copy> Held<T> {
    /// The copy, at the top of the template's body.
    #[inline(always)]
    pub fn nitro_get(&self) -> T {
        self.0
    }
}

impl<F> Lazy<F> {
    /// The reference, at the top of the template's body.
    #[inline(always)]
    pub fn nitro_get<'a, T: ?Sized + 'a>(&self) -> &'a T
    where
        F: Fn() -> &'a T,
    {
        (self.0)()
    }
}

/// `&name` in a template, for a `name` the template may hold as a reference.
pub struct Flat<'a, T: ?Sized>(pub &'a T);

/// `name` is a reference `&U`: `&name` is that reference again, not `&&U`.
pub trait FlatRef<'b, U: ?Sized> {
    fn nitro_flat(self) -> &'b U;
}

impl<'b, U: ?Sized> FlatRef<'b, U> for &Flat<'_, &'b U> {
    #[inline(always)]
    fn nitro_flat(self) -> &'b U {
        self.0
    }
}

/// Anything else: `&name` as written.
pub trait FlatId<'a, T: ?Sized> {
    fn nitro_flat(self) -> &'a T;
}

impl<'a, T: ?Sized> FlatId<'a, T> for &&Flat<'a, T> {
    #[inline(always)]
    fn nitro_flat(self) -> &'a T {
        self.0
    }
}
