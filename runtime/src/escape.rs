//! Escaping by context. This module is the only place that decides how text becomes safe HTML;
//! the macro escapes its literals at compile time with the `html-escape` crate, this module
//! writes the same entities with a faster scan (clean runs copied whole), and
//! `tests/templates/escaping.rs` and this module's tests check that the two agree.

use std::fmt;

/// Appends `s` to `buf`, escaped for an HTML text node (`&`, `<`, `>`).
///
/// ```
/// let mut buf = String::new();
/// nitro::escape::text("a < b & c", &mut buf);
/// assert_eq!(buf, "a &lt; b &amp; c");
/// ```
#[inline]
pub fn text(s: &str, buf: &mut String) {
    // Long values: a vectorized search for the next special byte, copying clean runs whole.
    // Short ones (names, labels): a table lookup per byte beats the search's set-up.
    if s.len() >= 32 {
        escape_text_by_search(s, buf);
    } else {
        escape_by_table(s, buf, &TEXT_CLASS);
    }
}

/// [`text`], written through `html!`'s [`Writer`](crate::writer::Writer).
#[inline]
pub(crate) fn text_to_writer(s: &str, w: &mut crate::writer::Writer<'_>) {
    if s.len() >= 32 {
        escape_text_by_search(s, w);
    } else if !short_has_text_special(s.as_bytes()) {
        // Names, labels: usually nothing to escape, found a word at a time.
        w.push_str(s);
    } else {
        escape_by_table(s, w, &TEXT_CLASS);
    }
}

/// Escapes text with a vectorized search for the next special byte, copying clean runs whole
/// (long values).
#[inline]
fn escape_text_by_search(s: &str, out: &mut impl Sink) {
    let bytes = s.as_bytes();
    let mut start = 0;
    for i in memchr::memchr3_iter(b'&', b'<', b'>', bytes) {
        out.run(&s[start..i]);
        out.entity(REPLACEMENT[TEXT_CLASS[bytes[i] as usize] as usize]);
        start = i + 1;
    }
    out.run(&s[start..]);
}

/// Does a string of fewer than 32 bytes contain `&`, `<` or `>`? Checked eight (or four) bytes
/// at a time with the "has a zero byte" bit trick on the bytes XOR-ed with each special byte
/// (exact: no false positives or negatives); the chunks may overlap.
#[inline(always)]
fn short_has_text_special(b: &[u8]) -> bool {
    #[inline(always)]
    fn special64(x: u64) -> bool {
        const LO: u64 = 0x0101_0101_0101_0101;
        const HI: u64 = 0x8080_8080_8080_8080;
        let zero = |v: u64| v.wrapping_sub(LO) & !v & HI;
        (zero(x ^ (LO * b'&' as u64)) | zero(x ^ (LO * b'<' as u64)) | zero(x ^ (LO * b'>' as u64)))
            != 0
    }
    /// The 8 bytes at `i` (one load: a closure assembling them byte by byte was neither
    /// inlined nor merged into a load, 40 instructions a call).
    #[inline(always)]
    fn word(b: &[u8], i: usize) -> u64 {
        u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"))
    }
    /// The 4 bytes at `i`.
    #[inline(always)]
    fn half(b: &[u8], i: usize) -> u64 {
        u32::from_le_bytes(b[i..i + 4].try_into().expect("4 bytes")) as u64
    }
    let n = b.len();
    if n >= 8 {
        let mut i = 0;
        while i + 8 < n {
            if special64(word(b, i)) {
                return true;
            }
            i += 8;
        }
        special64(word(b, n - 8))
    } else if n >= 4 {
        // The first and last four bytes in one word (they overlap below eight).
        special64(half(b, 0) | (half(b, n - 4) << 32))
    } else {
        b.iter().any(|c| matches!(c, b'&' | b'<' | b'>'))
    }
}

/// [`attribute`], written through `html!`'s [`Writer`](crate::writer::Writer).
#[inline]
pub(crate) fn attribute_to_writer(s: &str, w: &mut crate::writer::Writer<'_>) {
    escape_by_table(s, w, &ATTRIBUTE_CLASS);
}

/// For each byte, 0 if it is written as it is, else the index of its entity in [`REPLACEMENT`]:
/// `&`, `<`, `>` in text.
static TEXT_CLASS: [u8; 256] = class_table(b"&<>");

/// The same for a quoted attribute value: also `"` and `'`.
static ATTRIBUTE_CLASS: [u8; 256] = class_table(b"&<>\"'");

