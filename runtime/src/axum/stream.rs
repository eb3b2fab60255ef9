//! SSE responses: one-shot ([`Events`](crate::sse::Events) as a response) and long-lived
//! ([`Sse::new`], [`Sse::spawn`]).

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use http::StatusCode;
use tokio::sync::mpsc;

use crate::sse::{self, Event, EventError, Events};

/// Why an SSE send failed.
#[derive(Debug)]
pub struct SseError {
    kind: SseErrorKind,
    source: Option<EventError>,
}

/// The kind of an [`SseError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SseErrorKind {
    /// The client went away; stop producing.
    Disconnected,
    /// The event could not be encoded (see [`EventError`]); nothing was sent.
    Event,
}

impl SseError {
    /// What went wrong.
    pub fn kind(&self) -> SseErrorKind {
        self.kind
    }

    /// Did the client disconnect?
    pub fn is_disconnected(&self) -> bool {
        self.kind == SseErrorKind::Disconnected
    }
}

impl fmt::Display for SseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.kind, &self.source) {
            (SseErrorKind::Disconnected, _) => f.write_str("the SSE client disconnected"),
            (_, Some(e)) => write!(f, "SSE event not sent: {e}"),
            (_, None) => f.write_str("SSE event not sent"),
        }
    }
}

impl std::error::Error for SseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_ref().map(|e| e as _)
    }
}

impl From<EventError> for SseError {
    fn from(e: EventError) -> Self {
        SseError {
            kind: SseErrorKind::Event,
            source: Some(e),
        }
    }
}

impl IntoResponse for Events {
    /// The events as one SSE response, which then ends; if any event failed to encode, a 500
    /// with a generic body (the detail stays on the server) and none of the events.
    ///
    /// ```
    /// use nitro::prelude::*;
    ///
    /// #[derive(serde::Deserialize)]
    /// struct Counter { count: i64 }
    ///
    /// async fn increment(ReadSignals(c): ReadSignals<Counter>) -> Events {
    ///     Events::new()
    ///         .with(PatchElements::new(PreEscaped(format!("<p id=\"count\">{}</p>", c.count + 1))))
    ///         .with(PatchSignals::new(&serde_json::json!({ "count": c.count + 1 })))
    /// }
    /// # let _ = increment;
    /// ```
    fn into_response(self) -> Response {
        let (body, events) = match self.into_encoded() {
            Ok(encoded) => encoded,
            Err(e) => {
                // One log line (ERROR, below) for the event and the response it failed.
                crate::stats::EVENTS_FAILED.incr();
                crate::stats::RESPONSES_FAILED.incr();
                crate::log::error!(
                    error = %e,
                    "an SSE response was answered with 500: one of its events failed to encode"
                );
                return (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal error: the response could not be encoded",
                )
                    .into_response();
            }
        };
        crate::stats::EVENTS_SENT.add(events as u64);
        crate::stats::BYTES_SENT.add(body.len() as u64);
        let mut response = Response::new(Body::from(body));
        super::sse_headers(&mut response);
        response
    }
}

/// How long a long-lived SSE response may stay silent before it sends a keep-alive comment:
/// 15 seconds. Proxies and load balancers close connections that are idle for longer (often
/// 30 or 60 seconds).
pub const DEFAULT_KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The SSE comment a silent stream sends; the Datastar client (and every SSE parser) ignores it.
const KEEP_ALIVE_COMMENT: &[u8] = b": keep-alive\n\n";

