//! Counters an operator can read: live SSE streams, events and bytes sent, and everything that
//! was dropped or refused.
//!
//! Every run-time problem nitro meets is both logged (through `tracing`, when the `tracing`
//! feature is on, as it is by default) and counted here, so a dashboard or a health endpoint can
//! see what a log search would. The counters are process-wide and only ever increase, except
//! [`Snapshot::live_streams`], which is a gauge.
//!
//! ```
//! let s = nitro::stats::snapshot();
//! println!(
//!     "{} live streams, {} events ({} bytes) sent, {} failed to encode, {} lost by slow subscribers",
//!     s.live_streams, s.events_sent, s.bytes_sent, s.events_failed, s.messages_lagged,
//! );
//! // Or all of them, one `name value` line each (Prometheus' text format without HELP lines):
//! print!("{s}");
//! ```

// Without the axum integration, only the bus uses a part of this.
#![cfg_attr(not(feature = "axum"), allow(dead_code, unused_imports))]

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// The counters, as read at one moment by [`snapshot`]. Each is read on its own (relaxed), so
/// two counters may be a few events apart while traffic flows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Snapshot {
    /// Long-lived SSE responses whose body is open now (a gauge).
    pub live_streams: u64,
    /// Long-lived SSE responses opened since start.
    pub streams_opened: u64,
    /// Streams that ended because the client went away before the stream was finished.
    pub client_disconnects: u64,
    /// Events handed to the HTTP server, in long-lived streams and one-shot responses.
    pub events_sent: u64,
    /// Bytes of those events, plus keep-alive comments.
    pub bytes_sent: u64,
    /// Keep-alive comments sent on silent streams.
    pub keep_alives: u64,
    /// Events that failed to encode (a signals value that does not serialize, a patch without
    /// a target, a script URL, …) and so were not sent.
    pub events_failed: u64,
    /// One-shot responses answered with a 500 because one of their events failed to encode.
    pub responses_failed: u64,
    /// Times a slow subscriber's queue overflowed (each time, its oldest messages were dropped).
    pub subscribers_lagged: u64,
    /// Messages those slow subscribers lost in all.
    pub messages_lagged: u64,
    /// Requests refused by [`ReadSignals`](crate::axum::ReadSignals) (bad JSON, wrong type,
    /// too large, not a Datastar request, …).
    pub signals_rejected: u64,
    /// Times the connection to the NATS server was lost.
    pub bus_disconnects: u64,
    /// Times it came back.
    pub bus_reconnects: u64,
    /// Compressed streams ended or sent uncompressed because their compressor failed (it
    /// writes into memory, so this stays 0 unless something is deeply wrong).
    pub compression_failures: u64,
    /// Attribute values refused while rendering: a key of a `data-attr=(map)` that would set an
    /// event handler, `srcdoc`, an id or a URL code is loaded from; a URL with a script scheme;
    /// CSS that could load something.
    pub values_refused: u64,
    /// Bus errors answered to a client (a 4xx or 5xx from a handler returning a
    /// [`BusError`](crate::bus::BusError)); the details are in the log.
    pub bus_errors: u64,
    /// Connections [`serve`](crate::serve()) could not accept (a `WARN` when the process is
    /// out of file descriptors).
    pub accept_errors: u64,
    /// Connections [`serve`](crate::serve()) refused with a 429 because their client already
    /// had its maximum.
    pub connections_refused: u64,
    /// Requests [`serve`](crate::serve()) refused before they reached the app: a malformed
    /// head (400), a head too large (431) or too slow (408); each logged at debug.
    pub requests_refused: u64,
    /// JetStream streams the bus found missing (NATS restarted without its store) and
    /// declared again (a `WARN` each).
    pub bus_recreated: u64,
    /// Values that failed to serialize to JSON while rendering ([`Json`](crate::Json), a value
    /// in a Datastar expression or `expr!`, a `data-signals` value): each was written as
    /// `null`.
    pub json_failures: u64,
    /// Times [`serve`](crate::serve()) found the process at 90 % of its open-file limit (a
    /// `WARN` each; again only after it fell below 80 %).
    pub fd_limit_near: u64,
    /// Presence members dropped because their process stopped heartbeating on NATS (crashed or
    /// cut off), each with a `WARN` ([`Presence`](crate::bus::Presence)).
    pub presence_expired: u64,
    /// Presence messages that could not be sent to NATS, arrived unreadable, or were missed (a
    /// later change or heartbeat of that process did not follow on; its list is asked for
    /// again), a `WARN` each.
    pub presence_errors: u64,
    /// [`Sections`](crate::axum::Sections) whose work failed and showed an error in place (a
    /// `WARN` each, with the error).
    pub sections_failed: u64,
    /// Resumes (`Last-Event-ID`) from before the history the bus keeps: the client was told
    /// (`Bus::room` renders in full; `Bus::subscribe_after` fails with `Expired`).
    pub resumes_expired: u64,
    /// Presence joins and watches refused because a bound was reached (topics per process,
    /// members per topic; `WARN` each), and members of another process's list left out.
    pub presence_refused: u64,
    /// Flash messages shortened (or dropped) so that their cookie fits the browsers' limit
    /// (`WARN` each).
    pub flash_truncated: u64,
    /// JetStream live feeds whose consumer went silent (no message nor idle heartbeat for 6 s
    /// while the connection was up: the NATS node holding it died, or NATS dropped it); each
    /// went on from a new consumer after the last message it delivered (a `WARN` each).
    pub bus_feeds_stalled: u64,
}

