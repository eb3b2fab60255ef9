//! `expr!("@get('/contacts/{}/edit')", id)`: Datastar code with values spliced in. One small
//! pipeline: parse (a literal and its arguments), validate (placeholders against arguments,
//! `@action` names against the client's), prove ([`proof`]: where each placeholder stands once
//! the client has rewritten the code, by a lexer of JavaScript ([`lexer`]) run on a model of
//! the client ([`client`]); a placeholder whose position is not certain is refused), generate
//! (an `Expr` built from `'static` code and values written as [`proof`] describes).

pub mod client;
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

/// A piece of the code: literal text, or a value.
#[derive(Debug, PartialEq, Eq)]
pub enum Piece {
    Code(String),
    Value,
}

/// Splits `code` at its `{}` placeholders (`{{` and `}}` are literal braces).
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
            '{' | '}' => {
                return Err(format!(
                    "`{c}` alone in `expr!` code: write `{c}{c}` for a brace, `{{}}` for a value"
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
                Piece::Value => "0",
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
    let holes = pieces.iter().filter(|p| **p == Piece::Value).count();
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
            Piece::Value => None,
        })
        .collect();
    let slots = if holes == 0 {
        Vec::new()
    } else {
        match proof::prove(&texts) {
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
    generate(&texts, &slots, &input.args)
}

/// The `Expr` of proven code: `'static` fragments, and each value written for its slot.
pub fn generate(texts: &[String], slots: &[proof::Slot], args: &[Expr]) -> TokenStream {
    let mut calls = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        if i > 0 {
            let arg = &args[i - 1];
            let span = syn::spanned::Spanned::span(arg);
            calls.push(match slots[i - 1] {
                proof::Slot::Value => quote::quote_spanned!(span=> .value(&(#arg))),
                proof::Slot::Text => quote::quote_spanned!(span=> .text(&(#arg))),
            });
        }
        if !text.is_empty() {
            calls.push(quote!(.code(#text)));
        }
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
