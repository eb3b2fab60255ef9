//! Datastar v1 attribute syntax: `data-PLUGIN[:KEY][__MOD[.ARG]...]`, the plugin table (ground
//! truth: the Datastar 1.0.x client), and `$signal` references inside expressions.

use crate::diag::suggest;

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
    Must,
    Optional,
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
pub struct Plugin {
    pub name: &'static str,
    pub key: KeyRule,
    pub value: ValueRule,
    pub kind: ValueKind,
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
const RENAMED: &[(&str, &str)] = &[
    ("model", "data-bind"),
    ("on-load", "data-init"),
    ("attributes", "data-attr"),
    ("on-raf", "data-on-interval"),
    (
        "persist",
        "data-signals (persistence is a Datastar Pro plugin)",
    ),
];

/// A lexed Datastar attribute name.
#[derive(Debug)]
pub struct DatastarAttr {
    pub plugin: &'static Plugin,
    pub key: Option<String>,
    pub mods: Vec<(String, Vec<String>)>,
}

/// A mistake in an attribute name: the message and a `help:` line.
#[derive(Debug, PartialEq, Eq)]
pub struct KeyError {
    pub message: String,
    pub help: String,
}

fn err(message: String, help: String) -> KeyError {
    KeyError { message, help }
}

pub fn find_plugin(name: &str) -> Option<&'static Plugin> {
    PLUGINS.iter().find(|p| p.name == name)
}

/// Does this `data-*` name (without `data-`) start like a Datastar attribute, in any spelling
/// (current, hyphen form or renamed)? Used to refuse quoted names that would smuggle one in.
pub fn looks_like_datastar(rest: &str) -> bool {
    let head = rest.split("__").next().unwrap_or("");
    let plugin = head.split(':').next().unwrap_or("");
    PLUGINS
        .iter()
        .map(|p| p.name)
        .chain(RENAMED.iter().map(|r| r.0))
        .any(|n| plugin == n || plugin.starts_with(&format!("{n}-")))
}

/// Lexes and validates `data-...` (`full` includes the `data-` prefix).
pub fn lex(full: &str) -> Result<DatastarAttr, KeyError> {
    if !full.starts_with("data-") {
        return Err(err(
            format!("`{full}`: attribute names are lowercase in HTML"),
            format!("write `{}`", full.to_ascii_lowercase()),
        ));
    }
    let rest = &full["data-".len()..];
    let mut parts = rest.split("__");
    let head = parts.next().unwrap_or_default();
    let (plugin_name, key) = match head.split_once(':') {
        Some((p, k)) => (p, Some(k)),
        None => (head, None),
    };
    let plugin = match find_plugin(&plugin_name.to_ascii_lowercase()) {
        Some(p) => p,
        None => return Err(unknown_plugin(full, plugin_name, key)),
    };
    if plugin_name.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(err(
            format!("`{full}`: attribute names are lowercase in HTML"),
            format!("write `data-{}`", plugin_name.to_ascii_lowercase()),
        ));
    }
    let key = match key {
        Some(k) => Some(check_key(full, plugin, k)?),
        None => None,
    };
    match (plugin.key, &key) {
        (KeyRule::Denied, Some(k)) => {
            return Err(err(
                format!("`data-{}` takes no key, found `:{k}`", plugin.name),
                format!("write `data-{}=\"...\"`", plugin.name),
            ))
        }
        (KeyRule::Must, None) => {
            return Err(err(
                format!("`data-{}` needs a key", plugin.name),
                format!("write it as `data-{}:click` (the event name)", plugin.name),
            ))
        }
        _ => {}
    }
    let mut mods = Vec::new();
    for m in parts {
        mods.push(check_modifier(plugin, m)?);
    }
    Ok(DatastarAttr { plugin, key, mods })
}

