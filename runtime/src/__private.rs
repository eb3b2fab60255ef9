//! Helpers that only `html!`'s expansion calls. Not a public API: no stability promise.
#![allow(missing_docs)]

use crate::{escape, Expr, Json, Markup, PreEscaped, Render};

pub use crate::render::Template;
pub use crate::Render as RenderTrait;

/// A dynamic value in an attribute.
#[inline]
pub fn render_attr<T: Render + ?Sized>(value: &T, buf: &mut String) {
    value.render_attr_to(buf);
}

/// A dynamic value in a URL attribute (`href`, `src`, `action`, …): a `javascript:`, `vbscript:`
/// or `data:` URL is replaced by `about:invalid#nitro-blocked`.
#[inline]
pub fn render_url_attr<T: Render + ?Sized>(value: &T, buf: &mut String) {
    let start = buf.len();
    value.render_attr_to(buf);
    if escape::is_dangerous_url(&buf[start..]) {
        buf.truncate(start);
        buf.push_str("about:invalid#nitro-blocked");
    }
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

impl ExprViaCode for &ExprSplice<'_, Expr> {}

pub trait ExprViaJson {
    #[inline]
    fn nitro_expr_tag(&self) -> JsonTag {
        JsonTag
    }
}

impl<T: ?Sized> ExprViaJson for ExprSplice<'_, T> {}

impl CodeTag {
    #[inline]
    pub fn write(self, value: &Expr, buf: &mut String) {
        escape::attribute(value.as_str(), buf);
    }
}

impl JsonTag {
    #[inline]
    pub fn write<T: ExprValue + ?Sized>(self, value: &T, buf: &mut String) {
        escape::json_attribute(value, buf);
    }
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