/// A long-lived SSE response: [`Sse::new`] sends a stream of events, [`Sse::spawn`] runs a
/// task that sends them through a [`Sender`], and the bus's
/// [`into_sse`](crate::bus::Subscription::into_sse) turns a subscription into one. For a few
/// events and then the end, return [`Events`] instead.
///
/// **Keep-alive:** after [`DEFAULT_KEEP_ALIVE`] (15 s) without an event, it sends the SSE
/// comment `: keep-alive`, and again after each further 15 s of silence, so proxies do not
/// close the idle connection. [`Sse::keep_alive`] changes the interval or turns it off.
///
/// ```
/// use std::time::Duration;
/// use futures_util::StreamExt;
/// use nitro::prelude::*;
///
/// // A clock: one signals patch a second, for as long as the tab is open.
/// async fn clock() -> Sse {
///     let ticks = futures_util::stream::iter(0u64..).then(|n| async move {
///         tokio::time::sleep(Duration::from_secs(1)).await;
///         PatchSignals::new(&serde_json::json!({ "seconds": n }))
///     });
///     Sse::new(ticks).keep_alive(None)
/// }
/// # let _ = clock;
/// ```
#[must_use = "an SSE response does nothing unless returned from a handler"]
pub struct Sse {
    events: Pin<Box<dyn Stream<Item = Bytes> + Send>>,
    keep_alive: Option<Duration>,
    /// Set by [`Sse::compressed`].
    #[cfg(feature = "compression")]
    encoding: Option<super::StreamEncoding>,
    #[cfg(feature = "compression")]
    mode: super::Compression,
    /// Run when the response ends ([`Sse::on_end`]).
    on_end: OnEnd,
}

