//! What a Datastar expression string holds: `@action(` calls (checked against the client's
//! actions) and `$signal` references (checked against the declared signals).

use super::table::ACTIONS;
use crate::suggest::suggest;

/// Every `@name(` the client would turn into an action call that is not one of [`ACTIONS`],
/// with a message naming the nearest. The client rewrites `@name(` everywhere, inside string
/// literals too, so this looks everywhere.
pub fn unknown_actions(code: &str) -> Vec<String> {
    let b = code.as_bytes();
    let mut out = Vec::new();
    for (i, _) in code.match_indices('@') {
        let start = i + 1;
        let mut j = start;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'$') {
            j += 1;
        }
        let first_ok = b
            .get(start)
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_' || *c == b'$');
        if !first_ok || b.get(j) != Some(&b'(') {
            continue;
        }
        let name = &code[start..j];
        if ACTIONS.contains(&name) {
            continue;
        }
        let help = match suggest(name, ACTIONS.iter().copied()) {
            Some(s) => format!("did you mean `@{s}(`?"),
            None => format!(
                "the client's actions are {}",
                ACTIONS
                    .iter()
                    .map(|a| format!("`@{a}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        out.push(format!(
            "unknown Datastar action `@{name}`: the client would throw `UndefinedAction`\n\nhelp: {help}"
        ));
    }
    out
}

/// A `$signal` / `$a.b` reference found in an expression, with its byte offset.
#[derive(Debug, PartialEq, Eq)]
pub struct SignalRef {
    /// The signal path (`form.email`).
    pub path: String,
    /// Byte offset of `$` in the expression.
    pub offset: usize,
}

/// Finds the `$name` references in a Datastar expression, skipping string literals (but not
/// the `${...}` code inside template literals).
pub fn signal_refs(expr: &str) -> Vec<SignalRef> {
    let b = expr.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    let mut template_depth: Vec<usize> = Vec::new(); // brace depth inside `${` per template level
    let mut depth = 0usize;
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    while i < b.len() {
        let c = b[i];
        if let Some(q) = quote {
            if c == b'\\' {
                i += 2;
                continue;
            }
            if c == q {
                quote = None;
            } else if q == b'`' && c == b'$' && b.get(i + 1) == Some(&b'{') {
                template_depth.push(depth);
                depth += 1;
                quote = None;
                i += 2;
                continue;
            }
            i += 1;
            continue;
        }
        match c {
            b'\'' | b'"' | b'`' => quote = Some(c),
            b'{' => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                if template_depth.last() == Some(&depth) {
                    template_depth.pop();
                    quote = Some(b'`');
                }
            }
            b'$' if i == 0 || !(ident(b[i - 1]) || b[i - 1] == b'$') => {
                let start = i + 1;
                let mut j = start;
                while j < b.len()
                    && (ident(b[j])
                        || (b[j] == b'.' && j + 1 < b.len() && ident(b[j + 1]) && j > start))
                {
                    j += 1;
                }
                if j > start && !b[start].is_ascii_digit() {
                    out.push(SignalRef {
                        path: expr[start..j].to_owned(),
                        offset: i,
                    });
                }
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}
