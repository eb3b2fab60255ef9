//! Which rule a dynamic attribute value gets. Decided once, from the element and attribute
//! names compared ASCII-case-insensitively (`HREF`, `OnClick` and `SCRIPT` are what the
//! browser sees as `href`, `onclick` and `script`), for plain, quoted and Datastar names alike:
//! a quoted name skips Datastar's syntax checks, never a guard. `validate` reports the
//! refusals; `generate` writes the rest with the helper named by the context.

use crate::ast::{Attr, AttrName, Element};
use crate::datastar::ValueKind;

/// Attributes whose value is a URL: dynamic values get the `javascript:` guard. Kept equal to
/// the runtime's `escape::URL_ATTRIBUTES` (a test compares them).
pub const URL_ATTRS: &[&str] = &[
    "action",
    "archive",
    "background",
    "cite",
    "classid",
    "codebase",
    "data",
    "dynsrc",
    "formaction",
    "href",
    "icon",
    "longdesc",
    "lowsrc",
    "manifest",
    "poster",
    "profile",
    "src",
    "usemap",
    "xlink:href",
];

/// Attributes that load or redirect code, by element (compared without case): a dynamic value
/// must be a `TrustedUrl`. Kept equal to the runtime's `escape::CODE_URL_ATTRIBUTES` (a test
/// compares them).
pub const CODE_URL_ATTRS: &[(&str, &[&str])] = &[
    ("script", &["src", "href", "xlink:href"]),
    ("base", &["href"]),
    ("link", &["href"]),
    ("object", &["data", "codebase", "archive", "classid"]),
    ("embed", &["src"]),
    ("applet", &["code", "codebase", "archive", "object", "src"]),
];

/// Does attribute `attr` of element `element` load or redirect code?
pub fn loads_code(element: &str, attr: &str) -> bool {
    CODE_URL_ATTRS
        .iter()
        .any(|(el, attrs)| el.eq_ignore_ascii_case(element) && is_one_of(attr, attrs))
}

/// Elements whose content the HTML parser reads as raw text (compared without case).
pub const RAW_TEXT: &[&str] = &["script", "style"];

/// SVG animation elements: they can set any attribute of another element (an `href` to a
/// `javascript:` URL), so their target and values are never taken from data.
/// Kept equal to the runtime's `escape::SVG_ANIMATION` (a test compares them).
const SVG_ANIMATION: &[&str] = &[
    "animate",
    "animatecolor",
    "animatemotion",
    "animatetransform",
    "set",
];
/// Kept equal to the runtime's `escape::SVG_ANIMATION_VALUES`.
const SVG_ANIMATION_VALUES: &[&str] = &["attributename", "by", "from", "to", "values"];

/// Plugins whose value is run rather than read.
pub const STATEMENTS: &[&str] = &[
    "effect",
    "init",
    "on",
    "on-intersect",
    "on-interval",
    "on-signal-patch",
];

/// How a dynamic attribute value is written.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ValueContext {
    /// Escaped for a quoted attribute.
    Attribute,
    /// An element id: declared ids and explicit `DynId`s only.
    Id,
    /// `data-attr:id`: the same rule, the id sent as a JSON string.
    ExpressionId,
    /// A URL: script-running schemes are replaced.
    Url,
    /// A URL the page loads code from (`script src`, `base href`, …): `TrustedUrl` only.
    CodeUrl,
    /// An inline style: CSS that could load or run something is dropped.
    Css,
    /// `srcdoc`: rendered as HTML, then escaped as a whole.
    Srcdoc,
    /// A Datastar expression: JSON that the expression compiler reads back exactly, or `Expr`.
    Expression,
    /// A Datastar statement (`data-on:*`, `data-init`, …): its value is run, so only code
    /// (`Expr`, `expr!`) is accepted; a plain value would be a string literal that does nothing.
    Statement,
    /// `data-attr:href` and other URL keys: an expression whose result is a URL.
    ExpressionUrl,
    /// `data-attr:style`, `data-style:*`: an expression whose result is CSS.
    ExpressionCss,
    /// `data-attr=(map)`: keys and values checked like plain attributes.
    AttrMap,
    /// `data-style=(map)`: values checked as CSS.
    StyleMap,
}