impl Sse {
    /// A response whose events are sent by `producer`, in its own task, through a
    /// [`Sender`]. Each event is flushed to the client as it is sent. When the client
    /// disconnects the task is stopped (at its next `.await`), and any send in progress returns
    /// [`SseErrorKind::Disconnected`].
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use nitro::prelude::*;
    ///
    /// async fn progress() -> Sse {
    ///     Sse::spawn(|mut sender| async move {
    ///         for pct in (0..=100).step_by(10) {
    ///             sender.send(PatchSignals::new(&serde_json::json!({ "progress": pct }))).await?;
    ///             tokio::time::sleep(Duration::from_millis(100)).await;
    ///         }
    ///         sender.send(ExecuteScript::redirect("/done")).await
    ///     })
    /// }
    /// ```
    pub fn spawn<F, Fut>(producer: F) -> Sse
    where
        F: FnOnce(Sender) -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), SseError>> + Send + 'static,
    {
        let (tx, rx) = mpsc::channel::<Bytes>(16);
        let sender = Sender {
            tx,
            buf: BytesMut::new(),
        };
        let task = tokio::spawn(async move {
            // A disconnect is the normal way for a stream to end; other errors were already
            // reported to the producer, which chose to stop.
            let _ = producer(sender).await;
        });
        Sse::from_bytes(ChannelBody {
            rx,
            _task: AbortOnDrop(task),
        })
    }

    /// A response that sends every event of `events`, in order, until the stream ends or the
    /// client disconnects (then the stream is dropped). An event that fails to encode is
    /// skipped, logged and counted ([`crate::stats`]).
    ///
    /// ```
    /// use futures_util::stream;
    /// use nitro::prelude::*;
    /// let response = Sse::new(stream::iter([
    ///     PatchElements::remove(Selector::css("#a")),
    ///     PatchElements::remove(Selector::css("#b")),
    /// ]));
    /// # let _ = response;
    /// ```
    pub fn new<S>(events: S) -> Sse
    where
        S: Stream + Send + 'static,
        S::Item: Event,
    {
        Sse::from_bytes(
            events.filter_map(|event| {
                std::future::ready(sse::encode_logged(&event, None, "Sse::new"))
            }),
        )
    }

    /// A response sending already-encoded events (the bus's shared encoding).
    pub(crate) fn from_bytes(events: impl Stream<Item = Bytes> + Send + 'static) -> Sse {
        Sse {
            events: Box::pin(events),
            keep_alive: Some(DEFAULT_KEEP_ALIVE),
            #[cfg(feature = "compression")]
            encoding: None,
            #[cfg(feature = "compression")]
            mode: super::Compression::PerEvent,
            on_end: OnEnd::default(),
        }
    }

    /// Runs `hook` once when this response ends, however it ends: the client went away (the
    /// tab closed, navigated or its request was cancelled), the server shut down
    /// ([`nitro::serve`](crate::serve()) ends open streams), the stream ran out, or the response
    /// was dropped before it was sent. This is the place to leave a
    /// [presence](crate::bus::Presence) topic, release a per-tab resource or record the end;
    /// several hooks run in the order they were added. The hook runs where the response is
    /// dropped, so it must not block: spawn a task for async work.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// use futures_util::stream;
    /// use nitro::prelude::*;
    ///
    /// let open = Arc::new(AtomicUsize::new(1));
    /// let response = Sse::new(stream::pending::<PatchSignals>()).on_end({
    ///     let open = open.clone();
    ///     move || { open.fetch_sub(1, Ordering::SeqCst); }
    /// });
    /// drop(response); // as the server does when the client disconnects
    /// assert_eq!(open.load(Ordering::SeqCst), 0);
    /// ```
    pub fn on_end(mut self, hook: impl FnOnce() + Send + 'static) -> Sse {
        self.on_end.0.push(Box::new(hook));
        self
    }

    /// Compresses the stream (feature `compression`), each event on its own
    /// ([`Compression::PerEvent`](super::Compression::PerEvent)), with the coding the client
    /// prefers among zstd and gzip, as its `Accept-Encoding` says; uncompressed if it accepts
    /// neither. Each event reaches the client as soon as it is sent, and its compressed size
    /// depends on that event alone, so no event's length tells anything about another's
    /// content. The response says `Vary: Accept-Encoding`.
    ///
    /// [`Sse::compressed_with`] with
    /// [`Compression::SharedWindow`](super::Compression::SharedWindow) keeps one context for
    /// the whole stream: much smaller for streams that repeat markup (BENCHMARKS.md), and a
    /// length oracle (CRIME/BREACH) when a stream carries both a secret and text an attacker
    /// chose.
    ///
    /// ```no_run
    /// use axum::extract::State;
    /// use axum::http::HeaderMap;
    /// use nitro_runtime::axum::Sse;
    /// use nitro_runtime::bus::{Bus, BusError};
    ///
    /// async fn feed(headers: HeaderMap, State(bus): State<Bus>) -> Result<Sse, BusError> {
    ///     Ok(bus.subscribe("feed.>").await?.into_sse(nitro::bus::forward).compressed(&headers))
    /// }
    /// ```
    #[cfg(feature = "compression")]
    #[cfg_attr(docsrs, doc(cfg(feature = "compression")))]
    pub fn compressed(self, request_headers: &http::HeaderMap) -> Sse {
        self.compressed_with(request_headers, super::Compression::PerEvent)
    }

    /// [`Sse::compressed`] in the given mode. With
    /// [`Compression::SharedWindow`](super::Compression::SharedWindow) the coding is chosen
    /// among zstd, brotli and gzip ([`StreamEncoding::negotiate`](super::StreamEncoding::negotiate)),
    /// and one compressor (a few hundred KiB) is kept per stream: never send a secret and
    /// attacker-reflected text on such a stream.
    ///
    /// ```
    /// use axum::http::{header::ACCEPT_ENCODING, HeaderMap};
    /// use nitro_runtime::axum::{Compression, Sse, StreamEncoding};
    /// use nitro_runtime::sse::PatchSignals;
    /// let mut headers = HeaderMap::new();
    /// headers.insert(ACCEPT_ENCODING, "br, gzip".parse().unwrap());
    /// let per_event = Sse::new(futures_util::stream::empty::<PatchSignals>()).compressed(&headers);
    /// assert_eq!(per_event.encoding(), StreamEncoding::Gzip); // brotli cannot restart per event
    /// let shared = Sse::new(futures_util::stream::empty::<PatchSignals>())
    ///     .compressed_with(&headers, Compression::SharedWindow);
    /// assert_eq!(shared.encoding(), StreamEncoding::Brotli);
    /// ```
    #[cfg(feature = "compression")]
    #[cfg_attr(docsrs, doc(cfg(feature = "compression")))]
    pub fn compressed_with(
        mut self,
        request_headers: &http::HeaderMap,
        mode: super::Compression,
    ) -> Sse {
        self.encoding = Some(super::StreamEncoding::negotiate_for(request_headers, mode));
        self.mode = mode;
        self
    }

    /// The coding the stream will be sent with (identity unless [`Sse::compressed`]
    /// chose one).
    ///
    /// ```
    /// use axum::http::{header::ACCEPT_ENCODING, HeaderMap};
    /// use nitro_runtime::axum::{Sse, StreamEncoding};
    /// use nitro_runtime::sse::PatchSignals;
    /// let mut headers = HeaderMap::new();
    /// headers.insert(ACCEPT_ENCODING, "gzip".parse().unwrap());
    /// let stream = Sse::new(futures_util::stream::empty::<PatchSignals>());
    /// assert_eq!(stream.compressed(&headers).encoding(), StreamEncoding::Gzip);
    /// ```
    #[cfg(feature = "compression")]
    #[cfg_attr(docsrs, doc(cfg(feature = "compression")))]
    pub fn encoding(&self) -> super::StreamEncoding {
        self.encoding.unwrap_or(super::StreamEncoding::Identity)
    }

    /// Sends a keep-alive comment after `interval` of silence (`Some`), or never (`None`).
    /// A zero interval is taken as one millisecond.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use nitro::prelude::*;
    ///
    /// async fn ticks() -> Sse {
    ///     Sse::spawn(|mut sender| async move {
    ///         loop {
    ///             tokio::time::sleep(Duration::from_secs(60)).await;
    ///             sender.send(PatchSignals::new(&serde_json::json!({ "tick": true }))).await?;
    ///         }
    ///     })
    ///     .keep_alive(Some(Duration::from_secs(5)))
    /// }
    /// ```
    pub fn keep_alive(mut self, interval: Option<Duration>) -> Sse {
        self.keep_alive = interval.map(|d| d.max(Duration::from_millis(1)));
        self
    }
}

