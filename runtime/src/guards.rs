//! How `html!` writes a dynamic value in each attribute context, with the guard that context
//! needs: URL attributes (script-running schemes blocked), `style` (CSS that loads or runs
//! something dropped), `srcdoc`, ids, code-loading URLs (a `TrustedUrl` only), Datastar
//! expressions (JSON, or an `Expr`; the URL/CSS guards' JavaScript twins for an `Expr`'s
//! result), `data-attr`/`data-style` maps, and `<script>`/`<style>` content. Only the macro's
//! expansion calls these (through `__private`).
#![allow(missing_docs)]

use crate::render::Internal;
use crate::writer::Writer;
use crate::{escape, Expr, Json, Markup, PreEscaped, Render};

/// A dynamic value in an attribute.
#[inline]
pub fn render_attr<T: Render + ?Sized>(value: &T, buf: &mut String) {
    value.render_attr_to(buf, Internal::new());
}

/// A dynamic value in an attribute, through `html!`'s writer.
#[inline]
pub fn render_attr_w<T: Render + ?Sized>(value: &T, w: &mut Writer<'_>) {
    value.render_attr_to_writer(w, Internal::new());
}

/// A dynamic element id (`#(ID)`, `id=(..)`): declared ids and explicit `DynId`s only.
#[inline]
pub fn render_id<T: crate::ElementId + ?Sized>(value: &T, buf: &mut String) {
    value.render_attr_to(buf, Internal::new());
}

/// A dynamic value in an attribute that loads or redirects code (`script src`, `base href`,
/// …): a [`crate::TrustedUrl`] only, still checked for script-running schemes.
#[inline]
pub fn render_code_url<T: crate::CodeUrl + ?Sized>(value: &T, buf: &mut String) {
    render_url_attr(value, buf);
}

/// `data-attr:id=(v)`: the same rule as `#(v)`, the id sent as a JSON string.
#[inline]
pub fn render_id_json<T: crate::ElementId + ?Sized>(value: &T, buf: &mut String) {
    let text = value.render().into_string();
    escape::json_attribute(&text, buf);
}

/// A dynamic value in a URL attribute (`href`, `src`, `action`, …): a `javascript:`, `vbscript:`
/// or `data:` URL is replaced by `about:invalid#nitro-blocked`. The check reads the text as the
/// HTML parser will (character references decoded), so trusted markup cannot smuggle one in.
#[inline]
pub fn render_url_attr<T: Render + ?Sized>(value: &T, buf: &mut String) {
    let start = buf.len();
    value.render_attr_to(buf, Internal::new());
    if escape::is_dangerous_url_attribute(&buf[start..]) {
        buf.truncate(start);
        buf.push_str(escape::BLOCKED_URL);
        crate::stats::value_refused("a URL with a script-running scheme");
    }
}

/// A dynamic `style` value: CSS that could load or run something is dropped (see
/// [`escape::is_dangerous_css`]).
#[inline]
pub fn render_css_attr<T: Render + ?Sized>(value: &T, buf: &mut String) {
    let start = buf.len();
    value.render_attr_to(buf, Internal::new());
    if escape::is_dangerous_css_attribute(&buf[start..]) {
        buf.truncate(start);
        crate::stats::value_refused("CSS that could load or run something");
    }
}

/// A dynamic `srcdoc`: the value is rendered as HTML (a string becomes text of the frame's
/// document, a template its markup), then escaped as a whole for the attribute.
#[inline]
pub fn render_srcdoc<T: Render + ?Sized>(value: &T, buf: &mut String) {
    let start = buf.len();
    value.render_to(buf);
    escape::attribute_region_full(buf, start);
}

/// The check `Guard` applies to a Datastar value whose result becomes a URL or CSS.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Guard {
    None,
    Url,
    Css,
}

/// JavaScript wrapped around an `Expr` whose result becomes a URL: the same scheme rule as
/// [`escape::is_dangerous_url`], applied in the browser. No `$`, `@`, `;` or marker, so the
/// expression compiler leaves it alone.
pub const URL_GUARD_JS: &str = r#"((u)=>/^(?:javascript|vbscript|data):/i.test(String(u).replace(/[\t\n\r]/g,"").replace(/^[\x00-\x20]+/,""))?"about:invalid#nitro-blocked":u)("#;

/// JavaScript wrapped around an `Expr` whose result becomes CSS: [`escape::is_dangerous_css`].
pub const CSS_GUARD_JS: &str = r#"((c)=>/[\x5c<]|url\(|image\(|image-set\(|cross-fade\(|element\(|src\(|expression\(|\x40import|javascript:|-moz-binding|behavior/i.test(String(c))?"":c)("#;

