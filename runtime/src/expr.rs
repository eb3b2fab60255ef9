//! [`Expr`]: Datastar expression code, the explicit and visible way to put code into
//! `data-on:*`, `data-show`, … Code comes from your program; values go in through
//! [`expr!`](crate::expr!), which proves at compile time where each one stands and writes it
//! so that it can never become code.

use std::fmt;

/// A Datastar expression: `'static` code, with values placed by `nitro::expr!`.
///
/// Build one with `expr!("@delete('/todos/{}')", id)` (values inside the code, proven where
/// they stand) or [`Expr::new`] (code alone), and splice it into a Datastar attribute:
/// `button data-on:click=(expr!("@delete('/todos/{}')", id)) { "x" }`.
///
/// ```
/// use nitro::expr;
/// let id = "42'); alert(1); ('";
/// let e = expr!("@delete('/todos/{}')", id);
/// assert!(e.as_str().starts_with(r"@delete('/todos/\x34\x32\x27\x29\x3b"));
/// assert!(!e.as_str().contains("alert"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expr {
    code: String,
}

impl Expr {
    /// An expression of code alone.
    ///
    /// ```
    /// assert_eq!(nitro::Expr::new("$count++").as_str(), "$count++");
    /// ```
    pub fn new(code: &'static str) -> Self {
        Expr {
            code: code.to_owned(),
        }
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

/// What `expr!` expands to: `'static` code and values, each value written as the macro's proof
/// says (`nitro-macros`, `expr/proof.rs`). Not a public API.
#[doc(hidden)]
#[derive(Default)]
pub struct ExprBuilder {
    code: String,
}

impl ExprBuilder {
    #[doc(hidden)]
    pub fn new() -> Self {
        ExprBuilder::default()
    }

    /// Code of the program.
    #[doc(hidden)]
    pub fn code(mut self, code: &'static str) -> Self {
        self.code.push_str(code);
        self
    }

    /// A value where an expression starts: `(JSON.parse(String.fromCharCode(N,…)))`, the
    /// UTF-16 units of its JSON as decimal numbers: no quote, backslash or any character a
    /// scanner reads as syntax.
    #[doc(hidden)]
    pub fn value<T: serde::Serialize + ?Sized>(mut self, value: &T) -> Self {
        use std::fmt::Write;
        let json = serde_json::to_string(value).unwrap_or_else(|e| {
            crate::stats::json_failed(&e);
            "null".to_owned()
        });
        self.code.push_str("(JSON.parse(String.fromCharCode(");
        for (i, unit) in json.encode_utf16().enumerate() {
            if i > 0 {
                self.code.push(',');
            }
            let _ = write!(self.code, "{unit}");
        }
        self.code.push_str(")))");
        self
    }

    /// A value inside a string literal or a template literal's text: its text, escaped.
    #[doc(hidden)]
    pub fn text<T: serde::Serialize + ?Sized>(mut self, value: &T) -> Self {
        crate::escape::expression_text(&text_of(value), &mut self.code);
        self
    }

    #[doc(hidden)]
    pub fn build(self) -> Expr {
        Expr { code: self.code }
    }
}

/// A value's text inside a string: a string's characters, anything else its compact JSON
/// (`42`, `true`, `null`, `[1,2]`); `null` if it cannot be serialized.
fn text_of<T: serde::Serialize + ?Sized>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(v) => v.to_string(),
        Err(e) => {
            crate::stats::json_failed(&e);
            "null".to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_texts() {
        let e = ExprBuilder::new()
            .code("$a = ")
            .value("x\"")
            .code(" + '")
            .text(&42)
            .code("'")
            .build();
        assert_eq!(
            e.as_str(),
            r#"$a = (JSON.parse(String.fromCharCode(34,120,92,34,34))) + '\x34\x32'"#
        );
        let mut s = String::new();
        crate::escape::expression_text("🦀", &mut s);
        assert_eq!(s, r"\ud83e\udd80");
    }
}
