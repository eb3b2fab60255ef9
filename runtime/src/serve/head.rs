//! Reading one request head: bytes from the socket into a small buffer (grown 1 KiB at a
//! time, at most [`MAX_HEAD`]), parsed with `httparse` into an `http::Request`, and the choice
//! of who serves it (nitro's own writer for requests without a body, hyper for the rest).

use std::io;

use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

/// The largest request head accepted (request line and headers); a longer one is answered
/// `431 Request Header Fields Too Large`.
pub(super) const MAX_HEAD: usize = 32 * 1024;

/// The most header fields accepted (hyper's default); more is answered 431.
const MAX_HEADERS: usize = 100;

/// How the buffer grows while a head arrives.
const READ_STEP: usize = 1024;

/// What the bytes read so far hold.
#[derive(Debug)]
pub(super) enum Parsed {
    /// A complete head that nitro serves itself (no body, no upgrade, no `Expect`), and its
    /// length in the buffer (what follows is the next request's).
    Simple(Box<http::Request<()>>, usize),
    /// A complete head of a request hyper serves (a body, an upgrade, `Expect`, HTTP/1.0).
    Other,
    /// Not a complete head yet.
    Partial,
    /// A head nitro refuses: answer this status and close.
    Refused(http::StatusCode, &'static str),
}

/// Parses the head at the start of `buf`. Never panics, whatever the bytes.
pub(super) fn parse(buf: &[u8]) -> Parsed {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    let len = match request.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) if buf.len() >= MAX_HEAD => return too_large(),
        Ok(httparse::Status::Partial) => return Parsed::Partial,
        Err(httparse::Error::TooManyHeaders) => return too_large(),
        Err(_) => return bad("malformed request head"),
    };
    if len > MAX_HEAD {
        return too_large();
    }
    match build(&request) {
        Ok(Some(head)) => Parsed::Simple(Box::new(head), len),
        Ok(None) => Parsed::Other,
        Err(why) => bad(why),
    }
}

fn too_large() -> Parsed {
    Parsed::Refused(
        http::StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        "request head too large",
    )
}

fn bad(why: &'static str) -> Parsed {
    Parsed::Refused(http::StatusCode::BAD_REQUEST, why)
}

/// The request, or `None` when hyper should serve it.
fn build(parsed: &httparse::Request<'_, '_>) -> Result<Option<http::Request<()>>, &'static str> {
    let (Some(method), Some(path), Some(version)) = (parsed.method, parsed.path, parsed.version)
    else {
        return Err("incomplete request line");
    };
    if version != 1 {
        // HTTP/1.0: no chunked encoding, keep-alive by header; hyper knows the rules.
        return Ok(None);
    }
    let method = http::Method::from_bytes(method.as_bytes()).map_err(|_| "invalid method")?;
    if method == http::Method::CONNECT {
        return Ok(None);
    }
    let uri: http::Uri = path.parse().map_err(|_| "invalid request target")?;
    let mut request = http::Request::new(());
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    *request.version_mut() = http::Version::HTTP_11;
    let headers = request.headers_mut();
    headers.reserve(parsed.headers.len());
    let mut hosts = 0;
    for header in parsed.headers.iter() {
        let name = http::HeaderName::from_bytes(header.name.as_bytes())
            .map_err(|_| "invalid header name")?;
        let value =
            http::HeaderValue::from_bytes(header.value).map_err(|_| "invalid header value")?;
        if name == http::header::HOST {
            hosts += 1;
        }
        headers.append(name, value);
    }
    // RFC 9112 §3.2: exactly one Host in an HTTP/1.1 request.
    if hosts != 1 {
        return Err("an HTTP/1.1 request needs exactly one Host header");
    }
    let no_body = match headers.get(http::header::CONTENT_LENGTH) {
        None => true,
        Some(v) => {
            v.as_bytes() == b"0"
                && headers.get_all(http::header::CONTENT_LENGTH).iter().count() == 1
        }
    };
    let simple = no_body
        && !headers.contains_key(http::header::TRANSFER_ENCODING)
        && !headers.contains_key(http::header::UPGRADE)
        && !headers.contains_key(http::header::EXPECT);
    Ok(simple.then_some(request))
}

