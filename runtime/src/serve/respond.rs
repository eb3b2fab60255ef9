//! Writing one response to the socket: the head from a short-lived buffer, then the body as
//! it comes — a body of known length as is, a stream chunk-encoded, each frame written
//! straight from the bytes the body yields (one `writev` each; nothing is kept between two
//! frames). While a stream waits for its next frame, the connection watches for the client's
//! close (a read into the pipelining buffer, which stays empty for an SSE client) and for the
//! server's shutdown.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::Poll;

use axum::body::Body;
use bytes::Buf;
use http::header::{CONNECTION, CONTENT_LENGTH, DATE, TRANSFER_ENCODING};
use http::{HeaderValue, Method, StatusCode};
use http_body::Body as _;
use http_body_util::BodyExt;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::watch;

use super::head::MAX_HEAD;

/// How the connection goes on after a response.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum After {
    /// Read the next request.
    KeepAlive,
    /// Close (asked for, the server stops, the client left, or the body failed).
    Close,
}

/// A body of known length up to this size is gathered and sent in the same write as the head.
const GATHER: u64 = 64 * 1024;

/// What [`write`] did.
pub(super) enum Written {
    /// The whole response.
    Done(After),
    /// The head of a stream (a body of unknown length): [`chunked`] writes the body.
    Stream(Body),
}

/// Writes `response` (to a request with `method`), or only its head for a stream.
/// `close`: the connection closes after it.
pub(super) async fn write(
    stream: &mut TcpStream,
    method: &Method,
    response: http::Response<Body>,
    close: bool,
) -> io::Result<Written> {
    let (mut parts, body) = response.into_parts();
    let status = parts.status;
    let no_body = *method == Method::HEAD
        || status.is_informational()
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED;
    let length = body.size_hint().exact();
    let headers = &mut parts.headers;
    if !no_body {
        headers.remove(TRANSFER_ENCODING);
        match length {
            Some(n) => {
                headers.insert(CONTENT_LENGTH, HeaderValue::from(n));
            }
            None => {
                headers.remove(CONTENT_LENGTH);
                headers.insert(TRANSFER_ENCODING, HeaderValue::from_static("chunked"));
            }
        }
    }
    if close {
        headers.insert(CONNECTION, HeaderValue::from_static("close"));
    }
    if !headers.contains_key(DATE) {
        if let Ok(date) =
            HeaderValue::from_str(&httpdate::fmt_http_date(std::time::SystemTime::now()))
        {
            headers.insert(DATE, date);
        }
    }
    let mut head = Vec::with_capacity(256);
    head.extend_from_slice(b"HTTP/1.1 ");
    head.extend_from_slice(status.as_str().as_bytes());
    head.push(b' ');
    head.extend_from_slice(status.canonical_reason().unwrap_or("").as_bytes());
    head.extend_from_slice(b"\r\n");
    for (name, value) in headers.iter() {
        head.extend_from_slice(name.as_str().as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"\r\n");
    drop(parts);
    let after = if close {
        After::Close
    } else {
        After::KeepAlive
    };
    if no_body {
        stream.write_all(&head).await?;
        return Ok(Written::Done(after));
    }
    match length {
        Some(n) if n <= GATHER => {
            // A page, a fragment, an error: head and body in one write.
            let body = body
                .collect()
                .await
                .map_err(|e| io::Error::other(e.to_string()))?
                .to_bytes();
            let mut all = head.as_slice().chain(body);
            stream.write_all_buf(&mut all).await?;
            Ok(Written::Done(after))
        }
        Some(_) => {
            stream.write_all(&head).await?;
            drop(head);
            let mut body = body;
            while let Some(frame) = body.frame().await {
                let frame = frame.map_err(|e| io::Error::other(e.to_string()))?;
                if let Ok(mut data) = frame.into_data() {
                    stream.write_all_buf(&mut data).await?;
                }
            }
            Ok(Written::Done(after))
        }
        None => {
            stream.write_all(&head).await?;
            Ok(Written::Stream(body))
        }
    }
}

/// Streams `body` chunk-encoded until it ends, the client leaves or the server stops (then the
/// stream ends cleanly, between two frames, with the last chunk). `pending` receives what the
/// client sends meanwhile (a pipelined request).
pub(super) async fn chunked(
    stream: &mut TcpStream,
    mut body: Body,
    pending: &mut Vec<u8>,
    stopping: &mut watch::Receiver<bool>,
) -> io::Result<After> {
    // Made once for the whole stream: waiting for the next frame registers no new waiter.
    let stop = stopped(stopping);
    tokio::pin!(stop);
    loop {
        // Pipelined bytes are only read up to a head's size; then the socket is left alone
        // until the stream ends (and a close is seen at the next write).
        let watch_reads = pending.len() < MAX_HEAD;
        let next = std::future::poll_fn(|cx| {
            if stop.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Next::Stop);
            }
            if let Poll::Ready(frame) = Pin::new(&mut body).poll_frame(cx) {
                return Poll::Ready(Next::Frame(frame));
            }
            if watch_reads {
                if let Poll::Ready(ready) = stream.poll_read_ready(cx) {
                    return Poll::Ready(Next::Readable(ready));
                }
            }
            Poll::Pending
        })
        .await;
        match next {
            Next::Stop => {
                stream.write_all(b"0\r\n\r\n").await?;
                return Ok(After::Close);
            }
            Next::Frame(None) => {
                stream.write_all(b"0\r\n\r\n").await?;
                return Ok(After::KeepAlive);
            }
            Next::Frame(Some(Ok(frame))) => {
                let Ok(data) = frame.into_data() else {
                    continue;
                };
                if data.is_empty() {
                    continue;
                }
                let mut size = [0u8; 20];
                let size = chunk_size(data.len(), &mut size);
                let mut chunk = size.chain(data).chain(&b"\r\n"[..]);
                stream.write_all_buf(&mut chunk).await?;
            }
            Next::Frame(Some(Err(e))) => {
                // A cut chunked body (no last chunk) tells the client it is incomplete.
                crate::log::debug!(error = %e, "nitro::serve: a response body failed; connection closed");
                return Ok(After::Close);
            }
            Next::Readable(ready) => {
                ready?;
                pending.reserve(512);
                match stream.try_read_buf(pending) {
                    Ok(0) => return Ok(After::Close),
                    Ok(_) => {}
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    Err(e) => return Err(e),
                }
                if pending.is_empty() {
                    // Nothing was read: give the reserved space back.
                    *pending = Vec::new();
                }
            }
        }
    }
}

