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
/// use nitro_runtime::Expr;
/// let id = "42'); alert(1); ('";
/// let e = Expr::new("@delete('/todos/' + ").json(&id).code(")");
/// assert_eq!(e.as_str(), r#"@delete('/todos/' + "42'); alert(1); ('")"#);
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
    /// assert_eq!(nitro_runtime::Expr::new("$a").code(" + 1").as_str(), "$a + 1");
    /// ```
    pub fn code(mut self, code: &'static str) -> Self {
        self.code.push_str(code);
        self
    }

    /// Appends a value as a JSON literal (`null` if it cannot be serialized).
    ///
    /// ```
    /// assert_eq!(nitro_runtime::Expr::new("$n = ").json(&3).as_str(), "$n = 3");
    /// ```
    pub fn json<T: serde::Serialize + ?Sized>(mut self, value: &T) -> Self {
        let start = self.code.len();
        match serde_json::to_string(value) {
            Ok(json) => self.code.push_str(&json),
            Err(_) => {
                self.code.truncate(start);
                self.code.push_str("null");
            }
        }
        self
    }

    /// The expression's code.
    ///
    /// ```
    /// assert_eq!(nitro_runtime::Expr::new("$x").as_str(), "$x");
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
