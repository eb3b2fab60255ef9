#![doc = include_str!("../README.md")]

pub use nitro_macros::{html, Signals};
pub use nitro_runtime::*;

/// Datastar code with Rust values spliced in, as an [`Expr`]: `expr!("@get('/contacts/{}/edit')", id)`.
///
/// The literal is code, checked at compile time (`@action(` names against the client's actions;
/// `$signal` references against the template's declared signals when spliced into `html!`).
/// Each `{}` takes the next value, encoded as a JSON literal that the Datastar client reads
/// back exactly ([`escape::expression_json`]); inside a quoted JavaScript string the string is
/// closed around it (`'/contacts/' + 42 + '/edit'`). `{{` and `}}` are literal braces.
///
/// ```
/// use nitro::prelude::*;
/// let id = 42;
/// let e = expr!("@get('/contacts/{}/edit')", id);
/// assert_eq!(e.as_str(), "@get('/contacts/' + 42 + '/edit')");
/// let name = "O'Brien";
/// let page = html! { @signals("who") button data-on:click=(expr!("$who = {}", name)) { "pick" } };
/// assert_eq!(
///     page.render().into_string(),
///     r#"<button data-on:click="$who = &quot;O\u0027Brien&quot;">pick</button>"#
/// );
/// ```
pub use nitro_macros::expr;

/// Everything a handler or component usually needs: `use nitro::prelude::*;`.
///
/// ```
/// use nitro::prelude::*;
/// let page = html! { p { "hi" } };
/// assert_eq!(page.render().into_string(), "<p>hi</p>");
/// ```
pub mod prelude {
    pub use nitro_macros::{expr, html, Signals};
    pub use nitro_runtime::signals::Signals;
    pub use nitro_runtime::sse::{
        emit_elements, emit_signals, execute_script, redirect, remove_elements, remove_signals,
        Event, IdentifiedElements, IntoElements, Mode,
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
