//! The proof behind `expr!`: where each placeholder stands once the Datastar client has
//! rewritten the code and `new Function` lexes it, in every way an `Expr` can be evaluated.
//!
//! **What is written for a value.** Two forms, each chosen so that no scanner involved (the
//! client's regular expressions, JavaScript's lexer) can see anything in the value itself:
//! - **in code**, where an expression may start: `(JSON.parse(String.fromCharCode(N,…)))`, the
//!   UTF-16 units of the value's JSON as decimal numbers;
//! - **inside a `'…'` or `"…"` string or an untagged template's text**: `T`, the value's text
//!   (a string's characters; anything else, its JSON) with *every* UTF-16 unit written as an
//!   escape, `\xHH` or `\uHHHH`.
//!
//! Neither holds a quote, backtick, `/`, `;`, `$`, `@`, brace, line break or non-ASCII
//! character; the numbers hold only digits and commas, and `T` only `\`, `x`, `u` and hex
//! digits, starts with `\` (so it cannot extend an escape or an identifier before it) and ends
//! with a complete escape (so it cannot extend into what follows). The value's *content* cannot
//! change where anything starts or ends: every scanner passes over it as over nothing.
//!
//! **What is proved**, at compile time, for every way the client evaluates code (as statements,
//! as a value, and as a value wrapped in nitro's URL or CSS guard):
//! 1. with a marker character standing for each value, the client's rewriting is simulated
//!    ([`super::client`]) and the result lexed ([`super::lexer`]): each placeholder must be in
//!    code where an expression may start, or inside a string or untagged template text, in
//!    every valid reading of the code and in every way of evaluating it — or it is refused;
//! 2. the same again with the form written in code, which has parentheses and names of its
//!    own: the client must rewrite the code exactly as it did with the markers (the same
//!    statements, the same signal and action rewrites, the form left intact), and the form
//!    must start where an expression may start.
//!
//! Defence in depth: had a class been wrong, the value could still not run. `T` in code is a
//! syntax error (`\x` cannot start a token, `\u` only an identifier), and the code form inside
//! a string, a template's text, a regular expression or a comment is inert text.

use super::client::{rewrite, Evaluation};
use super::lexer::{classify, Class, LexError, MARKER, MARKER_END};

/// How a proven placeholder is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// In code: `(JSON.parse("T"))`.
    Value,
    /// Inside a string or template text: `T`.
    Text,
}

/// Why a placeholder (or the code) is refused.
#[derive(Debug, PartialEq, Eq)]
pub struct Refusal {
    pub message: String,
    pub help: String,
}

/// nitro's guards around an `Expr` whose result becomes a URL or CSS (`data-attr:href=(e)`),
/// as `nitro::__private` writes them; a unit test checks they are the runtime's text.
pub const GUARDS: [&str; 2] = [
    r#"((u)=>/^(?:javascript|vbscript|data):/i.test(String(u).replace(/[\t\n\r]/g,"").replace(/^[\x00-\x20]+/,""))?"about:invalid#nitro-blocked":u)("#,
    r#"((c)=>/[\x5c<]|url\(|image\(|image-set\(|cross-fade\(|element\(|src\(|expression\(|\x40import|javascript:|-moz-binding|behavior/i.test(String(c))?"":c)("#,
];

/// The ways an `Expr` reaches `new Function`: (evaluation, text around it).
fn evaluations() -> Vec<(Evaluation, &'static str, &'static str, &'static str)> {
    let mut out = vec![
        (
            Evaluation::Statements,
            "",
            "",
            "run as statements (`data-on:*`, `data-init`, …)",
        ),
        (
            Evaluation::Value,
            "",
            "",
            "evaluated for its value (`data-text`, `data-show`, …)",
        ),
    ];
    for g in GUARDS {
        out.push((
            Evaluation::Value,
            g,
            ")",
            "wrapped in nitro's URL or CSS guard (`data-attr:href`, `data-style:*`)",
        ));
    }
    out
}

/// The code form of a value around its UTF-16 units (decimal, comma-separated).
pub const VALUE_OPEN: &str = "(JSON.parse(String.fromCharCode(";
pub const VALUE_CLOSE: &str = ")))";

fn marker(i: usize) -> char {
    char::from_u32(MARKER + i as u32).expect("a private-use character")
}

fn ordinal(i: usize) -> String {
    match i + 1 {
        1 => "first".into(),
        2 => "second".into(),
        3 => "third".into(),
        n => format!("{n}th"),
    }
}