/// What woke a stream up.
enum Next {
    Stop,
    Frame(Option<Result<http_body::Frame<bytes::Bytes>, axum::Error>>),
    Readable(io::Result<()>),
}

/// Resolves when the server stops.
async fn stopped(stopping: &mut watch::Receiver<bool>) {
    let _ = stopping.wait_for(|stop| *stop).await;
}

/// `n` in hex followed by CRLF, in `buf`.
fn chunk_size(n: usize, buf: &mut [u8; 20]) -> &[u8] {
    let hex = format_hex(n, buf);
    let end = hex + 2;
    buf[hex..end].copy_from_slice(b"\r\n");
    &buf[..end]
}

/// Writes `n` in lower-case hex at the start of `buf`; returns its length.
fn format_hex(mut n: usize, buf: &mut [u8; 20]) -> usize {
    let mut digits = [0u8; 16];
    let mut len = 0;
    loop {
        digits[len] = b"0123456789abcdef"[n & 0xf];
        len += 1;
        n >>= 4;
        if n == 0 {
            break;
        }
    }
    for i in 0..len {
        buf[i] = digits[len - 1 - i];
    }
    len
}

/// A response nitro makes itself for a request it refuses (400, 408, 431): a short text, and
/// the connection closes.
pub(super) async fn refusal(
    stream: &mut TcpStream,
    status: StatusCode,
    why: &str,
) -> io::Result<()> {
    let head = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\ndate: {}\r\n\r\n{why}",
        status.as_str(),
        status.canonical_reason().unwrap_or(""),
        why.len(),
        httpdate::fmt_http_date(std::time::SystemTime::now()),
    );
    stream.write_all(head.as_bytes()).await?;
    stream.shutdown().await
}

#[cfg(test)]
mod tests {
    #[test]
    fn chunk_sizes_are_hex() {
        for (n, hex) in [
            (0, "0\r\n"),
            (9, "9\r\n"),
            (10, "a\r\n"),
            (255, "ff\r\n"),
            (4096, "1000\r\n"),
        ] {
            let mut buf = [0u8; 20];
            assert_eq!(super::chunk_size(n, &mut buf), hex.as_bytes());
        }
        let mut buf = [0u8; 20];
        assert_eq!(
            super::chunk_size(usize::MAX, &mut buf).len(),
            usize::BITS as usize / 4 + 2
        );
    }
}