/// The value a guard leaves of `value` (serialized JSON), or `None` to keep it as it is.
fn guarded(value: &serde_json::Value, guard: Guard) -> Option<serde_json::Value> {
    let s = value.as_str()?;
    let bad = match guard {
        Guard::None => false,
        Guard::Url => escape::is_dangerous_url(s),
        Guard::Css => escape::is_dangerous_css(s),
    };
    if bad {
        crate::stats::value_refused(match guard {
            Guard::Url => "a URL with a script-running scheme",
            _ => "CSS that could load or run something",
        });
    }
    bad.then(|| {
        serde_json::Value::String(match guard {
            Guard::Url => escape::BLOCKED_URL.to_owned(),
            _ => String::new(),
        })
    })
}

/// Wraps a value spliced into a Datastar expression attribute. Method resolution on
/// `&&ExprSplice(&v)` picks [`ExprViaCode`] for [`Expr`] and [`ExprViaJson`] for anything else;
/// the returned tag then writes the value, so a missing `Serialize` is reported as an ordinary
/// trait bound with [`ExprValue`]'s message.
pub struct ExprSplice<'a, T: ?Sized>(pub &'a T);

pub struct CodeTag;
pub struct JsonTag;

pub trait ExprViaCode {
    #[inline]
    fn nitro_expr_tag(&self) -> CodeTag {
        CodeTag
    }
}

impl<T: IsExpr + ?Sized> ExprViaCode for &ExprSplice<'_, T> {}

/// Seals [`IsExpr`] and [`StatementCode`]: the trait is in a private module, so no crate but
/// nitro can implement them (only nitro's types are code).
mod sealed {
    pub trait Code {}
    impl Code for crate::Expr {}
    impl Code for crate::scope::Signal {}
    impl<T: Code + ?Sized> Code for &T {}
}

/// [`Expr`] behind any number of references. Sealed.
pub trait IsExpr: sealed::Code {
    fn code(&self) -> &str;
}

impl IsExpr for Expr {
    fn code(&self) -> &str {
        self.as_str()
    }
}

impl<T: IsExpr + ?Sized> IsExpr for &T {
    fn code(&self) -> &str {
        T::code(self)
    }
}

pub trait ExprViaJson {
    #[inline]
    fn nitro_expr_tag(&self) -> JsonTag {
        JsonTag
    }
}

impl<T: ?Sized> ExprViaJson for ExprSplice<'_, T> {}

impl CodeTag {
    #[inline]
    pub fn write<T: IsExpr + ?Sized>(self, value: &T, guard: Guard, buf: &mut String) {
        let wrapper = match guard {
            Guard::None => return escape::attribute(value.code(), buf),
            Guard::Url => URL_GUARD_JS,
            Guard::Css => CSS_GUARD_JS,
        };
        escape::attribute(wrapper, buf);
        escape::attribute(value.code(), buf);
        buf.push(')');
    }
}

impl JsonTag {
    #[inline]
    pub fn write<T: ExprValue + ?Sized>(self, value: &T, guard: Guard, buf: &mut String) {
        if guard != Guard::None {
            if let Ok(v) = serde_json::to_value(value) {
                if let Some(replaced) = guarded(&v, guard) {
                    return escape::json_attribute(&replaced, buf);
                }
            }
        }
        escape::json_attribute(value, buf);
    }
}

/// Code for a Datastar statement attribute (`data-on:*`, `data-init`, `data-effect`, …).
#[diagnostic::on_unimplemented(
    message = "`{Self}` spliced into a Datastar statement (`data-on:*`, `data-init`, `data-effect`, …) would become a string literal that does nothing",
    label = "this value is data, but the attribute runs code",
    note = "build the code with `expr!`: `data-on:click=(expr!(\"@get('/items/{{}}')\", id))`; values inside it are encoded as data",
    note = "to run a fixed expression, write it as a string: `data-on:click=\"@get('/items')\"`"
)]
pub trait StatementCode: sealed::Code {
    fn code(&self) -> &str;
}

impl StatementCode for Expr {
    fn code(&self) -> &str {
        self.as_str()
    }
}

impl<T: StatementCode + ?Sized> StatementCode for &T {
    fn code(&self) -> &str {
        T::code(self)
    }
}

#[inline]
pub fn render_statement<T: StatementCode + ?Sized>(value: &T, buf: &mut String) {
    escape::attribute(value.code(), buf);
}

