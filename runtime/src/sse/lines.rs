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
}
