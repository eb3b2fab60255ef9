//! Tokens -> markup tree (maud-style syntax). Mistakes the parser can step over are recorded in
//! `Diagnostics` and parsing goes on; only broken token structure aborts.

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{token, Ident, Lit, LitStr, Token};

use crate::ast::*;
use crate::datastar;
use crate::diag::Diagnostics;

/// Turns an attribute or class value written as markup (`.{ "a-" (b) }`, `title=@if ..`) into
/// the expression of its [`Splice`]: that is code generation, so the caller supplies it (the
/// macro writes a nested template; the formatter, which reads only the tree's shape, need not).
pub type LowerMarkup<'a> = &'a dyn Fn(&Block) -> TokenStream;

/// The parser's state: the errors it can step over, and the caller's [`LowerMarkup`].
struct Cx<'a> {
    diags: &'a mut Diagnostics,
    lower: LowerMarkup<'a>,
}

impl std::ops::Deref for Cx<'_> {
    type Target = Diagnostics;
    fn deref(&self) -> &Diagnostics {
        self.diags
    }
}

impl std::ops::DerefMut for Cx<'_> {
    fn deref_mut(&mut self) -> &mut Diagnostics {
        self.diags
    }
}

mod kw {
    syn::custom_keyword!(signals);
}
use kw::signals;

/// Parses the whole macro input. Mistakes the parser can step over go to `diags`; broken token
/// structure is the `Err`.
pub fn parse(
    input: TokenStream,
    diags: &mut Diagnostics,
    lower: LowerMarkup<'_>,
) -> syn::Result<Template> {
    let diags = &mut Cx { diags, lower };
    (|stream: ParseStream| {
        let moves = stream.peek(Token![move]);
        if moves {
            stream.parse::<Token![move]>()?;
            if stream.peek(Token![;]) {
                stream.parse::<Token![;]>()?;
            }
        }
        let mut decls = Vec::new();
        if stream.peek(Token![@]) && stream.peek2(signals) {
            stream.parse::<Token![@]>()?;
            stream.parse::<signals>()?;
            let content;
            syn::parenthesized!(content in stream);
            while !content.is_empty() {
                if content.peek(LitStr) {
                    decls.push(SignalDecl::Name(content.parse()?));
                } else {
                    decls.push(SignalDecl::Type(content.parse()?));
                }
                if !content.is_empty() {
                    content.parse::<Token![,]>()?;
                }
            }
            if stream.peek(Token![;]) {
                stream.parse::<Token![;]>()?;
            }
        }
        let body = parse_block_contents(stream, diags)?;
        Ok(Template {
            moves,
            signals: decls,
            body,
        })
    })
    .parse2(input)
}

fn parse_block_contents(input: ParseStream, diags: &mut Cx<'_>) -> syn::Result<Block> {
    let mut nodes = Vec::new();
    while !input.is_empty() {
        if let Some(node) = parse_node(input, diags)? {
            nodes.push(node);
        }
    }
    Ok(Block { nodes })
}

fn parse_braced(input: ParseStream, diags: &mut Cx<'_>) -> syn::Result<Block> {
    let content;
    syn::braced!(content in input);
    parse_block_contents(&content, diags)
}

const KEYWORDS: &[&str] = &["if", "else", "for", "while", "match", "let", "loop"];

