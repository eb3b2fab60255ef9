//! A lexer for the JavaScript that Datastar expressions can hold, used to *prove* where each
//! placeholder of `expr!` stands: in code where an expression may start, inside a `'…'` or
//! `"…"` string, in the text of a template literal, or somewhere a value has no business
//! (a comment, a regular expression, an escape sequence, right after an operand, …).
//!
//! It covers the whole lexical grammar a Function body can contain: strings with escapes and
//! line continuations; template literals with `${…}` nested to any depth; regular expression
//! literals with classes (`/[/]/`) and flags; line, block and HTML-like comments (`<!--`, and
//! `-->` at the start of a line: `new Function` bodies are scripts, which honour them);
//! numbers (`1.`, `.5`, `1e-5`, `0x1f`, `1_000n`); identifiers with `\u` escapes and non-ASCII
//! letters; every punctuator.
//!
//! JavaScript's one lexical ambiguity is `/` (division or the start of a regular expression)
//! and, with it, whether a template literal is tagged: the answer depends on the syntax before
//! it. Where that syntax settles it (after an operator, a literal, `return`, the `)` of an
//! `if (…)`) the lexer knows. Where it does not (after a `}`, which may end a block or an
//! object literal; after `++`/`--`; after contextual keywords such as `of`, `yield`, `await`),
//! it lexes **both** readings to the end. A reading that is not valid JavaScript (an
//! unterminated literal, a line break in a string, unbalanced brackets) cannot be the one the
//! browser runs — `Function` compiles the whole body before running any of it — so it is
//! dropped. Every placeholder must then get the same class in every remaining reading, or the
//! caller refuses it. Nothing is guessed: an uncertain position is a refusal.
//!
//! Placeholders are marked in the text by the private-use characters [`MARKER`]` + i`. In code,
//! a marker counts as one operand (what `expr!` writes there is a parenthesized expression).
//! Inside literals and comments it is an ordinary character, like the text `expr!` writes
//! there (backslash escapes only).

use std::collections::HashSet;

/// The first placeholder marker (U+E000); placeholder `i` is `MARKER + i`.
pub const MARKER: u32 = 0xE000;
/// The last code point that can be a marker.
pub const MARKER_END: u32 = 0xF8FF;

/// Is `c` a placeholder marker?
pub fn is_marker(c: char) -> bool {
    (MARKER..=MARKER_END).contains(&(c as u32))
}

/// Where a point of the text stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Class {
    /// In code, where an expression may start.
    Operand,
    /// Inside a `'…'` string.
    Single,
    /// Inside a `"…"` string.
    Double,
    /// In the text of an untagged template literal.
    Template,
    /// In code right after an operand (an identifier, a literal, `)`, `]`).
    AfterOperand,
    /// In code after `}`, `++`, `--` or a contextual keyword (`of`, `yield`, `await`, `let`,
    /// `async`): an operand may or may not start here.
    Uncertain,
    /// After `.` or `?.`: a property name.
    Property,
    /// In the text of a tagged template literal.
    TaggedTemplate,
    /// Inside a regular expression literal.
    Regex,
    /// Inside a comment.
    Comment,
    /// Inside an escape sequence (`\`, `\x4`, `\u{`).
    Escape,
    /// In a template literal's text right after `$`: an empty value would join the `$` to a
    /// `{` after it, opening a substitution that runs the text after it (and the values there)
    /// as code.
    AfterDollar,
}

/// Why the text cannot be classified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LexError {
    /// No reading of the text is valid JavaScript; the reason of the first one found.
    Invalid(String),
    /// Two valid readings put point `index` in different classes.
    Ambiguous {
        index: usize,
        first: Class,
        second: Class,
        /// What made the readings differ (`/` after `}`, …).
        cause: String,
    },
    /// Too many readings to explore.
    TooAmbiguous,
}

