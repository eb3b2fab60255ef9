//! A template's layout tree, read from its tokens with the `html!` grammar: the nodes and
//! blocks the formatter may move, and the source text it copies byte for byte (names, string
//! literals, Rust code in splices and conditions). Comments between tokens are kept with the
//! token they precede.

use std::ops::Range;

use proc_macro2::{TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{token, Ident, Lit, LitStr, Token};

/// Source text the formatter copies: byte ranges of the file, joined with a space where
/// `space` says so (`@for x in xs`, `Some(x) =>`) and with nothing otherwise (`title="a"`).
pub struct Piece {
    /// The comments before it, one line each.
    pub comments: Vec<String>,
    /// `(space before, range)`; a piece with a comment inside is one verbatim range.
    pub parts: Vec<(bool, Range<usize>)>,
    /// Written right after what precedes it (a stray `;`, an arm's `,`).
    pub glue: bool,
}

impl Piece {
    /// The text as the formatter writes it.
    pub fn text(&self, src: &str) -> String {
        let mut s = String::new();
        for (space, r) in &self.parts {
            if *space && !s.is_empty() {
                s.push(' ');
            }
            s.push_str(&src[r.clone()]);
        }
        s
    }
}

/// One run of a node: words on a line, or a `{ .. }` block.
pub enum Seg {
    /// Pieces written on one line, separated by a space (unless glued).
    Words(Vec<Piece>),
    /// A block of nodes.
    Block(Block),
}

/// A node of the markup (text, splice, element, control flow, group), or a match arm.
pub struct Node {
    /// Its runs in source order (`@if c` `{..}` `@else` `{..}`).
    pub segs: Vec<Seg>,
}

impl Node {
    /// Does it hold a block (an element with children, control flow, a group)?
    pub fn has_block(&self) -> bool {
        self.segs.iter().any(|s| matches!(s, Seg::Block(_)))
    }
}

/// The inside of `{ .. }` (or of the macro's delimiters).
pub struct Block {
    /// Comments between the preceding token and `{`.
    pub open_comments: Vec<String>,
    /// The nodes.
    pub items: Vec<Node>,
    /// Comments after the last node, before `}`.
    pub close_comments: Vec<String>,
}

/// Reads the layout of a whole template (the tokens inside `html!`'s delimiters, which start
/// at byte `open_end` of `src`, right after the opening delimiter, and end before `close`).
pub fn read(src: &str, tokens: TokenStream, open_end: usize, close: usize) -> syn::Result<Block> {
    let mut rd = Reader {
        src,
        last: open_end,
    };
    let mut block = (|input: ParseStream| {
        let mut items = Vec::new();
        if input.peek(Token![move]) {
            let start = begin(input);
            input.parse::<Token![move]>()?;
            let mut words = vec![rd.piece(vec![(false, start..end(input))], false)];
            semi(input, &mut rd, &mut words)?;
            items.push(Node {
                segs: vec![Seg::Words(words)],
            });
        }
        if input.peek(Token![@]) && input.peek2(Ident::peek_any) {
            let fork = input.fork();
            fork.parse::<Token![@]>()?;
            if Ident::parse_any(&fork)? == "signals" {
                let start = begin(input);
                input.parse::<Token![@]>()?;
                Ident::parse_any(input)?;
                let head = start..end(input);
                let args = begin(input);
                input.parse::<TokenTree>()?;
                let parts = vec![(false, head), (false, args..end(input))];
                let mut words = vec![rd.piece(parts, false)];
                semi(input, &mut rd, &mut words)?;
                items.push(Node {
                    segs: vec![Seg::Words(words)],
                });
            }
        }
        contents(input, &mut rd, &mut items)?;
        Ok(Block {
            open_comments: Vec::new(),
            items,
            close_comments: Vec::new(),
        })
    })
    .parse2(tokens)?;
    block.close_comments = rd.comments_before(close);
    Ok(block)
}

/// Where the next token starts.
fn begin(input: ParseStream) -> usize {
    input.span().byte_range().start
}

/// Where the last token read ends.
fn end(input: ParseStream) -> usize {
    input.cursor().prev_span().byte_range().end
}

/// An optional `;`, glued to the words before it when it is in the source (a space between
/// `;` and a following `;` is part of the tokens: it decides whether they are joined).
fn semi(input: ParseStream, rd: &mut Reader, words: &mut Vec<Piece>) -> syn::Result<()> {
    if input.peek(Token![;]) {
        let start = begin(input);
        let glue = start == rd.last;
        input.parse::<Token![;]>()?;
        words.push(rd.piece(vec![(false, start..end(input))], glue));
    }
    Ok(())
}

/// Turns byte ranges into pieces in source order, picking up the comments between them.
struct Reader<'s> {
    src: &'s str,
    /// The end of the last token turned into a piece.
    last: usize,
}