/// Does the request ask to close the connection after its response?
pub(super) fn wants_close(request: &http::Request<()>) -> bool {
    request
        .headers()
        .get_all(http::header::CONNECTION)
        .iter()
        .any(|v| {
            v.to_str().is_ok_and(|v| {
                v.split(',')
                    .any(|token| token.trim().eq_ignore_ascii_case("close"))
            })
        })
}

/// Reads into `buf` until it holds a complete head (or one to refuse), growing it a step at
/// a time. `Ok(None)`: the client closed before a complete head.
pub(super) async fn read(stream: &mut TcpStream, buf: &mut Vec<u8>) -> io::Result<Option<Parsed>> {
    loop {
        if !buf.is_empty() {
            match parse(buf) {
                Parsed::Partial => {}
                done => return Ok(Some(done)),
            }
        }
        if buf.capacity() - buf.len() < READ_STEP / 2 {
            buf.reserve(READ_STEP);
        }
        if stream.read_buf(buf).await? == 0 {
            return Ok(None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn simple(head: &str) -> (http::Request<()>, usize) {
        match parse(head.as_bytes()) {
            Parsed::Simple(request, len) => (*request, len),
            other => panic!("{head:?}: {other:?}"),
        }
    }

    #[test]
    fn a_get_is_served_by_nitro() {
        let (request, len) =
            simple("GET /sse?x=1 HTTP/1.1\r\nHost: a\r\nAccept: text/event-stream\r\n\r\nGET");
        assert_eq!(len, 61);
        assert_eq!(request.method(), http::Method::GET);
        assert_eq!(request.uri().path(), "/sse");
        assert_eq!(request.uri().query(), Some("x=1"));
        assert_eq!(request.headers()["accept"], "text/event-stream");
        assert!(!wants_close(&request));
        let (request, _) =
            simple("HEAD / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Close\r\n\r\n");
        assert!(wants_close(&request));
    }

    #[test]
    fn requests_with_a_body_or_an_upgrade_go_to_hyper() {
        for head in [
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
            "PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n",
            "GET / HTTP/1.0\r\n\r\n",
            "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n",
        ] {
            assert!(matches!(parse(head.as_bytes()), Parsed::Other), "{head:?}");
        }
        assert!(matches!(
            parse(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"),
            Parsed::Simple(..)
        ));
    }

    #[test]
    fn bad_and_oversized_heads_are_refused() {
        let status = |head: &[u8]| match parse(head) {
            Parsed::Refused(status, _) => status.as_u16(),
            other => panic!("{:?}: {other:?}", String::from_utf8_lossy(head)),
        };
        assert_eq!(status(b"GET / HTTP/1.1\r\n\r\n"), 400); // no Host
        assert_eq!(status(b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400);
        assert_eq!(status(b"GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
        assert_eq!(status(b"G\0T / HTTP/1.1\r\n\r\n"), 400);
        assert_eq!(status(b"GET / HTTP/1.1\r\nBad Name: a\r\n\r\n"), 400);
        let many = format!(
            "GET / HTTP/1.1\r\nHost: a\r\n{}\r\n",
            "X: y\r\n".repeat(200)
        );
        assert_eq!(status(many.as_bytes()), 431);
        let long = format!("GET / HTTP/1.1\r\nHost: a\r\nX: {}", "y".repeat(MAX_HEAD));
        assert_eq!(status(long.as_bytes()), 431);
        assert!(matches!(
            parse(b"GET / HTTP/1.1\r\nHost: a\r\n"),
            Parsed::Partial
        ));
    }

    proptest::proptest! {
        /// No input makes the parser panic, and a head it accepts fits in what it was given.
        #[test]
        fn any_bytes_parse_without_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
            if let Parsed::Simple(_, len) = parse(&bytes) {
                proptest::prop_assert!(len <= bytes.len());
            }
        }

        /// Heads built from arbitrary header names and values: never a panic; a valid one is
        /// served with every header kept.
        #[test]
        fn arbitrary_headers(
            path in "/[a-zA-Z0-9/?=&%._~-]{0,40}",
            fields in proptest::collection::vec(("[!-~]{1,12}", "[ -~\t]{0,30}"), 0..8),
        ) {
            let mut head = format!("GET {path} HTTP/1.1\r\nHost: h\r\n");
            for (name, value) in &fields {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("\r\n");
            if let Parsed::Simple(request, len) = parse(head.as_bytes()) {
                proptest::prop_assert_eq!(len, head.len());
                proptest::prop_assert_eq!(request.headers().len(), fields.len() + 1);
            }
        }
    }
}
