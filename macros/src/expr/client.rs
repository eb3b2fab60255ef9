//! What the Datastar client does to an expression before `new Function` compiles it: a model of
//! `datastar-core.js` (1.0.x, the function that builds an expression's function), with the
//! client's own regular expressions, run by `regress`, an engine with ECMAScript's syntax and
//! backtracking semantics. `tests/browser_safety.rs` checks that these sources still appear
//! verbatim in the client it runs.
//!
//! In order, the client:
//! 1. for a value expression (`data-text`, `data-show`, `data-attr`, `data-class`,
//!    `data-computed`, `data-signals`, `data-style`, `data-on-signal-patch`): trims it, splits it
//!    at each `;` its regular expression [`STATEMENTS`] sees outside literals, and wraps the last
//!    statement in `return (…);` unless it starts with `return`; for any other (`data-on:*`,
//!    `data-init`, `data-effect`, …) it only trims it;
//! 2. cuts out each region between its markers `🖕JS_` and `_DS🚀` (`expr!` refuses code with
//!    `🖕`, and no value contains it, so there is none);
//! 3. rewrites `$a.b` outside what [`SIGNALS`] sees as string literals into `$['a']['b']`,
//!    also inside `${…}` without nested braces (string literals included there);
//! 4. rewrites every `@name(` into `__action("name",evt,` ([`ACTIONS`]), strings included.

use regress::Regex;

/// Step 1: the statement splitter (a value expression's statements).
pub const STATEMENTS: &str = r#"(\/(\\\/|[^/])*\/|"(\\"|[^"])*"|'(\\'|[^'])*'|`(\\`|[^`])*`|\(\s*((function)\s*\(\s*\)|(\(\s*\))\s*=>)\s*(?:\{[\s\S]*?\}|[^;){]*)\s*\)\s*\(\s*\)|[^;])+"#;
/// Step 3: signal references (`$a.b`), skipping what it takes for string literals.
pub const SIGNALS: &str = r#"("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`(?:\\.|[^`\\$]|\$(?!\{))*`)|\$\{([^{}]*)\}|\$([a-zA-Z_\d]\w*(?:[.-]\w+)*)"#;
/// Step 3, inside `${…}`: signal references, strings not skipped.
pub const SIGNALS_INSIDE: &str = r#"\$([a-zA-Z_\d]\w*(?:[.-]\w+)*)"#;
/// Step 4: actions.
pub const ACTIONS: &str = r#"@([A-Za-z_$][\w$]*)\("#;

/// How the client evaluates an expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Evaluation {
    /// Run as statements (`data-on:*`, `data-init`, `data-effect`, …).
    Statements,
    /// Its value is used: split into statements, the last one returned.
    Value,
}

fn regex(source: &str) -> Regex {
    Regex::with_flags(source, "g").expect("the client's regular expressions compile")
}

/// JavaScript's `String.prototype.trim`.
fn js_trim(s: &str) -> &str {
    s.trim_matches(|c| {
        super::lexer::is_js_whitespace(c) || matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
    })
}

/// The text `new Function` receives for expression `code`.
pub fn rewrite(code: &str, evaluation: Evaluation) -> String {
    let trimmed = js_trim(code);
    let mut s = match evaluation {
        Evaluation::Statements => trimmed.to_owned(),
        Evaluation::Value => {
            let mut parts: Vec<String> = regex(STATEMENTS)
                .find_iter(trimmed)
                .map(|m| trimmed[m.range()].to_owned())
                .collect();
            if let Some(last) = parts.last_mut() {
                let f = js_trim(last);
                if !f.starts_with("return") {
                    *last = format!("return ({f});");
                }
            }
            parts.join(";\n")
        }
    };
    s = replace_signals(&s);
    s = replace_all(&s, &regex(ACTIONS), |caps| {
        format!("__action(\"{}\",evt,", caps[1].unwrap_or(""))
    });
    s
}

fn replace_signals(s: &str) -> String {
    let inside = regex(SIGNALS_INSIDE);
    replace_all(s, &regex(SIGNALS), |caps| {
        if let Some(literal) = caps[1] {
            literal.to_owned()
        } else if let Some(subst) = caps[2] {
            let body = replace_all(subst, &inside, |c| signal_path(c[1].unwrap_or("")));
            format!("${{{body}}}")
        } else {
            signal_path(caps[3].unwrap_or(""))
        }
    })
}

/// `a.b-c` -> `$['a']['b-c']`.
fn signal_path(path: &str) -> String {
    path.split('.')
        .fold("$".to_owned(), |acc, p| format!("{acc}['{p}']"))
}

/// `String.prototype.replace` with a global regular expression and a function: `f` gets the
/// match (index 0) and each capture group (`None` when it did not take part).
fn replace_all(s: &str, re: &Regex, f: impl Fn(&[Option<&str>]) -> String) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for m in re.find_iter(s) {
        let r = m.range();
        out.push_str(&s[last..r.start]);
        let groups: Vec<Option<&str>> = (0..=m.captures.len())
            .map(|i| m.group(i).map(|g| &s[g]))
            .collect();
        out.push_str(&f(&groups));
        last = r.end;
    }
    out.push_str(&s[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use Evaluation::*;

    #[test]
    fn statements_are_trimmed() {
        assert_eq!(rewrite("  $a = 1 ", Statements), "$['a'] = 1");
    }

    #[test]
    fn values_are_returned() {
        assert_eq!(rewrite("$a", Value), "return ($['a']);");
        assert_eq!(rewrite("$a; $b", Value), "$['a'];\nreturn ($['b']);");
        assert_eq!(rewrite("return 1", Value), "return 1");
        assert_eq!(rewrite("'a;b'", Value), "return ('a;b');");
        // The splitter's literals are not JavaScript's: a division reads as a regex to it.
        assert_eq!(rewrite("1 / 2; 3 / 4", Value), "return (1 / 2; 3 / 4);");
        // A `;` in a line comment splits it.
        assert_eq!(rewrite("1 // a;b", Value), "1 // a;\nreturn (b);");
        assert_eq!(rewrite("", Value), "");
    }

    #[test]
    fn signals_and_actions() {
        assert_eq!(rewrite("$a.b-c + '$x'", Statements), "$['a']['b-c'] + '$x'");
        assert_eq!(
            rewrite("`${$a + '$b'}`", Statements),
            "`${$['a'] + '$['b']'}`"
        );
        assert_eq!(
            rewrite("@get('/x') && '@post('", Statements),
            "__action(\"get\",evt,'/x') && '__action(\"post\",evt,'"
        );
    }
}