impl Reader<'_> {
    fn comments_before(&mut self, start: usize) -> Vec<String> {
        let gap = &self.src[self.last.min(start)..start];
        self.last = self.last.max(start);
        comment_lines(gap)
    }

    fn piece(&mut self, mut parts: Vec<(bool, Range<usize>)>, glue: bool) -> Piece {
        let first = parts[0].1.start;
        let comments = self.comments_before(first);
        let inner_comment = parts
            .windows(2)
            .any(|w| !comment_lines(&self.src[w[0].1.end..w[1].1.start]).is_empty());
        let last = parts.last().map_or(first, |p| p.1.end);
        if inner_comment {
            parts = vec![(false, first..last)];
        }
        self.last = last;
        Piece {
            comments,
            parts,
            glue,
        }
    }

    /// A block: `{`, the nodes, `}`.
    fn block(&mut self, input: ParseStream) -> syn::Result<Block> {
        let content;
        let brace = syn::braced!(content in input);
        let open = brace.span.open().byte_range();
        let open_comments = self.comments_before(open.start);
        self.last = open.end;
        let mut items = Vec::new();
        contents(&content, self, &mut items)?;
        let close_comments = self.comments_before(brace.span.close().byte_range().start);
        self.last = brace.span.close().byte_range().end;
        Ok(Block {
            open_comments,
            items,
            close_comments,
        })
    }
}