/// Reads every counter.
///
/// ```
/// let before = nitro::stats::snapshot();
/// // ... serve ...
/// let after = nitro::stats::snapshot();
/// assert!(after.events_sent >= before.events_sent);
/// ```
pub fn snapshot() -> Snapshot {
    Snapshot {
        live_streams: LIVE_STREAMS.get(),
        streams_opened: STREAMS_OPENED.get(),
        client_disconnects: CLIENT_DISCONNECTS.get(),
        events_sent: EVENTS_SENT.get(),
        bytes_sent: BYTES_SENT.get(),
        keep_alives: KEEP_ALIVES.get(),
        events_failed: EVENTS_FAILED.get(),
        responses_failed: RESPONSES_FAILED.get(),
        subscribers_lagged: SUBSCRIBERS_LAGGED.get(),
        messages_lagged: MESSAGES_LAGGED.get(),
        signals_rejected: SIGNALS_REJECTED.get(),
        bus_disconnects: BUS_DISCONNECTS.get(),
        bus_reconnects: BUS_RECONNECTS.get(),
        compression_failures: COMPRESSION_FAILURES.get(),
        values_refused: VALUES_REFUSED.get(),
        bus_errors: BUS_ERRORS.get(),
        accept_errors: ACCEPT_ERRORS.get(),
        connections_refused: CONNECTIONS_REFUSED.get(),
        requests_refused: REQUESTS_REFUSED.get(),
        bus_recreated: BUS_RECREATED.get(),
        json_failures: JSON_FAILURES.get(),
        fd_limit_near: FD_LIMIT_NEAR.get(),
        presence_expired: PRESENCE_EXPIRED.get(),
        presence_errors: PRESENCE_ERRORS.get(),
        sections_failed: SECTIONS_FAILED.get(),
        resumes_expired: RESUMES_EXPIRED.get(),
        presence_refused: PRESENCE_REFUSED.get(),
        flash_truncated: FLASH_TRUNCATED.get(),
        bus_feeds_stalled: BUS_FEEDS_STALLED.get(),
    }
}

