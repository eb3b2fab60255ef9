//! One connection: request heads read and parsed by nitro, each request handed to the
//! `Router`, each response written by nitro ([`respond`](super::respond)); keep-alive and
//! pipelining. Between two requests the connection holds no buffer; while an SSE stream is
//! open it holds the socket, the response body and a few pointers. A request with a body (or
//! `Expect`, an upgrade, HTTP/1.0) hands the rest of the connection to hyper.

use std::time::Duration;

use axum::body::Body;
use axum::Router;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::watch;

use super::head::{self, Parsed};
use super::hyper_conn;
use super::respond::{self, After, Written};

/// Serves the connection until it closes or the server stops.
pub(super) async fn serve(
    mut stream: TcpStream,
    peer: std::net::SocketAddr,
    router: Router,
    mut stopping: watch::Receiver<bool>,
    head_timeout: Duration,
) {
    let _ = stream.set_nodelay(true);
    // Bytes of the next request (a pipelined one, or the one arriving).
    let mut buf: Vec<u8> = Vec::new();
    loop {
        // One request up to its response's head, boxed: its head buffer, timer and router
        // future live for that long, and the connection's task keeps only what a stream needs.
        let step = Box::pin(request(
            &mut stream,
            peer,
            &router,
            &mut stopping,
            &mut buf,
            head_timeout,
        ))
        .await;
        let after = match step {
            Ok(Step::Done(after)) => after,
            Ok(Step::Stream(body, close)) => {
                match respond::chunked(&mut stream, body, &mut buf, &mut stopping).await {
                    Ok(After::KeepAlive) if !close => After::KeepAlive,
                    Ok(_) => After::Close,
                    Err(e) => {
                        crate::log::debug!(error = %e, "nitro::serve: a stream ended with an error");
                        return;
                    }
                }
            }
            Ok(Step::Hyper) => {
                let hyper = hyper_conn::serve(stream, peer, buf, router, stopping, head_timeout);
                return Box::pin(hyper).await;
            }
            Err(e) => {
                crate::log::debug!(error = %e, "nitro::serve: connection ended while writing a response");
                return;
            }
        };
        if after == After::Close {
            let _ = stream.shutdown().await;
            return;
        }
    }
}

/// Where a request left the connection.
enum Step {
    /// Its response is written; the connection goes on or closes.
    Done(After),
    /// The head of a stream is written; the body follows, then the connection closes if the
    /// flag says so.
    Stream(Body, bool),
    /// hyper serves the rest of the connection (its bytes are in the buffer).
    Hyper,
}

/// Reads a request head, answers it through the router, writes the response (or, for a
/// stream, its head).
async fn request(
    stream: &mut TcpStream,
    peer: std::net::SocketAddr,
    router: &Router,
    stopping: &mut watch::Receiver<bool>,
    buf: &mut Vec<u8>,
    head_timeout: Duration,
) -> std::io::Result<Step> {
    let read = tokio::select! {
        biased;
        _ = stopping.wait_for(|stop| *stop) => return Ok(Step::Done(After::Close)),
        read = tokio::time::timeout(head_timeout, head::read(stream, buf)) => read,
    };
    let parsed = match read {
        Ok(Ok(Some(parsed))) => parsed,
        // The client closed, or the socket failed, before a whole head.
        Ok(Ok(None)) | Ok(Err(_)) => return Ok(Step::Done(After::Close)),
        Err(_) if buf.is_empty() => return Ok(Step::Done(After::Close)), // idle keep-alive
        Err(_) => {
            let timeout = http::StatusCode::REQUEST_TIMEOUT;
            refuse(stream, timeout, "request head not received in time").await;
            return Ok(Step::Done(After::Close));
        }
    };
    let (request, len) = match parsed {
        Parsed::Simple(request, len) => (*request, len),
        Parsed::Other => return Ok(Step::Hyper),
        Parsed::Refused(status, why) => {
            refuse(stream, status, why).await;
            return Ok(Step::Done(After::Close));
        }
        Parsed::Partial => return Ok(Step::Done(After::Close)),
    };
    // What follows the head is the next request's; an emptied buffer is freed.
    buf.drain(..len);
    if buf.is_empty() {
        *buf = Vec::new();
    } else {
        buf.shrink_to_fit();
    }
    let close = head::wants_close(&request);
    let method = request.method().clone();
    let mut request = request.map(|()| Body::empty());
    request.extensions_mut().insert(super::ClientAddr(peer));
    let response =
        match tower::ServiceExt::<http::Request<Body>>::oneshot(router.clone(), request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
    Ok(
        match respond::write(stream, &method, response, close).await? {
            Written::Done(after) => Step::Done(after),
            Written::Stream(body) => Step::Stream(body, close),
        },
    )
}

/// Answers a refused request (400, 408, 431), logged at debug and counted
/// (`requests_refused`), then closes, first reading (and discarding) what the client still
/// sends, for up to a second, so that the close does not reset the connection before the
/// client read the answer.
async fn refuse(stream: &mut TcpStream, status: http::StatusCode, why: &'static str) {
    crate::stats::REQUESTS_REFUSED.incr();
    crate::log::debug!(
        status = status.as_u16(),
        why,
        "nitro::serve: request refused"
    );
    if respond::refusal(stream, status, why).await.is_err() {
        return;
    }
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        let mut sink = [0u8; 256];
        // Until the client closes, or is quiet for 100 ms.
        while let Ok(Ok(1..)) =
            tokio::time::timeout(Duration::from_millis(100), stream.read(&mut sink)).await
        {}
    })
    .await;
}
