//! Procedural macros of [nitro](https://docs.rs/nitro). Internal: depend on the `nitro` crate,
//! which re-exports them with the runtime they expand to.
//!
//! The `html!` pipeline is one stage a file: `parse` (tokens -> `ast`, in `nitro-syntax`), `validate` (semantic
//! rules, `datastar` attribute syntax), `generate` (code). Errors from every stage are collected
//! in `diag::Diagnostics` and reported together.

use proc_macro::TokenStream;

// The grammar (parser, tree, errors, Datastar table) is the `nitro-syntax` crate, shared with
// the runtime and the formatter; imported under the paths the stages here use.
use nitro_syntax::{ast, datastar, diag, suggest};

mod capture;
mod checks;
mod context;
mod expr;
mod form;
mod generate;
mod handler;
mod routes;
mod scoped;
mod signals;
mod validate;

/// The `html!` parser is `nitro_syntax::parse`, bound here to this crate's code generator,
/// which turns attribute values written as markup into nested templates.
mod parse {
    use proc_macro2::TokenStream;

    use crate::ast::Template;
    use crate::diag::Diagnostics;

    /// Parses the whole macro input (see `nitro_syntax::parse::parse`).
    pub fn parse(input: TokenStream, diags: &mut Diagnostics) -> syn::Result<Template> {
        nitro_syntax::parse::parse(input, diags, &crate::generate::nested_template)
    }
}

/// Writes HTML with Rust-embedded markup; see the `nitro` crate docs for the syntax.
///
/// # "does not live long enough": `html! { move .. }`
///
/// A template renders later, when asked, so it holds on to the locals it names: it copies the
/// `Copy` ones and borrows the rest. A function that returns a template over a value it owns (an
/// owned argument such as `body: impl Render` or `name: String`, a value it just built) then
/// fails with rustc's E0597 "`body` does not live long enough" or E0515 "cannot return value
/// referencing function parameter `body`", pointing at the splice (and, for a generic argument,
/// E0310 "the parameter type may not live long enough" with a `'static` suggestion that is not
/// the fix). The error notes that it "originates in the macro
/// `::nitro::__private::html_borrows_this_local__write_html_move_to_take_it`": the one that
/// lets the template borrow the local (a proc macro cannot attach a note to a borrow error on
/// stable Rust; a macro's name is in the error). Write `move` first, and the template takes
/// those values:
///
/// ```text
/// fn page(title: String, body: impl Render) -> impl Render {
///     html! { move main { h1 { (title) } (body) } }
/// }
/// ```
#[doc(alias = "E0597")]
#[doc(alias = "E0515")]
#[doc(alias = "E0310")]
#[doc(alias = "move")]
#[doc(alias = "does not live long enough")]
#[proc_macro]
pub fn html(input: TokenStream) -> TokenStream {
    expand_html(input.into()).into()
}

fn expand_html(input: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    let mut diags = diag::Diagnostics::default();
    let out = match parse::parse(input, &mut diags) {
        Ok(template) => {
            validate::validate(&template.body, &mut diags);
            let checks = checks::signal_checks(&template, &mut diags);
            if diags.is_empty() {
                generate::generate(&template.body, checks, template.moves)
            } else {
                generate::skeleton(diags.into_compile_errors())
            }
        }
        Err(e) => {
            diags.push(e);
            generate::skeleton(diags.into_compile_errors())
        }
    };
    if std::env::var_os("NITRO_MACROS_DEBUG").is_some() {
        eprintln!("{out}");
    }
    out
}

/// `true` when this build of `html!` writes straight runs with one reservation each (it was
/// built without debug assertions: the user's optimized profile), `false` when it writes one
/// checked write each. For the tests of the reserved form, which must know they check it.
#[doc(hidden)]
#[proc_macro]
pub fn __reserved_runs(_: TokenStream) -> TokenStream {
    let value = generate::RESERVED_RUNS;
    quote::quote!(#value).into()
}

/// Builds a Datastar expression from code and values; see `nitro::expr!`.
#[proc_macro]
pub fn expr(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as expr::ExprInput);
    expr::expand(input).into()
}

/// Derives `nitro::Signals` for a serde struct: the JSON names of its fields (serde renames
/// respected) for compile-time `$name` checks in `html!`, and a typed partial patch
/// (`Counter::patch().count(3)`). See the `nitro` crate docs.
#[proc_macro_derive(Signals, attributes(signals))]
pub fn derive_signals(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    signals::derive(input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Declares typed routes; see `nitro::routes!`.
#[proc_macro]
pub fn routes(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as routes::Routes);
    routes::expand(input).into()
}

/// Derives `nitro::form::Form`: an errors type, each field's ids and signal name; see
/// `nitro::form`.
#[proc_macro_derive(Form)]
pub fn derive_form(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    form::derive(input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Checks an axum handler's shape with messages that name the fix; see `nitro::handler`.
#[proc_macro_attribute]
pub fn handler(attr: TokenStream, item: TokenStream) -> TokenStream {
    if !attr.is_empty() {
        return syn::Error::new(
            proc_macro2::Span::call_site(),
            "`#[nitro::handler]` takes no arguments",
        )
        .into_compile_error()
        .into();
    }
    let item = syn::parse_macro_input!(item as syn::ItemFn);
    handler::expand(item).into()
}
