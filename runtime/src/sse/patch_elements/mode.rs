//! How patched elements are applied ([`Mode`]) and in which namespace they are created
//! ([`Namespace`]).

use std::fmt;
use std::str::FromStr;

/// How patched elements are applied to the page. The default, [`Mode::Outer`], morphs each
/// element into the one with the same id.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Morph the target element itself (default).
    #[default]
    Outer,
    /// Morph the target's children.
    Inner,
    /// Replace the target without morphing.
    Replace,
    /// Insert as the target's first child.
    Prepend,
    /// Insert as the target's last child.
    Append,
    /// Insert before the target.
    Before,
    /// Insert after the target.
    After,
    /// Remove the target.
    Remove,
}

impl Mode {
    /// Every mode, in protocol order.
    pub const ALL: [Mode; 8] = [
        Mode::Outer,
        Mode::Inner,
        Mode::Replace,
        Mode::Prepend,
        Mode::Append,
        Mode::Before,
        Mode::After,
        Mode::Remove,
    ];

    /// The protocol name of the mode.
    ///
    /// ```
    /// assert_eq!(nitro::sse::Mode::Append.as_str(), "append");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Mode::Outer => "outer",
            Mode::Inner => "inner",
            Mode::Replace => "replace",
            Mode::Prepend => "prepend",
            Mode::Append => "append",
            Mode::Before => "before",
            Mode::After => "after",
            Mode::Remove => "remove",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing an unknown mode name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownMode(pub String);

impl fmt::Display for UnknownMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown patch mode `{}`", self.0)
    }
}

impl std::error::Error for UnknownMode {}

impl FromStr for Mode {
    type Err = UnknownMode;

    /// ```
    /// use nitro::sse::Mode;
    /// assert_eq!("inner".parse::<Mode>(), Ok(Mode::Inner));
    /// assert!("merge".parse::<Mode>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Mode::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| UnknownMode(s.to_owned()))
    }
}

/// The namespace in which the client creates patched elements (Datastar 1.0.2). Elements such
/// as `<circle>` or `<mi>` sent on their own only become SVG or MathML with it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Namespace {
    /// HTML (default; not sent).
    #[default]
    Html,
    /// SVG: `data: namespace svg`.
    Svg,
    /// MathML: `data: namespace mathml`.
    MathMl,
}

impl Namespace {
    /// The protocol name: `html`, `svg` or `mathml`.
    ///
    /// ```
    /// assert_eq!(nitro::sse::Namespace::MathMl.as_str(), "mathml");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Namespace::Html => "html",
            Namespace::Svg => "svg",
            Namespace::MathMl => "mathml",
        }
    }

    /// From a template's namespace code (what `html!` saw at the top level).
    pub(super) const fn from_template(code: u8) -> Namespace {
        match code {
            crate::render::kind::NAMESPACE_SVG => Namespace::Svg,
            crate::render::kind::NAMESPACE_MATHML => Namespace::MathMl,
            _ => Namespace::Html,
        }
    }
}

impl fmt::Display for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Namespace {
    type Err = UnknownNamespace;

    /// ```
    /// use nitro::sse::Namespace;
    /// assert_eq!("svg".parse::<Namespace>(), Ok(Namespace::Svg));
    /// assert!("xml".parse::<Namespace>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Namespace::Html, Namespace::Svg, Namespace::MathMl]
            .into_iter()
            .find(|n| n.as_str() == s)
            .ok_or_else(|| UnknownNamespace(s.to_owned()))
    }
}

/// The error of parsing an unknown namespace name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownNamespace(pub String);

impl fmt::Display for UnknownNamespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown namespace `{}` (expected html, svg or mathml)",
            self.0
        )
    }
}

impl std::error::Error for UnknownNamespace {}
