//! Component-scoped signals: each instance of a component keeps its signals under its own key
//! (`card_3`), so a counter per card or a form per row do not share `$count`. The key is a
//! declared name ([`ScopeName`], checked when declared, like an [`Id`](crate::Id)) and an
//! instance number; each field's reference (`$card_3.count`) comes from a method that
//! `#[derive(Signals)]` generates, so a typo is a compile error; a handler reads every instance
//! back typed with [`Scopes`].
//!
//! ```
//! use nitro::prelude::*;
//! use nitro::scope::{ScopeName, Scopes};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Signals, Serialize, Deserialize, Default)]
//! struct Counter { count: i64 }
//!
//! const CARD: ScopeName<Counter> = ScopeName::new("card");
//!
//! fn card(n: u64, c: &Counter) -> impl Render + '_ {
//!     let scope = CARD.at(n);
//!     let s = scope.refs();
//!     html! {
//!         move div data-signals=(scope.signals(c)) {
//!             span data-text=(s.count()) {}
//!             button data-on:click=(expr!("{code}++", s.count())) { "+" }
//!         }
//!     }
//! }
//! let html = card(3, &Counter { count: 1 }).render().into_string();
//! assert!(html.contains(r#"data-text="$card_3.count""#));
//! assert!(html.contains(r#"data-on:click="($card_3.count)++""#));
//!
//! // A handler reads every instance back, typed.
//! let all: Scopes<Counter> = serde_json::from_str(r#"{"card_3":{"count":4},"card_4":{"count":0},"other":1}"#).unwrap();
//! assert_eq!(all.get(CARD.at(3)).unwrap().count, 4);
//! assert!(all.get(CARD.at(5)).is_none());
//! // And patches one.
//! let patch = PatchSignals::new(&CARD.at(3).patch(Counter::patch().count(5)));
//! assert!(patch.encode().unwrap().contains(r#"signals {"card_3":{"count":5}}"#));
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::signals::{Shape, SignalType, Signals};
use crate::Expr;

/// The references to each field of a signals type inside a scope: what `#[derive(Signals)]`
/// generates (one method per field, returning a [`Signal`]).
pub trait Scoped: Signals {
    /// One method per field.
    type Refs;
    #[doc(hidden)]
    fn refs(key: &ScopeKey) -> Self::Refs;
}

/// A declared scope name: a component's signals of type `T`, one set per instance
/// (`CARD.at(3)` holds them under `card_3`). The name must be ASCII letters, digits and `_`,
/// starting with a letter; anything else fails at compile time in a `const`.
///
/// ```
/// #[derive(nitro::Signals, serde::Serialize)]
/// struct Row { done: bool }
/// const ROW: nitro::scope::ScopeName<Row> = nitro::scope::ScopeName::new("row");
/// assert_eq!(ROW.at(7).key(), "row_7");
/// ```
pub struct ScopeName<T> {
    name: &'static str,
    _t: PhantomData<fn() -> T>,
}

impl<T> Clone for ScopeName<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for ScopeName<T> {}

impl<T> fmt::Debug for ScopeName<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ScopeName").field(&self.name).finish()
    }
}

impl<T> ScopeName<T> {
    /// Declares a scope name.
    pub const fn new(name: &'static str) -> Self {
        let b = name.as_bytes();
        if b.is_empty() || !b[0].is_ascii_alphabetic() {
            panic!("a scope name must start with an ASCII letter");
        }
        let mut i = 0;
        while i < b.len() {
            if !(b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                panic!("a scope name may only contain ASCII letters, digits and `_`");
            }
            i += 1;
        }
        ScopeName {
            name,
            _t: PhantomData,
        }
    }

    /// The scope of one instance.
    pub fn at(self, instance: u64) -> Scope<T> {
        Scope {
            key: ScopeKey(format!("{}_{instance}", self.name)),
            _t: PhantomData,
        }
    }
}

/// One instance's scope: its key (`card_3`), the references to its signals
/// ([`Scope::refs`]), and its values and patches wrapped under the key.
pub struct Scope<T> {
    key: ScopeKey,
    _t: PhantomData<fn() -> T>,
}

/// A checked scope key (a declared [`ScopeName`] and an instance number); only nitro makes one.
#[doc(hidden)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopeKey(String);

impl<T> fmt::Debug for Scope<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Scope").field(&self.key.0).finish()
    }
}

impl<T> Scope<T> {
    /// The key the instance's signals live under.
    ///
    /// ```
    /// # #[derive(nitro::Signals, serde::Serialize)] struct Row { done: bool }
    /// # const ROW: nitro::scope::ScopeName<Row> = nitro::scope::ScopeName::new("row");
    /// assert_eq!(ROW.at(1).key(), "row_1");
    /// ```
    pub fn key(&self) -> &str {
        &self.key.0
    }

