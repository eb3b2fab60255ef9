//! `#[derive(Signals)]`: the JSON names of a struct's fields (serde renames applied) as a const
//! shape the template checks resolve against, and a typed partial patch.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::ext::IdentExt;
use syn::{Data, DeriveInput, Fields, LitStr};

enum Kind {
    /// Shape and patch type come from the field type's `SignalType` impl.
    Typed,
    Leaf,
    Dynamic,
}

pub(crate) struct FieldInfo {
    pub(crate) ident: syn::Ident,
    ty: syn::Type,
    pub(crate) json: String,
    kind: Kind,
}

pub fn derive(input: DeriveInput) -> syn::Result<TokenStream> {
    let name = &input.ident;
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &input.generics,
            "`#[derive(Signals)]` does not support generic structs",
        ));
    }
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new(
            name.span(),
            "`#[derive(Signals)]` needs a struct with named fields: signals are a JSON object",
        ));
    };
    let Fields::Named(named) = &data.fields else {
        return Err(syn::Error::new(
            name.span(),
            "`#[derive(Signals)]` needs named fields: signals are a JSON object",
        ));
    };
    let rename_all = container_rename_all(&input.attrs)?;
    let mut fields = Vec::new();
    let mut errors: Option<syn::Error> = None;
    for f in &named.named {
        match field_info(f, rename_all.as_deref()) {
            Ok(Some(info)) => fields.push(info),
            Ok(None) => {}
            Err(e) => match &mut errors {
                Some(all) => all.combine(e),
                None => errors = Some(e),
            },
        }
    }
    if let Some(e) = errors {
        return Err(e);
    }

    let vis = &input.vis;
    let patch = format_ident!("{}Patch", name);
    let shapes = fields.iter().map(|f| {
        let json = &f.json;
        let ty = &f.ty;
        let shape = match f.kind {
            Kind::Typed => quote!(<#ty as ::nitro::signals::SignalType>::SHAPE),
            Kind::Leaf => quote!(::nitro::signals::Shape::Leaf),
            Kind::Dynamic => quote!(::nitro::signals::Shape::Dynamic),
        };
        quote!(::nitro::signals::Field { name: #json, shape: #shape })
    });
    let patch_ty = |f: &FieldInfo| {
        let ty = &f.ty;
        match f.kind {
            Kind::Typed => quote!(<#ty as ::nitro::signals::SignalType>::Patch),
            Kind::Leaf | Kind::Dynamic => quote!(#ty),
        }
    };
    let patch_fields = fields.iter().map(|f| {
        let ident = &f.ident;
        let pt = patch_ty(f);
        quote!(#ident: ::nitro::signals::PatchField<#pt>)
    });
    let defaults = fields.iter().map(|f| {
        let ident = &f.ident;
        quote!(#ident: ::nitro::signals::PatchField::Unset)
    });
    let setters = fields.iter().map(|f| {
        let ident = &f.ident;
        let plain = ident.unraw();
        let remove = format_ident!("remove_{}", plain);
        let pt = patch_ty(f);
        let json = &f.json;
        let set_doc = format!("Sets the signal `{json}`.");
        let remove_doc = format!("Removes the signal `{json}` in the browser (sends `null`).");
        quote! {
            #[doc = #set_doc]
            pub fn #ident(mut self, value: impl ::core::convert::Into<#pt>) -> Self {
                self.#ident = ::nitro::signals::PatchField::Set(value.into());
                self
            }
            #[doc = #remove_doc]
            pub fn #remove(mut self) -> Self {
                self.#ident = ::nitro::signals::PatchField::Remove;
                self
            }
        }
    });
    let entries = fields.iter().map(|f| {
        let ident = &f.ident;
        let json = &f.json;
        quote! {
            if !self.#ident.is_unset() {
                ::nitro::__private::serde::ser::SerializeMap::serialize_entry(&mut map, #json, &self.#ident)?;
            }
        }
    });
    let counts = fields.iter().map(|f| {
        let ident = &f.ident;
        quote!(usize::from(!self.#ident.is_unset()))
    });
    let whole = fields.iter().map(|f| {
        let ident = &f.ident;
        match f.kind {
            Kind::Typed => quote!(#ident: ::nitro::signals::PatchField::Set(
                ::nitro::signals::IntoPatch::into_patch(value.#ident)
            )),
            Kind::Leaf | Kind::Dynamic => {
                quote!(#ident: ::nitro::signals::PatchField::Set(value.#ident))
            }
        }
    });
    let patch_doc = format!(
        "A partial patch of [`{name}`]: only the fields set are sent (a JSON merge patch). Made by [`{name}::patch`]."
    );
    let fn_doc = "An empty partial patch of these signals; set fields with its methods.";
    let scoped = crate::scoped::refs(name, &fields);
    Ok(quote! {
        #[doc = #patch_doc]
        #[derive(Clone)]
        #vis struct #patch {
            #(#patch_fields,)*
        }

        const _: () = {
            impl ::nitro::signals::SignalType for #name {
                const SHAPE: ::nitro::signals::Shape = ::nitro::signals::Shape::Object(&[#(#shapes),*]);
                type Patch = #patch;
            }
            impl ::nitro::signals::Signals for #name {}

            impl ::core::default::Default for #patch {
                fn default() -> Self {
                    #patch { #(#defaults,)* }
                }
            }

            impl ::core::convert::From<#name> for #patch {
                /// A patch that sets every field to the value's.
                fn from(value: #name) -> Self {
                    #patch { #(#whole,)* }
                }
            }

            impl ::nitro::signals::IntoPatch for #name {
                fn into_patch(self) -> #patch {
                    ::core::convert::From::from(self)
                }
            }

            impl ::nitro::signals::IntoPatch for #patch {
                fn into_patch(self) -> #patch {
                    self
                }
            }

            impl #name {
                #[doc = #fn_doc]
                pub fn patch() -> #patch {
                    ::core::default::Default::default()
                }
            }

            impl #patch {
                #(#setters)*
            }

            impl ::nitro::__private::serde::Serialize for #patch {
                fn serialize<S: ::nitro::__private::serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                    let len = 0 #(+ #counts)*;
                    let mut map = serializer.serialize_map(::core::option::Option::Some(len))?;
                    #(#entries)*
                    ::nitro::__private::serde::ser::SerializeMap::end(map)
                }
            }

            impl ::nitro::signals::SignalType for #patch {
                const SHAPE: ::nitro::signals::Shape = <#name as ::nitro::signals::SignalType>::SHAPE;
                type Patch = #patch;
            }
            impl ::nitro::signals::Signals for #patch {}

            #scoped
        };
    })
}