/// A value for `data-attr=(map)` or `data-style=(map)`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a `data-attr` / `data-style` map: it does not implement `serde::Serialize`",
    label = "the whole map is sent as JSON, and its keys and values are checked",
    note = "an `Expr` cannot compute a whole map here, because its keys could not be checked: splice a map or struct value, or use one `data-attr:KEY=(..)` per attribute"
)]
pub trait MapValue: serde::Serialize {}

impl<T: serde::Serialize + ?Sized> MapValue for T {}

/// `data-attr=(map)` on `element`: each key ends in `setAttribute(key, value)`, so the plain
/// attributes' rules apply: event handlers (`on…`), `srcdoc`, `id` (its value could not be
/// checked), the element's code-loading attributes (`script src`, …), Datastar attributes
/// (`data-init`, `data-on:click`, …, whose value the client would run) and what an SVG
/// animation sets (`attributeName`, `to`, …) are dropped and counted, URL values and `style`
/// are guarded.
pub fn render_attr_map<T: MapValue + ?Sized>(value: &T, element: &str, buf: &mut String) {
    let Ok(serde_json::Value::Object(map)) = serde_json::to_value(value) else {
        return escape::json_attribute(value, buf);
    };
    let checked: serde_json::Map<String, serde_json::Value> = map
        .into_iter()
        .filter(|(k, _)| {
            let refused = escape::is_event_handler_name(k)
                || k.eq_ignore_ascii_case("srcdoc")
                || k.eq_ignore_ascii_case("id")
                || escape::loads_code(element, k)
                || escape::is_datastar_attribute_name(k)
                || escape::is_svg_animation_value(element, k);
            if refused {
                crate::stats::value_refused("a data-attr map key that is not data");
            }
            !refused
        })
        .map(|(k, v)| {
            let guard = if k.eq_ignore_ascii_case("style") {
                Guard::Css
            } else if escape::URL_ATTRIBUTES
                .iter()
                .any(|u| u.eq_ignore_ascii_case(&k))
            {
                Guard::Url
            } else {
                Guard::None
            };
            let v = guarded(&v, guard).unwrap_or(v);
            (k, v)
        })
        .collect();
    escape::json_attribute(&checked, buf);
}

/// `data-style=(map)`: each value is checked as CSS.
pub fn render_style_map<T: MapValue + ?Sized>(value: &T, buf: &mut String) {
    let Ok(serde_json::Value::Object(map)) = serde_json::to_value(value) else {
        return escape::json_attribute(value, buf);
    };
    let checked: serde_json::Map<String, serde_json::Value> = map
        .into_iter()
        .map(|(k, v)| {
            let v = guarded(&v, Guard::Css).unwrap_or(v);
            (k, v)
        })
        .collect();
    escape::json_attribute(&checked, buf);
}

/// A value that can be spliced into a Datastar expression: sent as JSON.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be spliced into a Datastar expression: it does not implement `serde::Serialize`",
    label = "values spliced into Datastar attributes are sent as JSON",
    note = "derive `serde::Serialize` for it, or build expression code with `nitro::Expr`"
)]
pub trait ExprValue: serde::Serialize {}

impl<T: serde::Serialize + ?Sized> ExprValue for T {}

/// Content allowed inside `<script>` / `<style>`: explicitly wrapped values only.
#[diagnostic::on_unimplemented(
    message = "dynamic content inside `<script>` or `<style>` must be wrapped explicitly",
    label = "`{Self}` is not wrapped",
    note = "wrap data in `Json(..)` (serialized, script-safe) or trusted code in `PreEscaped(..)`"
)]
pub trait ScriptContent {
    fn render_script(&self, buf: &mut String);
}

impl<T: serde::Serialize> ScriptContent for Json<T> {
    fn render_script(&self, buf: &mut String) {
        self.write_script_safe(buf);
    }
}

impl<T: AsRef<str>> ScriptContent for PreEscaped<T> {
    fn render_script(&self, buf: &mut String) {
        buf.push_str(self.0.as_ref());
    }
}

impl ScriptContent for Markup {
    fn render_script(&self, buf: &mut String) {
        buf.push_str(self.as_str());
    }
}

impl<T: ScriptContent + ?Sized> ScriptContent for &T {
    fn render_script(&self, buf: &mut String) {
        T::render_script(self, buf);
    }
}

#[inline]
pub fn render_script<T: ScriptContent + ?Sized>(value: &T, buf: &mut String) {
    value.render_script(buf);
}
