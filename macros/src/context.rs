//! Which rule a dynamic attribute value gets. Decided once, from the element and attribute
//! names compared ASCII-case-insensitively (`HREF`, `OnClick` and `SCRIPT` are what the
//! browser sees as `href`, `onclick` and `script`), for plain, quoted and Datastar names alike:
//! a quoted name skips Datastar's syntax checks, never a guard. `validate` reports the
//! refusals; `generate` writes the rest with the helper named by the context.

use crate::ast::{Attr, AttrName, Element};
use crate::datastar::ValueKind;

// The tables the runtime uses too (URL attributes, code-loading attributes, SVG animation
// targets, the event-handler rule): one copy, in `nitro-syntax`.
pub use nitro_syntax::tables::is_one_of;
use nitro_syntax::tables::{
    is_event_handler, is_svg_animation_value, loads_code, URL_ATTRIBUTES as URL_ATTRS,
};

/// Elements whose content the HTML parser reads as raw text (compared without case).
pub const RAW_TEXT: &[&str] = &["script", "style"];

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
    if is_svg_animation_value(element, attr) {
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
    if is_svg_animation_value(element, key) {
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