/// Proves where each placeholder between `pieces` stands, or says why it cannot.
pub fn prove(pieces: &[String]) -> Result<Vec<Slot>, Refusal> {
    let holes = pieces.len().saturating_sub(1);
    if holes > (MARKER_END - MARKER) as usize {
        return Err(Refusal {
            message: "too many placeholders in one `expr!`".into(),
            help: "split the expression".into(),
        });
    }
    for p in pieces {
        if let Some(c) = p
            .chars()
            .find(|&c| super::lexer::is_marker(c) || c == '\u{1F595}')
        {
            return Err(Refusal {
                message: format!(
                    "`expr!` code cannot contain `{}` (U+{:04X})",
                    c.escape_unicode(),
                    c as u32
                ),
                help: "`🖕` opens Datastar's `🖕JS_…_DS🚀` markers and private-use characters mark placeholders; write the character as an escape inside a string (`'\\u{…}'`)".into(),
            });
        }
    }
    // Phase 1: each value as one transparent marker.
    let mut first: Option<Vec<Class>> = None;
    let mut first_how = "";
    let mut rewritten = Vec::new();
    // Evaluations in which the code is not valid JavaScript: it never runs that way (its
    // `Function` fails to compile), so they put no constraint on the placeholders.
    let mut never_runs: Vec<Option<String>> = Vec::new();
    for (evaluation, open, close, how) in evaluations() {
        let code = join(pieces, |i| marker(i).to_string());
        let text: Vec<char> = rewrite(&format!("{open}{code}{close}"), evaluation)
            .chars()
            .collect();
        rewritten.push(text.clone());
        let points = find_markers(&text, holes).map_err(|i| client_moved(i, how))?;
        let classes = match classify(&text, &points) {
            Err(LexError::Invalid(reason)) => {
                never_runs.push(Some(format!("{how}: {reason}")));
                continue;
            }
            other => {
                never_runs.push(None);
                other.map_err(|e| lex_refusal(e, how))?
            }
        };
        for (i, c) in classes.iter().enumerate() {
            refuse_class(i, *c)?;
        }
        match &first {
            None => {
                first = Some(classes);
                first_how = how;
            }
            Some(f) => {
                if let Some(i) = (0..holes).find(|&i| f[i] != classes[i]) {
                    return Err(Refusal {
                        message: format!(
                            "the {} placeholder is {} when the code is {first_how}, but {} when it is {how}: Datastar's client rewrites expressions before running them (it splits values at each `;` it sees outside its idea of a literal, and rewrites `$signal` and `@action(`)",
                            ordinal(i),
                            describe(f[i]),
                            describe(classes[i])
                        ),
                        help: "write the code so that the client cannot misread it: no `;` inside comments or regular expressions, no `$name` or `@name(` text inside strings next to the placeholder".into(),
                    });
                }
            }
        }
    }
    let Some(classes) = first else {
        let reasons: Vec<String> = never_runs.into_iter().flatten().collect();
        return Err(Refusal {
            message: format!(
                "this is not valid JavaScript in any way Datastar's client evaluates it ({})",
                reasons.join("; ")
            ),
            help: "fix the code; `expr!` must know where each placeholder stands, and cannot in code that does not lex".into(),
        });
    };
    let slots: Vec<Slot> = classes
        .iter()
        .map(|c| {
            if *c == Class::Operand {
                Slot::Value
            } else {
                Slot::Text
            }
        })
        .collect();
    // Phase 2: the code form, with its parentheses and names, in place.
    for (e, (evaluation, open, close, how)) in evaluations().into_iter().enumerate() {
        if never_runs[e].is_some() {
            continue;
        }
        let code = join(pieces, |i| match slots[i] {
            Slot::Value => format!("{VALUE_OPEN}{}{VALUE_CLOSE}", marker(i)),
            Slot::Text => marker(i).to_string(),
        });
        let text: Vec<char> = rewrite(&format!("{open}{code}{close}"), evaluation)
            .chars()
            .collect();
        let mut points = find_markers(&text, holes).map_err(|i| client_moved(i, how))?;
        let open_len = VALUE_OPEN.chars().count();
        for (i, p) in points.iter_mut().enumerate() {
            if slots[i] == Slot::Value {
                let intact = *p >= open_len
                    && text[*p - open_len..*p]
                        .iter()
                        .copied()
                        .eq(VALUE_OPEN.chars())
                    && text[*p + 1..]
                        .iter()
                        .take(VALUE_CLOSE.len())
                        .copied()
                        .eq(VALUE_CLOSE.chars());
                if !intact {
                    return Err(client_moved(i, how));
                }
                *p -= open_len;
            }
        }
        // The client rewrote the code as it did with the markers alone: the same statements,
        // the same signal and action rewrites.
        let mut collapsed = Vec::with_capacity(text.len());
        let mut k = 0;
        while k < text.len() {
            if let Some(i) = points.iter().position(|&p| p == k) {
                if slots[i] == Slot::Value {
                    collapsed.push(marker(i));
                    k += open_len + 1 + VALUE_CLOSE.len();
                    continue;
                }
            }
            collapsed.push(text[k]);
            k += 1;
        }
        if collapsed != rewritten[e] {
            return Err(Refusal {
                message: format!(
                    "Datastar's client would rewrite this code differently once a value is written in it ({how}): its statement splitter reads `/`, quotes and parentheses its own way, and the value's parentheses change where it splits"
                ),
                help: "write the code so that the client's splitter and JavaScript agree: no unpaired `/` (a division next to a regular expression or a character class `[/]`), no quote inside a regular expression, or split the statements into separate attributes".into(),
            });
        }
        let again = classify(&text, &points).map_err(|e| lex_refusal(e, how))?;
        for (i, c) in again.iter().enumerate() {
            if *c != classes[i] {
                return Err(Refusal {
                    message: format!(
                        "the {} placeholder is {} with a marker, but {} once the value's code is written there ({how})",
                        ordinal(i),
                        describe(classes[i]),
                        describe(*c)
                    ),
                    help: "put the placeholder where an expression starts (after an operator, `(`, `,` or `=`), or inside a string".into(),
                });
            }
        }
    }
    Ok(slots)
}

