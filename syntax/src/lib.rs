//! The grammar of [nitro](https://docs.rs/nitro)'s `html!` macro as a library. Internal: depend
//! on the `nitro` crate.
//!
//! - [`tables`] and [`datastar`]: what the macro (at compile time) and the runtime (for values
//!   it checks at render time) must agree on: the URL attributes, the code-loading attributes,
//!   the event-handler rule, the Datastar plugins. One copy, no dependencies.
//! - With the default `parser` feature: [`parse`] (tokens -> [`ast`]), with its errors collected
//!   in [`diag::Diagnostics`]. The `html!` proc macro and the `nitro-fmt` formatter use it.

pub mod datastar;
pub mod suggest;
pub mod tables;

#[cfg(feature = "parser")]
pub mod ast;
#[cfg(feature = "parser")]
pub mod diag;
#[cfg(feature = "parser")]
pub mod parse;
