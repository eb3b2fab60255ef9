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
//! async fn search() -> Events { Events::new() }
//! async fn remove(axum::extract::Path(id): axum::extract::Path<u64>) -> Events { Events::new() }
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
//!     r#"<input data-on:input__debounce.300ms="@get(&#x27;/search&#x27;)"><button data-on:click="@delete(&#x27;/todos/\x37&#x27;)">×</button>"#
//! );
//! assert_eq!(TODO.path(7), "/todos/7");
//! ```
//!
//! **What the compiler checks.** Each declaration is a type of its own that knows its method:
//! `RouterExt::route_to` takes only a handler built by the function of that method
//! (`get`, `post`, …), so registering `TODO` with `get(..)` does not compile. `.action(..)`
//! and `.path(..)` take exactly one argument per `{param}` of the path, each an integer or a
//! checked [`Segment`] ([`PathParam`]): never `.`, `..` or empty, which the browser would
//! resolve to another route. Each is percent-encoded as one path segment, so a value cannot add
//! `/`, `?` or `#` to the URL, and the action is built by `expr!`'s proven pipeline, so it
//! cannot become code.
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
        pub fn $fn<H, T, S>(handler: H) -> RouteHandler<$ty, S>
        where
            H: ::axum::handler::Handler<T, S>,
            T: 'static,
            S: Clone + Send + Sync + 'static,
        {
            RouteHandler {
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
/// use nitro::routes::{get, Get, RouteHandler};
/// let h: RouteHandler<Get, ()> = get(|| async { "hi" });
/// ```
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
#[must_use = "register it with `Router::route_to`"]
pub struct RouteHandler<M, S = ()> {
    inner: ::axum::routing::MethodRouter<S>,
    method: std::marker::PhantomData<M>,
}

#[cfg(feature = "axum")]
impl<M, S> std::fmt::Debug for RouteHandler<M, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouteHandler").finish_non_exhaustive()
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
    fn route_to<R: Route>(self, route: R, handler: RouteHandler<R::Method, S>) -> Self;
}

#[cfg(feature = "axum")]
impl<S> sealed::Sealed for ::axum::Router<S> {}

#[cfg(feature = "axum")]
impl<S: Clone + Send + Sync + 'static> RouterExt<S> for ::axum::Router<S> {
    fn route_to<R: Route>(self, _route: R, handler: RouteHandler<R::Method, S>) -> Self {
        self.route(R::PATH, handler.inner)
    }
}

/// Text checked to be one path segment of a declared route: not empty, and not `.` or `..`.
///
/// A browser (and every URL parser) resolves the segments `.` and `..` before the request is
/// sent, whatever their spelling (`%2e`, `.%2E`, …), so `/users/../delete` is `/delete`; an
/// empty segment reaches another route too (`/rooms/` for `/rooms/{room}`). Route
/// parameters ([`PathParam`]) are therefore integers, which can be none of these, or a
/// `Segment`, which refuses them when it is made: the action or path is then never built. In
/// a path, the text is percent-encoded ([`Segment::encoded`]), so `/`, `?`, `#` and `%` cannot
/// change the URL either.
///
/// It deserializes with the same check, so a handler can take `Path<Segment>`: a request for
/// `/rooms/..` (sent by something that is not a browser) is answered `400 Bad Request`.
///
/// ```
/// use nitro::routes::Segment;
/// nitro::routes! { ROOM = GET "/rooms/{room}" }
/// let room = Segment::new("a/b c").unwrap();
/// assert_eq!(ROOM.path(&room), "/rooms/a%2Fb%20c");
/// assert!(Segment::new("..").is_err());
/// assert!(Segment::new(".").is_err());
/// assert!(Segment::new("").is_err());
/// assert_eq!(Segment::new("..").unwrap_err().to_string(),
///            "`..` cannot be a path segment: the browser would resolve it and send the request to another route");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Segment(String);

/// Why text cannot be a [`Segment`]: it is empty, `.` or `..`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidSegment(String);

impl std::fmt::Display for InvalidSegment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_empty() {
            f.write_str("an empty path segment would send the request to another route")
        } else {
            write!(
                f,
                "`{}` cannot be a path segment: the browser would resolve it and send the request to another route",
                self.0
            )
        }
    }
}

impl std::error::Error for InvalidSegment {}

impl Segment {
    /// Checks `text`: an error for `""`, `"."` and `".."`.
    pub fn new(text: impl Into<String>) -> Result<Segment, InvalidSegment> {
        let text = text.into();
        if matches!(text.as_str(), "" | "." | "..") {
            return Err(InvalidSegment(text));
        }
        Ok(Segment(text))
    }

    /// The text.
    ///
    /// ```
    /// assert_eq!(nitro::routes::Segment::new("a b").unwrap().as_str(), "a b");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text percent-encoded as one path segment: every byte but the unreserved characters
    /// (`A-Z a-z 0-9 - . _ ~`) as `%XX`.
    ///
    /// ```
    /// assert_eq!(nitro::routes::Segment::new("a b/c?d%").unwrap().encoded(), "a%20b%2Fc%3Fd%25");
    /// ```
    pub fn encoded(&self) -> String {
        let mut out = String::with_capacity(self.0.len());
        for b in self.0.bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                out.push(b as char);
            } else {
                let _ = write!(out, "%{b:02X}");
            }
        }
        out
    }
}

impl std::fmt::Display for Segment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::ops::Deref for Segment {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl serde::Serialize for Segment {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Segment {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Segment::new(text).map_err(serde::de::Error::custom)
    }
}

/// A value that fills a `{param}` of a declared route (`ROUTE.action(..)`, `ROUTE.path(..)`):
/// an integer, or a [`Segment`] (text checked not to be `.`, `..` or empty).
///
/// Text is not accepted as it is: `ROUTE.path(name)` with a `String` does not compile, and
/// `Segment::new(name)?` is where a `..` is refused. Implement it for a type of your own whose
/// text can never be one of these (an id, a UUID) by returning its `Segment`.
///
/// ```
/// use nitro::routes::{PathParam, Segment};
/// struct Uuid(u128);
/// impl PathParam for Uuid {
///     fn to_segment(&self) -> Segment {
///         Segment::new(format!("{:032x}", self.0)).expect("hex digits are never `.` or `..`")
///     }
/// }
/// nitro::routes! { ITEM = GET "/items/{id}" }
/// assert_eq!(ITEM.path(Uuid(255)), "/items/000000000000000000000000000000ff");
/// assert_eq!(ITEM.path(7), "/items/7");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot fill a route's path parameter",
    label = "text could be `.`, `..` or empty, which sends the request to another route",
    note = "check it first and pass the result: `Segment::new(text)?` (`nitro::routes::Segment`) refuses `.`, `..` and empty text; integers are accepted as they are"
)]
pub trait PathParam {
    /// The value as a checked segment.
    fn to_segment(&self) -> Segment;
}

impl PathParam for Segment {
    fn to_segment(&self) -> Segment {
        self.clone()
    }
}

impl<T: PathParam + ?Sized> PathParam for &T {
    fn to_segment(&self) -> Segment {
        T::to_segment(self)
    }
}

macro_rules! integer_params {
    ($($t:ty)*) => {$(
        impl PathParam for $t {
            fn to_segment(&self) -> Segment {
                // Digits and `-`: never empty, `.` or `..`.
                Segment(self.to_string())
            }
        }
    )*};
}

integer_params!(u8 u16 u32 u64 u128 usize i8 i16 i32 i64 i128 isize);