    /// The instance's signals, for `data-signals=(..)`: `{"card_3": value}`.
    ///
    /// ```
    /// # #[derive(nitro::Signals, serde::Serialize)] struct Row { done: bool }
    /// # const ROW: nitro::scope::ScopeName<Row> = nitro::scope::ScopeName::new("row");
    /// let v = Row { done: true };
    /// assert_eq!(serde_json::to_string(&ROW.at(1).signals(&v)).unwrap(), r#"{"row_1":{"done":true}}"#);
    /// ```
    pub fn signals<'a>(&self, value: &'a T) -> Under<&'a T> {
        Under {
            key: self.key.0.clone(),
            value,
        }
    }

    /// A patch of the instance's signals, for `PatchSignals::new(&..)`: `{"card_3": patch}`.
    ///
    /// ```
    /// # #[derive(nitro::Signals, serde::Serialize)] struct Row { done: bool }
    /// # const ROW: nitro::scope::ScopeName<Row> = nitro::scope::ScopeName::new("row");
    /// let p = ROW.at(2).patch(Row::patch().done(false));
    /// assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"row_2":{"done":false}}"#);
    /// ```
    pub fn patch<P: Serialize>(&self, patch: P) -> Under<P> {
        Under {
            key: self.key.0.clone(),
            value: patch,
        }
    }
}

impl<T: Scoped> Scope<T> {
    /// The references to the instance's signals: one method per field of `T`, each a
    /// [`Signal`] (`$card_3.count`), generated by `#[derive(Signals)]`.
    ///
    /// ```
    /// # #[derive(nitro::Signals, serde::Serialize)] struct Row { done: bool }
    /// # const ROW: nitro::scope::ScopeName<Row> = nitro::scope::ScopeName::new("row");
    /// assert_eq!(ROW.at(2).refs().done().expr().as_str(), "$row_2.done");
    /// ```
    pub fn refs(&self) -> T::Refs {
        T::refs(&self.key)
    }
}

/// A value under a scope's key: `{"card_3": value}`. A signals value: it goes in
/// `data-signals=(..)` and `PatchSignals::new(&..)`.
#[derive(Clone, Debug)]
pub struct Under<V> {
    key: String,
    value: V,
}

impl<V: Serialize> Serialize for Under<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry(&self.key, &self.value)?;
        map.end()
    }
}

impl<V: Serialize> SignalType for Under<V> {
    const SHAPE: Shape = Shape::Dynamic;
    type Patch = serde_json::Value;
}
impl<V: Serialize> Signals for Under<V> {}

/// A reference to one signal of a scope (`$card_3.count`), made by the methods that
/// `#[derive(Signals)]` generates: as code ([`Signal::expr`]; it also goes straight into a
/// Datastar attribute, `data-text=(s.count())`, and into `expr!`'s `{code}`), or bound to an
/// input ([`Signal::bind`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signal {
    path: String,
    expr: Expr,
}

impl Signal {
    #[doc(hidden)]
    pub fn new(key: &ScopeKey, field: &'static str) -> Signal {
        let path = format!("{}.{field}", key.0);
        let expr = Expr::signal(&path);
        Signal { path, expr }
    }

    /// The signal's path, `card_3.count`.
    ///
    /// ```
    /// # #[derive(nitro::Signals, serde::Serialize)] struct Row { done: bool }
    /// # const ROW: nitro::scope::ScopeName<Row> = nitro::scope::ScopeName::new("row");
    /// assert_eq!(ROW.at(2).refs().done().path(), "row_2.done");
    /// ```
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The signal as code, `$card_3.count` (sealed: it can be spliced and joined).
    ///
    /// ```
    /// # #[derive(nitro::Signals, serde::Serialize)] struct Row { done: bool }
    /// # const ROW: nitro::scope::ScopeName<Row> = nitro::scope::ScopeName::new("row");
    /// let e = nitro::expr!("{code} = !{code}", ROW.at(2).refs().done(), ROW.at(2).refs().done());
    /// assert_eq!(e.as_str(), "($row_2.done) = !($row_2.done)");
    /// ```
    pub fn expr(&self) -> &Expr {
        &self.expr
    }

    /// An `<input>` of this `type` bound to the signal (`data-bind="card_3.count"`).
    ///
    /// ```
    /// # #[derive(nitro::Signals, serde::Serialize)] struct Row { done: bool }
    /// # const ROW: nitro::scope::ScopeName<Row> = nitro::scope::ScopeName::new("row");
    /// use nitro::Render;
    /// assert_eq!(ROW.at(2).refs().done().bind("checkbox").render().into_string(), r#"<input type="checkbox" data-bind="row_2.done">"#);
    /// ```
    pub fn bind(&self, kind: &'static str) -> crate::Markup {
        let mut buf = String::from("<input type=\"");
        crate::escape::attribute(kind, &mut buf);
        buf.push_str("\" data-bind=\"");
        crate::escape::attribute(&self.path, &mut buf);
        buf.push_str("\">");
        crate::Markup::from_trusted(buf)
    }
}

impl crate::compose::Code for Signal {
    fn expr(&self) -> &Expr {
        &self.expr
    }
}

impl crate::guards::IsExpr for Signal {
    fn code(&self) -> &str {
        self.expr.as_str()
    }
}

impl crate::guards::StatementCode for Signal {
    fn code(&self) -> &str {
        self.expr.as_str()
    }
}