impl fmt::Debug for Sse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Sse");
        d.field("keep_alive", &self.keep_alive);
        d.field("on_end", &self.on_end.0.len());
        #[cfg(feature = "compression")]
        d.field("encoding", &self.encoding);
        d.finish_non_exhaustive()
    }
}

impl IntoResponse for Sse {
    fn into_response(self) -> Response {
        let events = Counted {
            events: self.events,
            live: crate::stats::LiveStream::open(),
            _on_end: self.on_end,
        };
        let body: Pin<Box<dyn Stream<Item = Result<Bytes, Infallible>> + Send>> =
            match self.keep_alive {
                Some(interval) => Box::pin(KeepAlive {
                    events,
                    interval,
                    timer: None,
                }),
                None => Box::pin(events.map(Ok::<_, Infallible>)),
            };
        #[cfg(feature = "compression")]
        let (body, used) = match self.encoding {
            Some(encoding) => match super::compress::compress(body, encoding, self.mode) {
                Ok(compressed) => (Body::from_stream(compressed), Some(encoding)),
                Err(body) => (Body::from_stream(body), None),
            },
            None => (Body::from_stream(body), None),
        };
        #[cfg(not(feature = "compression"))]
        let body = Body::from_stream(body);
        let mut response = Response::new(body);
        super::sse_headers(&mut response);
        #[cfg(feature = "compression")]
        super::compress::encoding_headers(&mut response, self.encoding.is_some(), used);
        response
    }
}

