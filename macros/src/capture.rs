//! Which locals a template names, so it can hold them without taking them.
//!
//! The generated body (real Rust by now: `@for`, `@let`, `@match` are plain `for`, `let`,
//! `match`) is read back with `syn`. Every single-name path that is not bound *where it is
//! used* (by an enclosing `@let`, `@for`, `@if let`, match arm, closure, …) is a local from
//! outside. Each is re-bound before the template's closure as a copy (`Copy` types) or a
//! reference (anything else), chosen at compile time by `nitro::__private::Capture`; the
//! closure then moves only those copies and references, so the caller keeps the local. Inside
//! the body, `&name` of such a local is flattened back to one reference
//! (`nitro::__private::Flat`), so `@for x in &items` still iterates.
//!
//! The analysis follows scopes: `@if let Some(name) = other { (name) } (name)` binds the inner
//! `name` only inside its branch, so the outer `name` read after it is captured (not moved).
//!
//! Macro arguments are read as Rust where they can be: pieces separated by `,` or `;` (so
//! `vec![s.clone(); 2]` too), each an expression, or a pattern with an optional `if` guard
//! (`matches!(x, Some(y) if y > 0)`, whose `y` is bound there). A piece that is neither (the
//! braces of `json!({"k": v})`) is scanned for names: each name that is not a field, a key, a
//! path segment, a call or a macro is taken as a local and borrowed, never moved; if it is not
//! a local, rustc says so at the name (bind it with `@let`, or write `move`).
//!
//! Names that cannot be locals are left alone: paths with `::`, names starting with an upper-case
//! letter (constants, statics, types, variants), called names (`card(..)`: functions), `self`.

use std::collections::HashSet;

