//! `routes! { SEARCH = GET "/search", TODO = DELETE "/todos/{id}" }`: one type and one const per
//! route. Parse (name, method, path), validate (the path's text and parameters), generate (the
//! type, its `nitro::routes::Route` impl, and `action`/`path` taking one value per parameter).

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Ident, LitStr, Token, Visibility};

pub struct Routes {
    routes: Vec<RouteDecl>,
}

struct RouteDecl {
    attrs: Vec<syn::Attribute>,
    vis: Visibility,
    name: Ident,
    method: Ident,
    path: LitStr,
}

const METHODS: &[(&str, &str)] = &[
    ("GET", "Get"),
    ("POST", "Post"),
    ("PUT", "Put"),
    ("PATCH", "Patch"),
    ("DELETE", "Delete"),
];

impl Parse for RouteDecl {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        Ok(RouteDecl {
            attrs: input.call(syn::Attribute::parse_outer)?,
            vis: input.parse()?,
            name: input.parse()?,
            method: {
                input.parse::<Token![=]>()?;
                input.parse()?
            },
            path: input.parse()?,
        })
    }
}

impl Parse for Routes {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let routes = Punctuated::<RouteDecl, Token![,]>::parse_terminated(input)?;
        Ok(Routes {
            routes: routes.into_iter().collect(),
        })
    }
}

/// A piece of a path: literal text, or a `{param}`.
#[derive(Debug, PartialEq, Eq)]
enum Part {
    Text(String),
    Param(String),
}

/// Splits a path into text and `{param}`s, or says what is wrong with it.
fn parts(path: &str) -> Result<Vec<Part>, String> {
    if !path.starts_with('/') {
        return Err("a route path starts with `/`".into());
    }
    let mut out = Vec::new();
    let mut text = String::new();
    let mut rest = path;
    while let Some(c) = rest.chars().next() {
        match c {
            '{' => {
                let Some(end) = rest.find('}') else {
                    return Err("`{` without its `}`".into());
                };
                let name = &rest[1..end];
                if name.starts_with('*') {
                    return Err(format!(
                        "`{{{name}}}`: wildcard parameters are not supported by `routes!`"
                    ));
                }
                let ident = !name.is_empty()
                    && !name.starts_with(|c: char| c.is_ascii_digit())
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if !ident {
                    return Err(format!("`{{{name}}}` is not a parameter name (letters, digits, `_`)"));
                }
                if !text.ends_with('/') {
                    return Err(format!("`{{{name}}}` must be a whole path segment (after a `/`)"));
                }
                if out.contains(&Part::Param(name.to_owned())) {
                    return Err(format!("the parameter `{name}` appears twice"));
                }
                out.push(Part::Text(std::mem::take(&mut text)));
                out.push(Part::Param(name.to_owned()));
                rest = &rest[end + 1..];
                if !(rest.is_empty() || rest.starts_with('/')) {
                    return Err(format!("`{{{name}}}` must be a whole path segment (before a `/`)"));
                }
                continue;
            }
            '}' => return Err("`}` without its `{`".into()),
            c if c.is_ascii_alphanumeric() || "/-._~!*(),;:=+&%".contains(c) => text.push(c),
            c => {
                return Err(format!(
                    "`{}` cannot be in a route path here (it would need encoding, or means something to Datastar's expressions); use letters, digits and `/-._~!*(),;:=+&%`",
                    if c.is_control() || c.is_whitespace() {
                        c.escape_default().to_string()
                    } else {
                        c.to_string()
                    }
                ))
            }
        }
        rest = &rest[c.len_utf8()..];
    }
    if !text.is_empty() {
        out.push(Part::Text(text));
    }
    for part in &out {
        if let Part::Text(t) = part {
            if let Some(dots) = t.split('/').find(|s| is_dot_segment(s)) {
                return Err(format!(
                    "`{dots}` is a dot segment: the browser resolves it before the request is sent, so this path is not the one declared; write the path without it"
                ));
            }
        }
    }
    Ok(out)
}

/// `.` or `..`, also percent-encoded (`%2e`, `.%2E`, …): what a URL parser resolves.
fn is_dot_segment(s: &str) -> bool {
    let decoded = s.replace("%2e", ".").replace("%2E", ".");
    decoded == "." || decoded == ".."
}