fn join(pieces: &[String], fill: impl Fn(usize) -> String) -> String {
    let mut out = String::new();
    for (i, p) in pieces.iter().enumerate() {
        if i > 0 {
            out.push_str(&fill(i - 1));
        }
        out.push_str(p);
    }
    out
}

/// The char index of each marker, once each and in order; else the first placeholder whose
/// marker the rewriting moved or lost.
fn find_markers(text: &[char], holes: usize) -> Result<Vec<usize>, usize> {
    let mut points = Vec::with_capacity(holes);
    for (at, &c) in text.iter().enumerate() {
        if super::lexer::is_marker(c) {
            let i = (c as u32 - MARKER) as usize;
            if i != points.len() {
                return Err(points.len());
            }
            points.push(at);
        }
    }
    if points.len() != holes {
        return Err(points.len());
    }
    Ok(points)
}

fn client_moved(i: usize, how: &str) -> Refusal {
    Refusal {
        message: format!(
            "Datastar's client would rewrite the code around the {} placeholder when it is {how}: it turns `@name(` into an action call and `$name` into a signal read wherever its own scan sees them",
            ordinal(i)
        ),
        help: "separate the placeholder from `@name`, `$name` and the `(` after them, e.g. `@get({})` instead of `@get{}`".into(),
    }
}

fn describe(c: Class) -> &'static str {
    match c {
        Class::Operand => "in code",
        Class::Single => "inside a '…' string",
        Class::Double => "inside a \"…\" string",
        Class::Template => "in a template literal's text",
        Class::AfterOperand => "right after an operand",
        Class::Uncertain => "where an expression may or may not start",
        Class::Property => "a property name",
        Class::TaggedTemplate => "in a tagged template's text",
        Class::Regex => "inside a regular expression",
        Class::Comment => "inside a comment",
        Class::Escape => "inside an escape sequence",
        Class::AfterDollar => "right after `$` in a template literal's text",
    }
}

fn refuse_class(i: usize, c: Class) -> Result<(), Refusal> {
    let n = ordinal(i);
    let (message, help) = match c {
        Class::Operand | Class::Single | Class::Double | Class::Template => return Ok(()),
        Class::AfterOperand => (
            format!("the {n} placeholder follows an operand directly (`a {{}}`, `f() {{}}`, `1 {{}}`): the value would be called or be a syntax error"),
            "put an operator before it (`a + {}`) or write it inside a string (`'…{}…'`)",
        ),
        Class::Uncertain => (
            format!("it is not certain that an expression may start at the {n} placeholder (after `}}`, `++`, `--`, or `of`, `await`, `yield`, which are keywords only in some places)"),
            "end the statement first (`}; {}`) or put an operator or `(` before the placeholder",
        ),
        Class::Property => (
            format!("the {n} placeholder stands where a property name goes (`.{{}}`)"),
            "index with brackets instead: `$obj[{}]`",
        ),
        Class::TaggedTemplate => (
            format!("the {n} placeholder is in the text of a tagged template literal, whose tag would see the value's escapes"),
            "pass the value as a substitution instead: `${{{}}}`",
        ),
        Class::Regex => (
            format!("the {n} placeholder is inside a regular expression literal, where a value would be pattern syntax"),
            "build the pattern at run time: `new RegExp({})` (the value is then a string)",
        ),
        Class::Comment => (
            format!("the {n} placeholder is inside a comment"),
            "move it out of the comment, or remove the comment",
        ),
        Class::Escape => (
            format!("the {n} placeholder is inside an escape sequence (after `\\`, or in an unfinished `\\x`/`\\u`)"),
            "remove the backslash or finish the escape before the placeholder",
        ),
        Class::AfterDollar => (
            format!("the {n} placeholder follows `$` in a template literal's text: an empty value would join that `$` to a `{{` after it and open a substitution, running the text after it as code"),
            "put the value in a substitution (`${{{}}}`), or write the `$` as `\\x24`",
        ),
    };
    Err(Refusal {
        message,
        help: help.into(),
    })
}