/// What the previous token leaves for the next one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Prev {
    /// An operand (expression) may start: `/` starts a regular expression.
    Expect,
    /// An operand just ended: `/` divides.
    After,
    /// Either (`}`, `++`, contextual keywords): both readings are lexed.
    Either,
    /// After `.` / `?.`: a property name follows.
    Property,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Mode {
    Code,
    Single,
    Double,
    Template { tagged: bool },
    Regex { class: bool },
    LineComment,
    BlockComment { newline: bool },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Open {
    /// `(`; `keyword` when it follows `if`, `while`, `for` or `with` (its `)` ends a head, so
    /// a statement, where `/` starts a regular expression, follows); `for_head` after `for`,
    /// the one parenthesis a `;` may stand in.
    Paren {
        keyword: bool,
        for_head: bool,
    },
    Bracket,
    Brace,
    /// `${` of a template literal.
    Subst {
        tagged: bool,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Reading {
    pos: usize,
    mode: Mode,
    prev: Prev,
    stack: Vec<Open>,
    /// Only whitespace and single-line block comments since the last line terminator (or the
    /// start): `-->` starts a comment here.
    line_start: bool,
    /// The last token was `if`, `while`, `for` or `with`.
    head_keyword: bool,
    /// The last token was `for` (or `await` after it).
    for_keyword: bool,
    classes: Vec<Option<Class>>,
    /// The choices made at each fork, for messages.
    forks: Vec<String>,
}

const MAX_READINGS: usize = 4096;

fn is_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

/// JavaScript's WhiteSpace: tab, VT, FF, space, NBSP, ZWNBSP and the Zs category.
pub fn is_js_whitespace(c: char) -> bool {
    matches!(
        c,
        '\t' | '\u{b}' | '\u{c}' | ' ' | '\u{a0}' | '\u{feff}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}'
    )
}

fn is_id_start(c: char) -> bool {
    c.is_ascii_alphabetic()
        || matches!(c, '$' | '_' | '\\' | '#')
        || (!c.is_ascii() && !is_js_whitespace(c) && !is_line_terminator(c) && !is_marker(c))
}

fn is_id_part(c: char) -> bool {
    (is_id_start(c) && c != '#') || c.is_ascii_digit()
}

/// Classifies each point of `text` (char indices, increasing): where a placeholder standing
/// just before that character (or at the end, for `text.len()`) would be.
pub fn classify(text: &[char], points: &[usize]) -> Result<Vec<Class>, LexError> {
    let start = Reading {
        pos: 0,
        mode: Mode::Code,
        prev: Prev::Expect,
        stack: Vec::new(),
        line_start: true,
        head_keyword: false,
        for_keyword: false,
        classes: vec![None; points.len()],
        forks: Vec::new(),
    };
    let mut todo = vec![start];
    let mut seen: HashSet<Reading> = HashSet::new();
    let mut done: Vec<Reading> = Vec::new();
    let mut first_error: Option<String> = None;
    let mut explored = 0;
    while let Some(r) = todo.pop() {
        explored += 1;
        if explored > MAX_READINGS {
            return Err(LexError::TooAmbiguous);
        }
        match run(r, text, points, &mut todo, &mut seen) {
            Ok(r) => done.push(r),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    let Some(first) = done.first() else {
        return Err(LexError::Invalid(
            first_error.unwrap_or_else(|| "no valid reading".into()),
        ));
    };
    for other in &done[1..] {
        for (i, (a, b)) in first.classes.iter().zip(&other.classes).enumerate() {
            if a != b {
                let cause = first
                    .forks
                    .iter()
                    .zip(&other.forks)
                    .find(|(x, y)| x != y)
                    .map(|(x, _)| x.clone())
                    .unwrap_or_default();
                return Err(LexError::Ambiguous {
                    index: i,
                    first: a.unwrap_or(Class::Comment),
                    second: b.unwrap_or(Class::Comment),
                    cause,
                });
            }
        }
    }
    Ok(first
        .classes
        .iter()
        .map(|c| c.expect("every point is visited"))
        .collect())
}

/// Runs one reading to the end, pushing the other branch of every fork onto `todo`.
fn run(
    mut r: Reading,
    text: &[char],
    points: &[usize],
    todo: &mut Vec<Reading>,
    seen: &mut HashSet<Reading>,
) -> Result<Reading, String> {
    let mut next_point = points.iter().position(|&p| p >= r.pos);
    loop {
        // Record the class of a point standing here.
        while let Some(i) = next_point {
            if points[i] != r.pos {
                break;
            }
            if r.classes[i].is_none() {
                let after_dollar =
                    matches!(r.mode, Mode::Template { .. }) && r.pos > 0 && text[r.pos - 1] == '$';
                r.classes[i] = Some(if after_dollar {
                    Class::AfterDollar
                } else {
                    class_here(&r)
                });
            }
            next_point = (i + 1 < points.len()).then_some(i + 1);
        }
        let Some(&c) = text.get(r.pos) else {
            return match r.mode {
                Mode::Code if r.stack.is_empty() => Ok(r),
                Mode::Code => Err("a bracket is not closed".into()),
                Mode::LineComment => {
                    if r.stack.is_empty() {
                        Ok(r)
                    } else {
                        Err("a bracket is not closed".into())
                    }
                }
                Mode::Single | Mode::Double => Err("a string is not closed".into()),
                Mode::Template { .. } => Err("a template literal is not closed".into()),
                Mode::Regex { .. } => Err("a regular expression is not closed".into()),
                Mode::BlockComment { .. } => Err("a `/*` comment is not closed".into()),
            };
        };
        let at = |k: usize| text.get(r.pos + k).copied();
        match r.mode {
            Mode::LineComment => {
                if is_line_terminator(c) {
                    r.mode = Mode::Code;
                } else {
                    r.pos += 1;
                }
            }
            Mode::BlockComment { newline } => {
                if c == '*' && at(1) == Some('/') {
                    r.pos += 2;
                    r.mode = Mode::Code;
                    if newline {
                        r.line_start = true;
                    }
                } else {
                    r.mode = Mode::BlockComment {
                        newline: newline || is_line_terminator(c),
                    };
                    r.pos += 1;
                }
            }
            Mode::Single | Mode::Double => {
                let quote = if r.mode == Mode::Single { '\'' } else { '"' };
                if c == quote {
                    r.pos += 1;
                    r.mode = Mode::Code;
                    r.prev = Prev::After;
                } else if c == '\\' {
                    escape(&mut r, text, points, false)?;
                } else if c == '\n' || c == '\r' {
                    return Err("a line break inside a string".into());
                } else {
                    r.pos += 1;
                }
            }
            Mode::Template { tagged } => {
                if c == '`' {
                    r.pos += 1;
                    r.mode = Mode::Code;
                    r.prev = Prev::After;
                } else if c == '\\' {
                    escape(&mut r, text, points, true)?;
                } else if c == '$' && at(1) == Some('{') {
                    r.pos += 2;
                    r.stack.push(Open::Subst { tagged });
                    r.mode = Mode::Code;
                    r.prev = Prev::Expect;
                } else {
                    r.pos += 1;
                }
            }
            Mode::Regex { class } => {
                if c == '\\' {
                    match at(1) {
                        Some(n) if !is_line_terminator(n) => {
                            let p = r.pos;
                            mark_inside(&mut r, points, p + 1, p + 2, Class::Regex);
                            r.pos += 2;
                        }
                        _ => return Err("a line break inside a regular expression".into()),
                    }
                } else if is_line_terminator(c) {
                    return Err("a line break inside a regular expression".into());
                } else if c == '[' {
                    r.mode = Mode::Regex { class: true };
                    r.pos += 1;
                } else if c == ']' {
                    r.mode = Mode::Regex { class: false };
                    r.pos += 1;
                } else if c == '/' && !class {
                    r.pos += 1;
                    // Flags.
                    while text.get(r.pos).is_some_and(|&f| is_id_part(f) && f != '\\') {
                        r.pos += 1;
                    }
                    r.mode = Mode::Code;
                    r.prev = Prev::After;
                } else {
                    r.pos += 1;
                }
            }
            Mode::Code => {
                if is_line_terminator(c) {
                    r.pos += 1;
                    r.line_start = true;
                    continue;
                }
                if is_js_whitespace(c) {
                    r.pos += 1;
                    continue;
                }
                if c == '/' && at(1) == Some('/') {
                    r.mode = Mode::LineComment;
                    r.pos += 2;
                    continue;
                }
                if c == '/' && at(1) == Some('*') {
                    r.mode = Mode::BlockComment { newline: false };
                    r.pos += 2;
                    continue;
                }
                if c == '<' && at(1) == Some('!') && at(2) == Some('-') && at(3) == Some('-') {
                    r.mode = Mode::LineComment;
                    r.pos += 4;
                    continue;
                }
                if c == '-' && at(1) == Some('-') && at(2) == Some('>') && r.line_start {
                    r.mode = Mode::LineComment;
                    r.pos += 3;
                    continue;
                }
                r.line_start = false;
                let head_keyword = std::mem::replace(&mut r.head_keyword, false);
                let for_keyword = std::mem::replace(&mut r.for_keyword, false);
                if is_marker(c) {
                    r.pos += 1;
                    r.prev = Prev::After;
                    continue;
                }
                match c {
                    '/' => {
                        let regex = match r.prev {
                            Prev::Expect => true,
                            Prev::After | Prev::Property => false,
                            Prev::Either => {
                                let mut other = r.clone();
                                other.forks.push("`/` read as a division".into());
                                division(&mut other, text);
                                if seen.insert(other.clone()) {
                                    todo.push(other);
                                }
                                r.forks
                                    .push("`/` read as the start of a regular expression".into());
                                true
                            }
                        };
                        if regex {
                            r.pos += 1;
                            r.mode = Mode::Regex { class: false };
                        } else {
                            division(&mut r, text);
                        }
                    }
                    '`' => {
                        let tagged = match r.prev {
                            Prev::Expect => false,
                            Prev::After | Prev::Property => true,
                            Prev::Either => {
                                let mut other = r.clone();
                                other.forks.push("a template literal read as tagged".into());
                                other.pos += 1;
                                other.mode = Mode::Template { tagged: true };
                                if seen.insert(other.clone()) {
                                    todo.push(other);
                                }
                                r.forks.push("a template literal read as untagged".into());
                                false
                            }
                        };
                        r.pos += 1;
                        r.mode = Mode::Template { tagged };
                    }
                    '\'' => {
                        r.pos += 1;
                        r.mode = Mode::Single;
                    }
                    '"' => {
                        r.pos += 1;
                        r.mode = Mode::Double;
                    }
                    '(' => {
                        r.stack.push(Open::Paren {
                            keyword: head_keyword,
                            for_head: for_keyword,
                        });
                        r.pos += 1;
                        r.prev = Prev::Expect;
                    }
                    ')' => {
                        let Some(Open::Paren { keyword, .. }) = r.stack.pop() else {
                            return Err("a `)` does not close a `(`".into());
                        };
                        r.pos += 1;
                        r.prev = if keyword { Prev::Expect } else { Prev::After };
                    }
                    '[' => {
                        r.stack.push(Open::Bracket);
                        r.pos += 1;
                        r.prev = Prev::Expect;
                    }
                    ']' => {
                        if r.stack.pop() != Some(Open::Bracket) {
                            return Err("a `]` does not close a `[`".into());
                        }
                        r.pos += 1;
                        r.prev = Prev::After;
                    }
                    '{' => {
                        r.stack.push(Open::Brace);
                        r.pos += 1;
                        r.prev = Prev::Expect;
                    }
                    '}' => {
                        r.pos += 1;
                        match r.stack.pop() {
                            Some(Open::Brace) => r.prev = Prev::Either,
                            Some(Open::Subst { tagged }) => r.mode = Mode::Template { tagged },
                            _ => return Err("a `}` does not close a `{`".into()),
                        }
                    }
                    '.' if at(1).is_some_and(|d| d.is_ascii_digit()) => {
                        number(&mut r, text);
                    }
                    '.' if at(1) == Some('.') && at(2) == Some('.') => {
                        r.pos += 3;
                        r.prev = Prev::Expect;
                    }
                    '.' => {
                        r.pos += 1;
                        r.prev = Prev::Property;
                    }
                    '?' if at(1) == Some('.') && !at(2).is_some_and(|d| d.is_ascii_digit()) => {
                        r.pos += 2;
                        r.prev = Prev::Property;
                    }
                    '+' | '-' if at(1) == Some(c) => {
                        r.pos += 2;
                        // Prefix where an operand is expected (or after a line break, where
                        // ASI ends the previous statement); postfix after an operand. Where
                        // that is not certain, both.
                        r.prev = match r.prev {
                            Prev::Expect => Prev::Expect,
                            _ => Prev::Either,
                        };
                    }
                    c if c.is_ascii_digit() => number(&mut r, text),
                    c if is_id_start(c) => {
                        let start = r.pos;
                        let mut name = String::new();
                        while let Some(&ch) = text.get(r.pos) {
                            let fits = if r.pos == start {
                                is_id_start(ch)
                            } else {
                                is_id_part(ch)
                            };
                            if !fits {
                                break;
                            }
                            if ch == '\\' {
                                // `\uXXXX` / `\u{X}` inside an identifier.
                                let p = r.pos;
                                mark_inside(&mut r, points, p + 1, p + 2, Class::Escape);
                            }
                            name.push(ch);
                            r.pos += 1;
                        }
                        let property = r.prev == Prev::Property;
                        r.prev = if property {
                            Prev::After
                        } else {
                            keyword_prev(&name, head_keyword)
                        };
                        r.head_keyword = !property
                            && (matches!(name.as_str(), "if" | "while" | "for" | "with")
                                || (name == "await" && head_keyword));
                        r.for_keyword =
                            !property && (name == "for" || (name == "await" && for_keyword));
                    }
                    ';' if !matches!(
                        r.stack.last(),
                        None | Some(Open::Brace) | Some(Open::Paren { for_head: true, .. })
                    ) =>
                    {
                        // Only a `for (;;)` head or a block holds a `;`: this is what the
                        // client makes of a value expression whose `;` its splitter missed
                        // (`return (a; b);`), a syntax error.
                        return Err("a `;` inside parentheses or brackets".into());
                    }
                    _ => {
                        // Any other punctuator (`=`, `=>`, `,`, `;`, `:`, `?`, `!`, `*`, …):
                        // an operand may follow. A character that is not JavaScript makes the
                        // body a syntax error, which is harmless.
                        r.pos += 1;
                        r.prev = Prev::Expect;
                    }
                }
            }
        }
    }
}

/// The class of a point at the reading's current position.
fn class_here(r: &Reading) -> Class {
    match r.mode {
        Mode::Code => match r.prev {
            Prev::Expect => Class::Operand,
            Prev::After => Class::AfterOperand,
            Prev::Either => Class::Uncertain,
            Prev::Property => Class::Property,
        },
        Mode::Single => Class::Single,
        Mode::Double => Class::Double,
        Mode::Template { tagged: false } => Class::Template,
        Mode::Template { tagged: true } => Class::TaggedTemplate,
        Mode::Regex { .. } => Class::Regex,
        Mode::LineComment | Mode::BlockComment { .. } => Class::Comment,
    }
}

/// Points in `from..to` (char indices) get `class` (they stand inside a token).
fn mark_inside(r: &mut Reading, points: &[usize], from: usize, to: usize, class: Class) {
    for (i, &p) in points.iter().enumerate() {
        if p >= from && p < to && r.classes[i].is_none() {
            r.classes[i] = Some(class);
        }
    }
}

/// `/` or `/=` as an operator.
fn division(r: &mut Reading, text: &[char]) {
    r.pos += if text.get(r.pos + 1) == Some(&'=') {
        2
    } else {
        1
    };
    r.prev = Prev::Expect;
}

/// A numeric literal (decimal with `.` and exponent, `0x`/`0o`/`0b`, `_` separators, `n`).
fn number(r: &mut Reading, text: &[char]) {
    let radix_prefix = text[r.pos] == '0'
        && text
            .get(r.pos + 1)
            .is_some_and(|c| matches!(c, 'x' | 'X' | 'o' | 'O' | 'b' | 'B'));
    let mut prev = '\0';
    while let Some(&c) = text.get(r.pos) {
        let sign = matches!(c, '+' | '-') && matches!(prev, 'e' | 'E') && !radix_prefix;
        if c.is_ascii_alphanumeric() || c == '_' || c == '.' || sign {
            prev = c;
            r.pos += 1;
        } else {
            break;
        }
    }
    r.prev = Prev::After;
}

/// What may follow an identifier or keyword (not after `.`).
fn keyword_prev(name: &str, head_keyword: bool) -> Prev {
    match name {
        "return" | "typeof" | "instanceof" | "in" | "new" | "delete" | "void" | "throw"
        | "case" | "do" | "else" | "extends" => Prev::Expect,
        // Keywords or identifiers depending on context, where an operand may follow the
        // keyword (`for (x of /re/)`, `yield /re/`, `await /re/`).
        "of" | "yield" | "await" => {
            if name == "await" && head_keyword {
                Prev::After
            } else {
                Prev::Either
            }
        }
        _ => Prev::After,
    }
}

/// An escape sequence in a string or template literal, starting at the `\`. Points inside it
/// (after the `\`, or inside an unfinished `\x`/`\u`) are [`Class::Escape`].
fn escape(r: &mut Reading, text: &[char], points: &[usize], template: bool) -> Result<(), String> {
    let start = r.pos;
    let Some(&c) = text.get(start + 1) else {
        mark_inside(r, points, start + 1, start + 2, Class::Escape);
        r.pos += 1;
        return Ok(());
    };
    let hex = |k: usize| text.get(k).is_some_and(|c| c.is_ascii_hexdigit());
    let end = match c {
        '\r' if text.get(start + 2) == Some(&'\n') => start + 3,
        'x' => {
            let mut e = start + 2;
            while e < start + 4 && hex(e) {
                e += 1;
            }
            if e < start + 4 {
                // Unfinished: a point right after it would complete it.
                mark_inside(r, points, start + 1, e + 1, Class::Escape);
            }
            e
        }
        'u' if text.get(start + 2) == Some(&'{') => {
            let mut e = start + 3;
            while hex(e) {
                e += 1;
            }
            if text.get(e) == Some(&'}') {
                e + 1
            } else {
                mark_inside(r, points, start + 1, e + 1, Class::Escape);
                e
            }
        }
        'u' => {
            let mut e = start + 2;
            while e < start + 6 && hex(e) {
                e += 1;
            }
            if e < start + 6 {
                mark_inside(r, points, start + 1, e + 1, Class::Escape);
            }
            e
        }
        '0'..='7' if !template => {
            // Legacy octal: up to three digits; what `expr!` writes after it starts with `\`.
            let mut e = start + 2;
            while e < start + 4 && text.get(e).is_some_and(|d| ('0'..='7').contains(d)) {
                e += 1;
            }
            e
        }
        _ => start + 2,
    };
    mark_inside(r, points, start + 1, end, Class::Escape);
    r.pos = end;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Classes of the `§` placeholders of `code`.
    fn classes(code: &str) -> Result<Vec<Class>, LexError> {
        let mut text = Vec::new();
        let mut points = Vec::new();
        for c in code.chars() {
            if c == '§' {
                points.push(text.len());
                text.push(char::from_u32(MARKER + points.len() as u32 - 1).unwrap());
            } else {
                text.push(c);
            }
        }
        classify(&text, &points)
    }

    fn one(code: &str) -> Class {
        match classes(code) {
            Ok(c) => c[0],
            Err(e) => panic!("{code}: {e:?}"),
        }
    }

    use Class::*;

    #[test]
    fn strings_and_code() {
        assert_eq!(one("§"), Operand);
        assert_eq!(one("a + §"), Operand);
        assert_eq!(one("'a§b'"), Single);
        assert_eq!(one("\"a§b\""), Double);
        assert_eq!(one("`a§b`"), Template);
        assert_eq!(one("a §"), AfterOperand);
        assert_eq!(one("a.§"), Property);
        assert_eq!(one("a?.§"), Property);
        assert_eq!(one("a ? § : 1"), Operand);
        assert_eq!(one("a ?.5: §"), Operand);
        assert_eq!(one("return §"), Operand);
        assert_eq!(one("x.return §"), AfterOperand);
    }

    #[test]
    fn the_three_shapes_of_the_issue() {
        // A regex literal holding a quote before the placeholder.
        assert_eq!(one("$['name'].replace(/\"/g, '') + §"), Operand);
        // A string inside `${}` of a template literal.
        assert_eq!(one("`${\"§\"}`"), Double);
        // An apostrophe in a comment.
        assert_eq!(one("/* it's */ \"a\" + \"§\""), Double);
    }

    #[test]
    fn regex_or_division() {
        assert_eq!(one("a / 2 / §"), Operand);
        assert_eq!(one("(a) / '§'"), Single);
        assert_eq!(one("if (a) /'/.test(x) + '§'"), Single);
        assert_eq!(one("x = a++ / 2 + '§'"), Single);
        assert_eq!(one("[1] / '§'"), Single);
        assert_eq!(one("return /'/.test(x) + '§'"), Single);
        assert_eq!(one("typeof /x/ + §"), Operand);
        assert_eq!(one("/[/']/ + '§'"), Single);
        assert_eq!(one("/\\/'/ + '§'"), Single);
        // `}`: a block or an object literal; both readings agree here.
        assert_eq!(one("{} '§'"), Single);
    }

    #[test]
    fn ambiguous_readings_are_refused() {
        // After `}`: `/'/` is a regex (block) or two divisions around a string (object).
        assert!(matches!(
            classes("{}/'/ + '§' // '"),
            Err(LexError::Ambiguous { .. })
        ));
        assert!(matches!(
            classes("a\n++/'/ + '§' // '"),
            Err(LexError::Ambiguous { .. })
        ));
        assert_eq!(one("{} §"), Uncertain);
        // Only one reading is valid JavaScript: the other leaves a string open.
        assert_eq!(one("{}/'/ + '§'"), Single);
    }

    #[test]
    fn comments() {
        assert_eq!(one("// §\n"), Comment);
        assert_eq!(one("/* § */"), Comment);
        assert_eq!(one("a <!-- '§\n"), Comment);
        assert_eq!(one("--> '§'\n"), Comment);
        assert_eq!(one("a\n--> '§'\n"), Comment);
        assert_eq!(one("a --> '§'"), Single);
        assert_eq!(one("// it's\n'§'"), Single);
        assert_eq!(one("/* it's\n */ --> '§'\n"), Comment);
    }

    #[test]
    fn templates_nest() {
        assert_eq!(one("`a${ `b${ '§' }` }`"), Single);
        assert_eq!(one("`a${ {a: 1}.a }§`"), Template);
        assert_eq!(one("`${ `${ `§` }` }`"), Template);
        assert_eq!(one("`${ § }`"), Operand);
        assert_eq!(one("f`a§`"), TaggedTemplate);
        // An empty value would make `$` and `{` one token: `${x}` runs `x`.
        assert_eq!(one("`$§{x}`"), AfterDollar);
        assert_eq!(one("`a$ §`"), Template);
        assert_eq!(one("`a`§"), AfterOperand);
    }

    #[test]
    fn escapes() {
        assert_eq!(one("'\\§'"), Escape);
        assert_eq!(one("'\\x4§'"), Escape);
        assert_eq!(one("'\\x§'"), Escape);
        assert_eq!(one("'\\u00§'"), Escape);
        assert_eq!(one("'\\u{4§}'"), Escape);
        assert_eq!(one("'\\x41§'"), Single);
        assert_eq!(one("'\\u{41}§'"), Single);
        assert_eq!(one("'\\0§'"), Single);
        assert_eq!(one("'a\\\nb§'"), Single);
        assert_eq!(one("'\\'§'"), Single);
        assert_eq!(one("\"\\\"§\""), Double);
        assert_eq!(one("/\\§/"), Regex);
    }

    #[test]
    fn numbers() {
        assert_eq!(one("1. + §"), Operand);
        assert_eq!(one(".5 + §"), Operand);
        assert_eq!(one("1e+5 §"), AfterOperand);
        assert_eq!(one("0x1e+§"), Operand);
        assert_eq!(one("1 / '§'"), Single);
        assert_eq!(one("1_000n / '§'"), Single);
    }

    #[test]
    fn invalid_code() {
        assert!(matches!(classes("'§"), Err(LexError::Invalid(_))));
        assert!(matches!(classes("'a\n§'"), Err(LexError::Invalid(_))));
        assert!(matches!(classes("(§"), Err(LexError::Invalid(_))));
        assert!(matches!(classes("§)"), Err(LexError::Invalid(_))));
        assert!(matches!(classes("/* §"), Err(LexError::Invalid(_))));
        assert!(matches!(
            classes("return (1; §);"),
            Err(LexError::Invalid(_))
        ));
        assert_eq!(one("for (;;) { § }"), Operand);
        assert_eq!(one("for await (x of y) { ({}); § }"), Operand);
    }

    #[test]
    fn whitespace_is_javascripts() {
        // NBSP is whitespace: `return` is the keyword, `/` starts a regex.
        assert_eq!(one("return\u{a0}/'/ + '§'"), Single);
        assert_eq!(one("a\u{2028}--> §"), Comment);
    }
}