pub fn expand(input: Routes) -> TokenStream {
    let mut out = TokenStream::new();
    let mut seen: Vec<(String, String)> = Vec::new();
    for r in input.routes {
        let method = r.method.to_string();
        let Some((_, ty)) = METHODS.iter().find(|(m, _)| *m == method) else {
            let names: Vec<&str> = METHODS.iter().map(|(m, _)| *m).collect();
            let msg = format!(
                "`{method}` is not a route method: use one of {}",
                names.join(", ")
            );
            out.extend(syn::Error::new(r.method.span(), msg).into_compile_error());
            continue;
        };
        let path = r.path.value();
        let parts = match parts(&path) {
            Ok(parts) => parts,
            Err(msg) => {
                out.extend(syn::Error::new(r.path.span(), msg).into_compile_error());
                continue;
            }
        };
        if seen.contains(&(method.clone(), path.clone())) {
            let msg = format!("`{method} {path}` is declared twice");
            out.extend(syn::Error::new(r.path.span(), msg).into_compile_error());
            continue;
        }
        seen.push((method.clone(), path.clone()));
        out.extend(generate(&r, ty, &method, &path, &parts));
    }
    out
}

fn r_path_span(r: &RouteDecl) -> Span {
    r.path.span()
}

fn generate(r: &RouteDecl, ty: &str, method: &str, path: &str, parts: &[Part]) -> TokenStream {
    let r_decl = r;
    let RouteDecl {
        attrs, vis, name, ..
    } = r;
    let method_ty = Ident::new(ty, Span::call_site());
    let type_name = format_ident!("__nitro_route_{}", name);
    let action = method.to_ascii_lowercase();
    let params: Vec<Ident> = parts
        .iter()
        .filter_map(|p| match p {
            Part::Param(n) => Some(format_ident!("{}", n)),
            Part::Text(_) => None,
        })
        .collect();
    // The action: `@delete('/todos/{}/x')`, proven and written by `expr!`'s own pipeline: each
    // value (a checked path segment, percent-encoded) lands inside the string as escaped text.
    let mut texts: Vec<String> = vec![format!("@{action}('")];
    for part in parts {
        match part {
            Part::Text(t) => texts.last_mut().expect("one text at least").push_str(t),
            Part::Param(_) => texts.push(String::new()),
        }
    }
    texts.last_mut().expect("one text at least").push_str("')");
    let values: Vec<syn::Expr> = params
        .iter()
        .map(|p| syn::parse_quote!(::nitro::routes::PathParam::to_segment(&#p).encoded()))
        .collect();
    let action = match crate::expr::proof::prove(&texts) {
        Ok(slots) => crate::expr::generate(&texts, &slots, &values),
        Err(r) => {
            let msg = format!("{}\n\nhelp: {}", r.message, r.help);
            return syn::Error::new(r_path_span(r_decl), msg).into_compile_error();
        }
    };
    let path_args = params
        .iter()
        .map(|p| quote!(::nitro::routes::PathParam::to_segment(&#p).encoded()));
    let path_fmt = parts
        .iter()
        .map(|p| match p {
            Part::Text(t) => t.replace('{', "{{").replace('}', "}}"),
            Part::Param(_) => "{}".into(),
        })
        .collect::<String>();
    let doc = format!("The route `{method} {path}`, declared with `nitro::routes!`.");
    let action_doc = format!(
        "The Datastar action calling `{method} {path}` (`@{action}(..)`), one argument per path parameter, each a checked path segment (never `.`, `..` or empty), percent-encoded."
    );
    let path_doc = format!(
        "The URL path of `{path}` for these parameters, each a checked path segment (never `.`, `..` or empty), percent-encoded."
    );
    quote! {
        #[doc = #doc]
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #vis struct #type_name;

        impl ::nitro::routes::Route for #type_name {
            type Method = ::nitro::routes::#method_ty;
            const PATH: &'static str = #path;
        }

        impl #type_name {
            #[doc = #action_doc]
            #[allow(dead_code)]
            pub fn action(&self #(, #params: impl ::nitro::routes::PathParam)*) -> ::nitro::Expr {
                #action
            }

            #[doc = #path_doc]
            #[allow(dead_code)]
            pub fn path(&self #(, #params: impl ::nitro::routes::PathParam)*) -> ::std::string::String {
                ::std::format!(#path_fmt #(, #path_args)*)
            }
        }

        #(#attrs)*
        #[doc = #doc]
        #vis const #name: #type_name = #type_name;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_paths() {
        assert_eq!(
            parts("/todos/{id}/toggle").unwrap(),
            [
                Part::Text("/todos/".into()),
                Part::Param("id".into()),
                Part::Text("/toggle".into())
            ]
        );
        assert!(parts("todos").is_err());
        assert!(parts("/a/{id").is_err());
        assert!(parts("/a/x{id}").is_err());
        assert!(parts("/a/{id}x").is_err());
        assert!(parts("/a/{*rest}").is_err());
        assert!(parts("/a/{id}/{id}").is_err());
        assert!(parts("/a'b").is_err());
        assert!(parts("/$x").is_err());
        for dots in ["/a/../b", "/a/.", "/%2e%2E/x", "/a/.%2e", "/./a"] {
            assert!(parts(dots).is_err(), "{dots}");
        }
        assert!(parts("/a.b/..c/x..").is_ok());
    }
}