fn lex_refusal(e: LexError, how: &str) -> Refusal {
    match e {
        LexError::Invalid(reason) => Refusal {
            message: format!("this is not valid JavaScript once Datastar's client has rewritten it ({how}): {reason}"),
            help: "fix the code; `expr!` must know where each placeholder stands, and cannot in code that does not lex".into(),
        },
        LexError::Ambiguous {
            index,
            first,
            second,
            cause,
        } => Refusal {
            message: format!(
                "the {} placeholder is {} in one reading of this code and {} in another ({cause}): after `}}`, `++`, `--` or a contextual keyword, JavaScript's `/` may divide or start a regular expression, and a template literal may or may not be tagged",
                ordinal(index),
                describe(first),
                describe(second)
            ),
            help: "make the code unambiguous: end a block with `;`, wrap an object literal in parentheses, or put spaces and parentheses around a division (`(a) / b`)".into(),
        },
        LexError::TooAmbiguous => Refusal {
            message: "this code has too many places where `/` may divide or start a regular expression to prove where its placeholders stand".into(),
            help: "add `;` after blocks and parentheses around object literals and divisions".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slots(code: &str) -> Result<Vec<Slot>, Refusal> {
        let pieces: Vec<String> = code.split('§').map(str::to_owned).collect();
        prove(&pieces)
    }

    #[test]
    fn proves_the_usual_shapes() {
        use Slot::*;
        assert_eq!(slots("@get('/contacts/§/edit')").unwrap(), [Text]);
        assert_eq!(slots("$count = §").unwrap(), [Value]);
        assert_eq!(slots("@post('/x', {a: §, b: '§'})").unwrap(), [Value, Text]);
        assert_eq!(slots("`a${§}b§`").unwrap(), [Value, Text]);
        assert_eq!(slots("$a && \"§\"").unwrap(), [Text]);
        assert_eq!(slots("$a ? § : §").unwrap(), [Value, Value]);
    }

    #[test]
    fn the_three_shapes_of_the_issue_are_proved() {
        use Slot::*;
        assert_eq!(slots("$name.replace(/\"/g, '') + §").unwrap(), [Value]);
        assert_eq!(slots("`${\"§\"}`").unwrap(), [Text]);
        assert_eq!(slots("/* it's */ \"a\" + \"§\"").unwrap(), [Text]);
    }

    #[test]
    fn refuses_what_it_cannot_prove() {
        for code in [
            "$a §",
            "$a.§",
            "// §",
            "/§/",
            "'\\§'",
            "f`§`",
            "{}/'/ + '§' // '",
            "@get§",
            "$§",
            // Empty, the first value joins `$` and `{`: the second would be code.
            "`$§{§}`",
            "🖕JS_§_DS🚀",
        ] {
            assert!(
                slots(code).is_err(),
                "{code} was accepted: {:?}",
                slots(code)
            );
        }
    }

    #[test]
    fn guards_are_the_runtimes() {
        let runtime = include_str!("../../../runtime/src/guards.rs");
        for g in GUARDS {
            assert!(runtime.contains(&format!("r#\"{g}\"#")), "{g}");
        }
    }

    #[test]
    fn multi_statement_code_is_proved_where_it_runs() {
        // In a guard (`data-attr:href`) the statements would be one argument: a syntax error
        // there, so only the other evaluations count.
        assert_eq!(slots("$a = 1; $b = §").unwrap(), [Slot::Value]);
        assert!(slots("(1; §)").is_err());
    }

    #[test]
    fn a_line_comment_split_by_the_client_is_seen() {
        // In a value, the client splits `// x; '§'` into a comment and the statement `'§'`,
        // but run as statements, the placeholder stays in the comment: refused.
        assert!(slots("1 // x; '§'").is_err());
    }
}
