//! Which locals a template names, so it can hold them without taking them.
//!
//! The generated body (real Rust by now: `@for`, `@let`, `@match` are plain `for`, `let`,
//! `match`) is read back with `syn`. Every single-name path that is not bound anywhere in the
//! template (by `@let`, `@for`, a match arm, a closure, …) is a local from outside. Each is
//! re-bound before the template's closure as a copy (`Copy` types) or a reference (anything
//! else), chosen at compile time by `nitro::__private::Capture`; the closure then moves only
//! those copies and references, so the caller keeps the local. Inside the body, `&name` of such
//! a local is flattened back to one reference (`nitro::__private::Flat`), so `@for x in &items`
//! still iterates.
//!
//! Names that cannot be locals are left alone: paths with `::`, names starting with an upper-case
//! letter (constants, statics, types, variants), called names (`card(..)`: functions), `self`.
//! A name the template itself also binds is left to the closure (moved, as with `move`).

use std::collections::HashSet;

use proc_macro2::{Ident, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::punctuated::Punctuated;
use syn::visit_mut::{self, VisitMut};
use syn::{Expr, Token};

/// The locals `body` reads from outside (first occurrence of each, for its span), and `body`
/// with `&local` flattened. `None` when the body does not read back as Rust (then nothing is
/// captured and the closure moves what it names, as before).
pub fn analyze(body: &TokenStream) -> Option<(Vec<Ident>, TokenStream)> {
    let mut block: syn::Block = syn::parse2(quote!({ #body })).ok()?;
    let mut scan = Scan::default();
    scan.visit_block_mut(&mut block);
    let free: Vec<Ident> = scan
        .free
        .into_iter()
        .filter(|id| !scan.bound.contains(&id.to_string()))
        .collect();
    if free.is_empty() {
        return Some((free, body.clone()));
    }
    let names = free.iter().map(|i| i.to_string()).collect();
    Flatten { names }.visit_block_mut(&mut block);
    let stmts = block.stmts.iter().map(|s| s.to_token_stream());
    Some((free, stmts.collect()))
}

/// `let name = <copy or reference of name>;` for each captured local.
pub fn rebind(free: &[Ident]) -> TokenStream {
    if free.is_empty() {
        return TokenStream::new();
    }
    let lets = free.iter().map(|id| {
        quote_spanned! {id.span()=>
            let #id = (&&::nitro::__private::Capture(&#id)).nitro_capture();
        }
    });
    quote! {
        #[allow(unused_imports)]
        use ::nitro::__private::{CaptureCopy as _, CaptureRef as _};
        #(#lets)*
    }
}

/// What the closure body needs in scope for flattened `&local`s.
pub fn body_prelude(free: &[Ident]) -> TokenStream {
    if free.is_empty() {
        return TokenStream::new();
    }
    quote! {
        #[allow(unused_imports)]
        use ::nitro::__private::{FlatId as _, FlatRef as _};
    }
}

#[derive(Default)]
struct Scan {
    free: Vec<Ident>,
    seen: HashSet<String>,
    bound: HashSet<String>,
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
    let name = seg.ident.to_string();
    let first = name.trim_start_matches("r#").chars().next()?;
    if first.is_uppercase() || name == "self" || name.starts_with("__nitro") {
        return None;
    }
    Some(&seg.ident)
}

impl Scan {
    fn note(&mut self, id: &Ident) {
        if self.seen.insert(id.to_string()) {
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
}

impl VisitMut for Scan {
    fn visit_expr_path_mut(&mut self, e: &mut syn::ExprPath) {
        if let Some(id) = local_name(e) {
            let id = id.clone();
            self.note(&id);
        }
        visit_mut::visit_expr_path_mut(self, e);
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

    fn visit_pat_ident_mut(&mut self, p: &mut syn::PatIdent) {
        self.bound.insert(p.ident.to_string());
        visit_mut::visit_pat_ident_mut(self, p);
    }

    fn visit_macro_mut(&mut self, m: &mut syn::Macro) {
        // `format!("{}", name)`, `matches!(x, ..)`: arguments that read as expressions.
        if let Ok(mut args) = syn::parse::Parser::parse2(
            Punctuated::<Expr, Token![,]>::parse_terminated,
            m.tokens.clone(),
        ) {
            for arg in args.iter_mut() {
                if let Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) = arg
                {
                    self.format_args(s);
                }
                self.visit_expr_mut(arg);
            }
        }
    }
}

/// Rewrites `&local` of a captured local to `Flat(&local)`.
struct Flatten {
    names: HashSet<String>,
}

impl VisitMut for Flatten {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        if let Expr::Reference(r) = e {
            if r.mutability.is_none() {
                if let Expr::Path(p) = &*r.expr {
                    if let Some(id) = local_name(p) {
                        if self.names.contains(&id.to_string()) {
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
        visit_mut::visit_expr_mut(self, e);
    }

    fn visit_macro_mut(&mut self, m: &mut syn::Macro) {
        if let Ok(mut args) = syn::parse::Parser::parse2(
            Punctuated::<Expr, Token![,]>::parse_terminated,
            m.tokens.clone(),
        ) {
            for arg in args.iter_mut() {
                self.visit_expr_mut(arg);
            }
            m.tokens = args.to_token_stream();
        }
    }
}