pub(crate) fn container_rename_all(attrs: &[syn::Attribute]) -> syn::Result<Option<String>> {
    let mut out = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename_all") {
                out = Some(rename_value(&meta)?);
            } else {
                skip_value(&meta)?;
            }
            Ok(())
        })?;
    }
    Ok(out)
}

/// `rename = "x"` or `rename(serialize = "x", ...)`: the serialized name.
fn rename_value(meta: &syn::meta::ParseNestedMeta) -> syn::Result<String> {
    if meta.input.peek(syn::Token![=]) {
        return Ok(meta.value()?.parse::<LitStr>()?.value());
    }
    let mut ser = None;
    meta.parse_nested_meta(|inner| {
        let v = inner.value()?.parse::<LitStr>()?.value();
        if inner.path.is_ident("serialize") {
            ser = Some(v);
        }
        Ok(())
    })?;
    ser.ok_or_else(|| meta.error("expected `serialize = \"...\"`"))
}

fn skip_value(meta: &syn::meta::ParseNestedMeta) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        meta.value()?.parse::<syn::Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        meta.parse_nested_meta(|inner| skip_value(&inner))?;
    }
    Ok(())
}

pub(crate) fn field_info(
    f: &syn::Field,
    rename_all: Option<&str>,
) -> syn::Result<Option<FieldInfo>> {
    let ident = f.ident.clone().expect("named field");
    let mut json = None;
    let mut skip = false;
    let mut kind = Kind::Typed;
    for attr in &f.attrs {
        if attr.path().is_ident("serde") {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") {
                    json = Some(rename_value(&meta)?);
                } else if meta.path.is_ident("skip") || meta.path.is_ident("skip_serializing") {
                    skip = true;
                } else if meta.path.is_ident("flatten") {
                    return Err(meta.error(
                        "`#[serde(flatten)]` is not supported by `#[derive(Signals)]`: nest the struct instead",
                    ));
                } else {
                    skip_value(&meta)?;
                }
                Ok(())
            })?;
        } else if attr.path().is_ident("signals") {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("leaf") {
                    kind = Kind::Leaf;
                } else if meta.path.is_ident("dynamic") {
                    kind = Kind::Dynamic;
                } else {
                    return Err(meta.error("expected `#[signals(leaf)]` or `#[signals(dynamic)]`"));
                }
                Ok(())
            })?;
        }
    }
    if skip {
        return Ok(None);
    }
    let plain = ident.unraw().to_string();
    let json = json.unwrap_or_else(|| match rename_all {
        Some(rule) => apply_rename_all(&plain, rule),
        None => plain,
    });
    Ok(Some(FieldInfo {
        ident,
        ty: f.ty.clone(),
        json,
        kind,
    }))
}

/// serde's `rename_all` rules, applied to a snake_case field name.
fn apply_rename_all(field: &str, rule: &str) -> String {
    let words: Vec<&str> = field.split('_').filter(|w| !w.is_empty()).collect();
    let cap = |w: &str| {
        let mut c = w.chars();
        c.next()
            .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
            .unwrap_or_default()
    };
    match rule {
        "lowercase" => field.to_ascii_lowercase(),
        "UPPERCASE" => field.to_ascii_uppercase(),
        "PascalCase" => words.iter().map(|w| cap(w)).collect(),
        "camelCase" => words
            .iter()
            .enumerate()
            .map(|(i, w)| if i == 0 { (*w).to_owned() } else { cap(w) })
            .collect(),
        "SCREAMING_SNAKE_CASE" => field.to_ascii_uppercase(),
        "kebab-case" => field.replace('_', "-"),
        "SCREAMING-KEBAB-CASE" => field.replace('_', "-").to_ascii_uppercase(),
        _ => field.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::apply_rename_all;

    #[test]
    fn serde_rename_rules() {
        assert_eq!(apply_rename_all("user_name", "camelCase"), "userName");
        assert_eq!(apply_rename_all("user_name", "PascalCase"), "UserName");
        assert_eq!(apply_rename_all("user_name", "kebab-case"), "user-name");
        assert_eq!(
            apply_rename_all("user_name", "SCREAMING_SNAKE_CASE"),
            "USER_NAME"
        );
    }
}