/// The entities, in the order of the special bytes in [`class_table`]'s list (the encoding of
/// the `html-escape` crate, which the macro uses at compile time).
const REPLACEMENT: [&str; 6] = ["", "&amp;", "&lt;", "&gt;", "&quot;", "&#x27;"];

const fn class_table(special: &[u8]) -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < special.len() {
        t[special[i] as usize] = match special[i] {
            b'&' => 1,
            b'<' => 2,
            b'>' => 3,
            b'"' => 4,
            _ => 5,
        };
        i += 1;
    }
    t
}

/// Where escaped text goes: a `String`, or `html!`'s writer.
trait Sink {
    /// A run of the input (may hold line breaks).
    fn run(&mut self, s: &str);
    /// An entity (no line break).
    fn entity(&mut self, e: &'static str);
}

impl Sink for String {
    #[inline(always)]
    fn run(&mut self, s: &str) {
        self.push_str(s);
    }
    #[inline(always)]
    fn entity(&mut self, e: &'static str) {
        self.push_str(e);
    }
}

impl Sink for crate::writer::Writer<'_> {
    #[inline(always)]
    fn run(&mut self, s: &str) {
        self.push_str(s);
    }
    #[inline(always)]
    fn entity(&mut self, e: &'static str) {
        self.push_static(e);
    }
}

/// Escapes `s` byte by byte with a class table, copying each clean run in one piece.
#[inline]
fn escape_by_table(s: &str, out: &mut impl Sink, class: &[u8; 256]) {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let c = class[b as usize];
        if c != 0 {
            out.run(&s[start..i]);
            out.entity(REPLACEMENT[c as usize]);
            start = i + 1;
        }
    }
    out.run(&s[start..]);
}

/// Appends `s` to `buf`, escaped for a quoted attribute value (`&`, `<`, `>`, `"`, `'`).
///
/// ```
/// let mut buf = String::new();
/// nitro::escape::attribute(r#"x" onclick="y"#, &mut buf);
/// assert_eq!(buf, "x&quot; onclick=&quot;y");
/// ```
#[inline]
pub fn attribute(s: &str, buf: &mut String) {
    escape_by_table(s, buf, &ATTRIBUTE_CLASS);
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

/// Appends `value` as compact JSON to `buf`, escaped for a quoted attribute value.
///
/// This is [`expression_json`] with the quotes of its strings written as `&quot;`: the one
/// encoding for every value that lands in a Datastar attribute (`data-text=(v)`,
/// `data-signals=(v)`, `data-on:click=(v)`, …). See [`expression_json`] for the rule.
///
/// A value whose `Serialize` impl fails (a map with non-string keys, a custom error) is written
/// as `null`: rendering cannot fail, and a half-written value would be worse.
///
/// ```
/// let mut buf = String::new();
/// nitro::escape::json_attribute(&"it's <b>", &mut buf);
/// assert_eq!(buf, r"&quot;it\u0027s \u003cb\u003e&quot;");
/// ```
pub fn json_attribute<T: serde::Serialize + ?Sized>(value: &T, buf: &mut String) {
    write_json(value, buf, b"&quot;");
}

/// Appends `value` as a JSON literal that Datastar's expression compiler leaves intact.
///
/// The client does more than parse JavaScript: it cuts out every region between its markers
/// (`🖕JS_` … `_DS🚀`, inside string literals too) and puts them back with
/// `String.prototype.replace` (which interprets `$&`, `` $` ``, `$'`), rewrites every `@name(`
/// into an action call and every `$a.b` outside strings into a signal read, and splits
/// value expressions on `;` with a regular expression that a `\"` fools. So a JSON string is not
/// inert there. Inside every string this writes only ASCII letters, digits, space and
/// `- . , : ! ? # % + = * ( ) [ ] { } | ~ ^` as they are, and every other character as
/// `\uXXXX` (a surrogate pair above U+FFFF): `@ $ _ ; / \`, quotes, backticks, `< > &`,
/// controls and all non-ASCII. The markers, `@name(`, `$name`, `__escaped0` and any `\"` can
/// then never appear, and the literal means exactly the string it encodes. Numbers, `true`,
/// `false` and `null` are plain JSON. Object keys follow the same rule. The output is ASCII
/// and also safe in HTML text and `<script>`; in an attribute, use [`json_attribute`].
///
/// A value that fails to serialize is written as `null`.
///
/// ```
/// let mut code = String::new();
/// nitro::escape::expression_json(&"@get('/x') $y", &mut code);
/// assert_eq!(code, r#""\u0040get(\u0027\u002fx\u0027) \u0024y""#);
/// ```
pub fn expression_json<T: serde::Serialize + ?Sized>(value: &T, buf: &mut String) {
    write_json(value, buf, b"\"");
}

fn write_json<T: serde::Serialize + ?Sized>(value: &T, buf: &mut String, quote: &'static [u8]) {
    let start = buf.len();
    let mut ser =
        serde_json::Serializer::with_formatter(AsciiSink(buf), ExpressionFormatter { quote });
    if let Err(e) = value.serialize(&mut ser) {
        buf.truncate(start);
        buf.push_str("null");
        crate::stats::json_failed(&e);
    }
}

/// Characters written as they are inside an expression string (see [`expression_json`]).
const fn inert(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b' ' | b'-'
                | b'.'
                | b','
                | b':'
                | b'!'
                | b'?'
                | b'#'
                | b'%'
                | b'+'
                | b'='
                | b'*'
                | b'('
                | b')'
                | b'['
                | b']'
                | b'{'
                | b'}'
                | b'|'
                | b'~'
                | b'^'
        )
}

