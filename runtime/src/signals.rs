//! Typed signals: the shape of a signals type known at compile time (so `html!` can check
//! `$name` references), and typed partial patches (JSON merge patches).

use std::collections::{BTreeMap, HashMap};

use serde::{Serialize, Serializer};

/// The shape of a signal value, as far as name checking needs it.
#[derive(Clone, Copy, Debug)]
pub enum Shape {
    /// A value (number, string, array…): anything after it in a path (`$items.length`) is
    /// JavaScript property access, not checked.
    Leaf,
    /// A map whose keys are only known at run time: any sub-path is accepted.
    Dynamic,
    /// An object with these fields.
    Object(&'static [Field]),
}

/// One field of an object [`Shape`]: its JSON name and shape.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    /// The name in the JSON (after serde renames).
    pub name: &'static str,
    /// The field's shape.
    pub shape: Shape,
}

/// A type that can be the value of a signal, with a known [`Shape`] and a patch type.
///
/// Implemented for the std scalars, strings, `Option`, `Vec`, maps and `serde_json::Value`,
/// and by `#[derive(Signals)]`. For a field of another type, mark it `#[signals(leaf)]` (or
/// `#[signals(dynamic)]` for a map) or implement this trait and [`IntoPatch`].
///
/// ```
/// use nitro::signals::{Shape, SignalType};
/// assert!(matches!(<u32 as SignalType>::SHAPE, Shape::Leaf));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a known signal value type",
    note = "derive `Signals` for it, or mark the field `#[signals(leaf)]` (a value) or `#[signals(dynamic)]` (a map)"
)]
pub trait SignalType {
    /// The shape used to check `$name` references.
    const SHAPE: Shape;
    /// What a partial patch holds for a value of this type.
    type Patch: Serialize;
}

/// A signals type: a struct deriving `Signals` (or an explicitly untyped JSON value). Only
/// these can be patched with `PatchSignals::new` and declared in templates with `@signals(..)`.
///
/// ```
/// use nitro::signals::Signals;
/// fn takes<T: Signals>(_: &T) {}
/// takes(&serde_json::json!({ "untyped": true }));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a signals type",
    label = "`{Self}` does not implement `Signals`",
    note = "add `#[derive(Signals)]` to the struct (next to `Serialize`); for untyped JSON use `serde_json::json!`"
)]
pub trait Signals: SignalType + Serialize {}

impl Signals for serde_json::Value {}
impl Signals for serde_json::Map<String, serde_json::Value> {}
impl<T: Signals + ?Sized> Signals for &T {}
impl<V: Serialize> Signals for BTreeMap<String, V> {}
impl<V: Serialize, S> Signals for HashMap<String, V, S> {}

impl<T: SignalType + ?Sized> SignalType for &T {
    const SHAPE: Shape = T::SHAPE;
    type Patch = T::Patch;
}

macro_rules! leaf {
    ($($ty:ty),*) => {$(
        impl SignalType for $ty {
            const SHAPE: Shape = Shape::Leaf;
            type Patch = $ty;
        }
    )*};
}

leaf!(bool, char, i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64, String);

impl SignalType for str {
    const SHAPE: Shape = Shape::Leaf;
    type Patch = String;
}

impl<T: SignalType> SignalType for Option<T> {
    const SHAPE: Shape = T::SHAPE;
    type Patch = Option<T::Patch>;
}

impl<T: Serialize> SignalType for Vec<T> {
    const SHAPE: Shape = Shape::Leaf;
    type Patch = Vec<T>;
}

impl<T: SignalType + ?Sized> SignalType for Box<T> {
    const SHAPE: Shape = T::SHAPE;
    type Patch = T::Patch;
}

impl<K: Serialize, V: Serialize, S> SignalType for HashMap<K, V, S> {
    const SHAPE: Shape = Shape::Dynamic;
    type Patch = HashMap<K, V>;
}

impl<K: Serialize, V: Serialize> SignalType for BTreeMap<K, V> {
    const SHAPE: Shape = Shape::Dynamic;
    type Patch = BTreeMap<K, V>;
}

impl SignalType for serde_json::Value {
    const SHAPE: Shape = Shape::Dynamic;
    type Patch = serde_json::Value;
}

impl SignalType for serde_json::Map<String, serde_json::Value> {
    const SHAPE: Shape = Shape::Dynamic;
    type Patch = serde_json::Map<String, serde_json::Value>;
}

/// A whole value as its patch type (every field set), so a patch setter of a nested signals
/// struct takes a whole value: `Form::patch().user(user)` as well as
/// `Form::patch().user(User::patch().name("Ada"))`. `#[derive(Signals)]` implements it, and
/// `From<T>` for the generated patch type.
///
/// ```
/// use nitro::signals::IntoPatch;
/// assert_eq!(Some(3u8).into_patch(), Some(3u8));
/// assert_eq!(Box::<str>::from("a").into_patch(), "a");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be turned into its signals patch type",
    note = "derive `Signals` for it or mark the field `#[signals(leaf)]`; a type with a hand-written `SignalType` also needs `nitro::signals::IntoPatch`"
)]
pub trait IntoPatch: SignalType + Sized {
    /// The value as a patch that sets everything.
    fn into_patch(self) -> Self::Patch;
}

macro_rules! same_patch {
    ($($ty:ty),*) => {$(
        impl IntoPatch for $ty {
            fn into_patch(self) -> Self::Patch {
                self
            }
        }
    )*};
}

same_patch!(
    bool, char, i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64, String,
    serde_json::Value, serde_json::Map<String, serde_json::Value>
);

impl<T: IntoPatch> IntoPatch for Option<T> {
    fn into_patch(self) -> Self::Patch {
        self.map(T::into_patch)
    }
}

impl<T: Serialize> IntoPatch for Vec<T> {
    fn into_patch(self) -> Self::Patch {
        self
    }
}

impl<T: IntoPatch> IntoPatch for Box<T> {
    fn into_patch(self) -> Self::Patch {
        (*self).into_patch()
    }
}

impl IntoPatch for Box<str> {
    fn into_patch(self) -> Self::Patch {
        self.into()
    }
}

impl<K: Serialize + Eq + std::hash::Hash, V: Serialize, S> IntoPatch for HashMap<K, V, S> {
    fn into_patch(self) -> Self::Patch {
        self.into_iter().collect()
    }
}

impl<K: Serialize, V: Serialize> IntoPatch for BTreeMap<K, V> {
    fn into_patch(self) -> Self::Patch {
        self
    }
}

/// One field of a generated partial patch: left out, set, or removed (`null`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum PatchField<T> {
    /// Not part of the patch: the browser keeps its value.
    #[default]
    Unset,
    /// Set to this value.
    Set(T),
    /// Removed from the browser's signals.
    Remove,
}

impl<T> PatchField<T> {
    /// Is this field left out of the patch?
    ///
    /// ```
    /// use nitro::signals::PatchField;
    /// assert!(PatchField::<u8>::Unset.is_unset());
    /// ```
    pub fn is_unset(&self) -> bool {
        matches!(self, PatchField::Unset)
    }
}

impl<T: Serialize> Serialize for PatchField<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            PatchField::Set(v) => v.serialize(s),
            PatchField::Unset | PatchField::Remove => s.serialize_none(),
        }
    }
}