fn unknown_plugin(full: &str, plugin_name: &str, key: Option<&str>) -> KeyError {
    let tail = |k: Option<&str>| k.map(|k| format!(":{k}")).unwrap_or_default();
    if let Some((_, instead)) = RENAMED.iter().find(|(old, _)| *old == plugin_name) {
        return err(
            format!("`data-{plugin_name}` is not a Datastar 1.0 attribute"),
            format!("use `{instead}`"),
        );
    }
    // The pre-1.0 hyphen form: `data-on-click` -> `data-on:click`. Longest plugin name wins.
    let hyphen = PLUGINS
        .iter()
        .filter(|p| plugin_name.starts_with(&format!("{}-", p.name)))
        .max_by_key(|p| p.name.len());
    if let Some(p) = hyphen {
        if p.key != KeyRule::Denied {
            let k = &plugin_name[p.name.len() + 1..];
            let mods = full.find("__").map(|i| &full[i..]).unwrap_or("");
            return err(
                format!("`{full}` uses the pre-1.0 hyphen form"),
                format!("did you mean `data-{}:{k}{}{mods}`?", p.name, tail(key)),
            );
        }
    }
    let quoted = format!("for a plain data attribute, quote its name: `\"{full}\"=...`");
    match suggest(plugin_name, PLUGINS.iter().map(|p| p.name)) {
        Some(s) => err(
            format!("unknown Datastar attribute `data-{plugin_name}`"),
            format!("did you mean `data-{s}{}`?\nhelp: {quoted}", tail(key)),
        ),
        None => err(
            format!("unknown Datastar attribute `data-{plugin_name}`"),
            quoted,
        ),
    }
}

fn check_key(full: &str, plugin: &Plugin, key: &str) -> Result<String, KeyError> {
    if key.is_empty() {
        return Err(err(
            format!("`{full}`: empty key after `:`"),
            format!("write `data-{}:name`", plugin.name),
        ));
    }
    if key.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(err(
            format!("`{full}`: HTML lowercases attribute names, so the key `{key}` would arrive as `{}`", key.to_ascii_lowercase()),
            format!(
                "write the key in kebab-case, `data-{}:{}` (Datastar turns it into `{key}`)",
                plugin.name,
                to_kebab(key)
            ),
        ));
    }
    if let Some(c) = key
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(err(
            format!("`{full}`: `{c}` cannot appear in a Datastar key"),
            "keys are made of lowercase letters, digits, `-`, `_` and `.`".into(),
        ));
    }
    Ok(key.to_owned())
}

