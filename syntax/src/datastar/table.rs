//! The Datastar 1.0 attribute plugins, their keys, values and modifiers, the renamed pre-1.0
//! names, and the client's actions. Ground truth: the Datastar 1.0.x client
//! (`datastar-core.js`, `name:"…"`).

/// What a plugin's key (`:KEY`) may be.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum KeyRule {
    /// No key allowed (`data-show`).
    Denied,
    /// A key is required (`data-on:click`).
    Must,
    /// Either a key or none (`data-class`, `data-class:active`).
    Optional,
    /// A key or a value, not both (`data-bind:name` or `data-bind="name"`).
    Exclusive,
}

/// What a plugin's value may be.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ValueRule {
    /// Required.
    Must,
    /// Allowed.
    Optional,
    /// Not allowed.
    Denied,
}

/// How the macro treats the attribute's value.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ValueKind {
    /// A Datastar expression: dynamic values are JSON-encoded, `$refs` are checked.
    Expression,
    /// A signal name (`data-bind="name"`).
    SignalName,
    /// Plain text (`data-preserve-attr="open class"`).
    Text,
}

/// A modifier's arguments.
#[derive(Clone, Copy, Debug)]
pub enum Args {
    /// A flag: no arguments.
    None,
    /// A duration (`500ms`, `1s`, `250`) followed by any of these flags.
    Time(&'static [&'static str]),
    /// Exactly one of these words.
    OneOf(&'static [&'static str]),
    /// A number (`threshold.25`).
    Number,
    /// One free-form word (`prop.value`, `event.change`).
    Word,
}

#[derive(Debug)]
/// One attribute plugin of the Datastar client: the rules for its name and value.
pub struct Plugin {
    /// Its name (`on-intersect`).
    pub name: &'static str,
    /// Its key rule.
    pub key: KeyRule,
    /// Its value rule.
    pub value: ValueRule,
    /// How the macro reads its value.
    pub kind: ValueKind,
    /// Its modifiers and their arguments.
    pub mods: &'static [(&'static str, Args)],
    /// Its key (or, for `Exclusive` plugins, its value) defines a signal.
    pub defines_signal: bool,
}

const CASES: Args = Args::OneOf(&["camel", "kebab", "snake", "pascal"]);
const TIME: Args = Args::Time(&[]);
const DEBOUNCE: Args = Args::Time(&["leading", "notrailing"]);
const THROTTLE: Args = Args::Time(&["noleading", "trailing"]);

use Args::{None as Flag, Number, Word};
use KeyRule as K;
use ValueKind as VK;
use ValueRule as V;

/// Every attribute plugin of the Datastar 1.0 client.
pub static PLUGINS: &[Plugin] = &[
    plugin(
        "attr",
        K::Optional,
        V::Must,
        VK::Expression,
        &[("case", CASES)],
        false,
    ),
    plugin(
        "bind",
        K::Exclusive,
        V::Optional,
        VK::SignalName,
        &[("case", CASES), ("prop", Word), ("event", Word)],
        true,
    ),
    plugin(
        "class",
        K::Optional,
        V::Must,
        VK::Expression,
        &[("case", CASES)],
        false,
    ),
    plugin(
        "computed",
        K::Optional,
        V::Must,
        VK::Expression,
        &[("case", CASES)],
        true,
    ),
    plugin("effect", K::Denied, V::Must, VK::Expression, &[], false),
    plugin(
        "ignore",
        K::Denied,
        V::Denied,
        VK::Text,
        &[("self", Flag)],
        false,
    ),
    plugin("ignore-morph", K::Denied, V::Denied, VK::Text, &[], false),
    plugin(
        "indicator",
        K::Exclusive,
        V::Optional,
        VK::SignalName,
        &[("case", CASES)],
        true,
    ),
    plugin(
        "init",
        K::Denied,
        V::Must,
        VK::Expression,
        &[("delay", TIME), ("viewtransition", Flag)],
        false,
    ),
    plugin(
        "json-signals",
        K::Denied,
        V::Optional,
        VK::Expression,
        &[("terse", Flag)],
        false,
    ),
    plugin(
        "on",
        K::Must,
        V::Must,
        VK::Expression,
        &[
            ("once", Flag),
            ("passive", Flag),
            ("capture", Flag),
            ("window", Flag),
            ("document", Flag),
            ("outside", Flag),
            ("prevent", Flag),
            ("stop", Flag),
            ("delay", TIME),
            ("debounce", DEBOUNCE),
            ("throttle", THROTTLE),
            ("viewtransition", Flag),
            ("case", CASES),
        ],
        false,
    ),
    plugin(
        "on-intersect",
        K::Denied,
        V::Must,
        VK::Expression,
        &[
            ("once", Flag),
            ("half", Flag),
            ("full", Flag),
            ("exit", Flag),
            ("threshold", Number),
            ("delay", TIME),
            ("debounce", DEBOUNCE),
            ("throttle", THROTTLE),
            ("viewtransition", Flag),
        ],
        false,
    ),
    plugin(
        "on-interval",
        K::Denied,
        V::Must,
        VK::Expression,
        &[
            ("duration", Args::Time(&["leading"])),
            ("viewtransition", Flag),
        ],
        false,
    ),
    plugin(
        "on-signal-patch",
        K::Denied,
        V::Must,
        VK::Expression,
        &[
            ("delay", TIME),
            ("debounce", DEBOUNCE),
            ("throttle", THROTTLE),
        ],
        false,
    ),
    plugin(
        "on-signal-patch-filter",
        K::Denied,
        V::Must,
        VK::Expression,
        &[],
        false,
    ),
    plugin("preserve-attr", K::Denied, V::Must, VK::Text, &[], false),
    plugin(
        "ref",
        K::Exclusive,
        V::Optional,
        VK::SignalName,
        &[("case", CASES)],
        true,
    ),
    plugin("show", K::Denied, V::Must, VK::Expression, &[], false),
    plugin(
        "signals",
        K::Optional,
        V::Must,
        VK::Expression,
        &[("ifmissing", Flag), ("case", CASES)],
        true,
    ),
    plugin("style", K::Optional, V::Must, VK::Expression, &[], false),
    plugin("text", K::Denied, V::Must, VK::Expression, &[], false),
];

const fn plugin(
    name: &'static str,
    key: KeyRule,
    value: ValueRule,
    kind: ValueKind,
    mods: &'static [(&'static str, Args)],
    defines_signal: bool,
) -> Plugin {
    Plugin {
        name,
        key,
        value,
        kind,
        mods,
        defines_signal,
    }
}

/// Names of pre-1.0 or other frameworks' plugins and what to write instead.
pub(super) const RENAMED: &[(&str, &str)] = &[
    ("model", "data-bind"),
    ("on-load", "data-init"),
    ("attributes", "data-attr"),
    ("on-raf", "data-on-interval"),
    (
        "persist",
        "data-signals (persistence is a Datastar Pro plugin)",
    ),
];

/// The actions of the Datastar 1.0 client (`@get(..)`, …): ground truth is `datastar-core.js`.
pub const ACTIONS: &[&str] = &[
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "peek",
    "setAll",
    "toggleAll",
];