/// Every instance's signals of one type, read from a request (`ReadSignals<Scopes<Counter>>`):
/// each top-level key whose value reads as a `T`.
#[derive(Clone, Debug)]
pub struct Scopes<T> {
    all: BTreeMap<String, T>,
}

impl<T> Scopes<T> {
    /// The signals of one instance, if the request had them.
    ///
    /// ```
    /// # #[derive(nitro::Signals, serde::Serialize, serde::Deserialize)] struct Row { done: bool }
    /// # const ROW: nitro::scope::ScopeName<Row> = nitro::scope::ScopeName::new("row");
    /// let all: nitro::scope::Scopes<Row> = serde_json::from_str(r#"{"row_1":{"done":true}}"#).unwrap();
    /// assert!(all.get(ROW.at(1)).unwrap().done);
    /// ```
    pub fn get(&self, scope: Scope<T>) -> Option<&T> {
        self.all.get(&scope.key.0)
    }

    /// Takes the signals of one instance out.
    ///
    /// ```
    /// # #[derive(nitro::Signals, serde::Serialize, serde::Deserialize)] struct Row { done: bool }
    /// # const ROW: nitro::scope::ScopeName<Row> = nitro::scope::ScopeName::new("row");
    /// let mut all: nitro::scope::Scopes<Row> = serde_json::from_str(r#"{"row_1":{"done":true}}"#).unwrap();
    /// assert!(all.take(ROW.at(1)).unwrap().done);
    /// assert!(all.take(ROW.at(1)).is_none());
    /// ```
    pub fn take(&mut self, scope: Scope<T>) -> Option<T> {
        self.all.remove(&scope.key.0)
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Scopes<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: DeserializeOwned> Visitor<'de> for V<T> {
            type Value = Scopes<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of signals")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scopes<T>, A::Error> {
                let mut all = BTreeMap::new();
                while let Some((k, v)) = map.next_entry::<String, serde_json::Value>()? {
                    if let Ok(t) = serde_json::from_value(v) {
                        all.insert(k, t);
                    }
                }
                Ok(Scopes { all })
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}

impl<T: crate::form::Form> Scope<T> {
    /// A field of a form used once per instance (a form per row): ids prefixed with the key
    /// (`row_2-signup-email`, `row_2-signup-email-error`), bound to `row_2.email`.
    ///
    /// ```
    /// use nitro::prelude::*;
    /// #[derive(Signals, Form, serde::Serialize, serde::Deserialize)]
    /// struct Rename { title: String }
    /// const ROW: nitro::scope::ScopeName<Rename> = nitro::scope::ScopeName::new("row");
    /// let f = ROW.at(2).field(Rename::FIELDS.title);
    /// assert_eq!((f.id().as_str(), f.signal()), ("row_2-rename-title", "row_2.title"));
    /// assert!(f.input("Title").render().into_string().contains(r#"data-bind="row_2.title""#));
    /// ```
    pub fn field(&self, field: crate::form::Field) -> ScopedField {
        ScopedField {
            input: crate::DynId::new(format!("{}-{}", self.key.0, field.id())),
            error: crate::DynId::new(format!("{}-{}", self.key.0, field.error_id())),
            signal: format!("{}.{}", self.key.0, field.signal()),
        }
    }

    /// The instance's error slots patched with `errors` (a message, or empty), as
    /// `errors.into()` does for a form used once.
    ///
    /// ```
    /// use nitro::prelude::*;
    /// #[derive(Signals, Form, serde::Serialize, serde::Deserialize)]
    /// struct Rename { title: String }
    /// const ROW: nitro::scope::ScopeName<Rename> = nitro::scope::ScopeName::new("row");
    /// let e = ROW.at(2).errors(&RenameErrors { title: Some("empty".into()) });
    /// assert!(e.encode().unwrap().contains(r#"<p id="row_2-rename-title-error" class="field-error" role="alert" aria-live="polite">empty</p>"#));
    /// ```
    pub fn errors(&self, errors: &T::Errors) -> crate::sse::Events {
        use crate::form::FormErrors;
        errors
            .messages()
            .into_iter()
            .map(|(field, message)| {
                let mut buf = String::new();
                crate::form::error_slot(self.field(field).error.as_str(), message, &mut buf);
                crate::sse::PatchElements::new(crate::Markup::from_trusted(buf))
            })
            .collect()
    }
}

/// A form field of one component instance ([`Scope::field`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopedField {
    input: crate::DynId,
    error: crate::DynId,
    signal: String,
}

impl ScopedField {
    /// The input's id.
    pub fn id(&self) -> &crate::DynId {
        &self.input
    }

    /// The error slot's id.
    pub fn error_id(&self) -> &crate::DynId {
        &self.error
    }

    /// The signal the input is bound to (`row_2.title`).
    pub fn signal(&self) -> &str {
        &self.signal
    }

    /// Label, bound input and empty error slot, as [`Field::input`](crate::form::Field::input).
    pub fn input<'a>(&'a self, label: &'a str) -> crate::form::FieldInput<'a> {
        crate::form::FieldInput {
            input: self.input.as_str(),
            error: self.error.as_str(),
            signal: &self.signal,
            label,
            kind: "text",
        }
    }
}
