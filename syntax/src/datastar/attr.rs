//! The attribute lexer: `data-PLUGIN[:KEY][__MOD[.ARG]...]` checked against the table, with
//! the fix in every message, and the key case conversion of signal-defining keys.

use super::table::{Args, KeyRule, Plugin, PLUGINS, RENAMED};
use crate::suggest::suggest;

/// A lexed Datastar attribute name.
#[derive(Debug)]
pub struct DatastarAttr {
    /// The plugin (`on` in `data-on:click`).
    pub plugin: &'static Plugin,
    /// The key (`click`), as written.
    pub key: Option<String>,
    /// The modifiers (`__debounce.500ms` is `("debounce", ["500ms"])`).
    pub mods: Vec<(String, Vec<String>)>,
}

/// A mistake in an attribute name: the message and a `help:` line.
#[derive(Debug, PartialEq, Eq)]
pub struct KeyError {
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

fn err(message: String, help: String) -> KeyError {
    KeyError { message, help }
}

/// The plugin named `name` (lowercase, without `data-`).
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
