//! Escaping by context. This module is the only place that decides how text becomes safe HTML;
//! the macro escapes its literals at compile time with the same crate (`html-escape`), and
//! `tests/escaping.rs` checks that the two agree.

use std::fmt;

/// Appends `s` to `buf`, escaped for an HTML text node (`&`, `<`, `>`).
///
/// ```
/// let mut buf = String::new();
/// nitro_runtime::escape::text("a < b & c", &mut buf);
/// assert_eq!(buf, "a &lt; b &amp; c");
/// ```
#[inline]
pub fn text(s: &str, buf: &mut String) {
    html_escape::encode_text_to_string(s, buf);
}

/// Appends `s` to `buf`, escaped for a quoted attribute value (`&`, `<`, `>`, `"`, `'`).
///
/// ```
/// let mut buf = String::new();
/// nitro_runtime::escape::attribute(r#"x" onclick="y"#, &mut buf);
/// assert_eq!(buf, "x&quot; onclick=&quot;y");
/// ```
#[inline]
pub fn attribute(s: &str, buf: &mut String) {
    html_escape::encode_quoted_attribute_to_string(s, buf);
}

/// Escapes, for a quoted attribute value, everything appended to `buf` since byte `start`.
///
/// Used when a value can only render itself as HTML text (a component, [`crate::Markup`]) but
/// lands inside an attribute. Text escaping already turned `&`, `<` and `>` into entities, so
/// only quotes are left to encode; for raw markup every special character is encoded. Allocates
/// only when the region actually contains a character that needs escaping.
pub fn attribute_region(buf: &mut String, start: usize) {
    let needs = buf.as_bytes()[start..]
        .iter()
        .any(|b| matches!(b, b'"' | b'\'' | b'<' | b'>'));
    if needs {
        let tail = buf.split_off(start);
        // `&` is already either an entity from text escaping or a raw ampersand of trusted
        // markup; both are fine in a quoted attribute, so only quotes and brackets are encoded.
        for c in tail.chars() {
            match c {
                '"' => buf.push_str("&quot;"),
                '\'' => buf.push_str("&#x27;"),
                '<' => buf.push_str("&lt;"),
                '>' => buf.push_str("&gt;"),
                c => buf.push(c),
            }
        }
    }
}

/// A `fmt::Write` that escapes everything written through it for a text node.
pub(crate) struct TextWriter<'a>(pub(crate) &'a mut String);

impl fmt::Write for TextWriter<'_> {
    #[inline]
    fn write_str(&mut self, s: &str) -> fmt::Result {
        text(s, self.0);
        Ok(())
    }
}

/// A `fmt::Write` that escapes everything written through it for an attribute value.
pub(crate) struct AttributeWriter<'a>(pub(crate) &'a mut String);

impl fmt::Write for AttributeWriter<'_> {
    #[inline]
    fn write_str(&mut self, s: &str) -> fmt::Result {
        attribute(s, self.0);
        Ok(())
    }
}

/// An `io::Write` for serde_json output that escapes it for an attribute value as it arrives.
///
/// serde_json writes whole UTF-8 fragments (it only splits strings at ASCII escape points); a
/// chunk that is not valid UTF-8 is refused with an error rather than corrupted.
pub(crate) struct JsonAttributeWriter<'a>(pub(crate) &'a mut String);

impl std::io::Write for JsonAttributeWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let s = std::str::from_utf8(bytes)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        attribute(s, self.0);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Appends `value` as compact JSON to `buf`, escaped for a quoted attribute value.
///
/// A value whose `Serialize` impl fails (a map with non-string keys, a custom error) is written
/// as `null`: rendering cannot fail, and a half-written value would be worse.
///
/// ```
/// let mut buf = String::new();
/// nitro_runtime::escape::json_attribute(&"it's <b>", &mut buf);
/// assert_eq!(buf, "&quot;it&#x27;s &lt;b&gt;&quot;");
/// ```
pub fn json_attribute<T: serde::Serialize + ?Sized>(value: &T, buf: &mut String) {
    let start = buf.len();
    if serde_json::to_writer(JsonAttributeWriter(buf), value).is_err() {
        buf.truncate(start);
        buf.push_str("null");
    }
}

/// Is `url` (as it will be seen by the browser) a URL with a script-running scheme?
///
/// Browsers strip ASCII tab/newline anywhere and leading control characters and spaces before
/// reading the scheme, and compare it case-insensitively; this does the same.
pub fn is_dangerous_url(url: &str) -> bool {
    let mut scheme = [0u8; 10];
    let chars = url
        .chars()
        .skip_while(|c| c.is_ascii_control() || *c == ' ')
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'));
    for (len, c) in chars.enumerate() {
        if c == ':' {
            let s = &scheme[..len];
            return s == b"javascript" || s == b"vbscript" || s == b"data";
        }
        if !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) || len == scheme.len() {
            return false;
        }
        scheme[len] = c.to_ascii_lowercase() as u8;
    }
    false
}
