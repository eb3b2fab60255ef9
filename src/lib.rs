#![doc = include_str!("../README.md")]

pub use nitro_macros::html;

/// Derives [`signals::Signals`] for a serde struct with named fields: the JSON names of its
/// fields for the compile-time `$name` checks of `html!` (`@signals(Type)`), and a typed
/// partial patch (`Type::patch().field(value)`) for [`PatchSignals::new`](sse::PatchSignals::new).
///
/// **serde attributes it reads** (so that the names it checks are the names serde writes):
/// `#[serde(rename_all = "..")]` on the struct (every serde rule), and on fields
/// `#[serde(rename = "..")]` (or `rename(serialize = "..")`), `#[serde(skip)]` and
/// `#[serde(skip_serializing)]` (the field is not a signal). `#[serde(flatten)]` is refused:
/// nest the struct instead.
///
/// **`#[signals(..)]` field attributes.** Every field's type must be a known signal value type
/// (numbers, `bool`, strings, `Option`, `Vec`, maps, `serde_json::Value`, or another struct
/// deriving `Signals`, which becomes a nested object: `$form.email`). For any other type:
///
/// * `#[signals(leaf)]`: the field is one value (serialized as serde does); `$field` is
///   checked, `$field.x` is not looked into, and its patch setter takes the whole value;
/// * `#[signals(dynamic)]`: the field is an object whose keys are only known at run time (a
///   map); `$field.anything` is accepted.
///
/// ```
/// use nitro::prelude::*;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Serialize, Deserialize, Clone, PartialEq)]
/// struct Point { x: i32, y: i32 }
///
/// #[derive(Signals, Serialize, Deserialize)]
/// #[serde(rename_all = "camelCase")]
/// struct Editor {
///     file_name: String,                 // `$fileName`
///     #[signals(leaf)]
///     cursor: Point,                     // `$cursor`, one value
///     #[signals(dynamic)]
///     flags: std::collections::BTreeMap<String, bool>, // `$flags.<any key>`
///     #[serde(skip)]
///     cache: Vec<u8>,                    // not a signal
/// }
///
/// let page = html! {
///     @signals(Editor);
///     p data-text="$fileName + $flags.dirty" {}
///     p data-show="$cursor" {}
/// };
/// let patch = Editor::patch().file_name("a.rs".to_string()).cursor(Point { x: 1, y: 2 });
/// assert_eq!(
///     PatchSignals::new(&patch).encode().unwrap(),
///     "event: datastar-patch-signals\ndata: signals {\"fileName\":\"a.rs\",\"cursor\":{\"x\":1,\"y\":2}}\n\n"
/// );
/// # let _ = page;
/// ```
pub use nitro_macros::Signals;
pub use nitro_runtime::*;

/// Datastar code with Rust values spliced in, as an [`Expr`]: `expr!("@get('/contacts/{}/edit')", id)`.
///
/// The literal is code, checked at compile time (`@action(` names against the client's actions;
/// `$signal` references against the template's declared signals when spliced into `html!`).
/// Each `{}` takes the next value; `{{` and `}}` are literal braces.
///
/// **Where a value may stand is proved, not guessed.** The macro simulates what the Datastar
/// client does to the code before it runs it, lexes the result as JavaScript (strings,
/// template literals nested to any depth, regular expressions versus division, comments),
/// and accepts a placeholder only where an expression starts (`$n = {}`, `f({})`) or inside a
/// string or template text (`'/todos/{}'`). Anywhere else, or where the code can be read two
/// ways, it is a compile error that says how to fix it. A value in code is written
/// `(JSON.parse(String.fromCharCode(...)))` (its JSON's UTF-16 units as numbers), inside a
/// string as its text with every character escaped (`\xHH`, `\uHHHH`), so the value reads back
/// exactly and cannot become code.
///
/// ```
/// use nitro::prelude::*;
/// let id = 42;
/// let e = expr!("@get('/contacts/{}/edit')", id);
/// assert_eq!(e.as_str(), r"@get('/contacts/\x34\x32/edit')");
/// let name = "O'Brien";
/// let page = html! { @signals("who") button data-on:click=(expr!("$who = {}", name)) { "pick" } };
/// assert_eq!(
///     page.render().into_string(),
///     r#"<button data-on:click="$who = (JSON.parse(String.fromCharCode(34,79,39,66,114,105,101,110,34)))">pick</button>"#
/// );
/// ```
///
/// ```compile_fail
/// // A placeholder inside a regular expression literal is refused.
/// let e = nitro::expr!("$name.replace(/{}/g, '')", "x");
/// ```
///
/// **Composing.** `{code}` takes another [`Expr`] (built by `expr!`, a route's `.action(..)`
/// or [`Expr::new`]; never a string) and splices it as code, `(its code)`, where an expression
/// starts; [`Expr::then`] joins two as statements. Only an `Expr` proved *sealed* (one
/// expression that leaves nothing open) is composed; any other is written `undefined`, logged
/// and counted. See the README's "Expressions compose".
///
/// ```
/// use nitro::prelude::*;
/// routes! { SAVE = POST "/notes/{id}" }
/// let e = expr!("$dirty && {code}", SAVE.action(3));
/// assert_eq!(e.as_str(), r"$dirty && (@post('/notes/\x33'))");
/// ```
///
/// ```compile_fail
/// // Code is never a string.
/// let e = nitro::expr!("$ok && {code}", String::from("alert(1)"));
/// ```
pub use nitro_macros::expr;