static INERT: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = inert(i as u8);
        i += 1;
    }
    t
};

/// The serde_json formatter behind [`expression_json`]: strings escaped as described there.
struct ExpressionFormatter {
    quote: &'static [u8],
}

fn write_unicode_escape<W: ?Sized + std::io::Write>(w: &mut W, c: char) -> std::io::Result<()> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut units = [0u16; 2];
    for unit in c.encode_utf16(&mut units) {
        let u = *unit as usize;
        w.write_all(&[
            b'\\',
            b'u',
            HEX[u >> 12],
            HEX[(u >> 8) & 15],
            HEX[(u >> 4) & 15],
            HEX[u & 15],
        ])?;
    }
    Ok(())
}

impl serde_json::ser::Formatter for ExpressionFormatter {
    fn begin_string<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(self.quote)
    }

    fn end_string<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(self.quote)
    }

    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let bytes = fragment.as_bytes();
        let mut done = 0;
        let mut i = 0;
        while i < bytes.len() {
            if INERT[bytes[i] as usize] {
                i += 1;
                continue;
            }
            w.write_all(&bytes[done..i])?;
            let c = fragment[i..].chars().next().unwrap_or('\u{fffd}');
            write_unicode_escape(w, c)?;
            i += c.len_utf8();
            done = i;
        }
        w.write_all(&bytes[done..])
    }

    fn write_char_escape<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        escape: serde_json::ser::CharEscape,
    ) -> std::io::Result<()> {
        use serde_json::ser::CharEscape::*;
        let c = match escape {
            Quote => '"',
            ReverseSolidus => '\\',
            Solidus => '/',
            Backspace => '\u{8}',
            FormFeed => '\u{c}',
            LineFeed => '\n',
            CarriageReturn => '\r',
            Tab => '\t',
            AsciiControl(b) => b as char,
        };
        write_unicode_escape(w, c)
    }

    /// A `RawValue` is re-encoded, never passed through.
    fn write_raw_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let value: serde_json::Value =
            serde_json::from_str(fragment).map_err(std::io::Error::other)?;
        let mut ser =
            serde_json::Serializer::with_formatter(w, ExpressionFormatter { quote: self.quote });
        serde::Serialize::serialize(&value, &mut ser).map_err(std::io::Error::other)
    }
}

/// The `io::Write` end of [`write_json`]: the formatter writes only ASCII.
struct AsciiSink<'a>(&'a mut String);

impl std::io::Write for AsciiSink<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let s = std::str::from_utf8(bytes)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        self.0.push_str(s);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every UTF-16 unit of `text` as a JavaScript escape: `\xHH` up to U+00FF, `\uHHHH` above.
/// Valid inside `'…'`, `"…"` and template literals alike; the output holds only `\`, `x`, `u`
/// and hex digits, so no scanner (JavaScript's, or the Datastar client's) can see anything in
/// it, and it can neither extend an escape before it nor run into what follows.
///
/// ```
/// let mut out = String::new();
/// nitro::escape::expression_text("a'é€", &mut out);
/// assert_eq!(out, r"\x61\x27\xe9\u20ac");
/// ```
pub fn expression_text(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(text.len() * 4);
    let mut units = [0u16; 2];
    for c in text.chars() {
        for &u in c.encode_utf16(&mut units).iter() {
            let u = u as usize;
            if u <= 0xff {
                out.push_str("\\x");
            } else {
                out.push_str("\\u");
                out.push(HEX[u >> 12] as char);
                out.push(HEX[(u >> 8) & 15] as char);
            }
            out.push(HEX[(u >> 4) & 15] as char);
            out.push(HEX[u & 15] as char);
        }
    }
}

