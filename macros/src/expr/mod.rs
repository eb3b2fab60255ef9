//! `expr!("@get('/contacts/{}/edit')", id)`: Datastar code with values spliced in. One small
//! pipeline: parse (a literal and its arguments), validate (placeholders against arguments,
//! `@action` names against the client's), prove ([`proof`]: where each placeholder stands once
//! the client has rewritten the code, by a lexer of JavaScript ([`lexer`]) run on a model of
//! the client ([`client`]); a placeholder whose position is not certain is refused), generate
//! (an `Expr` built from `'static` code and values written as [`proof`] describes).

pub mod client;
pub mod compose;
pub mod lexer;
pub mod proof;

use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, LitStr, Token};

pub struct ExprInput {
    pub code: LitStr,
    pub args: Vec<Expr>,
}

impl Parse for ExprInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let code: LitStr = input.parse()?;
        let mut args = Vec::new();
        if input.parse::<Option<Token![,]>>()?.is_some() {
            args = Punctuated::<Expr, Token![,]>::parse_terminated(input)?
                .into_iter()
                .collect();
        }
        Ok(ExprInput { code, args })
    }
}

/// A piece of the code: literal text, a value (`{}`), or another `Expr` spliced as code
/// (`{code}`, see [`compose`]).
#[derive(Debug, PartialEq, Eq)]
pub enum Piece {
    Code(String),
    Value,
    Splice,
}

/// Splits `code` at its `{}` and `{code}` placeholders (`{{` and `}}` are literal braces).
pub fn pieces(code: &str) -> Result<Vec<Piece>, String> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut chars = code.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push(Piece::Code(std::mem::take(&mut text)));
                out.push(Piece::Value);
            }
            '{' if chars.clone().take(5).eq("code}".chars()) => {
                chars.nth(4);
                out.push(Piece::Code(std::mem::take(&mut text)));
                out.push(Piece::Splice);
            }
            '{' | '}' => {
                return Err(format!(
                    "`{c}` alone in `expr!` code: write `{c}{c}` for a brace, `{{}}` for a value, `{{code}}` for an `Expr` spliced as code"
                ))
            }
            c => text.push(c),
        }
    }
    out.push(Piece::Code(text));
    Ok(out)
}

/// The code as the template checks see it: each value replaced by a harmless literal.
pub fn code_for_checks(code: &str) -> Option<String> {
    let pieces = pieces(code).ok()?;
    Some(
        pieces
            .iter()
            .map(|p| match p {
                Piece::Code(c) => c.as_str(),
                Piece::Value | Piece::Splice => "0",
            })
            .collect(),
    )
}

pub fn expand(input: ExprInput) -> TokenStream {
    let code = input.code.value();
    let span = input.code.span();
    let pieces = match pieces(&code) {
        Ok(p) => p,
        Err(e) => return syn::Error::new(span, e).into_compile_error(),
    };
    let splices: Vec<bool> = pieces
        .iter()
        .filter(|p| !matches!(p, Piece::Code(_)))
        .map(|p| *p == Piece::Splice)
        .collect();
    let holes = splices.len();
    if holes != input.args.len() {
        return syn::Error::new(
            span,
            format!(
                "`expr!` code has {holes} `{{}}` placeholder(s) but {} value(s) were given",
                input.args.len()
            ),
        )
        .into_compile_error();
    }
    let mut errors = TokenStream::new();
    for e in crate::datastar::unknown_actions(&code_for_checks(&code).unwrap_or_default()) {
        errors.extend(syn::Error::new(span, e).into_compile_error());
    }
    let texts: Vec<String> = pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Code(c) => Some(c.clone()),
            Piece::Value | Piece::Splice => None,
        })
        .collect();
    let slots = if holes == 0 {
        Vec::new()
    } else {
        match proof::prove(&texts).and_then(|slots| compose::splices_in_code(&slots, &splices)) {
            Ok(slots) => slots,
            Err(r) => {
                let msg = format!("{}\n\nhelp: {}", r.message, r.help);
                errors.extend(syn::Error::new(span, msg).into_compile_error());
                Vec::new()
            }
        }
    };
    if !errors.is_empty() {
        return quote!({ #errors ::nitro::Expr::default() });
    }
    generate_with(&texts, &slots, &input.args, &splices)
}

/// The `Expr` of proven code: `'static` fragments, and each value written for its slot.
pub fn generate(texts: &[String], slots: &[proof::Slot], args: &[Expr]) -> TokenStream {
    generate_with(texts, slots, args, &vec![false; args.len()])
}

/// [`generate`], with `splices[i]` telling whether argument `i` is an `Expr` spliced as code;
/// the `Expr` is marked sealed when [`compose::sealed`] proves it.
fn generate_with(
    texts: &[String],
    slots: &[proof::Slot],
    args: &[Expr],
    splices: &[bool],
) -> TokenStream {
    let mut calls = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        if i > 0 {
            let arg = &args[i - 1];
            let span = syn::spanned::Spanned::span(arg);
            calls.push(match slots[i - 1] {
                _ if splices[i - 1] => quote::quote_spanned!(span=> .splice(&(#arg))),
                proof::Slot::Value => quote::quote_spanned!(span=> .value(&(#arg))),
                proof::Slot::Text => quote::quote_spanned!(span=> .text(&(#arg))),
            });
        }
        if !text.is_empty() {
            calls.push(quote!(.code(#text)));
        }
    }
    if compose::sealed(texts, slots) {
        calls.push(quote!(.sealed(::nitro::__private::MacroProof::nitro_macros_proved_it())));
    }
    quote!(::nitro::__private::ExprBuilder::new() #(#calls)* .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_split_the_code() {
        assert_eq!(
            pieces("@get('/c/{}/edit') && {}").unwrap(),
            vec![
                Piece::Code("@get('/c/".into()),
                Piece::Value,
                Piece::Code("/edit') && ".into()),
                Piece::Value,
                Piece::Code(String::new()),
            ]
        );
        assert_eq!(
            pieces("{{a: {}}}").unwrap(),
            vec![
                Piece::Code("{a: ".into()),
                Piece::Value,
                Piece::Code("}".into())
            ]
        );
        assert!(pieces("{ a }").is_err());
        assert_eq!(
            pieces("{code} && {}").unwrap(),
            vec![
                Piece::Code(String::new()),
                Piece::Splice,
                Piece::Code(" && ".into()),
                Piece::Value,
                Piece::Code(String::new()),
            ]
        );
        assert!(pieces("{cod}").is_err());
        assert_eq!(code_for_checks("$a = {}").unwrap(), "$a = 0");
    }

    #[test]
    fn actions_are_checked_everywhere() {
        assert!(crate::datastar::unknown_actions("@get('/x') && @setAll(1)").is_empty());
        let e = crate::datastar::unknown_actions("'@gett(' + @pots('/x')");
        assert_eq!(e.len(), 2);
        assert!(e[0].contains("did you mean `@get(`?"), "{e:?}");
        assert!(e[1].contains("did you mean `@post(`?"), "{e:?}");
        assert!(crate::datastar::unknown_actions("mail@example.com @ (x)").is_empty());
    }
}
