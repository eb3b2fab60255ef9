//! SSE framing: the only code that writes `event:`, `id:`, `retry:` and `data:` lines. A value
//! is split on `\r\n`, `\r` and `\n`, each piece becoming a `data:` line with the same key, so no
//! value can start a new field or event.

use bytes::{BufMut, BytesMut};

/// Datastar's default retry duration in milliseconds; only other values are written.
pub const DEFAULT_RETRY_MS: u64 = 1000;

/// Writes `event: TYPE`, then `id:` and `retry:` when set. The id was checked by the caller.
#[inline]
pub(crate) fn write_head(buf: &mut BytesMut, event: &str, id: Option<&str>, retry_ms: Option<u64>) {
    buf.put_slice(b"event: ");
    buf.put_slice(event.as_bytes());
    buf.put_u8(b'\n');
    if let Some(id) = id {
        buf.put_slice(b"id: ");
        buf.put_slice(id.as_bytes());
        buf.put_u8(b'\n');
    }
    if let Some(ms) = retry_ms.filter(|ms| *ms != DEFAULT_RETRY_MS) {
        buf.put_slice(b"retry: ");
        buf.put_slice(itoa::Buffer::new().format(ms).as_bytes());
        buf.put_u8(b'\n');
    }
}

/// Writes `value` as `data: KEY LINE` lines, one per line of `value`.
#[inline]
pub(crate) fn write_data(buf: &mut BytesMut, key: &str, value: &str) {
    let bytes = value.as_bytes();
    let mut start = 0;
    loop {
        let end = memchr::memchr2(b'\n', b'\r', &bytes[start..]).map(|i| start + i);
        let line_end = end.unwrap_or(bytes.len());
        buf.reserve(7 + key.len() + line_end - start);
        buf.put_slice(b"data: ");
        buf.put_slice(key.as_bytes());
        buf.put_u8(b' ');
        buf.put_slice(&bytes[start..line_end]);
        buf.put_u8(b'\n');
        match end {
            None => break,
            Some(i) => {
                start = if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                    i + 2
                } else {
                    i + 1
                };
            }
        }
    }
}

/// Ends an event with its empty line.
#[inline]
pub(crate) fn write_end(buf: &mut BytesMut) {
    buf.put_u8(b'\n');
}

/// Is this a valid SSE event id (no line break and no NUL, which browsers reject)?
pub(crate) fn valid_id(id: &str) -> bool {
    !id.bytes().any(|b| matches!(b, b'\n' | b'\r' | 0))
}

// --- HTML framed in place (the elements of a rendered patch) -------------------------------

pub(crate) use crate::writer::is_framed;

/// The HTML of a partly framed rendering (prefix included): each `\n` + prefix back to `\n`,
/// for `frame` to frame the whole again.
#[cold]
pub(crate) fn unframe_partial(out: &str) -> String {
    let framed = ["\n", PREFIX_STR].concat();
    // Code other than the framed writer may have changed the prefix itself: then all of it is
    // HTML, behind a prefix of ours.
    let html = out.strip_prefix(PREFIX_STR).unwrap_or(out);
    let mut s = String::with_capacity(PREFIX.len() + html.len());
    s.push_str(PREFIX_STR);
    s.push_str(&html.replace(&framed, "\n"));
    s
}

/// The prefix of every line of the HTML in the event.
pub(crate) const PREFIX_STR: &str = crate::writer::PREFIX;
pub(crate) const PREFIX: &[u8] = PREFIX_STR.as_bytes();

