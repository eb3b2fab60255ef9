//! [`TrustedUrl`]: a URL the program decided to load code from. Attributes that load or
//! redirect code (`script src`, `base href`, `link href`, `object data`, `embed src`, an
//! [`ExecuteScript`](crate::sse::ExecuteScript)'s `src`) accept nothing else.

use std::borrow::Cow;
use std::fmt;

use crate::Render;

/// A URL whose code the page may load, chosen by the program: from a `&'static str` written in
/// it ([`TrustedUrl::new`]), or from configuration it reads at start-up
/// ([`TrustedUrl::from_config`]). Never from a request.
///
/// `html!` accepts only this type in attributes that load or redirect code, whatever their
/// spelling (`SRC`, `"src"`): `script src`, `href`/`xlink:href` of `script` (SVG), `base href`,
/// `link href`, `object data`/`codebase`/`archive`/`classid`, `embed src`, and the
/// code-loading attributes of `applet`; anything else there is a compile error. A value from a
/// user could load the attacker's script (`https://evil.example/x.js`, or any same-site path
/// the attacker controls), which no escaping or scheme check prevents.
///
/// ```
/// use nitro::prelude::*;
/// use nitro::TrustedUrl;
///
/// const WIDGET: TrustedUrl = TrustedUrl::new("https://cdn.example.com/widget.js");
/// let page = html! { script type="module" src=(WIDGET) {} };
/// assert_eq!(
///     page.render().into_string(),
///     r#"<script type="module" src="https://cdn.example.com/widget.js"></script>"#
/// );
/// // From configuration, read once at start-up: the call says what it is.
/// let assets = TrustedUrl::from_config(std::env::var("ASSETS_URL").unwrap_or("/assets".into()));
/// let head = html! { link rel="stylesheet" href=(assets) ; };
/// # let _ = head;
/// ```
///
/// A `String` does not compile there:
///
/// ```compile_fail
/// use nitro::prelude::*;
/// let from_user = String::from("https://evil.example/x.js");
/// let page = html! { script src=(from_user) {} };
/// ```
///
/// A trusted URL with a script-running scheme (`javascript:`, …) is still replaced by
/// `about:invalid#nitro-blocked` when rendered, like any URL attribute.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TrustedUrl(Cow<'static, str>);

impl TrustedUrl {
    /// A URL written in the program.
    ///
    /// ```
    /// const CDN: nitro::TrustedUrl = nitro::TrustedUrl::new("https://cdn.example.com/x.js");
    /// assert_eq!(CDN.as_str(), "https://cdn.example.com/x.js");
    /// ```
    pub const fn new(url: &'static str) -> TrustedUrl {
        TrustedUrl(Cow::Borrowed(url))
    }

    /// A URL read from the program's configuration (an environment variable, a settings file),
    /// never from a request: the name of the call is the decision, visible where it is made.
    ///
    /// ```
    /// let url = nitro::TrustedUrl::from_config(String::from("/static/app.js"));
    /// assert_eq!(url.as_str(), "/static/app.js");
    /// ```
    pub fn from_config(url: impl Into<String>) -> TrustedUrl {
        TrustedUrl(Cow::Owned(url.into()))
    }

    /// The URL.
    ///
    /// ```
    /// assert_eq!(nitro::TrustedUrl::new("/a.js").as_str(), "/a.js");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TrustedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Render for TrustedUrl {
    fn render_to(&self, buf: &mut String) {
        crate::escape::text(&self.0, buf);
    }
    fn render_attr_to(&self, buf: &mut String, _: crate::render::Internal) {
        crate::escape::attribute(&self.0, buf);
    }
}

/// A value for an attribute that loads or redirects code: [`TrustedUrl`] only.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the URL of code the page loads",
    label = "this attribute loads or redirects code: a URL from data could load the attacker's script",
    note = "use a `nitro::TrustedUrl`: `TrustedUrl::new(\"https://…\")` for a URL written in the program, `TrustedUrl::from_config(..)` for one read from configuration at start-up"
)]
pub trait CodeUrl: Render {}

impl CodeUrl for TrustedUrl {}
impl<T: CodeUrl + ?Sized> CodeUrl for &T {}
