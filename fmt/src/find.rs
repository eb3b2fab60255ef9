//! Finds the `html!` calls of a parsed file: every macro syn sees (in items, impls, function
//! bodies, closures, statics, ...), and the `html!`s inside other macros' arguments
//! (`assert_eq!(html! { .. }.render(), ..)`, `vec![..]`), which syn leaves as tokens.

use std::ops::Range;

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::visit::Visit;

/// One `html!` call: its delimiters' byte ranges in the file and the tokens between them.
pub struct Call {
    /// Where `!` ends: between it and `open`, only whitespace (or comments) can be.
    pub bang_end: usize,
    pub open: Range<usize>,
    pub close: Range<usize>,
    pub delimiter: Delimiter,
    pub tokens: TokenStream,
}

/// Every `html!` call of `file`, nested ones included, in no particular order.
pub fn html_calls(file: &syn::File) -> Vec<Call> {
    let mut finder = Finder { calls: Vec::new() };
    finder.visit_file(file);
    finder.calls
}

struct Finder {
    calls: Vec<Call>,
}

/// `#[rustfmt::skip]` (or `#[nitro_fmt::skip]`): the item is left as written, templates included.
fn skipped(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        let segs: Vec<String> = a
            .path()
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        segs.len() == 2 && (segs[0] == "rustfmt" || segs[0] == "nitro_fmt") && segs[1] == "skip"
    })
}

impl<'ast> Visit<'ast> for Finder {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let attrs = match item {
            syn::Item::Fn(i) => &i.attrs,
            syn::Item::Mod(i) => &i.attrs,
            syn::Item::Impl(i) => &i.attrs,
            syn::Item::Const(i) => &i.attrs,
            syn::Item::Static(i) => &i.attrs,
            syn::Item::Macro(i) => &i.attrs,
            syn::Item::Trait(i) => &i.attrs,
            _ => return syn::visit::visit_item(self, item),
        };
        if !skipped(attrs) {
            syn::visit::visit_item(self, item);
        }
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if !skipped(&f.attrs) {
            syn::visit::visit_impl_item_fn(self, f);
        }
    }

    fn visit_stmt(&mut self, stmt: &'ast syn::Stmt) {
        let attrs = match stmt {
            syn::Stmt::Local(l) => &l.attrs,
            syn::Stmt::Macro(m) => &m.attrs,
            _ => return syn::visit::visit_stmt(self, stmt),
        };
        if !skipped(attrs) {
            syn::visit::visit_stmt(self, stmt);
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let is_html = mac.path.segments.last().is_some_and(|s| s.ident == "html");
        if is_html {
            let (delimiter, span) = match &mac.delimiter {
                syn::MacroDelimiter::Paren(p) => (Delimiter::Parenthesis, p.span),
                syn::MacroDelimiter::Brace(b) => (Delimiter::Brace, b.span),
                syn::MacroDelimiter::Bracket(b) => (Delimiter::Bracket, b.span),
            };
            self.calls.push(Call {
                bang_end: mac.bang_token.span.byte_range().end,
                open: span.open().byte_range(),
                close: span.close().byte_range(),
                delimiter,
                tokens: mac.tokens.clone(),
            });
        }
        // Calls in the arguments (of `html!` too: in its splices).
        scan(&mac.tokens, &mut self.calls);
    }
}

/// `html ! (..)` sequences in a token stream, at any depth.
fn scan(tokens: &TokenStream, calls: &mut Vec<Call>) {
    let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
    for (i, tt) in trees.iter().enumerate() {
        if let TokenTree::Group(g) = tt {
            let is_call = i >= 2
                && matches!(&trees[i - 1], TokenTree::Punct(p) if p.as_char() == '!')
                && matches!(&trees[i - 2], TokenTree::Ident(id) if id == "html");
            if is_call {
                calls.push(Call {
                    bang_end: trees[i - 1].span().byte_range().end,
                    open: g.span_open().byte_range(),
                    close: g.span_close().byte_range(),
                    delimiter: g.delimiter(),
                    tokens: g.stream(),
                });
            }
            scan(&g.stream(), calls);
        }
    }
}
