//! Compile-time name checks. Signal references (`$count`, `data-bind:email`) that the template
//! itself does not define are checked against the `@signals(..)` types in a `const` block that
//! rustc evaluates, so a typo fails `cargo check` at the attribute, with a suggestion.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};

use crate::ast::*;
use crate::datastar::{self, ValueKind};
use crate::diag::Diagnostics;
use crate::suggest::suggest;

/// A signal reference found in the template, with the span to report it at.
struct Ref {
    path: String,
    span: Span,
}

#[derive(Default)]
struct Collected {
    refs: Vec<Ref>,
    /// Names the template defines itself (`data-signals:x`, `data-computed:x`, …).
    locals: Vec<String>,
    /// Unknown `@action(` names in static attributes, with their messages.
    actions: Vec<(String, Span)>,
}

/// Does a reference to `path` resolve to the local (or string-declared) name `name`?
/// `$a.b` matches `a` (property access on a value) and `a.b.c` (an object that holds it).
fn matches_local(path: &str, name: &str) -> bool {
    path == name
        || path.strip_prefix(name).is_some_and(|r| r.starts_with('.'))
        || name.strip_prefix(path).is_some_and(|r| r.starts_with('.'))
}

pub fn signal_checks(t: &Template, diags: &mut Diagnostics) -> TokenStream {
    let mut c = Collected::default();
    collect(&t.body, &mut c);
    for (message, span) in &c.actions {
        diags.error(*span, message.clone());
    }
    let mut names = c.locals.clone();
    let mut types = Vec::new();
    for d in &t.signals {
        match d {
            SignalDecl::Name(lit) => names.push(lit.value()),
            SignalDecl::Type(path) => types.push(path),
        }
    }
    let mut out = TokenStream::new();
    // The declared types' shapes, evaluated once (one error for a type that is not `Signals`).
    let shapes = proc_macro2::Ident::new("__NITRO_SHAPES", Span::mixed_site());
    if !types.is_empty() {
        let each = types.iter().map(|ty| {
            quote_spanned!(syn::spanned::Spanned::span(ty)=> ::nitro::__private::shape_of::<#ty>())
        });
        out.extend(quote! {
            const #shapes: &[::nitro::signals::Shape] = &[#(#each),*];
        });
    }
    let declared = types
        .iter()
        .map(|p| format!("`{}`", quote!(#p).to_string().replace(' ', "")))
        .collect::<Vec<_>>()
        .join(", ");
    for r in &c.refs {
        if names.iter().any(|n| matches_local(&r.path, n)) {
            continue;
        }
        if types.is_empty() {
            let help = match suggest(&r.path, names.iter().map(String::as_str)) {
                Some(s) => format!("did you mean `${s}`?"),
                None => format!(
                    "declare where it comes from at the start of the template: `@signals(YourSignals)` for a type deriving `Signals`, or `@signals(\"{}\")` for a name only JavaScript defines",
                    r.path
                ),
            };
            diags.error_help(
                r.span,
                format!(
                    "unknown signal `${}`: this template declares no signals",
                    r.path
                ),
                help,
            );
            continue;
        }
        let path = &r.path;
        let span = r.span;
        out.extend(quote_spanned! {span=>
            const _: () = {
                if let ::core::option::Option::Some(m) = ::nitro::__private::check_signal(
                    #shapes,
                    &[#(#names),*],
                    #path,
                    #declared,
                ) {
                    ::core::panic!("{}", m.as_str())
                }
            };
        });
    }
    out
}

fn collect(block: &Block, c: &mut Collected) {
    for node in &block.nodes {
        match node {
            Node::Element(el) => {
                for attr in &el.attrs {
                    if let Attr::Named {
                        name: AttrName::Datastar(n, ds),
                        value,
                    } = attr
                    {
                        attribute(n, ds, value, c);
                    }
                }
                if let Some(b) = &el.body {
                    collect(b, c);
                }
            }
            Node::Group(b) | Node::For { body: b, .. } | Node::While { body: b, .. } => {
                collect(b, c)
            }
            Node::If(i) => collect_if(i, c),
            Node::Match { arms, .. } => arms.iter().for_each(|a| collect(&a.body, c)),
            Node::Text(_) | Node::Splice(_) | Node::Doctype | Node::Let(_) => {}
        }
    }
}

fn collect_if(i: &If, c: &mut Collected) {
    collect(&i.then, c);
    match &i.otherwise {
        Some(Else::If(e)) => collect_if(e, c),
        Some(Else::Block(b)) => collect(b, c),
        None => {}
    }
}

fn attribute(n: &Name, ds: &datastar::DatastarAttr, value: &AttrValue, c: &mut Collected) {
    let plugin = ds.plugin;
    let key_name = ds.defined_signal();
    let value_name = match (plugin.kind, value) {
        (ValueKind::SignalName, AttrValue::Static(v, _)) => Some(v.clone()),
        _ => None,
    };
    if plugin.name == "bind" {
        // Binding does not declare a signal: it must name one that exists.
        if let Some(path) = key_name.or(value_name) {
            c.refs.push(Ref { path, span: n.span });
        }
    } else if plugin.defines_signal {
        c.locals.extend(key_name);
        c.locals.extend(value_name);
    }
    if plugin.kind == ValueKind::Expression {
        let code = match value {
            AttrValue::Static(v, span) => Some((v.clone(), *span)),
            AttrValue::Dynamic(s) | AttrValue::Optional(s) => expr_macro_code(&s.expr),
            _ => None,
        };
        if let Some((code, span)) = code {
            for r in datastar::signal_refs(&code) {
                c.refs.push(Ref { path: r.path, span });
            }
            if matches!(value, AttrValue::Static(..)) {
                c.actions.extend(
                    datastar::unknown_actions(&code)
                        .into_iter()
                        .map(|m| (m, span)),
                );
            }
        }
    }
}

/// The code of an `expr!("...", ..)` spliced directly (placeholders replaced by `0`), so its
/// `$refs` are checked against this template's signals like a static attribute's.
fn expr_macro_code(tokens: &TokenStream) -> Option<(String, Span)> {
    let mac: syn::ExprMacro = syn::parse2(tokens.clone()).ok()?;
    if mac
        .mac
        .path
        .segments
        .last()
        .is_none_or(|s| s.ident != "expr")
    {
        return None;
    }
    let lit: syn::LitStr = mac
        .mac
        .parse_body_with(|input: syn::parse::ParseStream| {
            let lit: syn::LitStr = input.parse()?;
            let _: TokenStream = input.parse()?;
            Ok(lit)
        })
        .ok()?;
    Some((crate::expr::code_for_checks(&lit.value())?, lit.span()))
}

#[cfg(test)]
mod tests {
    use super::matches_local;

    #[test]
    fn local_names_cover_properties_and_parents() {
        assert!(matches_local("count", "count"));
        assert!(matches_local("items.length", "items"));
        assert!(matches_local("form", "form.name"));
        assert!(!matches_local("counter", "count"));
        assert!(!matches_local("form.email", "form.name"));
    }
}