/// Declares typed routes: one constant per route, registered on the axum `Router` through the
/// declaration and used in templates as Datastar actions. See [`routes`](mod@routes) for the
/// types and what the compiler checks.
///
/// `NAME = METHOD "path"`, separated by commas; `METHOD` is one of `GET`, `POST`, `PUT`,
/// `PATCH`, `DELETE`; `{param}`s are whole path segments. A visibility (`pub NAME = ..`) and
/// doc comments may come first.
///
/// ```
/// use nitro::prelude::*;
/// nitro::routes! {
///     /// Toggles a todo.
///     pub TOGGLE = POST "/todos/{id}/toggle",
/// }
/// assert_eq!(TOGGLE.action(3).as_str(), r"@post('/todos/\x33/toggle')");
/// let name = nitro::routes::Segment::new("a/b").unwrap();
/// assert_eq!(TOGGLE.path(&name), "/todos/a%2Fb/toggle");
/// ```
pub use nitro_macros::routes;

/// Typed forms: `#[derive(Form)]` (next to `Signals`) gives each field an input id, an
/// error-slot id and its signal name, derived from the field's name at compile time, and an
/// errors type (`<Name>Errors`, one `Option<String>` per field). `<Name>::FIELDS.x.input("X")`
/// renders a label, the bound input and an empty error slot; a handler answers with
/// `errors.into()`, which patches every slot (the message, or empty), so a success clears them.
///
/// ```
/// use nitro::prelude::*;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Signals, Form, Serialize, Deserialize, Default)]
/// struct Signup { name: String, email: String }
///
/// async fn signup(ReadSignals(s): ReadSignals<Signup>) -> Events {
///     let errors = SignupErrors {
///         name: s.name.is_empty().then(|| "A name is needed".into()),
///         email: (!s.email.contains('@')).then(|| "Not an email address".into()),
///     };
///     if !errors.is_empty() {
///         return errors.into();
///     }
///     Events::from(errors).with(PatchSignals::new(&Signup::default()))
/// }
/// let field = Signup::FIELDS.email.input("Email").kind("email").render().into_string();
/// assert!(field.contains(r#"id="signup-email""#) && field.contains(r#"data-bind="email""#));
/// # let _ = signup;
/// ```
pub mod form {
    /// Derives [`Form`](trait@Form) for a struct that also derives `Signals`: `<Name>Errors`
    /// (one `Option<String>` per field), `<Name>Fields` and `<Name>::FIELDS` (each field's input
    /// id `<name>-<field>`, error-slot id `<name>-<field>-error` and signal name). See the
    /// [module](self) docs.
    pub use nitro_macros::Form;
    #[doc(inline)]
    pub use nitro_runtime::form::*;
}

/// Checks an axum handler where axum's own error ("`Handler<_, _>` is not satisfied") cannot
/// say what is wrong, with a message that names the fix: the function is `async`, an argument
/// that reads the request body (`ReadSignals`, `Json`, `String`, …) is the **last** one, and it
/// returns a response, not a component (`impl Render`). The function is otherwise unchanged;
/// put it on every handler, like axum's `#[debug_handler]`.
///
/// A `std::sync::MutexGuard` held across an `.await` makes the handler's future not `Send`,
/// which axum also reports as "`Handler<_, _>` is not satisfied" (or "future cannot be sent
/// between threads safely"): no attribute can see it reliably, but clippy's
/// `await_holding_lock` (on by default) points at the guard. Take what you need in a block
/// that ends before the `.await`, or use `tokio::sync::Mutex`.
///
/// ```
/// use axum::extract::State;
/// use nitro::prelude::*;
///
/// #[derive(Signals, serde::Deserialize, serde::Serialize)]
/// struct Counter { count: i64 }
///
/// #[nitro::handler]
/// async fn increment(State(step): State<i64>, ReadSignals(c): ReadSignals<Counter>) -> Events {
///     PatchSignals::new(&Counter::patch().count(c.count + step)).into()
/// }
/// # let _ = increment;
/// ```
///
/// ```compile_fail
/// # use axum::extract::State;
/// # use nitro::prelude::*;
/// # #[derive(Signals, serde::Deserialize, serde::Serialize)] struct Counter { count: i64 }
/// // error: `ReadSignals` reads the request body, so it must be the last argument of the handler
/// #[nitro::handler]
/// async fn increment(ReadSignals(c): ReadSignals<Counter>, State(step): State<i64>) -> Events {
///     PatchSignals::new(&Counter::patch().count(c.count + step)).into()
/// }
/// ```
#[doc(alias = "must be last")]
#[doc(alias = "debug_handler")]
#[doc(alias = "MutexGuard")]
#[doc(alias = "future cannot be sent between threads safely")]
#[doc(alias = "Handler")]
pub use nitro_macros::handler;

/// Everything a handler or component usually needs: `use nitro::prelude::*;`.
///
/// ```
/// use nitro::prelude::*;
/// let page = html! { p { "hi" } };
/// assert_eq!(page.render().into_string(), "<p>hi</p>");
/// ```
pub mod prelude {
    pub use crate::form::{Form, FormErrors};
    pub use nitro_macros::{expr, html, routes, Signals};
    pub use nitro_runtime::signals::Signals;
    pub use nitro_runtime::sse::{
        Event, Events, ExecuteScript, IdentifiedElements, IntoElements, Mode, PatchElements,
        PatchSignals,
    };
    pub use nitro_runtime::{
        display, ids, DynId, Expr, Id, Json, Markup, PreEscaped, Render, Selector, DOCTYPE,
    };

    #[cfg(feature = "axum")]
    pub use nitro_runtime::axum::{ReadSignals, Sse};
    #[cfg(feature = "axum")]
    pub use nitro_runtime::routes::RouterExt;
}

#[doc(hidden)]
pub mod __private {
    pub use nitro_macros::__reserved_runs as reserved_runs;
    pub use nitro_runtime::__private::*;
}
