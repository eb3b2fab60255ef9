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
    whole: Whole,
}

/// What is known of an [`Expr`]'s code as a whole, which decides whether it can be composed
/// (see [`crate::expr!`]'s `{code}` and [`Expr::then`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Whole {
    /// Nothing proved: it can be used on its own only.
    #[default]
    Unknown,
    /// Proved one sealed expression: placed as `(code)` where an expression starts, it ends
    /// where it began (no literal, comment or bracket left open, no `;`), for JavaScript's
    /// lexer and for the client's rewriting alike.
    Sealed,
    /// Sealed expressions joined by `;` ([`Expr::then`]).
    Statements,
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
            whole: if crate::compose::plainly_sealed(code) {
                Whole::Sealed
            } else {
                Whole::Unknown
            },
        }
    }

    /// This expression, then `next`, as statements: `a; b`. Both must be composable (built by
    /// `expr!` or a route's `.action(..)`, proved sealed at compile time, or an [`Expr::new`]
    /// of plain code), or another `then`; a part that is not is refused at run time: it is
    /// replaced by `undefined`, logged and counted in `values_refused`.
    ///
    /// ```
    /// use nitro::prelude::*;
    /// routes! { SAVE = POST "/notes/{id}" }
    /// let e = expr!("$saving = true").then(SAVE.action(7));
    /// assert_eq!(e.as_str(), r"$saving = true; @post('/notes/\x37')");
    /// ```
    #[must_use]
    pub fn then(self, next: Expr) -> Expr {
        let mut code = String::with_capacity(self.code.len() + next.code.len() + 2);
        crate::compose::statement(&self, &mut code);
        code.push_str("; ");
        crate::compose::statement(&next, &mut code);
        Expr {
            code,
            whole: Whole::Statements,
        }
    }

    /// `$path` of a scoped signal (a checked scope key and a field's name): sealed if it is
    /// plainly one expression, as for [`Expr::new`].
    pub(crate) fn signal(path: &str) -> Expr {
        let code = format!("${path}");
        let whole = if crate::compose::plainly_sealed(&code) {
            Whole::Sealed
        } else {
            Whole::Unknown
        };
        Expr { code, whole }
    }

    /// Is this expression proved sealed (it can stand inside another as `(code)`)?
    pub(crate) fn is_sealed(&self) -> bool {
        self.whole == Whole::Sealed
    }

    /// Can it be joined with `;` ([`Expr::then`])?
    pub(crate) fn is_statements(&self) -> bool {
        matches!(self.whole, Whole::Sealed | Whole::Statements)
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
    sealed: bool,
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

    /// Another expression, spliced as code (`{code}`): `(its code)`, if it is sealed.
    #[doc(hidden)]
    pub fn splice<C: crate::compose::Code + ?Sized>(mut self, code: &C) -> Self {
        crate::compose::splice(code.expr(), &mut self.code);
        self
    }

    /// The macro proved the whole code sealed (see [`Expr`]'s composition rules): only with
    /// the token [`MacroProof`], which nothing but `expr!`'s expansion makes.
    #[doc(hidden)]
    pub fn sealed(mut self, _proof: MacroProof) -> Self {
        self.sealed = true;
        self
    }

    #[doc(hidden)]
    pub fn build(self) -> Expr {
        Expr {
            code: self.code,
            whole: if self.sealed {
                Whole::Sealed
            } else {
                Whole::Unknown
            },
        }
    }
}

/// The token [`ExprBuilder::sealed`] takes: `expr!` makes one only when its compile-time proof
/// holds. Rust cannot keep code a macro writes from being written by hand, so this makes the
/// claim explicit and greppable (`nitro_macros_proved_it`) rather than a plain method call
/// anyone could make by accident. Not a public API.
///
/// Without the token, code cannot be marked sealed (review F7):
///
/// ```compile_fail,E0061
/// let e = nitro::__private::ExprBuilder::new().code("alert(1); x").sealed().build();
/// ```
///
/// and no other crate can make its own type code (`IsExpr` and `StatementCode` are sealed):
///
/// ```compile_fail,E0277
/// struct Mine(String);
/// impl nitro::__private::StatementCode for Mine {
///     fn code(&self) -> &str {
///         &self.0
///     }
/// }
/// ```
///
/// ```compile_fail,E0277
/// struct Mine(String);
/// impl nitro::__private::IsExpr for Mine {
///     fn code(&self) -> &str {
///         &self.0
///     }
/// }
/// ```
#[doc(hidden)]
pub struct MacroProof(());

impl MacroProof {
    /// For `expr!`'s expansion only, after its proof that the code is sealed.
    #[doc(hidden)]
    pub const fn nitro_macros_proved_it() -> MacroProof {
        MacroProof(())
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