/// The comments in the text between two tokens (only whitespace and comments are there), one
/// trimmed line each.
pub fn comment_lines(gap: &str) -> Vec<String> {
    gap.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

fn contents(input: ParseStream, rd: &mut Reader, items: &mut Vec<Node>) -> syn::Result<()> {
    while !input.is_empty() {
        if input.peek(Token![;]) {
            // A stray `;`: written right after the node before it.
            let mut words = Vec::new();
            semi(input, rd, &mut words)?;
            match items.last_mut() {
                Some(prev) => prev.segs.push(Seg::Words(words)),
                None => {
                    words[0].glue = false;
                    items.push(Node {
                        segs: vec![Seg::Words(words)],
                    });
                }
            }
            continue;
        }
        let node = node(input, rd)?;
        items.push(node);
    }
    Ok(())
}

/// One token tree as one piece.
fn one_tree(input: ParseStream, rd: &mut Reader) -> syn::Result<Piece> {
    let start = begin(input);
    input.parse::<TokenTree>()?;
    Ok(rd.piece(vec![(false, start..end(input))], false))
}

fn words(pieces: Vec<Piece>) -> Seg {
    Seg::Words(pieces)
}

fn node(input: ParseStream, rd: &mut Reader) -> syn::Result<Node> {
    if input.peek(Lit) || input.peek(token::Paren) {
        return Ok(Node {
            segs: vec![words(vec![one_tree(input, rd)?])],
        });
    }
    if input.peek(token::Brace) {
        return Ok(Node {
            segs: vec![Seg::Block(rd.block(input)?)],
        });
    }
    if input.peek(Token![!]) {
        let start = begin(input);
        input.parse::<Token![!]>()?;
        Ident::parse_any(input)?;
        return Ok(Node {
            segs: vec![words(vec![
                rd.piece(vec![(false, start..end(input))], false)
            ])],
        });
    }
    if input.peek(Token![@]) {
        return control(input, rd);
    }
    element(input, rd)
}

/// Tokens up to the next `{ .. }`, as one range (Rust code: copied as written).
fn until_brace(input: ParseStream) -> syn::Result<Range<usize>> {
    let start = begin(input);
    while !input.peek(token::Brace) && !input.is_empty() {
        input.parse::<TokenTree>()?;
    }
    Ok(start..end(input))
}

/// `@` and a keyword, as one range.
fn at_keyword(input: ParseStream) -> syn::Result<(Range<usize>, String)> {
    let start = begin(input);
    input.parse::<Token![@]>()?;
    let kw = Ident::parse_any(input)?.to_string();
    Ok((start..end(input), kw))
}

fn control(input: ParseStream, rd: &mut Reader) -> syn::Result<Node> {
    let (head, kw) = at_keyword(input)?;
    let mut segs = Vec::new();
    match kw.as_str() {
        "let" => {
            let rest = begin(input);
            while !input.peek(Token![;]) {
                input.parse::<TokenTree>()?;
            }
            let code = rest..end(input);
            let semi_start = begin(input);
            input.parse::<Token![;]>()?;
            let parts = vec![(false, head), (true, code), (false, semi_start..end(input))];
            segs.push(words(vec![rd.piece(parts, false)]));
        }
        "if" => {
            let cond = until_brace(input)?;
            segs.push(words(vec![
                rd.piece(vec![(false, head), (true, cond)], false)
            ]));
            segs.push(Seg::Block(rd.block(input)?));
            while input.peek(Token![@]) && input.peek2(Token![else]) {
                let (at_else, _) = at_keyword(input)?;
                let mut parts = vec![(false, at_else)];
                if input.peek(Token![if]) {
                    let if_start = begin(input);
                    input.parse::<Token![if]>()?;
                    parts.push((true, if_start..end(input)));
                    parts.push((true, until_brace(input)?));
                }
                segs.push(words(vec![rd.piece(parts, false)]));
                segs.push(Seg::Block(rd.block(input)?));
            }
        }
        "match" => {
            let expr = until_brace(input)?;
            segs.push(words(vec![
                rd.piece(vec![(false, head), (true, expr)], false)
            ]));
            let content;
            let brace = syn::braced!(content in input);
            let open = brace.span.open().byte_range();
            let open_comments = rd.comments_before(open.start);
            rd.last = open.end;
            let mut arms = Vec::new();
            while !content.is_empty() {
                let pat_start = begin(&content);
                while !content.peek(Token![=>]) {
                    content.parse::<TokenTree>()?;
                }
                let pat = pat_start..end(&content);
                let arrow = begin(&content);
                content.parse::<Token![=>]>()?;
                let parts = vec![(false, pat), (true, arrow..end(&content))];
                let mut arm = vec![words(vec![rd.piece(parts, false)])];
                if content.peek(token::Brace) {
                    arm.push(Seg::Block(rd.block(&content)?));
                } else {
                    arm.extend(node(&content, rd)?.segs);
                }
                if content.peek(Token![,]) {
                    let comma = begin(&content);
                    content.parse::<Token![,]>()?;
                    arm.push(words(vec![
                        rd.piece(vec![(false, comma..end(&content))], true)
                    ]));
                }
                arms.push(Node { segs: arm });
            }
            let close_comments = rd.comments_before(brace.span.close().byte_range().start);
            rd.last = brace.span.close().byte_range().end;
            segs.push(Seg::Block(Block {
                open_comments,
                items: arms,
                close_comments,
            }));
        }
        // `@for pat in iter`, `@while cond`.
        _ => {
            let rest = until_brace(input)?;
            segs.push(words(vec![
                rd.piece(vec![(false, head), (true, rest)], false)
            ]));
            segs.push(Seg::Block(rd.block(input)?));
        }
    }
    Ok(Node { segs })
}

/// `@if .. { } @else { }`, `@match .. { }` as an attribute value: copied as written.
fn value_control(input: ParseStream) -> syn::Result<()> {
    input.parse::<Token![@]>()?;
    let kw = Ident::parse_any(input)?;
    until_brace(input)?;
    input.parse::<TokenTree>()?;
    if kw == "if" {
        while input.peek(Token![@]) && input.peek2(Token![else]) {
            input.parse::<Token![@]>()?;
            input.parse::<Token![else]>()?;
            until_brace(input)?;
            input.parse::<TokenTree>()?;
        }
    }
    Ok(())
}

fn element(input: ParseStream, rd: &mut Reader) -> syn::Result<Node> {
    let mut head = Vec::new();
    if !(input.peek(Token![.]) || input.peek(Token![#])) {
        let start = begin(input);
        nitro_syntax::parse::parse_name_with(input, true, true)?;
        head.push(rd.piece(vec![(false, start..end(input))], false));
    }
    // `p.note.big`: class shorthands with a fixed name are joined to the tag name, as in maud.
    let mut joined = true;
    loop {
        if input.peek(token::Brace) {
            let block = rd.block(input)?;
            return Ok(Node {
                segs: vec![words(head), Seg::Block(block)],
            });
        }
        if input.peek(Token![;]) || input.is_empty() {
            // A void element's `;` is joined to it (`br;`), whatever the spacing before it.
            let at = head.len();
            semi(input, rd, &mut head)?;
            if let Some(p) = head.get_mut(at) {
                p.glue = true;
            }
            return Ok(Node {
                segs: vec![words(head)],
            });
        }
        let start = begin(input);
        let mut parts = Vec::new();
        let mut glue = false;
        if input.peek(Token![#]) || input.peek(Token![.]) {
            let is_id = input.peek(Token![#]);
            input.parse::<TokenTree>()?;
            let fixed =
                !(input.peek(Token![@]) || input.peek(token::Paren) || input.peek(token::Brace));
            if input.peek(Token![@]) {
                value_control(input)?;
            } else if input.peek(Ident::peek_any) || input.peek(syn::LitInt) {
                nitro_syntax::parse::parse_name_with(input, true, false)?;
            } else {
                input.parse::<TokenTree>()?;
            }
            // A computed one (`.(c)`, `.{ .. }`, `.@if ..`) stays joined only if it was.
            // Never `#`: `span#x` is a reserved prefix since Rust 2021 (rustc refuses it).
            glue = !is_id && joined && !head.is_empty() && (fixed || start == rd.last);
            joined = !is_id && (glue || head.is_empty());
            parts.push((false, start..end(input)));
            if input.peek(token::Bracket) {
                let toggle = begin(input);
                input.parse::<TokenTree>()?;
                parts.push((false, toggle..end(input)));
            }
        } else {
            if input.peek(LitStr) {
                input.parse::<LitStr>()?;
            } else {
                nitro_syntax::parse::parse_name_with(input, true, true)?;
            }
            parts.push((false, start..end(input)));
            attr_value(input, &mut parts)?;
            joined = false;
        }
        head.push(rd.piece(parts, glue));
    }
}

/// What follows an attribute name: `?`, `[cond]`, `="text"`, `=(e)`, `=[opt]`, `={ .. }`,
/// `=@if ..`, or nothing.
fn attr_value(input: ParseStream, parts: &mut Vec<(bool, Range<usize>)>) -> syn::Result<()> {
    let one = |input: ParseStream, parts: &mut Vec<(bool, Range<usize>)>| {
        let start = begin(input);
        input.parse::<TokenTree>()?;
        parts.push((false, start..end(input)));
        syn::Result::Ok(())
    };
    if input.peek(Token![?]) {
        one(input, parts)?;
        if input.peek(token::Bracket) {
            one(input, parts)?;
        }
        return Ok(());
    }
    if input.peek(token::Bracket) {
        return one(input, parts);
    }
    if !input.peek(Token![=]) {
        return Ok(());
    }
    one(input, parts)?;
    if input.peek(Token![@]) {
        let start = begin(input);
        value_control(input)?;
        parts.push((false, start..end(input)));
        return Ok(());
    }
    one(input, parts)
}
