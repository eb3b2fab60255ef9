//! The scoped references `#[derive(Signals)]` adds: `nitro::scope::Scoped` with one method
//! per field returning a `nitro::scope::Signal` (`$card_3.count`), so a component instance's
//! signal names are checked by the compiler. The type holding the methods is unnameable (it
//! lives in an anonymous `const`); it is reached through `Scope::refs()`.

use proc_macro2::TokenStream;
use quote::quote;

use crate::signals::FieldInfo;

pub fn refs(name: &syn::Ident, fields: &[FieldInfo]) -> TokenStream {
    let methods = fields.iter().map(|f| {
        let ident = &f.ident;
        let json = &f.json;
        let doc = format!("The signal `{json}` of this instance (`$<key>.{json}`).");
        quote! {
            #[doc = #doc]
            #[allow(dead_code)]
            pub fn #ident(&self) -> ::nitro::scope::Signal {
                ::nitro::scope::Signal::new(&self.0, #json)
            }
        }
    });
    quote! {
        #[doc(hidden)]
        pub struct __NitroScopedRefs(::nitro::scope::ScopeKey);
        impl __NitroScopedRefs {
            #(#methods)*
        }
        impl ::nitro::scope::Scoped for #name {
            type Refs = __NitroScopedRefs;
            fn refs(key: &::nitro::scope::ScopeKey) -> __NitroScopedRefs {
                __NitroScopedRefs(::core::clone::Clone::clone(key))
            }
        }
    }
}