// The HTML tables `html!` uses too: one copy, in `nitro-syntax`.
pub(crate) use nitro_syntax::tables::{
    is_datastar_attribute as is_datastar_attribute_name, is_event_handler as is_event_handler_name,
    is_svg_animation_value,
};
pub use nitro_syntax::tables::{loads_code, CODE_URL_ATTRIBUTES, URL_ATTRIBUTES};

/// What a blocked URL is replaced with.
pub const BLOCKED_URL: &str = "about:invalid#nitro-blocked";

/// Is `url`, as the browser's URL parser will read it, a URL with a script-running scheme
/// (`javascript:`, `vbscript:`, `data:`)?
///
/// Reads the scheme as the WHATWG URL parser does: leading C0 controls and spaces skipped,
/// tab, LF and CR removed anywhere, no case. Use it on a value the browser receives as is
/// (`location.href`, `setAttribute`); for text inside an HTML attribute, see
/// [`is_dangerous_url_attribute`].
///
/// ```
/// use nitro::escape::is_dangerous_url;
/// assert!(is_dangerous_url(" \u{1}JaVa\tScRiPt:alert(1)"));
/// assert!(!is_dangerous_url("/javascript:alert(1)"));
/// ```
pub fn is_dangerous_url(url: &str) -> bool {
    dangerous_scheme(url.chars())
}

/// Is this text of an HTML attribute, once the parser has decoded its character references
/// (`&#106;`, `&#x3A;`, `&colon;`, `&Tab;`, …), a URL with a script-running scheme?
///
/// ```
/// use nitro::escape::is_dangerous_url_attribute;
/// assert!(is_dangerous_url_attribute("&#106;avascript&colon;alert(1)"));
/// assert!(!is_dangerous_url_attribute("javascript&amp;colon;x"));
/// ```
pub fn is_dangerous_url_attribute(text: &str) -> bool {
    dangerous_scheme(CharRefs(text.chars()))
}

fn dangerous_scheme(chars: impl Iterator<Item = char>) -> bool {
    let mut scheme = [0u8; 10];
    let chars = chars
        .skip_while(|c| *c <= ' ')
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'));
    for (len, c) in chars.enumerate() {
        if c == ':' {
            let s = &scheme[..len];
            return s == b"javascript" || s == b"vbscript" || s == b"data";
        }
        let valid = if len == 0 {
            c.is_ascii_alphabetic()
        } else {
            c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')
        };
        if !valid || len == scheme.len() {
            return false;
        }
        scheme[len] = c.to_ascii_lowercase() as u8;
    }
    false
}

/// The characters of HTML attribute text with numeric character references and the named ones
/// that matter to a URL scheme decoded; any other `&` stands for itself.
struct CharRefs<I>(I);

impl<I: Iterator<Item = char> + Clone> Iterator for CharRefs<I> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        let c = self.0.next()?;
        if c != '&' {
            return Some(c);
        }
        let mut ahead = self.0.clone();
        if ahead.next() == Some('#') {
            let hex = matches!(ahead.clone().next(), Some('x' | 'X'));
            if hex {
                ahead.next();
            }
            let radix = if hex { 16 } else { 10 };
            let mut value: u32 = 0;
            let mut digits = 0;
            while let Some(d) = ahead.clone().next().and_then(|d| d.to_digit(radix)) {
                ahead.next();
                value = value.saturating_mul(radix).saturating_add(d);
                digits += 1;
            }
            if digits > 0 {
                if ahead.clone().next() == Some(';') {
                    ahead.next();
                }
                self.0 = ahead;
                return Some(char::from_u32(value).unwrap_or('\u{fffd}'));
            }
            return Some('&');
        }
        const NAMED: &[(&str, char)] = &[
            ("colon;", ':'),
            ("Tab;", '\t'),
            ("NewLine;", '\n'),
            ("amp;", '&'),
            ("lt;", '<'),
            ("gt;", '>'),
            ("quot;", '"'),
            ("apos;", '\''),
            ("plus;", '+'),
            ("period;", '.'),
        ];
        for (name, decoded) in NAMED {
            let mut probe = self.0.clone();
            if name.chars().all(|n| probe.next() == Some(n)) {
                self.0 = probe;
                return Some(*decoded);
            }
        }
        Some('&')
    }
}