impl Snapshot {
    /// Every counter as `(name, value)`, in a fixed order; the names are those of the fields.
    ///
    /// ```
    /// let s = nitro::stats::snapshot();
    /// assert!(s.counters().iter().any(|(name, _)| *name == "events_sent"));
    /// ```
    pub fn counters(&self) -> [(&'static str, u64); 29] {
        [
            ("live_streams", self.live_streams),
            ("streams_opened", self.streams_opened),
            ("client_disconnects", self.client_disconnects),
            ("events_sent", self.events_sent),
            ("bytes_sent", self.bytes_sent),
            ("keep_alives", self.keep_alives),
            ("events_failed", self.events_failed),
            ("responses_failed", self.responses_failed),
            ("subscribers_lagged", self.subscribers_lagged),
            ("messages_lagged", self.messages_lagged),
            ("signals_rejected", self.signals_rejected),
            ("bus_disconnects", self.bus_disconnects),
            ("bus_reconnects", self.bus_reconnects),
            ("compression_failures", self.compression_failures),
            ("values_refused", self.values_refused),
            ("bus_errors", self.bus_errors),
            ("accept_errors", self.accept_errors),
            ("connections_refused", self.connections_refused),
            ("requests_refused", self.requests_refused),
            ("bus_recreated", self.bus_recreated),
            ("json_failures", self.json_failures),
            ("fd_limit_near", self.fd_limit_near),
            ("presence_expired", self.presence_expired),
            ("presence_errors", self.presence_errors),
            ("sections_failed", self.sections_failed),
            ("resumes_expired", self.resumes_expired),
            ("presence_refused", self.presence_refused),
            ("flash_truncated", self.flash_truncated),
            ("bus_feeds_stalled", self.bus_feeds_stalled),
        ]
    }
}

impl fmt::Display for Snapshot {
    /// One `nitro_<name> <value>` line per counter (`_total` after the name of each counter
    /// that only grows).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, value) in self.counters() {
            let total = if name == "live_streams" { "" } else { "_total" };
            writeln!(f, "nitro_{name}{total} {value}")?;
        }
        Ok(())
    }
}

/// One process-wide counter.
pub(crate) struct Counter(AtomicU64);

impl Counter {
    const fn new() -> Counter {
        Counter(AtomicU64::new(0))
    }

    pub(crate) fn add(&self, n: u64) {
        self.0.fetch_add(n, Relaxed);
    }

    pub(crate) fn incr(&self) {
        self.add(1);
    }

    fn decr(&self) {
        self.0.fetch_sub(1, Relaxed);
    }

    fn get(&self) -> u64 {
        self.0.load(Relaxed)
    }
}

pub(crate) static LIVE_STREAMS: Counter = Counter::new();
pub(crate) static STREAMS_OPENED: Counter = Counter::new();
pub(crate) static CLIENT_DISCONNECTS: Counter = Counter::new();
pub(crate) static EVENTS_SENT: Counter = Counter::new();
pub(crate) static BYTES_SENT: Counter = Counter::new();
pub(crate) static KEEP_ALIVES: Counter = Counter::new();
pub(crate) static EVENTS_FAILED: Counter = Counter::new();
pub(crate) static RESPONSES_FAILED: Counter = Counter::new();
pub(crate) static SUBSCRIBERS_LAGGED: Counter = Counter::new();
pub(crate) static MESSAGES_LAGGED: Counter = Counter::new();
pub(crate) static SIGNALS_REJECTED: Counter = Counter::new();
pub(crate) static BUS_DISCONNECTS: Counter = Counter::new();
pub(crate) static BUS_RECONNECTS: Counter = Counter::new();
#[cfg_attr(not(feature = "compression"), allow(dead_code))]
pub(crate) static COMPRESSION_FAILURES: Counter = Counter::new();
pub(crate) static VALUES_REFUSED: Counter = Counter::new();
pub(crate) static BUS_ERRORS: Counter = Counter::new();
pub(crate) static ACCEPT_ERRORS: Counter = Counter::new();
pub(crate) static CONNECTIONS_REFUSED: Counter = Counter::new();
pub(crate) static REQUESTS_REFUSED: Counter = Counter::new();
pub(crate) static BUS_RECREATED: Counter = Counter::new();
pub(crate) static FD_LIMIT_NEAR: Counter = Counter::new();
pub(crate) static RESUMES_EXPIRED: Counter = Counter::new();

/// A resume missed more messages than the subscriber's queue holds: the oldest `n` were not
/// delivered (it receives `Lagged(n)` first). Logged and counted as a lag.
pub(crate) fn resume_lagged(n: u64) {
    MESSAGES_LAGGED.add(n);
    SUBSCRIBERS_LAGGED.incr();
    crate::log::warning!(
        lost = n,
        "a resume missed more messages than the subscriber's queue holds: the oldest were not delivered"
    );
}

/// Records a bus error answered to a client with `status`: the details go to the log (a
/// warning for a 5xx, debug for a 4xx, which a stranger can cause at will) and it is counted.
#[cfg(feature = "axum")]
#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
pub(crate) fn bus_error(status: u16, error: &crate::bus::BusError) {
    BUS_ERRORS.incr();
    if status >= 500 {
        crate::log::warning!(status, error = %error, "bus error answered to a client");
    } else {
        crate::log::debug!(status, error = %error, "bus request refused");
    }
}

