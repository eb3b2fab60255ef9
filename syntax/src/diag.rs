//! Error collection (every independent mistake reported in one build) and name suggestions.

use proc_macro2::{Span, TokenStream};

/// Collects errors from every stage; `into_compile_errors` turns them into `compile_error!`s.
#[derive(Default)]
pub struct Diagnostics {
    errors: Vec<syn::Error>,
}

impl Diagnostics {
    /// Records an error at `span`.
    pub fn error(&mut self, span: Span, message: impl Into<String>) {
        self.errors.push(syn::Error::new(span, message.into()));
    }

    /// Records an error at `span` with a `help:` line under it.
    pub fn error_help(&mut self, span: Span, message: impl Into<String>, help: impl AsRef<str>) {
        self.errors.push(syn::Error::new(
            span,
            format!("{}\n\nhelp: {}", message.into(), help.as_ref()),
        ));
    }

    /// Records an error underlining all of `name`, with an optional `help:` line.
    pub fn error_name(
        &mut self,
        name: &crate::ast::Name,
        message: impl Into<String>,
        help: Option<&str>,
    ) {
        let message = match help {
            Some(h) => format!("{}\n\nhelp: {h}", message.into()),
            None => message.into(),
        };
        self.errors
            .push(syn::Error::new_spanned(name.tokens(), message));
    }

    /// Records an error as it is.
    pub fn push(&mut self, error: syn::Error) {
        self.errors.push(error);
    }

    /// Whether no error was recorded.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// The errors as `compile_error!` invocations.
    pub fn into_compile_errors(self) -> TokenStream {
        self.errors
            .into_iter()
            .map(|e| e.to_compile_error())
            .collect()
    }
}
