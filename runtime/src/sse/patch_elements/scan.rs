//! The top level of an HTML string: its elements and their ids, for a patch without a selector
//! whose HTML the compiler could not see (spliced or trusted), and for the bus's collapsing.

use nitro_syntax::tables::VOID_ELEMENTS as VOID;
const RAW: &[&str] = &["script", "style", "textarea", "title"];

/// The name of the first top-level element without an `id` attribute, or `#text` for
/// top-level text (which a patch without a selector cannot place), if any.
pub(crate) fn top_level_without_id(html: &str) -> Option<String> {
    let mut missing = None;
    top_level_elements(html, |name, id| {
        if id.is_none() {
            missing = Some(name.to_owned());
            return false;
        }
        true
    });
    missing
}

/// Calls `visit` with the (lowercase) name and the `id` attribute of each top-level element, in
/// order, while it returns true; top-level text (not whitespace) is visited as `#text` without
/// an id. An `id` is `Some("")` when present but not a plain value (with a character
/// reference, or empty).
pub(crate) fn top_level_elements(html: &str, mut visit: impl FnMut(&str, Option<&str>) -> bool) {
    let b = html.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    // Where the current run of top-level text began.
    let mut text_start = 0;
    let text_at = |from: usize, to: usize| !html[from..to].trim_ascii().is_empty();
    while let Some(off) = memchr::memchr(b'<', &b[i..]) {
        i += off;
        let rest = &html[i..];
        let name_len = rest[1..]
            .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
            .unwrap_or(rest.len() - 1);
        let is_tag = rest.starts_with("<!")
            || rest.starts_with("<?")
            || rest.starts_with("</")
            || rest[1..].starts_with(|c: char| c.is_ascii_alphabetic());
        if !is_tag {
            // A `<` that starts no tag is text.
            i += 1;
            continue;
        }
        if depth == 0 && text_at(text_start, i) && !visit("#text", None) {
            return;
        }
        if rest.starts_with("<!--") {
            i += rest.find("-->").map_or(rest.len(), |e| e + 3);
        } else if rest.starts_with("<!") || rest.starts_with("<?") {
            i += rest.find('>').map_or(rest.len(), |e| e + 1);
        } else if rest.starts_with("</") {
            depth = depth.saturating_sub(1);
            i += rest.find('>').map_or(rest.len(), |e| e + 1);
        } else {
            let name = rest[1..1 + name_len].to_ascii_lowercase();
            // Scan the attributes up to the tag's `>`, honouring quotes.
            let mut j = 1 + name_len;
            let mut id: Option<&str> = None;
            let mut self_closing = false;
            let tb = rest.as_bytes();
            while j < tb.len() && tb[j] != b'>' {
                match tb[j] {
                    b'"' | b'\'' => {
                        let q = tb[j];
                        j += 1 + rest[j + 1..].find(q as char).unwrap_or(rest.len() - j - 1);
                    }
                    b'/' if tb.get(j + 1) == Some(&b'>') => self_closing = true,
                    c if c.is_ascii_alphabetic() && tb[j - 1].is_ascii_whitespace() => {
                        let end = rest[j..]
                            .find(|c: char| {
                                !(c.is_ascii_alphanumeric() || c == '-' || c == ':' || c == '_')
                            })
                            .map_or(rest.len(), |e| j + e);
                        if rest[j..end].eq_ignore_ascii_case("id") {
                            id = Some(attribute_value(&rest[end..]));
                        }
                        j = end;
                        continue;
                    }
                    _ => {}
                }
                j += 1;
            }
            if depth == 0 && !visit(&name, id) {
                return;
            }
            i += (j + 1).min(rest.len());
            if RAW.contains(&name.as_str()) {
                // The raw text runs to `</name` (any case), found without copying the rest.
                let n = name.len();
                i = memchr::memmem::find_iter(&b[i..], b"</")
                    .map(|k| i + k)
                    .find(|&k| {
                        b.get(k + 2..k + 2 + n)
                            .is_some_and(|t| t.eq_ignore_ascii_case(name.as_bytes()))
                    })
                    .unwrap_or(b.len());
                depth += 1;
            } else if !self_closing && !VOID.contains(&name.as_str()) {
                depth += 1;
            }
        }
        if depth == 0 {
            text_start = i;
        }
    }
    if depth == 0 && text_at(text_start, html.len()) {
        visit("#text", None);
    }
}

/// The value of an attribute whose name `after` follows (`="v"`, `='v'`, `=v`); `""` for none
/// or a value with a character reference (not compared).
fn attribute_value(after: &str) -> &str {
    let t = after.trim_start();
    let Some(t) = t.strip_prefix('=') else {
        return "";
    };
    let t = t.trim_start();
    let v = match t.as_bytes().first() {
        Some(&q @ (b'"' | b'\'')) => t[1..].split(q as char).next().unwrap_or(""),
        _ => t
            .split(|c: char| c.is_ascii_whitespace() || c == '>')
            .next()
            .unwrap_or(""),
    };
    if v.contains('&') {
        ""
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_top_level_elements_without_id() {
        assert_eq!(top_level_without_id("<div id=\"a\"><p>x</p></div>"), None);
        assert_eq!(
            top_level_without_id("<div id=a></div><span>x</span>").as_deref(),
            Some("span")
        );
        assert_eq!(
            top_level_without_id("<p data-x=\"id=1 >\">x</p>").as_deref(),
            Some("p")
        );
        assert_eq!(
            top_level_without_id("<!-- <p> --><br id=x><input id=y>"),
            None
        );
        assert_eq!(
            top_level_without_id("<script id=s>if (a</b) {}</script><i id=i></i>"),
            None
        );
        assert_eq!(top_level_without_id("text only").as_deref(), Some("#text"));
        assert_eq!(
            top_level_without_id("<p id=a>x</p> and more").as_deref(),
            Some("#text")
        );
        assert_eq!(top_level_without_id(" \n<p id=a>1 < 2</p>\n "), None);
        assert_eq!(
            top_level_without_id("<p id=a></p>a < b").as_deref(),
            Some("#text")
        );
        assert_eq!(top_level_without_id("<div ID='x'></div>"), None);
        assert_eq!(
            top_level_without_id("<div data-id='x'></div>").as_deref(),
            Some("div")
        );
    }
}
