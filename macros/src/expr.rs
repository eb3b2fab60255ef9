//! `expr!("@get('/contacts/{}/edit')", id)`: Datastar code with values spliced in. One small
//! pipeline: parse (a literal and its arguments), validate (placeholders against arguments,
//! `@action` names against the client's), generate (an `Expr` built from `'static` code and
//! JSON-encoded values). A placeholder inside a quoted JavaScript string closes the string
//! around the value (`'/contacts/' + 42 + '/edit'`), so the value is always a whole literal.

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

/// A piece of the code: literal text, or the n-th value in a given string context.
#[derive(Debug, PartialEq, Eq)]
pub enum Piece {
    Code(String),
    Value(Quote),
}

/// Where a placeholder stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quote {
    None,
    Single,
    Double,
    Template,
}

/// Splits `code` at its `{}` placeholders (`{{` and `}}` are literal braces), noting for each
/// whether it stands inside a JavaScript string.
pub fn pieces(code: &str) -> Result<Vec<Piece>, String> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut quote = Quote::None;
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
                out.push(Piece::Value(quote));
            }
            '{' | '}' => {
                return Err(format!(
                    "`{c}` alone in `expr!` code: write `{c}{c}` for a brace, `{{}}` for a value"
                ))
            }
            '\\' if quote != Quote::None => {
                text.push(c);
                text.extend(chars.next());
            }
            '\'' | '"' | '`' => {
                let q = match c {
                    '\'' => Quote::Single,
                    '"' => Quote::Double,
                    _ => Quote::Template,
                };
                if quote == Quote::None {
                    quote = q;
                } else if quote == q {
                    quote = Quote::None;
                }
                text.push(c);
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
                Piece::Value(_) => "0",
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
    let holes = pieces
        .iter()
        .filter(|p| matches!(p, Piece::Value(_)))
        .count();
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
    if !errors.is_empty() {
        return quote!({ #errors ::nitro::Expr::default() });
    }
    let mut args = input.args.iter();
    let mut calls = Vec::new();
    for p in &pieces {
        match p {
            Piece::Code(c) if c.is_empty() => {}
            Piece::Code(c) => calls.push(quote!(.code(#c))),
            Piece::Value(q) => {
                let arg = args.next();
                let (open, close) = match q {
                    Quote::None => ("", ""),
                    Quote::Single => ("' + ", " + '"),
                    Quote::Double => ("\" + ", " + \""),
                    Quote::Template => ("${", "}"),
                };
                if !open.is_empty() {
                    calls.push(quote!(.code(#open)));
                }
                calls.push(quote!(.json(&(#arg))));
                if !close.is_empty() {
                    calls.push(quote!(.code(#close)));
                }
            }
        }
    }
    quote!(::nitro::Expr::default() #(#calls)*)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_know_their_string_context() {
        assert_eq!(
            pieces("@get('/c/{}/edit') && {} && `x${}` && \"{}\"").unwrap(),
            vec![
                Piece::Code("@get('/c/".into()),
                Piece::Value(Quote::Single),
                Piece::Code("/edit') && ".into()),
                Piece::Value(Quote::None),
                Piece::Code(" && `x$".into()),
                Piece::Value(Quote::Template),
                Piece::Code("` && \"".into()),
                Piece::Value(Quote::Double),
                Piece::Code("\"".into()),
            ]
        );
        assert_eq!(
            pieces("{{a: {}}}").unwrap(),
            vec![
                Piece::Code("{a: ".into()),
                Piece::Value(Quote::None),
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
