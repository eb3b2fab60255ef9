//! `nitro-fmt`: formats the `html!` templates of [nitro](https://docs.rs/nitro) in Rust
//! source files. rustfmt leaves macro bodies alone; run this after it.
//!
//! ```text
//! cargo install --path fmt        # installs `nitro-fmt` and `cargo-nitro-fmt`
//! nitro-fmt src/ examples/        # formats every *.rs below, in place
//! cargo nitro-fmt --check src/    # lists the files that would change, exits 1 if any
//! nitro-fmt < page.rs             # stdin to stdout, for editors
//! ```
//!
//! # Style
//!
//! - A node (element, control flow, group) stays on one line when it fits in 100 columns
//!   and none of its blocks holds more than one element or control node:
//!   `li { a href="/" { "Home" } }`, `@if done { "yes" } @else { "no" }`.
//! - Otherwise each of its blocks opens with `{` at the end of the line, holds one node a line,
//!   indented four spaces more, and closes with `}` on a line of its own; `@else` follows `}`.
//!   An element's attributes that do not fit on its line go on to the next ones, indented four
//!   spaces more.
//! - `.class` shorthands with a fixed name are joined to the tag (`p.note.big`); `#id` is not
//!   (`p #intro`: `p#intro` is a reserved prefix since Rust 2021).
//! - Attributes are written `name="value"`, `name=(expr)`, `name[cond]`, with no space around
//!   `=`; between a tag and its attributes, one space.
//! - Rust code (splices, conditions, `@for` heads, `@let`, match patterns), names and string
//!   literals are copied as written, line breaks included.
//! - The template is indented from the line the macro's opening delimiter is on (rustfmt's
//!   indentation of the call site); the closing delimiter goes back to that indentation.
//! - Comments are kept, each on its own line before the token that followed it.
//! - An item, `let` or macro statement marked `#[rustfmt::skip]` (or `#[nitro_fmt::skip]`) is
//!   left as written.
//!
//! # What it never changes
//!
//! Only whitespace between tokens: every template is re-read after formatting and its tokens
//! compared with the original (same tokens, same order, same spacing of joined punctuation);
//! a template that would differ is left as it was and reported. As `html!` sees only tokens, the
//! rendered bytes are the same. A template that does not parse, or that `html!` would refuse
//! at parse time, is left as it is.

mod find;
mod layout;
mod render;

pub mod cli;

use proc_macro2::{Delimiter, TokenStream, TokenTree};

/// A template the formatter left as it was, and why.
#[derive(Debug)]
pub struct Skipped {
    /// 1-based line of the macro's opening delimiter.
    pub line: usize,
    /// Why it was not formatted.
    pub reason: String,
}

/// The result of formatting one file.
pub struct Formatted {
    /// The new source.
    pub text: String,
    /// The templates left as they were because of an internal error (never a parse error of
    /// the template: those are the compiler's to report).
    pub skipped: Vec<Skipped>,
}

/// Formats every `html!` in the Rust source `src`; `Err` if the file is not valid Rust.
pub fn format_source(src: &str) -> syn::Result<Formatted> {
    let file = syn::parse_file(src)?;
    let mut calls = find::html_calls(&file);
    calls.sort_by_key(|c| c.open.start);
    // The outermost calls: a template inside another's splice is copied with it.
    let mut outer: Vec<find::Call> = Vec::new();
    for c in calls {
        if outer.last().is_none_or(|o| c.open.start >= o.close.end) {
            outer.push(c);
        }
    }
    let mut text = String::with_capacity(src.len() + src.len() / 8);
    let mut skipped = Vec::new();
    let mut at = 0;
    for call in outer {
        // `html! {`, `html!(`: one space before a brace, none before the others.
        let gap = &src[call.bang_end..call.open.start];
        let (keep, gap) = if gap.trim().is_empty() {
            let space = if call.delimiter == Delimiter::Brace {
                " "
            } else {
                ""
            };
            (call.bang_end, space)
        } else {
            (call.open.start, "")
        };
        let before = text.len();
        text.push_str(&src[at..keep]);
        text.push_str(gap);
        // Column and indentation as written so far (an earlier call on the same line may have
        // moved this one), so that a second run decides the same.
        let line = &text[text.rfind('\n').map_or(0, |i| i + 1)..];
        let indent: String = line
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        let column = line.chars().count();
        match format_call(src, &call, &indent, column) {
            Ok(Some(new)) => text.push_str(&new),
            other => {
                if let Err(reason) = other {
                    skipped.push(Skipped {
                        line: src[..call.open.start].lines().count().max(1),
                        reason,
                    });
                }
                text.truncate(before);
                text.push_str(&src[at..call.close.end]);
            }
        }
        at = call.close.end;
    }
    text.push_str(&src[at..]);
    Ok(Formatted { text, skipped })
}

/// The formatted call (delimiters included), `None` when the template does not parse.
fn format_call(
    src: &str,
    call: &find::Call,
    indent: &str,
    column: usize,
) -> Result<Option<String>, String> {
    let mut diags = nitro_syntax::diag::Diagnostics::default();
    let parsed =
        nitro_syntax::parse::parse(call.tokens.clone(), &mut diags, &|_| TokenStream::new());
    if parsed.is_err() || !diags.is_empty() {
        return Ok(None);
    }
    let block = layout::read(src, call.tokens.clone(), call.open.end, call.close.start)
        .map_err(|e| format!("layout: {e}"))?;
    let (open, close) = match call.delimiter {
        Delimiter::Parenthesis => ('(', ')'),
        Delimiter::Bracket => ('[', ']'),
        _ => ('{', '}'),
    };
    let new = render::template(src, &block, open, close, indent, column);
    let inner = &new[open.len_utf8()..new.len() - close.len_utf8()];
    let reread: TokenStream = inner
        .parse()
        .map_err(|e| format!("the formatted template does not tokenize: {e}"))?;
    if !same_tokens(&reread, &call.tokens) {
        return Err("formatting would change the template's tokens".into());
    }
    // `span#x`, `b"x"`: what proc-macro2 lexes as two tokens, rustc may read as one prefix.
    if joined_prefixes(&new) > joined_prefixes(&src[call.open.start..call.close.end]) {
        return Err("formatting would join a name to `#`, `\"` or `'`".into());
    }
    Ok(Some(new))
}

/// Places where a name character is directly followed by `#`, `"` or `'` (a reserved prefix
/// for rustc since Rust 2021, or a raw/byte string): formatting must not add any.
fn joined_prefixes(text: &str) -> usize {
    text.as_bytes()
        .windows(2)
        .filter(|w| {
            (w[0].is_ascii_alphanumeric() || w[0] == b'_') && matches!(w[1], b'#' | b'"' | b'\'')
        })
        .count()
}

/// Same tokens in the same order, delimiters and the spacing of joined punctuation included.
pub fn same_tokens(a: &TokenStream, b: &TokenStream) -> bool {
    fn flat(ts: &TokenStream, out: &mut Vec<String>) {
        for tt in ts.clone() {
            match tt {
                TokenTree::Group(g) => {
                    out.push(format!("{:?}(", g.delimiter()));
                    flat(&g.stream(), out);
                    out.push(")".into());
                }
                TokenTree::Punct(p) => out.push(format!("{}{:?}", p.as_char(), p.spacing())),
                other => out.push(other.to_string()),
            }
        }
    }
    let (mut x, mut y) = (Vec::new(), Vec::new());
    flat(a, &mut x);
    flat(b, &mut y);
    x == y
}
