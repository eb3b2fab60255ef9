//! Composing expressions: `{code}` splices another `Expr` into `expr!`'s code, and an `Expr`
//! is marked *sealed* when it can be spliced or joined (`Expr::then`) without changing how
//! anything around it is read.
//!
//! - A `{code}` placeholder is proved like a value ([`super::proof`]): it must stand where an
//!   expression starts, in every reading and every way of evaluating the code, and what is
//!   written there (`(its code)`) is modelled by the value's parenthesized form. Inside a
//!   string or template text it is refused: code is not text.
//! - Sealed is proved here, at compile time, for every `Expr` that `expr!` or a route's
//!   `.action(..)` builds: the code, wrapped as it is when spliced and followed by `+` and a
//!   placeholder (`(code)+{}`), must prove that placeholder in code where an expression starts,
//!   with its own placeholders in the slots they had alone. So the code leaves no string,
//!   template, comment, regular expression or bracket open, for JavaScript's lexer and for the
//!   client's rewriting; and it holds no `;` (one expression, so the client's statement
//!   splitter cannot cut it). The runtime splices an `Expr` only if it is sealed.

use super::proof::{self, Refusal, Slot};

/// Refuses a `{code}` placeholder that does not stand where an expression starts.
pub fn splices_in_code(slots: &[Slot], splices: &[bool]) -> Result<Vec<Slot>, Refusal> {
    for (i, (slot, splice)) in slots.iter().zip(splices).enumerate() {
        if *splice && *slot != Slot::Value {
            return Err(Refusal {
                message: format!(
                    "placeholder {} is `{{code}}` inside a string or template text: an `Expr` is code, and code inside a string is text",
                    i + 1
                ),
                help: "put `{code}` where an expression starts (`{code} && …`, `f({code})`), or use `{}` to put a value into the string as data".into(),
            });
        }
    }
    Ok(slots.to_vec())
}

/// Is the proven code `texts` (with its placeholders in `slots`) one sealed expression?
pub fn sealed(texts: &[String], slots: &[Slot]) -> bool {
    if texts.iter().any(|t| t.contains(';'))
        || (slots.is_empty() && texts.concat().trim().is_empty())
    {
        return false;
    }
    let mut probe = texts.to_vec();
    probe[0].insert(0, '(');
    probe.last_mut().expect("one text at least").push_str(")+");
    probe.push(String::new());
    match proof::prove(&probe) {
        Ok(s) => s[..slots.len()] == *slots && s[slots.len()] == Slot::Value,
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(code: &str) -> (Vec<String>, Vec<Slot>) {
        let texts: Vec<String> = code.split("{}").map(str::to_owned).collect();
        let slots = if texts.len() > 1 {
            proof::prove(&texts).expect("proved")
        } else {
            Vec::new()
        };
        (texts, slots)
    }

    #[test]
    fn one_closed_expression_is_sealed() {
        for code in [
            "$count++",
            "@post('/todos/{}/toggle')",
            "$a = {} + '{}'",
            "`a ${$b} {}` + /x;?/.test($c)",
            "{} && confirm('sure?')",
            "$x.replace(/'/g, '')",
        ] {
            let (t, s) = texts(code);
            let sealed = sealed(&t, &s);
            assert_eq!(sealed, !code.contains(';'), "{code}");
        }
    }

    #[test]
    fn anything_left_open_is_not() {
        for code in [
            "",
            "$a = 1; $b = 2",
            "'open",
            "(a",
            "a // comment",
            "a /* open",
            "`t ${",
            "x <!-- y",
        ] {
            let t = vec![code.to_owned()];
            assert!(!sealed(&t, &[]), "{code:?}");
        }
    }
}
