//! Typed routes: declared once with `nitro::routes!`, registered on the axum `Router` through
//! the declaration, and used in templates as Datastar actions.
//!
//! ```
//! use axum::Router;
//! use nitro::prelude::*;
//! use nitro::routes::{delete, get, RouterExt};
//!
//! nitro::routes! {
//!     SEARCH = GET "/search",
//!     TODO = DELETE "/todos/{id}",
//! }
//!
//! async fn search() -> Sse { Sse::once() }
//! async fn remove(axum::extract::Path(id): axum::extract::Path<u64>) -> Sse { Sse::once() }
//!
//! let app: Router = Router::new()
//!     .route_to(SEARCH, get(search))
//!     .route_to(TODO, delete(remove));
//!
//! let page = html! {
//!     input data-on:input__debounce.300ms=(SEARCH.action());
//!     button data-on:click=(TODO.action(7)) { "×" }
//! };
//! assert_eq!(
//!     page.render().into_string(),
//!     r#"<input data-on:input__debounce.300ms="@get(&#x27;/search&#x27;)"><button data-on:click="@delete(&#x27;/todos/&#x27; + &quot;7&quot;)">×</button>"#
//! );
//! assert_eq!(TODO.path(7), "/todos/7");
//! ```
//!
//! **What the compiler checks.** Each declaration is a type of its own that knows its method:
//! `RouterExt::route_to` takes only a handler built by the function of that method
//! (`get`, `post`, …), so registering `TODO` with `get(..)` does not compile. `.action(..)`
//! and `.path(..)` take exactly one argument per `{param}` of the path. The path parameters are
//! percent-encoded as one path segment each ([`segment`]), so a value cannot add `/`, `?` or
//! `#` to the URL, and then written as a JSON literal ([`crate::escape::expression_json`]), so
//! it cannot become code.
//!
//! **Literal actions** (`data-on:click="@get('/serch')"`) are not checked against the declared
//! routes: a procedural macro sees only its own input, not the `routes!` of the crate. Use
//! `ROUTE.action(..)` wherever a declared route is called, and the compiler checks it.

use std::fmt::Write;

mod sealed {
    pub trait Sealed {}
}

/// An HTTP method of a declared route, as a type: [`Get`], [`Post`], [`Put`], [`Patch`],
/// [`Delete`].
///
/// ```
/// use nitro::routes::{Method, Delete};
/// assert_eq!(Delete::ACTION, "delete");
/// ```
pub trait Method: sealed::Sealed {
    /// The Datastar action of the method (`@get`, `@post`, …), without the `@`.
    const ACTION: &'static str;
}

macro_rules! methods {
    ($($ty:ident $action:literal $upper:literal $fn:ident $axum:ident),*) => {$(
        #[doc = concat!("The `", $action, "` method, as a type (see [`Method`]).")]
        ///
        /// ```
        #[doc = concat!("use nitro::routes::{Method, ", stringify!($ty), "};")]
        #[doc = concat!("assert_eq!(", stringify!($ty), "::ACTION, \"", $action, "\");")]
        /// ```
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct $ty;
        impl sealed::Sealed for $ty {}
        impl Method for $ty {
            const ACTION: &'static str = $action;
        }

        #[doc = concat!("A `", $action, "` handler for [`RouterExt::route_to`] (axum's [`axum::routing::", stringify!($axum), "`]).")]
        ///
        /// ```
        /// use axum::Router;
        /// use nitro::routes::RouterExt;
        #[doc = concat!("nitro::routes! { R = ", $upper, " \"/r\" }")]
        #[doc = concat!("let app: Router = Router::new().route_to(R, nitro::routes::", stringify!($fn), "(|| async { \"ok\" }));")]
        /// ```
        #[cfg(feature = "axum")]
        #[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
        pub fn $fn<H, T, S>(handler: H) -> Handler<$ty, S>
        where
            H: ::axum::handler::Handler<T, S>,
            T: 'static,
            S: Clone + Send + Sync + 'static,
        {
            Handler {
                inner: ::axum::routing::$axum(handler),
                method: std::marker::PhantomData,
            }
        }
    )*};
}

methods! {
    Get "get" "GET" get get,
    Post "post" "POST" post post,
    Put "put" "PUT" put put,
    Patch "patch" "PATCH" patch patch,
    Delete "delete" "DELETE" delete delete
}

/// A route declared with `nitro::routes!`: its method and its axum path. Implemented by the
/// types `routes!` generates; use the declared constants.
///
/// ```
/// use nitro::routes::Route;
/// nitro::routes! { TODO = DELETE "/todos/{id}" }
/// fn path_of<R: Route>(_: R) -> &'static str { R::PATH }
/// assert_eq!(path_of(TODO), "/todos/{id}");
/// ```
pub trait Route: Copy {
    /// The route's method.
    type Method: Method;
    /// The path pattern, as axum reads it (`/todos/{id}`).
    const PATH: &'static str;
}

/// A handler for one method, built by [`get`], [`post`], [`put`], [`patch`] or [`delete`].
///
/// ```
/// use nitro::routes::{get, Get, Handler};
/// let h: Handler<Get, ()> = get(|| async { "hi" });
/// ```
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
#[must_use = "register it with `Router::route_to`"]
pub struct Handler<M, S = ()> {
    inner: ::axum::routing::MethodRouter<S>,
    method: std::marker::PhantomData<M>,
}

#[cfg(feature = "axum")]
impl<M, S> std::fmt::Debug for Handler<M, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handler").finish_non_exhaustive()
    }
}

/// Registers declared routes on an axum `Router`: `router.route_to(TODO, delete(handler))`.
///
/// ```
/// use axum::Router;
/// use nitro::routes::{post, RouterExt};
/// nitro::routes! { ADD = POST "/todos" }
/// let app: Router = Router::new().route_to(ADD, post(|| async { "added" }));
/// ```
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub trait RouterExt<S>: sealed::Sealed {
    /// Adds `route`, answered by `handler`, which must have been built for the route's
    /// method. Like `Router::route`, it panics if the path was already added.
    fn route_to<R: Route>(self, route: R, handler: Handler<R::Method, S>) -> Self;
}

#[cfg(feature = "axum")]
impl<S> sealed::Sealed for ::axum::Router<S> {}

#[cfg(feature = "axum")]
impl<S: Clone + Send + Sync + 'static> RouterExt<S> for ::axum::Router<S> {
    fn route_to<R: Route>(self, _route: R, handler: Handler<R::Method, S>) -> Self {
        self.route(R::PATH, handler.inner)
    }
}

/// A value as one percent-encoded URL path segment: every byte but the unreserved characters
/// (`A-Z a-z 0-9 - . _ ~`) is written `%XX`, so `/`, `?`, `#`, quotes and spaces are encoded.
///
/// A value that is exactly `.` or `..` cannot be a path segment: browsers and URL parsers
/// resolve it (also when percent-encoded) before the request is sent, so such a value reaches
/// another path. Keep such values out of path parameters (or send them as signals).
///
/// ```
/// assert_eq!(nitro::routes::segment("a b/c?d"), "a%20b%2Fc%3Fd");
/// assert_eq!(nitro::routes::segment(42), "42");
/// ```
pub fn segment(value: impl std::fmt::Display) -> String {
    let text = value.to_string();
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}
