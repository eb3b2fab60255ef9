//! Procedural macros of [nitro](https://docs.rs/nitro). Internal: depend on the `nitro` crate,
//! which re-exports them with the runtime they expand to.
//!
//! The `html!` pipeline is one stage a file: [`parse`] (tokens -> [`ast`]), [`validate`]
//! (semantic rules, [`datastar`] attribute syntax), [`generate`] (code). Errors from every stage
//! are collected in [`diag::Diagnostics`] and reported together.

use proc_macro::TokenStream;

mod ast;
mod datastar;
mod diag;
mod generate;
mod parse;
mod validate;

/// Writes HTML with Rust-embedded markup; see the `nitro` crate docs for the syntax.
#[proc_macro]
pub fn html(input: TokenStream) -> TokenStream {
    expand_html(input.into()).into()
}

fn expand_html(input: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    let mut diags = diag::Diagnostics::default();
    let out = match parse::parse(input, &mut diags) {
        Ok(block) => {
            validate::validate(&block, &mut diags);
            if diags.is_empty() {
                generate::generate(&block)
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