pub(crate) static JSON_FAILURES: Counter = Counter::new();
/// Presence members dropped because their process stopped heartbeating.
#[cfg_attr(not(feature = "nats"), allow(dead_code))]
pub(crate) static PRESENCE_EXPIRED: Counter = Counter::new();
/// Presence messages that could not be sent to NATS, could not be read, or were missed.
#[cfg_attr(not(feature = "nats"), allow(dead_code))]
pub(crate) static PRESENCE_ERRORS: Counter = Counter::new();
/// Presence joins and watches refused at a bound.
pub(crate) static PRESENCE_REFUSED: Counter = Counter::new();
/// Flash messages shortened to fit a cookie.
#[cfg_attr(not(feature = "axum"), allow(dead_code))]
pub(crate) static FLASH_TRUNCATED: Counter = Counter::new();
#[cfg_attr(not(feature = "axum"), allow(dead_code))]
pub(crate) static SECTIONS_FAILED: Counter = Counter::new();
/// JetStream live feeds renewed because their consumer went silent.
#[cfg_attr(not(feature = "nats"), allow(dead_code))]
pub(crate) static BUS_FEEDS_STALLED: Counter = Counter::new();

/// Records a value that failed to serialize to JSON while rendering and was written as `null`:
/// a warning (a `Serialize` impl of the program failed, e.g. a map with non-string keys) and a
/// count.
#[cold]
#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
pub(crate) fn json_failed(error: &serde_json::Error) {
    JSON_FAILURES.incr();
    crate::log::warning!(
        error = %error,
        "a value failed to serialize to JSON while rendering and was written as null"
    );
}

/// Records an attribute value refused while rendering (`what`: why), a debug event (the value
/// came from a client, an attacker perhaps; nothing for an operator to fix) and a count.
#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
pub(crate) fn value_refused(what: &str) {
    VALUES_REFUSED.incr();
    crate::log::debug!(
        reason = what,
        "an attribute value was refused while rendering"
    );
}

/// Counts a long-lived stream as live from its creation to its drop; on drop, a stream that
/// had not finished was left by its client.
pub(crate) struct LiveStream {
    finished: bool,
}

impl LiveStream {
    pub(crate) fn open() -> LiveStream {
        LIVE_STREAMS.incr();
        STREAMS_OPENED.incr();
        LiveStream { finished: false }
    }

    /// The stream's events ran out: its end is not a disconnect.
    pub(crate) fn finish(&mut self) {
        self.finished = true;
    }
}

impl Drop for LiveStream {
    fn drop(&mut self) {
        LIVE_STREAMS.decr();
        if !self.finished {
            CLIENT_DISCONNECTS.incr();
            crate::log::debug!("SSE client disconnected before the stream ended");
        }
    }
}

/// Records an event that failed to encode and was dropped: a warning and a count.
#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
pub(crate) fn event_failed(where_: &str, error: &dyn fmt::Display) {
    EVENTS_FAILED.incr();
    crate::log::warning!(error = %error, "{where_}: an event failed to encode and was not sent");
}

/// Records messages dropped from a slow subscriber's full queue, when they are dropped (a
/// client that never reads is counted too): `started` is the first drop since it last read,
/// which is logged and counted as one more lagging subscriber.
#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
pub(crate) fn lag_dropped(n: u64, started: bool, messages: usize, bytes: usize) {
    MESSAGES_LAGGED.add(n);
    if started {
        SUBSCRIBERS_LAGGED.incr();
        crate::log::warning!(
            queue_messages = messages,
            queue_bytes = bytes,
            "a slow SSE subscriber's queue is full: its oldest messages are being dropped"
        );
    }
}

/// Logs the end of a lag: how many messages the subscriber lost in all, when it reads again
/// (it then receives `Lagged(n)`) or leaves.
#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
pub(crate) fn lag_reported(n: u64, when: &str) {
    crate::log::warning!(
        lost = n,
        "a slow SSE subscriber lost its {n} oldest messages ({when})"
    );
}