/// Turns `PREFIX` + HTML into the event's lines: each line break of the HTML after `start`
/// (`\r\n`, `\r` or `\n`) becomes `\n` + `PREFIX`, and a final `\n` is added. The same
/// bytes as [`write_data`] writes for the HTML. Without a line break (the usual case)
/// this is a vectorized scan and one push; otherwise the buffer grows once and each line moves
/// back to its place, from the last one to the first. Bytes before `start` are already framed;
/// with `lf_after_cr`, a `\n` at `start` ends a `\r` framed before it and is dropped.
pub(crate) fn frame(mut v: Vec<u8>, start: usize, lf_after_cr: bool) -> Vec<u8> {
    if lf_after_cr && v.get(start) == Some(&b'\n') {
        v.remove(start);
    }
    let old_len = v.len();
    let mut growth = 0;
    for i in memchr::memchr2_iter(b'\n', b'\r', &v[start..]) {
        let i = start + i;
        growth += match v[i] {
            b'\r' if v.get(i + 1) == Some(&b'\n') => 0,
            b'\n' if i > start && v[i - 1] == b'\r' => PREFIX.len() - 1,
            _ => PREFIX.len(),
        };
    }
    if growth == 0 {
        v.push(b'\n');
        return v;
    }
    v.resize(old_len + growth + 1, 0);
    let mut dst = v.len() - 1;
    v[dst] = b'\n';
    let mut cur = old_len;
    while let Some(off) = memchr::memrchr2(b'\n', b'\r', &v[start..cur]) {
        let i = start + off;
        let brk = if v[i] == b'\n' && i > start && v[i - 1] == b'\r' {
            i - 1
        } else {
            i
        };
        let seg = cur - (i + 1);
        v.copy_within(i + 1..cur, dst - seg);
        dst -= seg;
        dst -= PREFIX.len();
        v[dst..dst + PREFIX.len()].copy_from_slice(PREFIX);
        dst -= 1;
        v[dst] = b'\n';
        cur = brk;
    }
    debug_assert_eq!(dst, cur, "every line moved to its place");
    v
}

/// The HTML back from framed lines (each break becomes `\n`).
pub(crate) fn unframe(lines: &[u8]) -> String {
    let body = lines
        .strip_prefix(PREFIX)
        .and_then(|b| b.strip_suffix(b"\n"))
        .unwrap_or(lines);
    let mut html = Vec::with_capacity(body.len());
    let mut rest = body;
    while let Some(i) = memchr::memchr(b'\n', rest) {
        html.extend_from_slice(&rest[..=i]);
        rest = rest[i + 1..].strip_prefix(PREFIX).unwrap_or(&rest[i + 1..]);
    }
    html.extend_from_slice(rest);
    // Only ASCII was inserted and removed at line breaks, so this is the rendered UTF-8.
    String::from_utf8(html).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(v: &str) -> String {
        let mut b = BytesMut::new();
        write_data(&mut b, "k", v);
        String::from_utf8(b.to_vec()).unwrap()
    }

    #[test]
    fn splits_on_every_line_break() {
        assert_eq!(data("a"), "data: k a\n");
        assert_eq!(data(""), "data: k \n");
        assert_eq!(
            data("a\nb\r\nc\rd"),
            "data: k a\ndata: k b\ndata: k c\ndata: k d\n"
        );
        assert_eq!(data("a\n"), "data: k a\ndata: k \n");
        assert_eq!(data("\r\n\r\n"), "data: k \ndata: k \ndata: k \n");
    }

    #[test]
    fn omits_default_retry() {
        let mut b = BytesMut::new();
        write_head(&mut b, "e", Some("1"), Some(1000));
        assert_eq!(&b[..], b"event: e\nid: 1\n");
        let mut b = BytesMut::new();
        write_head(&mut b, "e", None, Some(2000));
        assert_eq!(&b[..], b"event: e\nretry: 2000\n");
    }

    use proptest::prelude::*;

    fn framed(html: &str) -> Vec<u8> {
        frame(
            format!("{PREFIX_STR}{html}").into_bytes(),
            PREFIX.len(),
            false,
        )
    }

    fn split_and_copy(html: &str) -> Vec<u8> {
        let mut b = BytesMut::new();
        write_data(&mut b, "elements", html);
        b.to_vec()
    }

    #[test]
    fn frames_every_kind_of_line_break() {
        for html in [
            "a",
            "a\nb",
            "a\r\nb\rc\n",
            "\n",
            "\r",
            "\r\n",
            "\n\r",
            "\r\r\n\n",
            "é\r€\n🦀",
        ] {
            assert_eq!(framed(html), split_and_copy(html), "{html:?}");
            assert_eq!(
                unframe(&framed(html)),
                html.replace("\r\n", "\n").replace('\r', "\n")
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn framing_in_place_equals_split_and_copy(html in "([a-z<>é]{0,5}|\r|\n|\r\n){0,12}") {
            prop_assert_eq!(framed(&html), split_and_copy(&html));
        }
    }
}