fn parse_node(input: ParseStream, diags: &mut Cx<'_>) -> syn::Result<Option<Node>> {
    if input.peek(LitStr) {
        return Ok(Some(Node::Text(input.parse()?)));
    }
    if input.peek(Lit) {
        let lit: Lit = input.parse()?;
        diags.error_help(
            lit.span(),
            "only string literals can be written as text",
            "write it as a string, or splice a value with `(value)`",
        );
        return Ok(None);
    }
    if input.peek(token::Paren) {
        return Ok(Some(Node::Splice(parse_splice(input)?)));
    }
    if input.peek(token::Brace) {
        return Ok(Some(Node::Group(parse_braced(input, diags)?)));
    }
    if input.peek(Token![@]) {
        return parse_control(input, diags).map(Some);
    }
    if input.peek(Token![!]) {
        let bang: Token![!] = input.parse()?;
        let ident = Ident::parse_any(input)
            .map_err(|_| syn::Error::new(bang.span, "expected `!DOCTYPE`"))?;
        if ident != "DOCTYPE" {
            diags.error_help(
                ident.span(),
                format!("expected `!DOCTYPE`, found `!{ident}`"),
                "write `!DOCTYPE`",
            );
        }
        return Ok(Some(Node::Doctype));
    }
    if input.peek(Ident::peek_any) {
        let fork = input.fork();
        let ident = Ident::parse_any(&fork)?;
        let name = ident.to_string();
        if KEYWORDS.contains(&name.as_str()) {
            diags.error_help(
                ident.span(),
                format!("found keyword `{name}`"),
                format!("should this be `@{name}`?"),
            );
            // Skip the keyword's head and body so parsing can go on.
            Ident::parse_any(input)?;
            while !input.is_empty() && !input.peek(token::Brace) && !input.peek(Token![;]) {
                input.parse::<TokenTree>()?;
            }
            if input.peek(token::Brace) {
                input.parse::<TokenTree>()?;
            } else if input.peek(Token![;]) {
                input.parse::<Token![;]>()?;
            }
            return Ok(None);
        }
        return parse_element(input, diags).map(|e| Some(Node::Element(e)));
    }
    if input.peek(Token![;]) {
        // A stray `;` (after text, after an element): ignored, as in maud.
        input.parse::<Token![;]>()?;
        return Ok(None);
    }
    if input.peek(Token![.]) || input.peek(Token![#]) {
        // `.card { .. }`, `#main { .. }`: an implicit `div`.
        return parse_element(input, diags).map(|e| Some(Node::Element(e)));
    }
    let tt: TokenTree = input.parse()?;
    Err(syn::Error::new(
        tt.span(),
        format!("unexpected `{tt}`\n\nhelp: expected markup: a `\"string\"`, a `(splice)`, an element such as `p {{ ... }}`, or `@if`, `@for`, `@while`, `@match`, `@let`"),
    ))
}

fn parse_splice(input: ParseStream) -> syn::Result<Splice> {
    let content;
    let paren = syn::parenthesized!(content in input);
    let expr: TokenStream = content.parse()?;
    if expr.is_empty() {
        return Err(syn::Error::new(
            paren.span.join(),
            "empty splice `()`: put a Rust expression inside the parentheses",
        ));
    }
    Ok(Splice {
        expr,
        span: paren.span.join(),
    })
}

fn parse_bracket_splice(input: ParseStream) -> syn::Result<Splice> {
    let content;
    let bracket = syn::bracketed!(content in input);
    let expr: TokenStream = content.parse()?;
    if expr.is_empty() {
        return Err(syn::Error::new(
            bracket.span.join(),
            "empty `[]`: put a Rust expression inside the brackets",
        ));
    }
    Ok(Splice {
        expr,
        span: bracket.span.join(),
    })
}

/// A `[cond]` toggle. The condition is wrapped in a call so that it can hold a struct literal
/// (`[Pony { cute: true }.cute]`) where the generated `if` could not, and must be a `bool`.
fn parse_toggle(input: ParseStream) -> syn::Result<Splice> {
    let Splice { expr, span } = parse_bracket_splice(input)?;
    let expr = quote::quote_spanned!(span=> ::core::convert::identity::<bool>(#expr));
    Ok(Splice { expr, span })
}

/// Collects tokens up to (not including) the next `{ ... }` group.
fn tokens_until_brace(input: ParseStream, what: &str, at: Span) -> syn::Result<TokenStream> {
    let mut out = TokenStream::new();
    while !input.peek(token::Brace) {
        if input.is_empty() {
            return Err(syn::Error::new(
                at,
                format!("`@{what}` needs a body in `{{ ... }}`"),
            ));
        }
        out.extend([input.parse::<TokenTree>()?]);
    }
    if out.is_empty() {
        return Err(syn::Error::new(
            at,
            format!("`@{what}` needs a condition or head before `{{`"),
        ));
    }
    Ok(out)
}

fn parse_control(input: ParseStream, diags: &mut Cx<'_>) -> syn::Result<Node> {
    let at: Token![@] = input.parse()?;
    let kw = Ident::parse_any(input).map_err(|_| {
        syn::Error::new(
            at.span,
            "expected `@if`, `@for`, `@while`, `@match` or `@let` after `@`",
        )
    })?;
    let span = kw.span();
    match kw.to_string().as_str() {
        "if" => Ok(Node::If(parse_if(input, diags, span)?)),
        "for" => {
            let head = tokens_until_brace(input, "for", span)?;
            if !head.clone().into_iter().any(|t| matches!(&t, TokenTree::Ident(i) if i == "in")) {
                return Err(syn::Error::new(span, "`@for` needs `pattern in iterator`"));
            }
            let body = parse_braced(input, diags)?;
            Ok(Node::For { head, body })
        }
        "while" => {
            let cond = tokens_until_brace(input, "while", span)?;
            let body = parse_braced(input, diags)?;
            Ok(Node::While { cond, body })
        }
        "match" => parse_match(input, diags, span),
        "let" => {
            let mut tokens = TokenStream::new();
            loop {
                if input.is_empty() {
                    return Err(syn::Error::new(span, "`@let` must end with `;`"));
                }
                if input.peek(Token![;]) {
                    input.parse::<Token![;]>()?;
                    break;
                }
                tokens.extend([input.parse::<TokenTree>()?]);
            }
            Ok(Node::Let(tokens))
        }
        "signals" => Err(syn::Error::new(
            span,
            "`@signals(..)` must come first in the template\n\nhelp: move it to the start of `html! { ... }`",
        )),
        "else" => Err(syn::Error::new(
            span,
            "`@else` without a matching `@if`\n\nhelp: `@else` must directly follow the `{ ... }` of an `@if`",
        )),
        other => Err(syn::Error::new(
            span,
            format!("unknown control keyword `@{other}`\n\nhelp: expected `@if`, `@for`, `@while`, `@match` or `@let`"),
        )),
    }
}

fn parse_if(input: ParseStream, diags: &mut Cx<'_>, span: Span) -> syn::Result<If> {
    let cond = tokens_until_brace(input, "if", span)?;
    let then = parse_braced(input, diags)?;
    let mut otherwise = None;
    if input.peek(Token![@]) && input.peek2(Token![else]) {
        input.parse::<Token![@]>()?;
        let else_tok: Token![else] = input.parse()?;
        if input.peek(Token![if]) {
            let if_tok: Token![if] = input.parse()?;
            otherwise = Some(Else::If(Box::new(parse_if(input, diags, if_tok.span)?)));
        } else if input.peek(token::Brace) {
            otherwise = Some(Else::Block(parse_braced(input, diags)?));
        } else {
            return Err(syn::Error::new(
                else_tok.span,
                "expected `{ ... }` or `if` after `@else`",
            ));
        }
    }
    Ok(If {
        cond,
        then,
        otherwise,
    })
}

fn parse_match(input: ParseStream, diags: &mut Cx<'_>, span: Span) -> syn::Result<Node> {
    let expr = tokens_until_brace(input, "match", span)?;
    let content;
    syn::braced!(content in input);
    let mut arms = Vec::new();
    while !content.is_empty() {
        let mut pat = TokenStream::new();
        let pat_span = content.span();
        while !content.peek(Token![=>]) {
            if content.is_empty() {
                return Err(syn::Error::new(
                    pat_span,
                    "expected `=>` after the match arm's pattern",
                ));
            }
            pat.extend([content.parse::<TokenTree>()?]);
        }
        content.parse::<Token![=>]>()?;
        let body = if content.peek(token::Brace) {
            parse_braced(&content, diags)?
        } else {
            // One node as the arm's body, up to an optional `,`.
            let node = parse_node(&content, diags)?;
            Block {
                nodes: node.into_iter().collect(),
            }
        };
        if content.peek(Token![,]) {
            content.parse::<Token![,]>()?;
        }
        arms.push(Arm { pat, body });
    }
    Ok(Node::Match { expr, arms })
}

/// Reads a name made of identifiers and numbers joined by `-` (any run of them) and `:`, e.g.
/// `my-widget`, `xml:lang`, `pon-pon:controls-alpha`, `are--my--rocks`. `data-*` names also
/// take `.`, so `data-on:click__debounce.500ms` is one name.
fn parse_name(input: ParseStream, allow_colon: bool) -> syn::Result<Name> {
    parse_name_with(input, allow_colon, true)
}

/// Reads an element or attribute name (`allow_colon`: `xml:lang`; `data_dots`: a `data-*` name
/// takes `.`, false for class names, where `.` starts the next class). Public for tools that
/// read the template's layout (`nitro-fmt`): the names they copy are the ones the macro reads.
pub fn parse_name_with(
    input: ParseStream,
    allow_colon: bool,
    data_dots: bool,
) -> syn::Result<Name> {
    let span = input.span();
    let mut end = span;
    let mut text = name_piece(input)?;
    loop {
        let is_data = data_dots && text.starts_with("data-");
        if input.peek(Token![-]) && dashes_then_piece(input) {
            while input.peek(Token![-]) {
                input.parse::<Token![-]>()?;
                text.push('-');
            }
            end = input.span();
            text.push_str(&name_piece(input)?);
        } else if allow_colon
            && input.peek(Token![:])
            && !input.peek(Token![::])
            && (input.peek2(Ident::peek_any) || input.peek2(syn::LitInt))
        {
            input.parse::<Token![:]>()?;
            text.push(':');
            end = input.span();
            text.push_str(&name_piece(input)?);
        } else if is_data
            && input.peek(Token![.])
            && (input.peek2(Ident::peek_any)
                || input.peek2(syn::LitInt)
                || input.peek2(syn::LitFloat))
        {
            input.parse::<Token![.]>()?;
            text.push('.');
            end = input.span();
            text.push_str(&name_piece(input)?);
        } else {
            break;
        }
    }
    Ok(Name { text, span, end })
}

/// Whether a run of `-` starts here and a name piece follows it.
fn dashes_then_piece(input: ParseStream) -> bool {
    let fork = input.fork();
    while fork.peek(Token![-]) {
        if fork.parse::<Token![-]>().is_err() {
            return false;
        }
    }
    fork.peek(Ident::peek_any) || fork.peek(syn::LitInt) || fork.peek(LitStr)
}

fn name_piece(input: ParseStream) -> syn::Result<String> {
    if input.peek(Ident::peek_any) {
        Ok(Ident::parse_any(input)?.to_string())
    } else if input.peek(LitStr) {
        // `test:123-"test"`: a quoted piece inside a name, as in maud.
        let lit: LitStr = input.parse()?;
        let text = lit.value();
        if !is_name_text(&text) {
            return Err(syn::Error::new(
                lit.span(),
                format!("`{text}` cannot be part of a name\n\nhelp: a name has no spaces, quotes, `<`, `>`, `/` or `=`"),
            ));
        }
        Ok(text)
    } else {
        let lit: Lit = input.parse()?;
        Ok(match lit {
            Lit::Int(i) => i.to_string(),
            Lit::Float(f) => f.to_string(),
            other => return Err(syn::Error::new(other.span(), "expected a name")),
        })
    }
}

fn parse_element(input: ParseStream, diags: &mut Cx<'_>) -> syn::Result<Element> {
    let name = if input.peek(Token![.]) || input.peek(Token![#]) {
        let span = input.span();
        Name {
            text: "div".to_string(),
            span,
            end: span,
        }
    } else {
        parse_name(input, true)?
    };
    let mut attrs = Vec::new();
    loop {
        if input.peek(token::Brace) {
            let body = parse_braced(input, diags)?;
            return Ok(Element {
                name,
                attrs,
                body: Some(body),
            });
        }
        if input.peek(Token![;]) {
            input.parse::<Token![;]>()?;
            return Ok(Element {
                name,
                attrs,
                body: None,
            });
        }
        if input.peek(Token![/]) {
            let slash: Token![/] = input.parse()?;
            diags.error_help(
                slash.span,
                "void elements end with `;`, not `/`",
                "change this to `;`",
            );
            if input.peek(Token![;]) {
                input.parse::<Token![;]>()?;
            }
            return Ok(Element {
                name,
                attrs,
                body: None,
            });
        }
        if input.peek(Token![#]) {
            let hash: Token![#] = input.parse()?;
            let value = parse_shorthand_value(input, diags, hash.span, "#")?;
            attrs.push(Attr::Id {
                value,
                span: hash.span,
            });
            continue;
        }
        if input.peek(Token![.]) {
            let dot: Token![.] = input.parse()?;
            let value = parse_shorthand_value(input, diags, dot.span, ".")?;
            let toggle = if input.peek(token::Bracket) {
                Some(parse_toggle(input)?.expr)
            } else {
                None
            };
            attrs.push(Attr::Class {
                value,
                toggle,
                span: dot.span,
            });
            continue;
        }
        if input.peek(LitStr) {
            let lit: LitStr = input.parse()?;
            let text = lit.value();
            let name = Name {
                text,
                span: lit.span(),
                end: lit.span(),
            };
            let value = parse_attr_value(input, &name, diags)?;
            check_quoted_name(&name, diags);
            attrs.push(Attr::Named {
                name: AttrName::Quoted(name),
                value,
            });
            continue;
        }
        if input.peek(Ident::peek_any) || input.peek(syn::LitInt) {
            let attr_name = parse_name(input, true)?;
            let value = parse_attr_value(input, &attr_name, diags)?;
            let name = if attr_name.text.to_ascii_lowercase().starts_with("data-") {
                match datastar::lex(&attr_name.text) {
                    Ok(ds) => AttrName::Datastar(attr_name, ds),
                    Err(e) => {
                        diags.error_name(&attr_name, e.message, Some(&e.help));
                        AttrName::Quoted(attr_name)
                    }
                }
            } else {
                AttrName::Plain(attr_name)
            };
            attrs.push(Attr::Named { name, value });
            continue;
        }
        if input.is_empty() {
            return Err(syn::Error::new(
                name.span,
                format!(
                    "element `{}` needs `{{ ... }}` for its children, or `;` if it is void",
                    name.text
                ),
            ));
        }
        let tt: TokenTree = input.parse()?;
        return Err(syn::Error::new(
            tt.span(),
            format!(
                "unexpected `{tt}` in element `{}`\n\nhelp: an element is `name #id .class attr=\"value\" {{ children }}`, or ends with `;` when void",
                name.text
            ),
        ));
    }
}

fn parse_shorthand_value(
    input: ParseStream,
    diags: &mut Cx<'_>,
    at: Span,
    sigil: &str,
) -> syn::Result<AttrValue> {
    if input.peek(token::Brace) || input.peek(Token![@]) {
        if sigil == "#" {
            return Err(syn::Error::new(
                at,
                "an id cannot be built from `{ .. }` or control flow\n\nhelp: write `#name`, `#\"name\"`, or `#(ID)` with an id from `ids!` or a `DynId`",
            ));
        }
        return parse_value_markup(input, diags);
    }
    if input.peek(token::Paren) {
        return Ok(AttrValue::Dynamic(parse_splice(input)?));
    }
    if input.peek(LitStr) {
        let lit: LitStr = input.parse()?;
        return Ok(AttrValue::Static(lit.value(), lit.span()));
    }
    if input.peek(Ident::peek_any) || input.peek(syn::LitInt) {
        let name = parse_name_with(input, true, false)?;
        return Ok(AttrValue::Static(name.text, name.span));
    }
    let what = if sigil == "#" { "an id" } else { "a class" };
    Err(syn::Error::new(
        at,
        format!("expected {what} after `{sigil}`: a name, a string or `(expression)`"),
    ))
}

fn parse_attr_value(input: ParseStream, name: &Name, diags: &mut Cx<'_>) -> syn::Result<AttrValue> {
    if input.peek(Token![?]) {
        // maud's older spelling of an empty attribute: `checked?`, `disabled?[cond]`.
        input.parse::<Token![?]>()?;
        if input.peek(token::Bracket) {
            return Ok(AttrValue::Toggle(parse_toggle(input)?));
        }
        return Ok(AttrValue::Empty);
    }
    if input.peek(token::Bracket) {
        return Ok(AttrValue::Toggle(parse_toggle(input)?));
    }
    if !input.peek(Token![=]) {
        return Ok(AttrValue::Empty);
    }
    let eq: Token![=] = input.parse()?;
    if input.peek(token::Brace) || input.peek(Token![@]) {
        if name.text.starts_with("data-") {
            diags.error_name(
                name,
                format!(
                    "the value of `{}` cannot be built from `{{ .. }}` or control flow",
                    name.text
                ),
                Some("a Datastar attribute takes a string or one `(splice)`; build an expression with `Expr`, or choose the value in Rust"),
            );
            // Step over the value so parsing can go on.
            // Parsed on, so the rest of the element is still checked; never generated.
            return parse_value_markup(input, diags);
        }
        return parse_value_markup(input, diags);
    }
    if input.peek(LitStr) {
        let lit: LitStr = input.parse()?;
        return Ok(AttrValue::Static(lit.value(), lit.span()));
    }
    if input.peek(token::Paren) {
        return Ok(AttrValue::Dynamic(parse_splice(input)?));
    }
    if input.peek(token::Bracket) {
        return Ok(AttrValue::Optional(parse_bracket_splice(input)?));
    }
    if input.peek(Lit) || input.peek(Ident::peek_any) {
        let tt: TokenTree = input.parse()?;
        diags.error_help(
            tt.span(),
            format!(
                "the value of attribute `{}` must be a string literal or a `(splice)`",
                name.text
            ),
            format!(
                "write `{}=\"{tt}\"` for a fixed value, or `{}=({tt})` for a Rust value",
                name.text, name.text
            ),
        );
        return Ok(AttrValue::Empty);
    }
    Err(syn::Error::new(
        eq.span,
        format!(
            "expected a value after `{}=`: `\"text\"`, `(expr)` or `[option]`",
            name.text
        ),
    ))
}

/// An attribute or class value written as markup, as in maud: `{ "color-" (severity) }`, or one
/// control-flow construct, `@if cond { "a" } @else { "b" }`, `@match x { .. }`. It becomes one
/// dynamic value (a nested template), so it is escaped and guarded like any `(splice)` there.
fn parse_value_markup(input: ParseStream, diags: &mut Cx<'_>) -> syn::Result<AttrValue> {
    let span = input.span();
    let block = if input.peek(token::Brace) {
        parse_braced(input, diags)?
    } else if input.peek2(Token![let]) {
        let fork = input.fork();
        let at: Token![@] = fork.parse()?;
        let kw: Token![let] = fork.parse()?;
        let span = at.span.join(kw.span).unwrap_or(kw.span);
        return Err(syn::Error::new(
            span,
            "`@let` bindings are only allowed inside blocks\n\nhelp: write it inside the element's `{ .. }`, or build the value in a block: `.{ @let x = ..; (x) }`",
        ));
    } else {
        Block {
            nodes: vec![parse_control(input, diags)?],
        }
    };
    if let Some(el) = first_element(&block) {
        diags.error_help(
            el,
            "elements cannot be written inside an attribute or class value",
            "an attribute value holds text: strings, `(splices)` and control flow",
        );
    }
    Ok(AttrValue::Dynamic(Splice {
        expr: (diags.lower)(&block),
        span,
    }))
}

/// The span of the first element (or doctype) anywhere in `block`.
fn first_element(block: &Block) -> Option<Span> {
    block.nodes.iter().find_map(|node| match node {
        Node::Element(el) => Some(el.name.span),
        Node::Doctype => Some(Span::call_site()),
        Node::Text(_) | Node::Splice(_) | Node::Let(_) => None,
        Node::Group(b) | Node::For { body: b, .. } | Node::While { body: b, .. } => {
            first_element(b)
        }
        Node::If(i) => first_element_if(i),
        Node::Match { arms, .. } => arms.iter().find_map(|a| first_element(&a.body)),
    })
}

fn first_element_if(i: &If) -> Option<Span> {
    first_element(&i.then).or_else(|| match &i.otherwise {
        None => None,
        Some(Else::Block(b)) => first_element(b),
        Some(Else::If(e)) => first_element_if(e),
    })
}

/// Can `text` stand in an element or attribute name as it is?
fn is_name_text(text: &str) -> bool {
    !text.is_empty()
        && text.chars().all(|c| {
            !c.is_whitespace()
                && !c.is_control()
                && !matches!(c, '"' | '\'' | '>' | '/' | '=' | '<' | '`')
        })
}

fn check_quoted_name(name: &Name, diags: &mut Cx<'_>) {
    let text = &name.text;
    if !is_name_text(text) {
        diags.error_name(
            name,
            format!("`{text}` is not a valid attribute name"),
            None,
        );
        return;
    }
    let lower = text.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("data-") {
        if datastar::looks_like_datastar(rest) {
            diags.error_name(
                name,
                format!("`{text}` is a Datastar attribute: a quoted name would skip its checks and escaping"),
                Some(&format!("write it without quotes: `{lower}`")),
            );
        }
    }
}
