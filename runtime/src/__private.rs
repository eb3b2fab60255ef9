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

/// Wraps a value spliced into a Datastar expression attribute; method resolution picks
/// [`ExprViaCode`] for [`Expr`] and [`ExprViaJson`] for any `Serialize` value.
pub struct ExprSplice<'a, T: ?Sized>(pub &'a T);

pub trait ExprViaCode {
    fn nitro_write_expr(&self, buf: &mut String);
}

impl ExprViaCode for &&ExprSplice<'_, Expr> {
    #[inline]
    fn nitro_write_expr(&self, buf: &mut String) {
        escape::attribute(self.0.as_str(), buf);
    }
}

#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be spliced into a Datastar expression",
    label = "a value spliced into a Datastar attribute is sent as JSON, so it must implement `serde::Serialize`",
    note = "to build expression code from values, use `nitro::Expr`"
)]
pub trait ExprViaJson {
    fn nitro_write_expr(&self, buf: &mut String);
}

impl<T: serde::Serialize + ?Sized> ExprViaJson for &ExprSplice<'_, T> {
    #[inline]
    fn nitro_write_expr(&self, buf: &mut String) {
        escape::json_attribute(self.0, buf);
    }
}

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
