//! The requests nitro does not serve itself (a request body, `Expect`, an upgrade, HTTP/1.0):
//! the rest of the connection goes to hyper's HTTP/1.1 connection, which first reads the bytes
//! nitro already read.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::Router;
use bytes::{Buf, Bytes};
use http_body::Body as _;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::watch;

/// Serves the rest of the connection through hyper; `read` is what nitro read from it so far.
pub(super) async fn serve(
    stream: TcpStream,
    peer: std::net::SocketAddr,
    read: Vec<u8>,
    router: Router,
    mut stopping: watch::Receiver<bool>,
    head_timeout: Duration,
) {
    use tower::ServiceExt;
    let io = hyper_util::rt::TokioIo::new(Rewind {
        read: Bytes::from(read),
        stream,
    });
    let stop = stopping.clone();
    let router = ServiceExt::<http::Request<hyper::body::Incoming>>::map_request(
        router,
        move |mut request: http::Request<hyper::body::Incoming>| {
            request.extensions_mut().insert(super::ClientAddr(peer));
            request
        },
    );
    let service = ServiceExt::<http::Request<hyper::body::Incoming>>::map_response(
        router,
        move |response: axum::response::Response| {
            // Streams (no known length) end on shutdown; a body of known length is left alone.
            if response.body().size_hint().exact().is_some() {
                return response;
            }
            response.map(|body| Body::new(EndOnStop::new(body, stop.clone())))
        },
    );
    let service = hyper_util::service::TowerToHyperService::new(service);
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .max_buf_size(8192)
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(head_timeout);
    let conn = builder.serve_connection(io, service);
    tokio::pin!(conn);
    let result = tokio::select! {
        result = conn.as_mut() => result,
        () = async {
            let _ = stopping.wait_for(|stop| *stop).await;
        } => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = result {
        crate::log::debug!(error = %e, "nitro::serve: connection ended with an error");
    }
}

/// Answers a connection over its client's cap with a 429, then closes it.
pub(super) async fn refuse(stream: TcpStream) {
    let service = hyper::service::service_fn(|_request| async {
        let mut response = http::Response::new(http_body_util::Full::new(Bytes::from_static(
            b"too many connections from this client",
        )));
        *response.status_mut() = http::StatusCode::TOO_MANY_REQUESTS;
        response.headers_mut().insert(
            http::header::CONNECTION,
            http::HeaderValue::from_static("close"),
        );
        Ok::<_, std::convert::Infallible>(response)
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .keep_alive(false)
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(Duration::from_secs(5));
    let _ = builder
        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
        .await;
}

/// A socket whose first reads return bytes already read from it.
struct Rewind {
    read: Bytes,
    stream: TcpStream,
}

impl AsyncRead for Rewind {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.read.has_remaining() {
            let n = self.read.len().min(buf.remaining());
            buf.put_slice(&self.read[..n]);
            self.read.advance(n);
            if !self.read.has_remaining() {
                self.read = Bytes::new();
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Rewind {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// A response body that ends (cleanly, between two frames) when the server stops.
struct EndOnStop {
    body: Body,
    stopped: Pin<Box<dyn Future<Output = ()> + Send + Sync>>,
}

impl EndOnStop {
    fn new(body: Body, mut stop: watch::Receiver<bool>) -> EndOnStop {
        EndOnStop {
            body,
            stopped: Box::pin(async move {
                let _ = stop.wait_for(|stop| *stop).await;
            }),
        }
    }
}

impl http_body::Body for EndOnStop {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        if self.stopped.as_mut().poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        // Only bodies of unknown length are wrapped: ending early contradicts nothing.
        http_body::SizeHint::default()
    }
}