use proc_macro2::{Ident, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::visit_mut::{self, VisitMut};
use syn::{Expr, Token};

/// The locals `body` reads from outside (first occurrence of each, for its span), and `body`
/// with `&local` flattened. `None` when the body does not read back as Rust (then nothing is
/// captured and the closure moves what it names, as before).
pub fn analyze(body: &TokenStream) -> Option<(Vec<Ident>, TokenStream)> {
    let mut block: syn::Block = syn::parse2(quote!({ #body })).ok()?;
    let mut scan = Walk::default();
    scan.visit_block_mut(&mut block);
    let free = scan.free;
    if free.is_empty() {
        return Some((free, body.clone()));
    }
    let names = free.iter().map(|i| i.to_string()).collect();
    Walk {
        flatten: Some(names),
        ..Walk::default()
    }
    .visit_block_mut(&mut block);
    let stmts = block.stmts.iter().map(|s| s.to_token_stream());
    Some((free, stmts.collect()))
}

/// `let name = <copy or reference of name>;` for each captured local, written by a
/// `macro_rules!` macro of nitro's spanned at the local: when the template outlives the local,
/// rustc's borrow error points at it and notes that it "originates in the macro
/// `::nitro::__private::html_borrows_this_local__write_html_move_to_take_it`" (the hint
/// towards `html! { move .. }`; see the macro in `runtime/src/capture.rs`).
pub fn rebind(free: &[Ident]) -> TokenStream {
    if free.is_empty() {
        return TokenStream::new();
    }
    let lets = free.iter().map(|id| {
        quote_spanned! {id.span()=>
            ::nitro::__private::html_borrows_this_local__write_html_move_to_take_it!(#id);
        }
    });
    // `CaptureRef` is imported with the template's other traits (`generate`).
    quote! { #(#lets)* }
}

/// One pass over the body with the names bound in each enclosing scope: either collecting the
/// free locals (`flatten: None`) or rewriting `&local` of the given free locals.
#[derive(Default)]
struct Walk {
    /// The names bound by each enclosing scope, innermost last.
    scopes: Vec<HashSet<String>>,
    free: Vec<Ident>,
    seen: HashSet<String>,
    /// The free locals whose `&local` is flattened (the second pass).
    flatten: Option<HashSet<String>>,
}

/// The name of a path that may be a local: one segment, no `::`, no generics, lower case.
fn local_name(e: &syn::ExprPath) -> Option<&Ident> {
    if e.qself.is_some() || e.path.leading_colon.is_some() || e.path.segments.len() != 1 {
        return None;
    }
    let seg = &e.path.segments[0];
    if !seg.arguments.is_none() {
        return None;
    }
    may_be_local(&seg.ident).then_some(&seg.ident)
}

fn may_be_local(id: &Ident) -> bool {
    let name = id.to_string();
    let Some(first) = name.trim_start_matches("r#").chars().next() else {
        return false;
    };
    !(first.is_uppercase() || name == "self" || name.starts_with("__nitro"))
}

/// The names a pattern binds.
fn bindings(pat: &syn::Pat, out: &mut Vec<String>) {
    struct Names<'a>(&'a mut Vec<String>);
    impl VisitMut for Names<'_> {
        fn visit_pat_ident_mut(&mut self, p: &mut syn::PatIdent) {
            self.0.push(p.ident.to_string());
            visit_mut::visit_pat_ident_mut(self, p);
        }
    }
    Names(out).visit_pat_mut(&mut pat.clone());
}

/// A piece of a macro's arguments, as Rust.
#[allow(clippy::large_enum_variant)] // one at a time, while a macro call is read
enum Piece {
    Expr(Box<Expr>),
    /// A pattern (bindings) with an optional guard.
    Pat(syn::Pat, Option<Expr>),
    /// Tokens that read as neither.
    Tokens(TokenStream),
}

fn parse_piece(tokens: TokenStream) -> Piece {
    if let Ok(e) = syn::parse2::<Expr>(tokens.clone()) {
        return Piece::Expr(Box::new(e));
    }
    let pat_guard = |input: syn::parse::ParseStream| {
        let pat = syn::Pat::parse_multi_with_leading_vert(input)?;
        let guard = if input.peek(Token![if]) {
            input.parse::<Token![if]>()?;
            Some(input.parse::<Expr>()?)
        } else {
            None
        };
        Ok((pat, guard))
    };
    match syn::parse::Parser::parse2(pat_guard, tokens.clone()) {
        Ok((pat, guard)) => Piece::Pat(pat, guard),
        Err(_) => Piece::Tokens(tokens),
    }
}

/// A macro's arguments split at top-level `,` and `;`: each piece and the separator after it.
fn split(tokens: TokenStream) -> Vec<(TokenStream, Option<proc_macro2::Punct>)> {
    let mut out = Vec::new();
    let mut cur = TokenStream::new();
    for tt in tokens {
        match &tt {
            proc_macro2::TokenTree::Punct(p)
                if (p.as_char() == ',' || p.as_char() == ';')
                    && p.spacing() == proc_macro2::Spacing::Alone =>
            {
                out.push((std::mem::take(&mut cur), Some(p.clone())));
            }
            _ => cur.extend([tt]),
        }
    }
    if !cur.is_empty() {
        out.push((cur, None));
    }
    out
}

impl Walk {
    fn bound(&self, name: &str) -> bool {
        self.scopes.iter().any(|s| s.contains(name))
    }

    fn bind(&mut self, pat: &syn::Pat) {
        let mut names = Vec::new();
        bindings(pat, &mut names);
        if self.scopes.is_empty() {
            self.scopes.push(HashSet::new());
        }
        self.scopes.last_mut().expect("a scope").extend(names);
    }

    fn scoped(&mut self, f: impl FnOnce(&mut Walk)) {
        self.scopes.push(HashSet::new());
        f(self);
        self.scopes.pop();
    }

    fn note(&mut self, id: &Ident) {
        if self.flatten.is_none()
            && !self.bound(&id.to_string())
            && self.seen.insert(id.to_string())
        {
            self.free.push(id.clone());
        }
    }

    /// `{name}` / `{name:..}` in a format string: read by the macro that formats it.
    fn format_args(&mut self, lit: &syn::LitStr) {
        let text = lit.value();
        let mut rest = text.as_str();
        while let Some(open) = rest.find('{') {
            rest = &rest[open + 1..];
            if rest.starts_with('{') {
                rest = &rest[1..];
                continue;
            }
            let end = rest.find(['}', ':']).unwrap_or(rest.len());
            let name = &rest[..end];
            let is_ident = name
                .chars()
                .next()
                .is_some_and(|c| c.is_lowercase() || c == '_')
                && name.chars().all(|c| c.is_alphanumeric() || c == '_');
            if is_ident && name != "self" && !name.starts_with("__nitro") {
                self.note(&Ident::new(name, lit.span()));
            }
        }
    }

    /// Tokens that read as no Rust piece: every name that may be a local and is not a field
    /// (`.x`), a path segment (`a::b`, `a::`), a key (`x:`), a call (`f(`) or a macro (`m!`).
    fn scan_tokens(&mut self, tokens: TokenStream) {
        use proc_macro2::TokenTree;
        let tts: Vec<TokenTree> = tokens.into_iter().collect();
        for (i, tt) in tts.iter().enumerate() {
            match tt {
                TokenTree::Group(g) => self.scan_tokens(g.stream()),
                TokenTree::Ident(id) => {
                    let prev = i.checked_sub(1).map(|j| &tts[j]);
                    let next = tts.get(i + 1);
                    let after_punct = |t: Option<&TokenTree>, c: char| matches!(t, Some(TokenTree::Punct(p)) if p.as_char() == c);
                    let keyword = syn::parse2::<Ident>(id.to_token_stream()).is_err();
                    let call = matches!(next, Some(TokenTree::Group(g)) if g.delimiter() == proc_macro2::Delimiter::Parenthesis);
                    if keyword
                        || !may_be_local(id)
                        || after_punct(prev, '.')
                        || after_punct(prev, ':')
                        || after_punct(next, ':')
                        || after_punct(next, '!')
                        || call
                    {
                        continue;
                    }
                    self.note(id);
                }
                _ => {}
            }
        }
    }
}

impl Walk {
    /// The guard of a pattern (`Some(x) if x > limit`): read where its bindings are bound.
    fn visit_guard(&mut self, pat: &mut syn::Pat) {
        if let syn::Pat::Guard(g) = pat {
            self.visit_expr_mut(&mut g.guard);
        }
    }
}

impl VisitMut for Walk {
    fn visit_block_mut(&mut self, b: &mut syn::Block) {
        self.scoped(|w| {
            for stmt in &mut b.stmts {
                w.visit_stmt_mut(stmt);
            }
        });
    }

    fn visit_local_mut(&mut self, l: &mut syn::Local) {
        if let Some(init) = &mut l.init {
            self.visit_expr_mut(&mut init.expr);
            if let Some((_, diverge)) = &mut init.diverge {
                self.visit_expr_mut(diverge);
            }
        }
        self.bind(&l.pat);
    }

    fn visit_expr_let_mut(&mut self, e: &mut syn::ExprLet) {
        // `if let` / `while let`: the caller opened the scope of the branch.
        self.visit_expr_mut(&mut e.expr);
        self.bind(&e.pat);
    }

    fn visit_expr_if_mut(&mut self, e: &mut syn::ExprIf) {
        self.scoped(|w| {
            w.visit_expr_mut(&mut e.cond);
            w.visit_block_mut(&mut e.then_branch);
        });
        if let Some((_, else_branch)) = &mut e.else_branch {
            self.visit_expr_mut(else_branch);
        }
    }

    fn visit_expr_while_mut(&mut self, e: &mut syn::ExprWhile) {
        self.scoped(|w| {
            w.visit_expr_mut(&mut e.cond);
            w.visit_block_mut(&mut e.body);
        });
    }

    fn visit_expr_for_loop_mut(&mut self, e: &mut syn::ExprForLoop) {
        self.visit_expr_mut(&mut e.expr);
        self.scoped(|w| {
            w.bind(&e.pat);
            w.visit_block_mut(&mut e.body);
        });
    }

    fn visit_expr_match_mut(&mut self, e: &mut syn::ExprMatch) {
        self.visit_expr_mut(&mut e.expr);
        for arm in &mut e.arms {
            self.scoped(|w| {
                w.bind(&arm.pat);
                w.visit_guard(&mut arm.pat);
                w.visit_expr_mut(&mut arm.body);
            });
        }
    }

    fn visit_expr_closure_mut(&mut self, e: &mut syn::ExprClosure) {
        self.scoped(|w| {
            for input in &e.inputs {
                w.bind(input);
            }
            w.visit_expr_mut(&mut e.body);
        });
    }

    fn visit_expr_path_mut(&mut self, e: &mut syn::ExprPath) {
        if let Some(id) = local_name(e) {
            let id = id.clone();
            self.note(&id);
        }
    }

    fn visit_expr_call_mut(&mut self, e: &mut syn::ExprCall) {
        // `card(..)`: a called name is a function (or a closure, left to the template).
        if !matches!(*e.func, Expr::Path(_)) {
            self.visit_expr_mut(&mut e.func);
        }
        for arg in &mut e.args {
            self.visit_expr_mut(arg);
        }
    }

    fn visit_expr_mut(&mut self, e: &mut Expr) {
        if let Some(names) = &self.flatten {
            if let Expr::Reference(r) = e {
                if r.mutability.is_none() {
                    if let Expr::Path(p) = &*r.expr {
                        if let Some(id) = local_name(p) {
                            let name = id.to_string();
                            if names.contains(&name) && !self.bound(&name) {
                                let id = id.clone();
                                *e = syn::parse_quote_spanned! {id.span()=>
                                    (&::nitro::__private::Flat(&#id)).nitro_flat()
                                };
                                return;
                            }
                        }
                    }
                }
            }
        }
        visit_mut::visit_expr_mut(self, e);
    }

    fn visit_macro_mut(&mut self, m: &mut syn::Macro) {
        // `format!("{}", name)`, `vec![s; 2]`, `matches!(x, Some(y) if y > 0)`: pieces that
        // read as expressions or patterns; the macro's own bindings are scoped to it.
        let mut out = TokenStream::new();
        // `expr!`'s `{}`/`{code}` placeholders name no local.
        let formats = m.path.segments.last().is_none_or(|s| s.ident != "expr");
        self.scoped(|w| {
            for (tokens, sep) in split(m.tokens.clone()) {
                match parse_piece(tokens) {
                    Piece::Expr(mut e) => {
                        if let Expr::Lit(syn::ExprLit {
                            lit: syn::Lit::Str(s),
                            ..
                        }) = &*e
                        {
                            if formats {
                                w.format_args(s);
                            }
                        }
                        w.visit_expr_mut(&mut e);
                        e.to_tokens(&mut out);
                    }
                    Piece::Pat(mut pat, mut guard) => {
                        w.bind(&pat);
                        w.visit_guard(&mut pat);
                        if let Some(g) = &mut guard {
                            w.visit_expr_mut(g);
                        }
                        pat.to_tokens(&mut out);
                        if let Some(g) = guard {
                            out.extend(quote!(if #g));
                        }
                    }
                    Piece::Tokens(t) => {
                        w.scan_tokens(t.clone());
                        out.extend(t);
                    }
                }
                out.extend(sep.map(proc_macro2::TokenTree::Punct));
            }
        });
        if self.flatten.is_some() {
            m.tokens = out;
        }
    }
}

/// What [`free_locals`] found.
pub struct Free {
    /// The locals read from outside, first occurrence of each (for its span).
    pub names: Vec<Ident>,
    /// Whether some `&name` names one of them (then the body needs [`analyze`]'s second pass,
    /// which flattens it).
    pub referenced: bool,
}

/// The free locals of a template, read off its markup tree and the tokens of its expressions,
/// for the common shapes: `@let`, `@for`, `@if` / `@if let` / `@else`, elements and their
/// attributes, and expressions made of names, fields, literals, operators, ranges, indexing,
/// calls, method calls and turbofish types. `None` for anything else (a closure, a macro, a
/// `@match`, a `@while`, a block or a keyword inside an expression, a cast, …): then
/// [`analyze`] reads the template's shadow with `syn`. The same answer as [`analyze`] where it
/// answers (a unit test compares them), at a fraction of the cost: `syn` parsing the shadow
/// was most of the macro's time.
pub fn free_locals(block: &Block) -> Option<Free> {
    let mut fast = Fast {
        walk: Walk::default(),
        references: HashSet::new(),
    };
    fast.walk.scopes.push(HashSet::new());
    fast.block(block)?;
    let referenced = fast
        .walk
        .free
        .iter()
        .any(|id| fast.references.contains(&id.to_string()));
    Some(Free {
        names: fast.walk.free,
        referenced,
    })
}

use nitro_syntax::ast::{Attr, AttrValue, Block, Element, Else, If, Node};
use proc_macro2::{Delimiter, Spacing, TokenTree};

/// Keywords that may not appear in the shapes [`free_locals`] reads (`true`, `false`, `in`,
/// `let`, `mut` and `ref` are read where they belong; `self`, `Self`, `crate` and `super` are
/// never locals and start paths).
const OTHER_KEYWORDS: &[&str] = &[
    "as", "async", "await", "box", "break", "const", "continue", "dyn", "else", "enum", "extern",
    "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
    "return", "static", "struct", "trait", "type", "unsafe", "use", "where", "while", "yield",
];

struct Fast {
    walk: Walk,
    /// Every name written as `&name` (in expressions and patterns): a superset.
    references: HashSet<String>,
}

fn is_punct(tt: Option<&TokenTree>, c: char) -> bool {
    matches!(tt, Some(TokenTree::Punct(p)) if p.as_char() == c)
}

fn is_ident(tt: Option<&TokenTree>, name: &str) -> bool {
    matches!(tt, Some(TokenTree::Ident(id)) if id == name)
}

fn tokens(ts: &TokenStream) -> Vec<TokenTree> {
    ts.clone().into_iter().collect()
}

/// The index of the first `=` that is not part of `==`, `<=`, `>=`, `!=`, `=>`.
fn assign(tts: &[TokenTree]) -> Option<usize> {
    (0..tts.len()).find(|&i| match &tts[i] {
        TokenTree::Punct(p) if p.as_char() == '=' => {
            p.spacing() == Spacing::Alone
                && !matches!(i.checked_sub(1).map(|j| &tts[j]), Some(TokenTree::Punct(q))
                    if q.spacing() == Spacing::Joint)
        }
        _ => false,
    })
}

/// The length of `<..>` at the start of `tts` (types only: no `->`, no block), or `None`.
fn generic_args(tts: &[TokenTree]) -> Option<usize> {
    let mut depth = 0usize;
    for (k, tt) in tts.iter().enumerate() {
        match tt {
            TokenTree::Punct(p) if p.as_char() == '<' => depth += 1,
            TokenTree::Punct(p) if p.as_char() == '>' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(k + 1);
                }
            }
            TokenTree::Punct(p) if p.as_char() == '-' => return None,
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => return None,
            _ => {}
        }
    }
    None
}

impl Fast {
    /// A block of markup, in a scope of its own (as the generated code has it).
    fn block(&mut self, block: &Block) -> Option<()> {
        self.walk.scopes.push(HashSet::new());
        let out = block.nodes.iter().try_for_each(|n| self.node(n));
        self.walk.scopes.pop();
        out
    }

    fn node(&mut self, node: &Node) -> Option<()> {
        match node {
            Node::Text(_) | Node::Doctype => Some(()),
            Node::Splice(s) => self.expr(&tokens(&s.expr)),
            Node::Element(el) => self.element(el),
            Node::Group(b) => self.block(b),
            Node::If(i) => self.if_chain(i),
            Node::For { head, body } => {
                let head = tokens(head);
                let at = head.iter().position(|t| is_ident(Some(t), "in"))?;
                self.expr(&head[at + 1..])?;
                self.walk.scopes.push(HashSet::new());
                self.bind(&head[..at])?;
                let out = self.block(body);
                self.walk.scopes.pop();
                out
            }
            Node::Let(tokens_) => {
                let tts = tokens(tokens_);
                let eq = assign(&tts)?;
                self.expr(&tts[eq + 1..])?;
                self.bind(&tts[..eq])
            }
            Node::While { .. } | Node::Match { .. } => None,
        }
    }

    fn if_chain(&mut self, i: &If) -> Option<()> {
        let cond = tokens(&i.cond);
        self.walk.scopes.push(HashSet::new());
        let out = (|| {
            if is_ident(cond.first(), "let") {
                let eq = assign(&cond)?;
                self.expr(&cond[eq + 1..])?;
                self.bind(&cond[1..eq])?;
            } else {
                self.expr(&cond)?;
            }
            self.block(&i.then)
        })();
        self.walk.scopes.pop();
        out?;
        match &i.otherwise {
            None => Some(()),
            Some(Else::Block(b)) => self.block(b),
            Some(Else::If(e)) => self.if_chain(e),
        }
    }

    /// An element's values, in the order `generate` writes them: the classes (those always
    /// present first), the `#id`, the other attributes, the body.
    fn element(&mut self, el: &Element) -> Option<()> {
        for (value, toggle) in crate::generate::class_parts(el) {
            if let Some(cond) = toggle {
                self.expr(&tokens(cond))?;
            }
            self.value(value)?;
        }
        for attr in &el.attrs {
            if let Attr::Id { value, .. } = attr {
                self.value(value)?;
            }
        }
        for attr in &el.attrs {
            if let Attr::Named { value, .. } = attr {
                self.value(value)?;
            }
        }
        match &el.body {
            Some(body) => self.block(body),
            None => Some(()),
        }
    }

    fn value(&mut self, value: &AttrValue) -> Option<()> {
        match value {
            AttrValue::Empty | AttrValue::Static(..) => Some(()),
            AttrValue::Dynamic(s) | AttrValue::Optional(s) | AttrValue::Toggle(s) => {
                self.expr(&tokens(&s.expr))
            }
        }
    }

    fn expr(&mut self, tts: &[TokenTree]) -> Option<()> {
        let mut skip_to = 0;
        for (k, tt) in tts.iter().enumerate() {
            if k < skip_to {
                continue;
            }
            let prev = k.checked_sub(1).map(|j| &tts[j]);
            let next = tts.get(k + 1);
            match tt {
                TokenTree::Ident(id) => {
                    let name = id.to_string();
                    if name == "true" || name == "false" {
                        continue;
                    }
                    if OTHER_KEYWORDS.contains(&name.as_str()) {
                        return None;
                    }
                    if is_punct(prev, '&') {
                        self.references.insert(name.clone());
                    }
                    // A field or method (`x.name`), not the end of a range (`0..n`).
                    let field = is_punct(prev, '.')
                        && !matches!(k.checked_sub(2).map(|j| &tts[j]),
                            Some(TokenTree::Punct(p)) if p.as_char() == '.' && p.spacing() == Spacing::Joint);
                    if is_punct(next, '!') && matches!(tts.get(k + 2), Some(TokenTree::Group(_))) {
                        return None; // a macro (`a != b` is not)
                    }
                    let call = matches!(next, Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis);
                    if field || call || is_punct(prev, ':') || is_punct(next, ':') {
                        continue;
                    }
                    if may_be_local(id) {
                        self.walk.note(id);
                    }
                }
                TokenTree::Literal(_) => {}
                TokenTree::Punct(p) => match p.as_char() {
                    // `::<T>`: a turbofish names types, not locals.
                    ':' if is_punct(prev, ':') && is_punct(next, '<') => {
                        skip_to = k + 1 + generic_args(&tts[k + 1..])?;
                    }
                    '.' | '&' | '*' | '+' | '-' | '/' | '%' | '=' | '<' | '>' | '!' | '^' | ','
                    | ':' => {}
                    _ => return None,
                },
                TokenTree::Group(g) => match g.delimiter() {
                    Delimiter::Brace => return None,
                    _ => self.expr(&tokens(&g.stream()))?,
                },
            }
        }
        Some(())
    }

    /// Binds the names of a pattern in the innermost scope.
    fn bind(&mut self, tts: &[TokenTree]) -> Option<()> {
        for (k, tt) in tts.iter().enumerate() {
            let prev = k.checked_sub(1).map(|j| &tts[j]);
            let next = tts.get(k + 1);
            match tt {
                TokenTree::Ident(id) => {
                    let name = id.to_string();
                    if name == "mut" || name == "ref" || name == "_" {
                        continue;
                    }
                    if OTHER_KEYWORDS.contains(&name.as_str()) {
                        return None;
                    }
                    if is_punct(prev, '&') {
                        self.references.insert(name.clone());
                    }
                    // Path segments (`Option::Some`) and the type after `x:` bind nothing.
                    let path = matches!(next, Some(TokenTree::Punct(p))
                        if p.as_char() == ':' && p.spacing() == Spacing::Joint);
                    if is_punct(prev, ':') || path || !may_be_local(id) {
                        continue;
                    }
                    self.walk.scopes.last_mut().expect("a scope").insert(name);
                }
                TokenTree::Literal(_) => {}
                TokenTree::Punct(p) => match p.as_char() {
                    ',' | '&' | ':' | '.' | '=' | '-' | '|' => {}
                    _ => return None,
                },
                TokenTree::Group(g) => match g.delimiter() {
                    Delimiter::Brace => return None,
                    _ => self.bind(&tokens(&g.stream()))?,
                },
            }
        }
        Some(())
    }
}