/// Is this inline CSS (a `style` value) able to load or run something?
///
/// The rule, documented in README: a value that contains `\`, `<`, `url(`, `image(`,
/// `image-set(`, `cross-fade(`, `element(`, `src(`, `expression(`, `@import`, `javascript:`,
/// `-moz-binding` or `behavior` (any case) is dropped. Backslashes are refused because CSS
/// escapes can spell any of the others.
///
/// ```
/// use nitro::escape::is_dangerous_css;
/// assert!(is_dangerous_css("background: URL(//evil/x)"));
/// assert!(is_dangerous_css("b\\61 ckground: u\\72l(x)"));
/// assert!(!is_dangerous_css("color: red; width: 50%"));
/// ```
pub fn is_dangerous_css(css: &str) -> bool {
    const BAD: &[&str] = &[
        "url(",
        "image(",
        "image-set(",
        "cross-fade(",
        "element(",
        "src(",
        "expression(",
        "@import",
        "javascript:",
        "-moz-binding",
        "behavior",
    ];
    let b = css.as_bytes();
    b.iter().any(|c| matches!(c, b'\\' | b'<'))
        || BAD.iter().any(|bad| {
            b.windows(bad.len())
                .any(|w| w.eq_ignore_ascii_case(bad.as_bytes()))
        })
}

/// [`is_dangerous_css`] for text of an HTML attribute: any character reference other than the
/// ones the attribute escaper writes (`&amp;` `&quot;` `&#x27;` `&gt;`) counts as dangerous,
/// since it could spell anything.
pub(crate) fn is_dangerous_css_attribute(text: &str) -> bool {
    is_dangerous_css(text)
        || text.match_indices('&').any(|(i, _)| {
            let rest = &text[i + 1..];
            !["amp;", "quot;", "#x27;", "gt;"]
                .iter()
                .any(|e| rest.starts_with(e))
        })
}

/// Escapes, for a quoted attribute value, everything appended to `buf` since `start`, `&`
/// included: for `srcdoc`, whose value is itself parsed as a document, so the markup and its
/// own character references must both survive one round of attribute decoding.
pub(crate) fn attribute_region_full(buf: &mut String, start: usize) {
    if buf.as_bytes()[start..]
        .iter()
        .any(|b| matches!(b, b'"' | b'\'' | b'<' | b'>' | b'&'))
    {
        let tail = buf.split_off(start);
        attribute(&tail, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn special() -> impl Strategy<Value = String> {
        // Short and long values (both scan strategies), special bytes dense and sparse.
        proptest::string::string_regex("([a-z é€🦀]{0,40}|[&<>\"'\\n]{0,4}){0,12}").unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn text_matches_html_escape(s in special(), prefix in "[a-z]{0,3}") {
            let mut ours = prefix.clone();
            text(&s, &mut ours);
            let mut theirs = prefix;
            html_escape::encode_text_to_string(&s, &mut theirs);
            prop_assert_eq!(ours, theirs);
        }

        #[test]
        fn attribute_matches_html_escape(s in special(), prefix in "[a-z]{0,3}") {
            let mut ours = prefix.clone();
            attribute(&s, &mut ours);
            let mut theirs = prefix;
            html_escape::encode_quoted_attribute_to_string(&s, &mut theirs);
            prop_assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn short_special_search_is_exact() {
        for n in 0..32 {
            for pos in 0..n {
                for b in 0u8..=255 {
                    let mut v = vec![b'a'; n];
                    v[pos] = b;
                    let want = matches!(b, b'&' | b'<' | b'>');
                    assert_eq!(short_has_text_special(&v), want, "n {n} pos {pos} byte {b}");
                }
            }
            assert!(!short_has_text_special(&vec![0xffu8; n]));
        }
    }

    #[test]
    fn every_byte_class() {
        for b in 0u8..128 {
            let s = (b as char).to_string().repeat(40);
            let mut ours = String::new();
            text(&s, &mut ours);
            assert_eq!(ours, html_escape::encode_text(&s), "text {b}");
            let mut ours = String::new();
            attribute(&s[..3], &mut ours);
            assert_eq!(
                ours,
                html_escape::encode_quoted_attribute(&s[..3]),
                "attr {b}"
            );
        }
    }
}
