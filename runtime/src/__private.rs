//! Helpers that only `html!`'s expansion calls. Not a public API: no stability promise.
#![allow(missing_docs)]

use crate::{escape, Expr, Json, Markup, PreEscaped, Render};

pub use crate::capture::{Capture, CaptureCopy, CaptureRef, Flat, FlatId, FlatRef};
pub use crate::expr::ExprBuilder;
pub use crate::render::Template;
pub use crate::splice::{Splice, Spliceable, ViaDisplay, ViaRender};
pub use crate::writer::Writer;
pub use crate::Render as RenderTrait;
pub use serde;

/// A dynamic value in an attribute.
#[inline]
pub fn render_attr<T: Render + ?Sized>(value: &T, buf: &mut String) {
    value.render_attr_to(buf);
}

/// A dynamic value in an attribute, through `html!`'s writer.
#[inline]
pub fn render_attr_w<T: Render + ?Sized>(value: &T, w: &mut Writer<'_>) {
    value.render_attr_to_writer(w);
}

/// A dynamic element id (`#(ID)`, `id=(..)`): declared ids and explicit `DynId`s only.
#[inline]
pub fn render_id<T: crate::ElementId + ?Sized>(value: &T, buf: &mut String) {
    value.render_attr_to(buf);
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
    value.render_attr_to(buf);
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
    value.render_attr_to(buf);
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

/// [`Expr`] behind any number of references.
pub trait IsExpr {
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
pub trait StatementCode {
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

// ---------------------------------------------------------------------------------------------
// Compile-time signal checks: `html!` emits `const _: () = { if let Some(m) = check_signal(..)
// { panic!("{}", m.as_str()) } };` for every `$name` it cannot resolve from the template itself.

use crate::signals::{Field, Shape};

/// A message built in const evaluation (fixed buffer, truncated if too long).
pub struct Msg {
    buf: [u8; 640],
    len: usize,
}

impl Msg {
    const fn new() -> Msg {
        Msg {
            buf: [0; 640],
            len: 0,
        }
    }

    const fn push(self, s: &str) -> Msg {
        self.push_bytes(s.as_bytes())
    }

    const fn push_bytes(mut self, b: &[u8]) -> Msg {
        let mut i = 0;
        while i < b.len() && self.len < self.buf.len() {
            self.buf[self.len] = b[i];
            self.len += 1;
            i += 1;
        }
        self
    }

    pub const fn as_str(&self) -> &str {
        let (mut head, _) = self.buf.split_at(self.len);
        // Truncation may cut a character: back off to a boundary.
        loop {
            match core::str::from_utf8(head) {
                Ok(s) => return s,
                Err(_) => head = head.split_at(head.len() - 1).0,
            }
        }
    }
}

const fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn sub(b: &[u8], start: usize, end: usize) -> &[u8] {
    b.split_at(end).0.split_at(start).1
}

const fn segment_end(p: &[u8], start: usize) -> usize {
    let mut i = start;
    while i < p.len() && p[i] != b'.' {
        i += 1;
    }
    i
}

/// Edit distance for names up to 48 bytes (longer: "far").
const fn distance(a: &[u8], b: &[u8]) -> usize {
    const MAX: usize = 48;
    if a.len() > MAX || b.len() > MAX {
        return usize::MAX;
    }
    let mut prev = [0usize; MAX + 1];
    let mut cur = [0usize; MAX + 1];
    let mut j = 0;
    while j <= b.len() {
        prev[j] = j;
        j += 1;
    }
    let mut i = 1;
    while i <= a.len() {
        cur[0] = i;
        let mut j = 1;
        while j <= b.len() {
            let cost = if a[i - 1] == b[j - 1] { 0 } else { 1 };
            let mut best = prev[j] + 1;
            if cur[j - 1] + 1 < best {
                best = cur[j - 1] + 1;
            }
            if prev[j - 1] + cost < best {
                best = prev[j - 1] + cost;
            }
            cur[j] = best;
            j += 1;
        }
        prev = cur;
        i += 1;
    }
    prev[b.len()]
}

const fn close_enough(d: usize, len: usize) -> bool {
    let limit = if len <= 2 {
        1
    } else if len <= 5 {
        2
    } else {
        3
    };
    d <= limit
}

/// Where resolving a path in a shape failed: the fields at that level and the segment.
struct Miss {
    fields: &'static [Field],
    seg_start: usize,
    seg_end: usize,
}

/// `None` if `path` resolves in `shape`, else where it failed.
const fn resolve(shape: Shape, p: &[u8]) -> Option<Miss> {
    let mut cur = shape;
    let mut pos = 0;
    loop {
        if pos >= p.len() {
            return None;
        }
        let end = segment_end(p, pos);
        match cur {
            Shape::Leaf | Shape::Dynamic => return None,
            Shape::Object(fields) => {
                let mut i = 0;
                let mut found = false;
                while i < fields.len() {
                    if bytes_eq(fields[i].name.as_bytes(), sub(p, pos, end)) {
                        cur = fields[i].shape;
                        found = true;
                        break;
                    }
                    i += 1;
                }
                if !found {
                    return Some(Miss {
                        fields,
                        seg_start: pos,
                        seg_end: end,
                    });
                }
                pos = end + 1;
            }
        }
    }
}

/// Checks `path` against the declared signal types' shapes and the names the template defines
/// itself (`locals`). Returns the error message if it is known nowhere.
pub const fn check_signal(
    shapes: &[Shape],
    locals: &[&str],
    path: &str,
    declared: &str,
) -> Option<Msg> {
    let p = path.as_bytes();
    let mut best: Option<Miss> = None;
    let mut i = 0;
    while i < shapes.len() {
        match resolve(shapes[i], p) {
            None => return None,
            Some(miss) => {
                let deeper = match &best {
                    None => true,
                    Some(b) => miss.seg_start > b.seg_start,
                };
                if deeper {
                    best = Some(miss);
                }
            }
        }
        i += 1;
    }
    let msg = Msg::new().push("unknown signal `$").push(path).push("`");
    // The closest name: a field at the level where resolution failed, or a local name.
    let mut suggestion: Option<(&[u8], &[u8])> = None; // (prefix, name)
    let mut best_d = usize::MAX;
    if let Some(miss) = &best {
        let seg = sub(p, miss.seg_start, miss.seg_end);
        let mut k = 0;
        while k < miss.fields.len() {
            let name = miss.fields[k].name.as_bytes();
            let d = distance(seg, name);
            if d < best_d && close_enough(d, seg.len()) {
                best_d = d;
                suggestion = Some((sub(p, 0, miss.seg_start), name));
            }
            k += 1;
        }
    }
    let mut k = 0;
    while k < locals.len() {
        let name = locals[k].as_bytes();
        let d = distance(p, name);
        if d < best_d && close_enough(d, p.len()) {
            best_d = d;
            suggestion = Some((b"", name));
        }
        k += 1;
    }
    let msg = match suggestion {
        Some((prefix, name)) => msg
            .push("\n\nhelp: did you mean `$")
            .push_bytes(prefix)
            .push_bytes(name)
            .push("`?"),
        None => msg.push("\n\nhelp: it is not a field of ").push(declared).push(
            " nor a signal this template defines; a name only JavaScript defines can be declared as a string: `@signals(\"",
        )
        .push(path)
        .push("\")`"),
    };
    Some(msg)
}

/// Used by `Sse::emit_elements` and `SseSender::emit_elements`: a template known to have a
/// top-level element without an id cannot be patched without a selector.
/// A template's `ROOT_IDS` as a type, so that [`RootsTarget`] can pick the state of its patch.
pub struct Roots<const R: u8>;

/// The [`PatchElements`](crate::sse::PatchElements) state of a template's patch.
pub trait RootsTarget {
    /// `ByIds` or `NeedsSelector`.
    type Target: crate::sse::Untargeted;
}

impl RootsTarget for Roots<ROOT_IDS_UNKNOWN> {
    type Target = crate::sse::ByIds;
}

impl RootsTarget for Roots<ROOT_IDS_ALL> {
    type Target = crate::sse::ByIds;
}

impl RootsTarget for Roots<ROOT_IDS_MISSING> {
    type Target = crate::sse::NeedsSelector;
}

pub const ROOT_IDS_UNKNOWN: u8 = 0;
pub const ROOT_IDS_ALL: u8 = 1;
pub const ROOT_IDS_MISSING: u8 = 2;

/// The namespace `html!` saw for a template's top-level elements (`Render::NAMESPACE`):
/// patches of a template whose top-level elements are all `svg` or all `math` say so.
pub const NAMESPACE_HTML: u8 = 0;
pub const NAMESPACE_SVG: u8 = 1;
pub const NAMESPACE_MATHML: u8 = 2;

/// The shape of a type declared with `@signals(T)`; fails to compile unless it is a signals type.
pub const fn shape_of<T: crate::signals::Signals + ?Sized>() -> Shape {
    T::SHAPE
}
