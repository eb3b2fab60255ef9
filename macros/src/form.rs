//! `#[derive(Form)]`: for a struct of named fields (the signals a form binds), an errors type
//! (`<Name>Errors`, one `Option<String>` per field), a fields type (`<Name>Fields`, one
//! `nitro::form::Field` per field) and `<Name>::FIELDS`: each field's input id
//! (`<name>-<field>` in kebab case), error-slot id (`…-error`) and signal name (the field's JSON
//! name, serde renames applied, as `#[derive(Signals)]` reads it). Ids are checked at compile
//! time (`Id::new` in a `const`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::ext::IdentExt;
use syn::{Data, DeriveInput, Fields};

use crate::signals::{container_rename_all, field_info};

pub fn derive(input: DeriveInput) -> syn::Result<TokenStream> {
    let name = &input.ident;
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &input.generics,
            "`#[derive(Form)]` does not support generic structs",
        ));
    }
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new(
            name.span(),
            "`#[derive(Form)]` needs a struct with named fields: one input per field",
        ));
    };
    let Fields::Named(named) = &data.fields else {
        return Err(syn::Error::new(
            name.span(),
            "`#[derive(Form)]` needs named fields: one input per field",
        ));
    };
    let rename_all = container_rename_all(&input.attrs)?;
    let mut fields = Vec::new();
    for f in &named.named {
        if let Some(info) = field_info(f, rename_all.as_deref())? {
            fields.push(info);
        }
    }
    let vis = &input.vis;
    let errors = format_ident!("{}Errors", name);
    let fields_ty = format_ident!("{}Fields", name);
    let prefix = kebab(&name.unraw().to_string());
    let idents: Vec<_> = fields.iter().map(|f| &f.ident).collect();
    let descriptors = fields.iter().map(|f| {
        let ident = &f.ident;
        let id = format!("{prefix}-{}", ident.unraw().to_string().replace('_', "-"));
        let error = format!("{id}-error");
        let signal = &f.json;
        quote!(#ident: ::nitro::form::Field::new(::nitro::Id::new(#id), ::nitro::Id::new(#error), #signal))
    });
    let error_docs = fields.iter().map(|f| {
        format!(
            "The error of `{}`, shown in its slot; `None`: none.",
            f.ident.unraw()
        )
    });
    let field_docs = fields.iter().map(|f| {
        format!(
            "The field `{}`: its input id, error-slot id and signal `{}`.",
            f.ident.unraw(),
            f.json
        )
    });
    let errors_doc = format!("The validation errors of [`{name}`] (`#[derive(Form)]`): one message or `None` per field. `.into()` makes the [`Events`](::nitro::sse::Events) that show them and clear the others.");
    let fields_doc = format!("The fields of [`{name}`] (`#[derive(Form)]`), in `{name}::FIELDS`.");
    let const_doc = "Each field's input id, error-slot id and signal name (`#[derive(Form)]`).";
    Ok(quote! {
        #[doc = #errors_doc]
        #[derive(Clone, Debug, Default, PartialEq, Eq)]
        #vis struct #errors {
            #(#[doc = #error_docs] pub #idents: ::core::option::Option<::std::string::String>,)*
        }

        #[doc = #fields_doc]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #vis struct #fields_ty {
            #(#[doc = #field_docs] pub #idents: ::nitro::form::Field,)*
        }

        impl #name {
            #[doc = #const_doc]
            #vis const FIELDS: #fields_ty = #fields_ty { #(#descriptors,)* };
        }

        const _: () = {
            impl ::nitro::form::Form for #name {
                type Errors = #errors;
                type Fields = #fields_ty;
                const FIELDS: #fields_ty = #name::FIELDS;
            }

            impl ::nitro::form::FormErrors for #errors {
                fn messages(&self) -> ::std::vec::Vec<(::nitro::form::Field, ::core::option::Option<&str>)> {
                    ::std::vec![#((#name::FIELDS.#idents, self.#idents.as_deref()),)*]
                }
            }

            impl ::core::convert::From<#errors> for ::nitro::sse::Events {
                /// Patches every error slot: its message, or empty.
                fn from(errors: #errors) -> ::nitro::sse::Events {
                    ::nitro::form::FormErrors::events(&errors)
                }
            }
        };
    })
}

/// `SignupForm` -> `signup-form`.
fn kebab(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else if c == '_' {
            out.push('-');
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn kebab_names() {
        assert_eq!(super::kebab("SignupForm"), "signup-form");
        assert_eq!(super::kebab("Login"), "login");
        assert_eq!(super::kebab("my_form"), "my-form");
    }
}