/// A dynamic value that no encoding makes safe: a compile error.
pub struct Refusal {
    pub message: String,
    pub help: String,
}

fn refuse(message: String, help: impl Into<String>) -> Result<ValueContext, Refusal> {
    Err(Refusal {
        message,
        help: help.into(),
    })
}

/// Is `name` (any case) one of `list`?
pub fn is_one_of(name: &str, list: &[&str]) -> bool {
    list.iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// Is `key` an event-handler attribute name (`on…`) once the browser has read it?
/// `setAttribute` lowercases names in HTML documents, and Datastar's key casing may turn
/// `-`/`_` into other spellings, so those are ignored too.
fn is_event_handler(key: &str) -> bool {
    let mut letters = key
        .bytes()
        .filter(|b| !matches!(b, b'-' | b'_'))
        .map(|b| b.to_ascii_lowercase());
    letters.next() == Some(b'o') && letters.next() == Some(b'n')
}

/// The context of a dynamic value of attribute `name` on element `el`.
pub fn dynamic_context(el: &Element, name: &AttrName) -> Result<ValueContext, Refusal> {
    let attr = &name.name().text;
    if let AttrName::Datastar(_, ds) = name {
        return match (ds.plugin.kind, ds.plugin.name, ds.key.as_deref()) {
            (ValueKind::Expression, "attr", Some(key)) => data_attr_key(&el.name.text, attr, key),
            (ValueKind::Expression, "attr", None) => Ok(ValueContext::AttrMap),
            (ValueKind::Expression, "style", Some(_)) => Ok(ValueContext::ExpressionCss),
            (ValueKind::Expression, "style", None) => Ok(ValueContext::StyleMap),
            (ValueKind::Expression, name, _) if STATEMENTS.contains(&name) => {
                Ok(ValueContext::Statement)
            }
            (ValueKind::Expression, _, _) => Ok(ValueContext::Expression),
            _ => Ok(ValueContext::Attribute),
        };
    }
    let element = el.name.text.as_str();
    if is_event_handler(attr) {
        let event = attr.get(2..).unwrap_or_default().to_ascii_lowercase();
        return refuse(
            format!("a value spliced into `{attr}` would run as JavaScript"),
            format!("use `data-on:{event}=(value)`: Datastar attributes receive values as JSON, never as code"),
        );
    }
    if loads_code(element, attr) {
        return Ok(ValueContext::CodeUrl);
    }
    if attr.eq_ignore_ascii_case("id") {
        return Ok(ValueContext::Id);
    }
    if element.eq_ignore_ascii_case("script") && attr.eq_ignore_ascii_case("type") {
        return refuse(
            format!("a value spliced into `{attr}` of `<{element}>` decides whether and how its content runs (`module`, `importmap`, …)"),
            "write the type in the template: `type=\"module\"`",
        );
    }
    if is_one_of(element, SVG_ANIMATION) && is_one_of(attr, SVG_ANIMATION_VALUES) {
        return refuse(
            format!("`<{element}>` can set any attribute of another element, so `{attr}` cannot take a value from Rust"),
            "write the animation's values in the template; animate a value with a Datastar attribute (`data-attr:*`, `data-style:*`) instead",
        );
    }
    if element.eq_ignore_ascii_case("meta") {
        let has_http_equiv = el.attrs.iter().any(|a| {
            matches!(a, Attr::Named { name, .. } if name.name().text.eq_ignore_ascii_case("http-equiv"))
        });
        if attr.eq_ignore_ascii_case("http-equiv")
            || (attr.eq_ignore_ascii_case("content") && has_http_equiv)
        {
            return refuse(
                format!("`<meta http-equiv>` acts on the page (a refresh to any URL), so `{attr}` cannot take a value from Rust"),
                "write it in the template, or send the header from the handler",
            );
        }
    }
    Ok(if attr.eq_ignore_ascii_case("srcdoc") {
        ValueContext::Srcdoc
    } else if attr.eq_ignore_ascii_case("style") {
        ValueContext::Css
    } else if is_one_of(attr, URL_ATTRS) {
        ValueContext::Url
    } else {
        ValueContext::Attribute
    })
}

/// `data-attr:KEY=(value)` ends in `setAttribute(KEY, value)`: the plain attributes' rules apply.
fn data_attr_key(element: &str, attr: &str, key: &str) -> Result<ValueContext, Refusal> {
    if let Some(rest) = key.to_ascii_lowercase().strip_prefix("data-") {
        if crate::datastar::looks_like_datastar(rest) {
            return refuse(
                format!("`{attr}` would write the Datastar attribute `{key}`, whose value the client runs as an expression: the value would become code"),
                format!("write `{key}` itself in the template (`{key}=(expr!(..))`), or use a data attribute that is not Datastar's (`\"data-x\"`)"),
            );
        }
    }
    if loads_code(element, key) {
        return refuse(
            format!("`{attr}` would set the URL `<{element}>` loads code from with a value computed in the browser"),
            format!("write `{key}=(url)` with a `nitro::TrustedUrl`"),
        );
    }
    if is_one_of(element, SVG_ANIMATION) && is_one_of(key, SVG_ANIMATION_VALUES) {
        return refuse(
            format!("`<{element}>` can set any attribute of another element (an `href` to `javascript:`), so `{attr}` cannot take a value from Rust or one computed in the browser"),
            "write the animation's values in the template; animate a value with a Datastar attribute (`data-attr:*`, `data-style:*`) instead",
        );
    }
    if key.eq_ignore_ascii_case("id") {
        return Ok(ValueContext::ExpressionId);
    }
    if is_event_handler(key) {
        return refuse(
            format!(
                "`{attr}` would set an event handler from a value (from Rust, or computed in the browser), which runs as JavaScript"
            ),
            format!(
                "use `data-on:{}=(value)`",
                key.get(2..)
                    .unwrap_or_default()
                    .trim_start_matches(['-', '_'])
            ),
        );
    }
    if key.eq_ignore_ascii_case("srcdoc") {
        return refuse(
            format!("`{attr}` would set a frame's whole document from a value (from Rust, or computed in the browser)"),
            "write `srcdoc=(template)`: it is rendered and escaped as a document",
        );
    }
    Ok(if key.eq_ignore_ascii_case("style") {
        ValueContext::ExpressionCss
    } else if is_one_of(key, URL_ATTRS) {
        ValueContext::ExpressionUrl
    } else {
        ValueContext::Expression
    })
}

#[cfg(test)]
mod tests {
    /// The runtime drops the same SVG animation keys from `data-attr` maps.
    #[test]
    fn svg_animation_tables_are_the_runtimes() {
        let runtime = include_str!("../../runtime/src/escape.rs");
        for (name, table) in [
            ("SVG_ANIMATION", super::SVG_ANIMATION),
            ("SVG_ANIMATION_VALUES", super::SVG_ANIMATION_VALUES),
        ] {
            let start = runtime
                .find(&format!("const {name}: &[&str] = &["))
                .expect("the runtime's table");
            let body = &runtime[start..start + runtime[start..].find("];").unwrap()];
            let body = &body[body.find("= &[").unwrap() + 4..];
            let names: Vec<&str> = body
                .split(',')
                .map(|n| n.trim().trim_matches('"'))
                .filter(|n| !n.is_empty())
                .collect();
            assert_eq!(names, table, "{name}");
        }
    }

    /// The runtime refuses the same Datastar plugin names (in `data-attr` maps and script
    /// attributes).
    #[test]
    fn datastar_plugin_table_is_the_runtimes() {
        let runtime = include_str!("../../runtime/src/escape.rs");
        let start = runtime
            .find("DATASTAR_PLUGINS: &[&str] = &[")
            .expect("the runtime's table");
        let table = &runtime[start..start + runtime[start..].find("];").unwrap()];
        let listed = table.matches('"').count() / 2;
        for p in crate::datastar::PLUGINS {
            assert!(table.contains(&format!("\"{}\",", p.name)), "{}", p.name);
        }
        assert_eq!(listed, crate::datastar::PLUGINS.len());
    }

    /// The runtime keeps the same table of code-loading attributes (for `data-attr` maps).
    #[test]
    fn code_url_table_is_the_runtimes() {
        let runtime = include_str!("../../runtime/src/escape.rs");
        for (element, attrs) in super::CODE_URL_ATTRS {
            let row = format!("(\"{element}\", &{attrs:?}),").replace(", \"", ", \"");
            assert!(runtime.contains(&row), "{row}");
        }
    }
}