fn check_modifier(plugin: &Plugin, m: &str) -> Result<(String, Vec<String>), KeyError> {
    let mut it = m.split('.');
    let name = it.next().unwrap_or_default();
    let args: Vec<String> = it.map(str::to_owned).collect();
    let Some((_, spec)) = plugin.mods.iter().find(|(n, _)| *n == name) else {
        let known: Vec<String> = plugin
            .mods
            .iter()
            .map(|(n, _)| format!("`__{n}`"))
            .collect();
        let help = match suggest(name, plugin.mods.iter().map(|(n, _)| *n)) {
            Some(s) => format!("did you mean `__{s}`?"),
            None if known.is_empty() => format!("`data-{}` takes no modifiers", plugin.name),
            None => format!("`data-{}` takes {}", plugin.name, known.join(", ")),
        };
        return Err(err(
            format!("unknown modifier `__{name}` on `data-{}`", plugin.name),
            help,
        ));
    };
    let bad = |what: String| {
        err(
            format!("modifier `__{name}` on `data-{}`: {what}", plugin.name),
            match spec {
                Args::None => format!("write `__{name}` alone"),
                Args::Time(&[]) => format!("write e.g. `__{name}.500ms`"),
                Args::Time(flags) => format!(
                    "write e.g. `__{name}.500ms`, optionally followed by {}",
                    flags
                        .iter()
                        .map(|f| format!("`.{f}`"))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
                Args::OneOf(words) => format!(
                    "write one of {}",
                    words
                        .iter()
                        .map(|w| format!("`__{name}.{w}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                Args::Number => format!("write e.g. `__{name}.25`"),
                Args::Word => format!("write e.g. `__{name}.value`"),
            },
        )
    };
    match spec {
        Args::None if !args.is_empty() => return Err(bad("takes no argument".into())),
        Args::Time(flags) => {
            let Some(first) = args.first() else {
                return Err(bad("needs a duration".into()));
            };
            if !is_duration(first) {
                return Err(bad(format!("`{first}` is not a duration")));
            }
            if let Some(f) = args[1..].iter().find(|a| !flags.contains(&a.as_str())) {
                return Err(bad(format!("unknown argument `{f}`")));
            }
        }
        Args::OneOf(words) => {
            if args.len() != 1 || !words.contains(&args[0].as_str()) {
                return Err(bad(match args.first() {
                    Some(a) => format!("unknown argument `{a}`"),
                    None => "needs an argument".into(),
                }));
            }
        }
        Args::Number => {
            if args.len() != 1 || !args[0].chars().all(|c| c.is_ascii_digit()) || args[0].is_empty()
            {
                return Err(bad("needs one number".into()));
            }
        }
        Args::Word => {
            if args.len() != 1 || args[0].is_empty() {
                return Err(bad("needs one argument".into()));
            }
        }
        Args::None => {}
    }
    Ok((name.to_owned(), args))
}

fn is_duration(s: &str) -> bool {
    let digits = s.trim_end_matches("ms").trim_end_matches('s');
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
}

impl DatastarAttr {
    /// The signal this attribute defines from its key, after Datastar's case rule
    /// (kebab -> camel unless `__case` says otherwise).
    pub fn defined_signal(&self) -> Option<String> {
        if !self.plugin.defines_signal {
            return None;
        }
        let key = self.key.as_deref()?;
        let case = self
            .mods
            .iter()
            .find(|(n, _)| n == "case")
            .and_then(|(_, a)| a.first())
            .map_or("camel", String::as_str);
        Some(
            key.split('.')
                .map(|seg| convert_case(seg, case))
                .collect::<Vec<_>>()
                .join("."),
        )
    }
}

/// Datastar's key case conversion (from kebab-case, the only form HTML preserves).
pub fn convert_case(s: &str, case: &str) -> String {
    let words: Vec<&str> = s.split(['-', '_']).filter(|w| !w.is_empty()).collect();
    let cap = |w: &str| {
        let mut c = w.chars();
        c.next()
            .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
            .unwrap_or_default()
    };
    match case {
        "kebab" => words.join("-"),
        "snake" => words.join("_"),
        "pascal" => words.iter().map(|w| cap(w)).collect(),
        _ => words
            .iter()
            .enumerate()
            .map(|(i, w)| if i == 0 { (*w).to_owned() } else { cap(w) })
            .collect(),
    }
}

fn to_kebab(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_uppercase() {
            if !out.is_empty() {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

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

/// Every `@name(` the client would turn into an action call that is not one of [`ACTIONS`],
/// with a message naming the nearest. The client rewrites `@name(` everywhere, inside string
/// literals too, so this looks everywhere.
pub fn unknown_actions(code: &str) -> Vec<String> {
    let b = code.as_bytes();
    let mut out = Vec::new();
    for (i, _) in code.match_indices('@') {
        let start = i + 1;
        let mut j = start;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'$') {
            j += 1;
        }
        let first_ok = b
            .get(start)
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_' || *c == b'$');
        if !first_ok || b.get(j) != Some(&b'(') {
            continue;
        }
        let name = &code[start..j];
        if ACTIONS.contains(&name) {
            continue;
        }
        let help = match crate::diag::suggest(name, ACTIONS.iter().copied()) {
            Some(s) => format!("did you mean `@{s}(`?"),
            None => format!(
                "the client's actions are {}",
                ACTIONS
                    .iter()
                    .map(|a| format!("`@{a}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        out.push(format!(
            "unknown Datastar action `@{name}`: the client would throw `UndefinedAction`\n\nhelp: {help}"
        ));
    }
    out
}

/// A `$signal` / `$a.b` reference found in an expression, with its byte offset.
#[derive(Debug, PartialEq, Eq)]
pub struct SignalRef {
    pub path: String,
    pub offset: usize,
}

/// Finds the `$name` references in a Datastar expression, skipping string literals (but not
/// the `${...}` code inside template literals).
pub fn signal_refs(expr: &str) -> Vec<SignalRef> {
    let b = expr.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    let mut template_depth: Vec<usize> = Vec::new(); // brace depth inside `${` per template level
    let mut depth = 0usize;
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    while i < b.len() {
        let c = b[i];
        if let Some(q) = quote {
            if c == b'\\' {
                i += 2;
                continue;
            }
            if c == q {
                quote = None;
            } else if q == b'`' && c == b'$' && b.get(i + 1) == Some(&b'{') {
                template_depth.push(depth);
                depth += 1;
                quote = None;
                i += 2;
                continue;
            }
            i += 1;
            continue;
        }
        match c {
            b'\'' | b'"' | b'`' => quote = Some(c),
            b'{' => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                if template_depth.last() == Some(&depth) {
                    template_depth.pop();
                    quote = Some(b'`');
                }
            }
            b'$' if i == 0 || !(ident(b[i - 1]) || b[i - 1] == b'$') => {
                let start = i + 1;
                let mut j = start;
                while j < b.len()
                    && (ident(b[j])
                        || (b[j] == b'.' && j + 1 < b.len() && ident(b[j + 1]) && j > start))
                {
                    j += 1;
                }
                if j > start && !b[start].is_ascii_digit() {
                    out.push(SignalRef {
                        path: expr[start..j].to_owned(),
                        offset: i,
                    });
                }
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexes_keys_and_modifiers() {
        let a = lex("data-on:click__debounce.500ms.leading__prevent").unwrap();
        assert_eq!(a.plugin.name, "on");
        assert_eq!(a.key.as_deref(), Some("click"));
        assert_eq!(a.mods.len(), 2);
        assert_eq!(a.mods[0].1, vec!["500ms", "leading"]);
        assert_eq!(
            lex("data-on-intersect__once").unwrap().plugin.name,
            "on-intersect"
        );
        let b = lex("data-bind:first-name").unwrap();
        assert_eq!(b.defined_signal().as_deref(), Some("firstName"));
        let c = lex("data-signals:my-form.user-name__case.snake").unwrap();
        assert_eq!(c.defined_signal().as_deref(), Some("my_form.user_name"));
    }

    #[test]
    fn rejects_mistakes_with_help() {
        let e = lex("data-on-click").unwrap_err();
        assert!(e.help.contains("data-on:click"), "{e:?}");
        let e = lex("data-bind-email").unwrap_err();
        assert!(e.help.contains("data-bind:email"), "{e:?}");
        let e = lex("data-bnd:x").unwrap_err();
        assert!(e.help.contains("data-bind:x"), "{e:?}");
        let e = lex("data-on:click__debunce.5ms").unwrap_err();
        assert!(e.help.contains("__debounce"), "{e:?}");
        assert!(lex("data-on:click__debounce").is_err());
        assert!(lex("data-on:click__debounce.fast").is_err());
        assert!(lex("data-show:x").is_err());
        assert!(lex("data-on").is_err());
        assert!(lex("data-bind:firstName")
            .unwrap_err()
            .help
            .contains("first-name"));
        assert!(lex("data-model").unwrap_err().help.contains("data-bind"));
        assert!(lex("data-on-load").unwrap_err().help.contains("data-init"));
        assert!(looks_like_datastar("on-click"));
        assert!(!looks_like_datastar("user-id"));
    }

    #[test]
    fn finds_signal_references() {
        let refs = signal_refs("$count + $form.email + '$no' + `${$yes}` + a$b + $$x");
        let paths: Vec<_> = refs.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(paths, ["count", "form.email", "yes"]);
        assert_eq!(signal_refs("@post('/x')").len(), 0);
        assert_eq!(
            signal_refs("$a.b.")
                .iter()
                .map(|r| r.path.as_str())
                .collect::<Vec<_>>(),
            ["a.b"]
        );
    }
}
