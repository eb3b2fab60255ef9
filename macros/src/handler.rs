//! `#[nitro::handler]`: checks an axum handler's shape where axum's own error cannot say what
//! is wrong ("`Handler<_, _>` is not satisfied"): the function is `async`, an argument that
//! reads the request body (`ReadSignals`, `Json`, `String`, …) comes last, and the return type
//! is a response rather than a component (`impl Render`). The function is emitted unchanged.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{FnArg, ItemFn, ReturnType, Type};

/// Extractors that consume the request body: only the last argument may.
const BODY: &[&str] = &[
    "ReadSignals",
    "ReadSignalsUnchecked",
    "Json",
    "Form",
    "String",
    "Bytes",
    "Body",
    "Request",
    "RawForm",
    "Multipart",
];

fn last_segment(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        Type::Paren(p) => last_segment(&p.elem),
        Type::Group(g) => last_segment(&g.elem),
        _ => None,
    }
}

pub fn expand(item: ItemFn) -> TokenStream {
    let mut errors = TokenStream::new();
    if item.sig.asyncness.is_none() {
        errors.extend(
            syn::Error::new(
                item.sig.fn_token.span(),
                "a handler must be an `async fn`\n\nhelp: write `async fn`",
            )
            .into_compile_error(),
        );
    }
    let args: Vec<&syn::PatType> = item
        .sig
        .inputs
        .iter()
        .filter_map(|a| match a {
            FnArg::Typed(t) => Some(t),
            FnArg::Receiver(_) => None,
        })
        .collect();
    for (i, arg) in args.iter().enumerate() {
        let Some(name) = last_segment(&arg.ty) else {
            continue;
        };
        if i + 1 < args.len() && BODY.contains(&name.as_str()) {
            let msg = format!(
                "`{name}` reads the request body, so it must be the last argument of the handler\n\nhelp: move `{}` after the other arguments: axum runs the extractors in order, and only the last one may take the body",
                arg.ty.to_token_stream().to_string().replace(' ', "")
            );
            errors.extend(syn::Error::new(arg.span(), msg).into_compile_error());
        }
    }
    if let ReturnType::Type(_, ty) = &item.sig.output {
        if let Type::ImplTrait(t) = &**ty {
            let is_render = t.bounds.iter().any(|b| match b {
                syn::TypeParamBound::Trait(tr) => tr.path.segments.last().is_some_and(|s| {
                    s.ident == "Render"
                        || s.ident == "IdentifiedElements"
                        || s.ident == "IntoElements"
                }),
                _ => false,
            });
            if is_render {
                errors.extend(
                    syn::Error::new(
                        ty.span(),
                        "a component (`impl Render`) is not a response\n\nhelp: return `Markup` and end with `.render()`, or return the `html!` template itself (`-> impl IntoResponse`)",
                    )
                    .into_compile_error(),
                );
            }
        }
    }
    let mut out = item.into_token_stream();
    out.extend(errors);
    out
}
