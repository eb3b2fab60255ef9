//! Runtime of [nitro](https://docs.rs/nitro): rendering into one buffer, escaping by context,
//! Datastar expressions built safely. Depend on the `nitro` crate, which re-exports all of this
//! together with the `html!` macro.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod bus;
mod capture;
pub mod client;
pub(crate) mod compose;
pub mod escape;
mod expr;
pub mod form;
mod guards;
mod id;
mod log;
mod render;
pub mod routes;
pub mod scope;
mod signal_check;
pub mod signals;
mod splice;
pub mod stats;
mod trusted_url;
mod writer;

#[doc(hidden)]
pub mod __private;

pub use expr::Expr;
pub use id::{DynId, ElementId, Id, IntoSelector, Selector};
pub use render::{display, DisplayValue, Json, Markup, PreEscaped, Render, Template, DOCTYPE};
pub use trusted_url::{CodeUrl, TrustedUrl};
pub mod sse;

#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;

#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod flash;

#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod testing;

#[cfg(feature = "axum")]
mod fd_limit;
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod serve;

#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod dev;
#[cfg(feature = "axum")]
pub use serve::serve;
