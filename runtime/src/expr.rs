//! [`Expr`]: Datastar expression code built at run time, the explicit and visible way to put
//! dynamic values into `data-on:*`, `data-show`, … without ever pasting them in as code.

use std::fmt;

/// A Datastar expression assembled from `'static` code fragments and JSON-encoded values.
///
/// Code can only come from string literals in your program; every run-time value goes through
/// [`Expr::json`], so it arrives in the browser as a JSON literal (a string stays a string) and can
/// never become an expression of its own. Splice it into a Datastar attribute:
/// `button data-on:click=(Expr::new("@delete('/todos/' + ").json(&id).code(")")) { "x" }`.
///
/// ```
/// use nitro::Expr;
/// let id = "42'); alert(1); ('";
/// let e = Expr::new("@delete('/todos/' + ").json(&id).code(")");
/// assert_eq!(
///     e.as_str(),
///     r#"@delete('/todos/' + "42\u0027)\u003b alert(1)\u003b (\u0027")"#
/// );
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expr {
    code: String,
}

impl Expr {
    /// Starts an expression with a fragment of code.
    pub fn new(code: &'static str) -> Self {
        Expr {
            code: code.to_owned(),
        }
    }

    /// Appends a fragment of code.
    ///
    /// ```
    /// assert_eq!(nitro::Expr::new("$a").code(" + 1").as_str(), "$a + 1");
    /// ```
    pub fn code(mut self, code: &'static str) -> Self {
        self.code.push_str(code);
        self
    }

    /// Appends a value as a JSON literal (`null` if it cannot be serialized), encoded by
    /// [`crate::escape::expression_json`] so that Datastar's expression compiler reads back
    /// exactly the value: no `@action(`, `$signal` or marker inside it is ever seen as code.
    ///
    /// ```
    /// use nitro::Expr;
    /// assert_eq!(Expr::new("$n = ").json(&3).as_str(), "$n = 3");
    /// assert_eq!(Expr::new("$s = ").json("@get('/x')").as_str(),
    ///            r#"$s = "\u0040get(\u0027\u002fx\u0027)""#);
    /// ```
    pub fn json<T: serde::Serialize + ?Sized>(mut self, value: &T) -> Self {
        crate::escape::expression_json(value, &mut self.code);
        self
    }

    /// The expression's code.
    ///
    /// ```
    /// assert_eq!(nitro::Expr::new("$x").as_str(), "$x");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.code
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code)
    }
}