/// A stream's events, counted as they are handed to the server; the stream counts as live until
/// it is dropped.
struct Counted {
    events: Pin<Box<dyn Stream<Item = Bytes> + Send>>,
    live: crate::stats::LiveStream,
    /// Dropped after the events (fields drop in order), so a hook sees the stream ended.
    _on_end: OnEnd,
}

/// The hooks of [`Sse::on_end`], run when dropped.
#[derive(Default)]
struct OnEnd(Vec<Box<dyn FnOnce() + Send>>);

impl Drop for OnEnd {
    fn drop(&mut self) {
        for hook in std::mem::take(&mut self.0) {
            hook();
        }
    }
}

impl Stream for Counted {
    type Item = Bytes;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        let next = self.events.as_mut().poll_next(cx);
        match &next {
            // An empty chunk is a message the mapping skipped.
            Poll::Ready(Some(bytes)) if !bytes.is_empty() => {
                crate::stats::EVENTS_SENT.incr();
                crate::stats::BYTES_SENT.add(bytes.len() as u64);
            }
            Poll::Ready(None) => self.live.finish(),
            _ => {}
        }
        next
    }
}

/// Forwards the events; when none came for `interval`, yields a keep-alive comment.
struct KeepAlive {
    events: Counted,
    interval: Duration,
    /// Created on the first poll, inside the server's runtime.
    timer: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Stream for KeepAlive {
    type Item = Result<Bytes, Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        let interval = this.interval;
        let timer = this
            .timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(interval)));
        loop {
            match Pin::new(&mut this.events).poll_next(cx) {
                // A message the mapping skipped: nothing was sent, the silence goes on.
                Poll::Ready(Some(bytes)) if bytes.is_empty() => continue,
                Poll::Ready(Some(bytes)) => {
                    timer.as_mut().reset(tokio::time::Instant::now() + interval);
                    return Poll::Ready(Some(Ok(bytes)));
                }
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => break,
            }
        }
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => {
                timer.as_mut().reset(tokio::time::Instant::now() + interval);
                crate::stats::KEEP_ALIVES.incr();
                crate::stats::BYTES_SENT.add(KEEP_ALIVE_COMMENT.len() as u64);
                Poll::Ready(Some(Ok(Bytes::from_static(KEEP_ALIVE_COMMENT))))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

/// The writing end of an [`Sse::spawn`] response: [`Sender::send`] is the one way to send on
/// a stream.
///
/// ```
/// use nitro::prelude::*;
/// ids! { LOG = "log" }
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let response = Sse::spawn(|mut sender| async move {
///     sender.send(PatchElements::at(LOG, Mode::Append, "started")).await?;
///     sender.send(Events::new()
///         .with(PatchSignals::new(&serde_json::json!({ "done": true })))
///         .with(ExecuteScript::redirect("/done"))).await
/// });
/// # let _ = response;
/// # });
/// ```
#[derive(Debug)]
pub struct Sender {
    tx: mpsc::Sender<Bytes>,
    buf: BytesMut,
}

impl Sender {
    /// Sends any event and flushes it to the client. An event that fails to encode is not
    /// sent: the error is returned, logged and counted ([`crate::stats`]).
    pub async fn send(&mut self, event: impl Event) -> Result<(), SseError> {
        if let Err(e) = event.encode_to(&mut self.buf) {
            crate::stats::event_failed("Sender::send", &e);
            return Err(e.into());
        }
        let bytes = self.buf.split().freeze();
        self.tx.send(bytes).await.map_err(|_| SseError {
            kind: SseErrorKind::Disconnected,
            source: None,
        })
    }

    /// Resolves when the client has disconnected: `select!` on it while waiting for something
    /// else.
    pub async fn closed(&self) {
        self.tx.closed().await
    }

    /// Has the client disconnected?
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

struct ChannelBody {
    rx: mpsc::Receiver<Bytes>,
    _task: AbortOnDrop,
}

impl Stream for ChannelBody {
    type Item = Bytes;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx)
    }
}
