#![doc = include_str!("../README.md")]

pub use nitro_macros::{html, Signals};
pub use nitro_runtime::*;

/// Everything a handler or component usually needs: `use nitro::prelude::*;`.
///
/// ```
/// use nitro::prelude::*;
/// let page = html! { p { "hi" } };
/// assert_eq!(page.render().into_string(), "<p>hi</p>");
/// ```
pub mod prelude {
    pub use nitro_macros::{html, Signals};
    pub use nitro_runtime::signals::Signals;
    pub use nitro_runtime::sse::{
        emit_elements, emit_signals, execute_script, redirect, remove_elements, remove_signals,
        Event, Mode,
    };
    pub use nitro_runtime::{
        display, ids, DynId, Expr, Id, Json, Markup, PreEscaped, Render, Selector, DOCTYPE,
    };

    #[cfg(feature = "axum")]
    pub use nitro_runtime::axum::{ReadSignals, Sse, SseStream};
}

#[doc(hidden)]
pub mod __private {
    pub use nitro_runtime::__private::*;
}
