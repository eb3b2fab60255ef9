//! The NATS backend (feature `nats`): topics are NATS subjects, the sender travels in a header.
//!
//! **One NATS subscription per pattern per process.** Live subscriptions to the same pattern
//! share one NATS subscription (on JetStream, one consumer), reference-counted and
//! dropped with the last subscriber. Each message NATS delivers is decoded once into a
//! [`Message`] and fanned out through the in-process matcher ([`MemoryBus`]) into the same
//! bounded queues as in process, so the overflow policy is the same and the bytes are shared.
//! A message matched by several held patterns arrives once per pattern from NATS and is
//! delivered once (by its id). A new subscription on a pattern the process already holds costs
//! no NATS round trip; the first one waits until NATS has the subscription, so a publish after
//! `subscribe` returns is delivered.
//!
//! **Resume without a consumer per client.** A resume joins the same shared feed, then reads
//! what it missed once, up to the stream's last sequence (a few messages through the stream's
//! message API, no consumer; more in batches through a pull consumer deleted when done), and
//! drops the live messages up to that sequence.
//!
//! **A live feed that goes silent is renewed.** A JetStream feed's consumer lives on one node
//! of a cluster, not always the one the connection goes to. It sends an idle heartbeat every 2 s
//! while it has nothing to deliver; a feed that hears nothing for 6 s while its connection is up
//! (the node died) goes on from a new consumer after the last message it delivered (see
//! [`LiveFeed`]).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;

use super::history::{Missed, Newest};
use super::memory::MemoryBus;
use super::queue::Queue;
use super::subscription::Guard;
use super::{BusError, BusErrorKind, Message, Pattern, Topic};

const SENDER: &str = "Nitro-Sender";
const ID: &str = "Nitro-Id";
/// Set on messages published as SSE events: the payload is encoded SSE.
const EVENT: &str = "Nitro-Event";

pub(crate) struct NatsBus {
    client: async_nats::Client,
    /// With JetStream: the context and the stream that keeps the history.
    jetstream: Option<(
        async_nats::jetstream::Context,
        async_nats::jetstream::stream::Stream,
    )>,
    /// What the app declared: recreated when NATS lost it.
    stream_config: Option<async_nats::jetstream::stream::Config>,
    count: Arc<AtomicUsize>,
    origin: u64,
    seq: AtomicU64,
    /// The process's shared NATS subscriptions and their local fan-out.
    hub: Arc<Hub>,
}

/// The most distinct patterns one bus handle holds on NATS at once (10,000): patterns built from
/// what strangers send (room names, …) cannot make a process hold unbounded NATS
/// subscriptions. Subscribing beyond it fails with [`BusErrorKind::Subscribe`] (503).
pub(crate) const MAX_HELD_PATTERNS: usize = 10_000;

/// The patterns this process holds on NATS, and the local matcher their messages are fanned
/// out through.
#[derive(Default)]
pub(crate) struct Hub {
    local: MemoryBus,
    held: std::sync::Mutex<HashMap<String, Held>>,
    recent: std::sync::Mutex<Recent>,
    /// Counts the connection's comebacks: JetStream sources renew their consumers on each.
    reconnected: tokio::sync::watch::Sender<u64>,
}

/// One pattern held on NATS: how many local subscriptions use it, and its source (the task
/// reading the NATS subscription), set up once by the first of them.
struct Held {
    refs: usize,
    source: Arc<tokio::sync::OnceCell<Source>>,
}

/// The task reading one held pattern's NATS subscription; ended when dropped (its end
/// unsubscribes). On JetStream, the consumer is deleted too, rather than left to
/// expire after 30 s.
struct Source {
    task: tokio::task::AbortHandle,
    /// On JetStream, the stream and the name of its current consumer (renewed after an outage).
    consumer: Option<(
        async_nats::jetstream::stream::Stream,
        Arc<std::sync::Mutex<String>>,
    )>,
}

impl Drop for Source {
    fn drop(&mut self) {
        self.task.abort();
        if let (Some((stream, name)), Ok(runtime)) =
            (self.consumer.take(), tokio::runtime::Handle::try_current())
        {
            let name = name.lock().unwrap_or_else(|p| p.into_inner()).clone();
            runtime.spawn(async move {
                if let Err(e) = stream.delete_consumer(&name).await {
                    crate::log::debug!(error = %e, "bus: a JetStream consumer was not deleted (it expires by itself)");
                }
            });
        }
    }
}

/// The ids of the last messages fanned out, so one that two held patterns both match is
/// delivered once.
#[derive(Default)]
struct Recent {
    order: VecDeque<Box<str>>,
    seen: HashSet<Box<str>>,
}

impl Recent {
    const KEEP: usize = 4096;

    /// Is `id` new? Remembers it.
    fn insert(&mut self, id: &str) -> bool {
        if self.seen.contains(id) {
            return false;
        }
        let id: Box<str> = id.into();
        self.seen.insert(id.clone());
        self.order.push_back(id);
        if self.order.len() > Self::KEEP {
            if let Some(old) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        true
    }
}

impl Hub {
    /// Fans a message out to the local subscriptions matching its topic, once per `id`. The
    /// check and the fan-out are one step (under one lock), so a message that two held patterns
    /// bring is delivered by whichever brings it first, in the order NATS sent them.
    fn deliver(&self, id: &str, message: Message) {
        if id.is_empty() {
            self.local.publish(message);
            return;
        }
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        if recent.insert(id) {
            self.local.publish(message);
        }
    }

    /// Counts one more user of each pattern; returns their sources to set up (or wait for).
    /// Fails, holding nothing, when that would make the process hold more than
    /// [`MAX_HELD_PATTERNS`] distinct patterns.
    fn hold(
        &self,
        patterns: &[Pattern],
    ) -> Result<Vec<Arc<tokio::sync::OnceCell<Source>>>, BusError> {
        let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        let new = patterns
            .iter()
            .filter(|p| !held.contains_key(p.as_str()))
            .count();
        if held.len() + new > MAX_HELD_PATTERNS {
            return Err(BusError::new(
                BusErrorKind::Subscribe,
                format!(
                    "this process already holds {} patterns on NATS (at most {MAX_HELD_PATTERNS}); refusing more",
                    held.len()
                ),
            ));
        }
        Ok(patterns
            .iter()
            .map(|p| {
                let h = held.entry(p.as_str().to_owned()).or_insert_with(|| Held {
                    refs: 0,
                    source: Arc::default(),
                });
                h.refs += 1;
                h.source.clone()
            })
            .collect())
    }

    /// One user fewer of each pattern; the last one's leaving drops the NATS subscription.
    fn release(&self, patterns: &[Pattern]) {
        let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        for p in patterns {
            if let Some(h) = held.get_mut(p.as_str()) {
                h.refs -= 1;
                if h.refs == 0 {
                    held.remove(p.as_str());
                }
            }
        }
    }
}

impl NatsBus {
    pub(crate) async fn connect(url: &str) -> Result<NatsBus, BusError> {
        let hub = Arc::new(Hub::default());
        let client = async_nats::ConnectOptions::new()
            .connection_timeout(Duration::from_secs(5))
            // Reconnect quickly after an outage (the default backoff grows to seconds).
            .reconnect_delay_callback(|attempts| {
                Duration::from_millis((100 * attempts as u64).min(1000))
            })
            .event_callback({
                // The first `Connected` is the initial connection, not a reconnection.
                let down = Arc::new(std::sync::atomic::AtomicBool::new(false));
                let hub = hub.clone();
                move |event| {
                    let (down, hub) = (down.clone(), hub.clone());
                    async move {
                        if connection_event(event, &down) {
                            hub.reconnected.send_modify(|n| *n += 1);
                        }
                    }
                }
            })
            .connect(url)
            .await
            .map_err(|e| {
                BusError::with_source(
                    BusErrorKind::Connect,
                    format!("cannot connect to NATS at {url}"),
                    e,
                )
            })?;
        let origin = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
            ^ (std::process::id() as u64) << 32;
        Ok(NatsBus {
            client,
            jetstream: None,
            count: Arc::default(),
            origin,
            seq: AtomicU64::new(0),
            hub,
            stream_config: None,
        })
    }

    pub(crate) async fn connect_jetstream(
        url: &str,
        stream: &str,
        subjects: &[&str],
        max_per_subject: Option<i64>,
        max_messages: Option<i64>,
        replicas: Option<usize>,
    ) -> Result<NatsBus, BusError> {
        let mut bus = NatsBus::connect(url).await?;
        let js = async_nats::jetstream::new(bus.client.clone());
        let replicas = replicas.unwrap_or_else(|| default_replicas(&bus.client));
        let config = async_nats::jetstream::stream::Config {
            name: stream.to_owned(),
            subjects: subjects.iter().map(|s| (*s).to_owned()).collect(),
            max_messages_per_subject: max_per_subject.unwrap_or_default(),
            max_messages: max_messages.unwrap_or_default(),
            num_replicas: replicas,
            ..Default::default()
        };
        bus.stream_config = Some(config.clone());
        let handle = js.get_or_create_stream(config).await.map_err(|e| {
            BusError::with_source(
                BusErrorKind::Connect,
                format!("JetStream stream {stream} is not available"),
                e,
            )
        })?;
        // A stream declared earlier with another replica count keeps it (NATS decides when a
        // stream is scaled): said once, so a deployment that grew knows to scale it.
        let kept = handle.cached_info().config.num_replicas.max(1);
        if kept != replicas {
            crate::log::warning!(
                stream,
                replicas = kept,
                wanted = replicas,
                "bus: the JetStream stream exists with another replica count; kept as it is (`nats stream edit --replicas` changes it)"
            );
        }
        bus.jetstream = Some((js, handle));
        Ok(bus)
    }

    /// The connection (clones share it).
    pub(crate) fn client(&self) -> async_nats::Client {
        self.client.clone()
    }

    pub(crate) fn keeps_history(&self) -> bool {
        self.jetstream.is_some()
    }

    pub(crate) async fn publish(
        &self,
        topic: &Topic,
        sender: &str,
        payload: Bytes,
        event: bool,
        id: Option<&str>,
    ) -> Result<(), BusError> {
        // Fail fast while the connection is down rather than buffer silently: the caller
        // learns at once that this message did not go out.
        if self.client.connection_state() != async_nats::connection::State::Connected {
            return Err(BusError::new(
                BusErrorKind::Publish,
                format!("publish to {topic} failed: the NATS connection is down (reconnecting)"),
            ));
        }
        let id = match id {
            // One id per topic: JetStream deduplicates by id across the whole stream.
            Some(key) => format!("{key}:{topic}"),
            None => format!(
                "{:x}-{}",
                self.origin,
                self.seq.fetch_add(1, Ordering::Relaxed)
            ),
        };
        // What can never fit is refused before it is sent (a retry could never succeed).
        let headers_len = SENDER.len() + sender.len() + 2 * (ID.len() + id.len()) + 64;
        let max = self.client.server_info().max_payload;
        if max > 0 && payload.len() + topic.as_str().len() + headers_len > max {
            return Err(BusError::new(
                BusErrorKind::TooLarge,
                format!(
                    "publish to {topic}: {} bytes do not fit the NATS server's max_payload ({max} bytes)",
                    payload.len()
                ),
            ));
        }
        let mut headers = async_nats::HeaderMap::new();
        headers.insert(SENDER, sender);
        headers.insert(ID, id.as_str());
        if event {
            headers.insert(EVENT, "1");
        }
        if let Some((js, _)) = &self.jetstream {
            headers.insert("Nats-Msg-Id", id.as_str());
            let result = publish_acknowledged(js, topic, headers.clone(), payload.clone()).await;
            if let (Err(e), Some(config)) = (&result, &self.stream_config) {
                if e.kind() == BusErrorKind::Publish
                    && e.to_string().contains(STREAM_NOT_FOUND)
                    && stream_missing(js, &config.name).await
                {
                    // NATS lost what the app declared (restarted without its store): declare
                    // it again, say so, and publish once more. (A stream that exists but has no
                    // leader for the moment, while a cluster elects one, answers the same: that
                    // publish fails, and the next one, once elected, goes through.)
                    js.get_or_create_stream(config.clone()).await.map_err(|e| {
                        BusError::with_source(
                            BusErrorKind::Publish,
                            format!(
                                "JetStream stream {} is missing and could not be recreated",
                                config.name
                            ),
                            e,
                        )
                    })?;
                    crate::stats::BUS_RECREATED.incr();
                    crate::log::warning!(
                        stream = %config.name,
                        "bus: the JetStream stream was missing (NATS lost its store?); recreated"
                    );
                    return publish_acknowledged(js, topic, headers, payload).await;
                }
            }
            return result;
        }
        self.client
            .publish_with_headers(topic.as_str().to_owned(), headers, payload)
            .await
            .map_err(|e| {
                BusError::with_source(
                    BusErrorKind::Publish,
                    format!("publish to {topic} failed"),
                    e,
                )
            })
    }

    /// Joins the process's shared feed of `patterns` (opening their NATS subscriptions or
    /// JetStream consumers if this process holds them for the first time).
    pub(crate) async fn subscribe(
        &self,
        patterns: Vec<Pattern>,
        queue: Arc<Queue>,
    ) -> Result<Guard, BusError> {
        // Registered locally first: from now on every message the held patterns bring is
        // delivered to it. The guard undoes both steps, even if this future is dropped.
        let sources = self.hub.hold(&patterns)?;
        let id = self.hub.local.subscribe(&patterns, queue);
        self.count.fetch_add(1, Ordering::Relaxed);
        let guard = Guard::Nats {
            _unsubscribe_on_drop: NatsGuard::Shared {
                hub: self.hub.clone(),
                id,
                patterns: patterns.clone(),
                count: self.count.clone(),
            },
        };
        for (p, source) in patterns.iter().zip(sources) {
            source.get_or_try_init(|| self.open_source(p)).await?;
        }
        Ok(guard)
    }

    /// Subscribes to `pattern` on NATS for the whole process: a task fans out what it brings.
    /// Returns once NATS has the subscription.
    async fn open_source(&self, pattern: &Pattern) -> Result<Source, BusError> {
        let hub = self.hub.clone();
        if let Some((js, stream)) = &self.jetstream {
            // Created by a request: when it is answered, the consumer exists and delivers
            // every message stored after. Up to 8 unanswered attempts (a node that just died
            // may be given it, and never answers): typically one, at most 14 s.
            let (consumer, _) = create_feed_consumer(
                &self.client,
                stream,
                pattern,
                async_nats::jetstream::consumer::DeliverPolicy::New,
                Some(8),
                "subscribing",
            )
            .await
            .map_err(|e| {
                BusError::new(
                    BusErrorKind::Subscribe,
                    format!("JetStream subscription to {pattern} failed: {e}"),
                )
            })?;
            let name = Arc::new(std::sync::Mutex::new(consumer.name));
            let live = LiveFeed {
                client: self.client.clone(),
                context: js.clone(),
                stream: stream.clone(),
                pattern: pattern.clone(),
                name: name.clone(),
                node: consumer.node,
                last: consumer.after,
                sent: 0,
            };
            let messages = consumer.messages;
            let task = tokio::spawn(live.run(messages, hub));
            return Ok(Source {
                task: task.abort_handle(),
                consumer: Some((stream.clone(), name)),
            });
        }
        let mut sub = self
            .client
            .subscribe(pattern.as_str().to_owned())
            .await
            .map_err(|e| {
                BusError::with_source(
                    BusErrorKind::Subscribe,
                    format!("subscribe to {pattern} failed"),
                    e,
                )
            })?;
        let task = tokio::spawn(async move {
            while let Some(m) = sub.next().await {
                let id = header_value(&m, ID);
                let message = from_nats(&m, None);
                hub.deliver(&id, message);
            }
        });
        let source = Source {
            task: task.abort_handle(),
            consumer: None,
        };
        // A round trip, so the server has the subscription before `subscribe` returns: a
        // publish from another connection right after is then delivered.
        self.round_trip().await?;
        Ok(source)
    }

    /// The last `n` messages matching `pattern`, their total, and the sequence read up to.
    pub(crate) async fn history(
        &self,
        pattern: &Pattern,
        n: usize,
    ) -> Result<super::History, BusError> {
        let Some((_, stream)) = &self.jetstream else {
            return Ok(super::History::default());
        };
        let state = self.stream_state(stream).await?;
        let mut newest = Newest::new(n, super::MAX_HISTORY_BYTES);
        self.read_range(stream, pattern, None, state.last_sequence, |m| {
            newest.push(m)
        })
        .await?;
        Ok(newest.into_history(state.last_sequence, state.first_sequence))
    }

    /// What a subscription resuming after `seen` missed: the newest of the messages after it
    /// (up to the stream's last sequence) that fit its queue, read in batches. `None` without
    /// JetStream. Fails with `Expired` when the stream no longer starts by `seen + 1`.
    pub(crate) async fn missed(
        &self,
        patterns: &[Pattern],
        seen: u64,
        max_messages: usize,
        max_bytes: usize,
    ) -> Result<Option<Missed>, BusError> {
        let Some((_, stream)) = &self.jetstream else {
            return Ok(None);
        };
        let state = self.stream_state(stream).await?;
        let last = state.last_sequence;
        // Never past the end of the stream: an id from the future (a forged header, a stream
        // that was recreated) starts with the next message instead of waiting for a sequence
        // that may never come.
        let seen = seen.min(last);
        if seen + 1 < state.first_sequence {
            return Err(super::ring::expired(seen, state.first_sequence));
        }
        let mut newest = Newest::new(max_messages.max(1), max_bytes);
        if seen < last {
            // Several patterns: read each, then merge by sequence (once each).
            let mut all = Vec::new();
            for p in patterns {
                // A blip misses a few messages: read one by one, without a consumer; past
                // DIRECT_READS, in batches.
                let next = self
                    .read_direct(stream, p, seen + 1, last, |m| all.push(m))
                    .await;
                if let Some(next) = next {
                    self.read_range(stream, p, Some(next), last, |m| all.push(m))
                        .await?;
                }
            }
            if patterns.len() > 1 {
                all.sort_unstable_by_key(Message::sequence);
                all.dedup_by_key(|m| m.sequence());
            }
            for m in all {
                newest.push(m);
            }
        }
        Ok(Some(newest.into_missed(last)))
    }

    /// Hands `each` the messages matching `pattern` from sequence `start` up to `last`, one
    /// request each (the stream's message API: no consumer), at most [`DIRECT_READS`] of them.
    /// Returns where to go on if more may remain (or the server refused the request, which a
    /// batched read then retries).
    async fn read_direct(
        &self,
        stream: &async_nats::jetstream::stream::Stream,
        pattern: &Pattern,
        start: u64,
        last: u64,
        mut each: impl FnMut(Message),
    ) -> Option<u64> {
        use async_nats::jetstream::stream::LastRawMessageErrorKind;
        let mut next = start;
        for _ in 0..DIRECT_READS {
            if next > last {
                return None;
            }
            let request = stream
                .raw_message_builder()
                .sequence(next)
                .next_by_subject(pattern.as_str())
                .send();
            match tokio::time::timeout(Duration::from_secs(5), request).await {
                Ok(Ok(m)) if m.sequence <= last => {
                    next = m.sequence + 1;
                    each(Message::build(
                        m.subject.to_string(),
                        m.headers
                            .get(SENDER)
                            .map(|v| v.to_string())
                            .unwrap_or_default(),
                        m.payload,
                        Some(m.sequence),
                        m.headers.get(EVENT).is_some_and(|v| v.as_str() == "1"),
                    ));
                }
                Ok(Ok(_)) => return None,
                Ok(Err(e)) if e.kind() == LastRawMessageErrorKind::NoMessageFound => return None,
                _ => return Some(next),
            }
        }
        (next <= last).then_some(next)
    }

    async fn stream_state(
        &self,
        stream: &async_nats::jetstream::stream::Stream,
    ) -> Result<async_nats::jetstream::stream::State, BusError> {
        Ok(stream
            .get_info()
            .await
            .map_err(|e| {
                BusError::with_source(
                    BusErrorKind::Subscribe,
                    "JetStream stream information is not available",
                    e,
                )
            })?
            .state)
    }

    /// Hands `each` the messages matching `pattern` from sequence `start` (the first kept with
    /// `None`) up to `last`, oldest first. It pulls them in batches of at most 64 messages and
    /// 1 MiB through a pull consumer of its own, deleted when done: NATS sends no more than
    /// asked for, so a room of large messages cannot make it a slow consumer (and drop the
    /// connection every other room uses). Fails if the server does not answer within 5 s.
    async fn read_range(
        &self,
        stream: &async_nats::jetstream::stream::Stream,
        pattern: &Pattern,
        start: Option<u64>,
        last: u64,
        mut each: impl FnMut(Message),
    ) -> Result<(), BusError> {
        use async_nats::jetstream::consumer::{pull, AckPolicy, DeliverPolicy};
        let failed = |e: &dyn std::fmt::Display| {
            BusError::new(
                BusErrorKind::Subscribe,
                format!("reading the history of {pattern} failed: {e}"),
            )
        };
        let mut consumer_name = None;
        let read = async {
            let deliver_policy = match start {
                Some(start_sequence) => DeliverPolicy::ByStartSequence { start_sequence },
                None => DeliverPolicy::All,
            };
            let config = pull::Config {
                filter_subject: pattern.as_str().to_owned(),
                deliver_policy,
                ack_policy: AckPolicy::None,
                inactive_threshold: Duration::from_secs(10),
                ..Default::default()
            };
            // Each attempt bounded: for a while after a cluster node dies, NATS may place a new
            // consumer on the dead node, and then never answers; another attempt is placed anew.
            let mut attempt = 0;
            let mut consumer = loop {
                attempt += 1;
                let created = tokio::time::timeout(
                    Duration::from_millis(1500),
                    stream.create_consumer(config.clone()),
                )
                .await;
                match created {
                    Ok(created) => break created.map_err(|e| failed(&e))?,
                    Err(_) if attempt < 3 => continue,
                    Err(_) => return Err(failed(&"no consumer within 3 attempts")),
                }
            };
            consumer_name = Some(consumer.cached_info().name.clone());
            if consumer.info().await.map_err(|e| failed(&e))?.num_pending == 0 {
                return Ok(());
            }
            let mut messages = consumer
                .stream()
                .max_messages_per_batch(64)
                .max_bytes_per_batch(1 << 20)
                .messages()
                .await
                .map_err(|e| failed(&e))?;
            while let Some(item) = messages.next().await {
                let m = item.map_err(|e| failed(&e))?;
                let (sequence, pending) = match m.info() {
                    Ok(i) => (i.stream_sequence, i.pending),
                    Err(e) => return Err(failed(&e)),
                };
                if sequence > last {
                    break;
                }
                each(from_nats(&m, Some(sequence)));
                if pending == 0 || sequence == last {
                    break;
                }
            }
            Ok(())
        };
        let result = tokio::time::timeout(Duration::from_secs(5), read)
            .await
            .unwrap_or_else(|_| Err(failed(&"no answer within 5 s")));
        if let Some(name) = consumer_name {
            let stream = stream.clone();
            tokio::spawn(async move {
                let _ = stream.delete_consumer(&name).await;
            });
        }
        result
    }

    /// Publishes to a private inbox on this connection and waits for it to come back. The
    /// server handles a connection's commands in order, so everything sent before (such as a
    /// `SUB`) has been processed when this returns.
    async fn round_trip(&self) -> Result<(), BusError> {
        let failed = |why: &str| {
            BusError::new(
                BusErrorKind::Subscribe,
                format!("subscription not confirmed by NATS: {why}"),
            )
        };
        let inbox = self.client.new_inbox();
        let mut echo = self.client.subscribe(inbox.clone()).await.map_err(|e| {
            BusError::with_source(
                BusErrorKind::Subscribe,
                "subscription not confirmed by NATS",
                e,
            )
        })?;
        self.client
            .publish(inbox, Bytes::new())
            .await
            .map_err(|e| {
                BusError::with_source(
                    BusErrorKind::Subscribe,
                    "subscription not confirmed by NATS",
                    e,
                )
            })?;
        match tokio::time::timeout(Duration::from_secs(5), echo.next()).await {
            Ok(Some(_)) => Ok(()),
            Ok(None) => Err(failed("the connection closed")),
            Err(_) => Err(failed("no answer within 5 s")),
        }
    }

    pub(crate) fn count(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }

    pub(crate) async fn flush(&self) -> Result<(), BusError> {
        self.client
            .flush()
            .await
            .map_err(|e| BusError::with_source(BusErrorKind::Publish, "flush to NATS failed", e))
    }
}

/// How many missed messages a resume reads one request each, without a consumer, before it
/// reads the rest in batches through a short-lived pull consumer.
const DIRECT_READS: usize = 32;

/// The most replicas nitro gives a stream or bucket by default.
pub(crate) const MAX_DEFAULT_REPLICAS: usize = 3;

/// The replica count for what nitro declares on JetStream when the app does not say: the
/// number of servers in the cluster of the server `client` is connected to, at most
/// [`MAX_DEFAULT_REPLICAS`]; 1 for a server on its own. NATS tells each client the client URLs
/// of every server of its cluster (`connect_urls` in its `INFO`, its own included), so that is
/// the cluster's size as this server knew it when the app connected; a server started with
/// `no_advertise` tells none (then 1: say the count with `replicas`).
pub(crate) fn default_replicas(client: &async_nats::Client) -> usize {
    client
        .server_info()
        .connect_urls
        .len()
        .clamp(1, MAX_DEFAULT_REPLICAS)
}

/// How often a live feed's consumer says it is alive while it has nothing to deliver (a
/// JetStream idle heartbeat).
const HEARTBEAT: Duration = Duration::from_secs(2);

/// The silence after which a live feed takes its consumer for lost: three heartbeats missed.
const SILENCE: Duration = Duration::from_secs(6);

/// A live feed's consumer: an ephemeral push consumer of the stream filtered to one pattern,
/// without acknowledgements, kept in memory on one node, with flow control and idle heartbeats
/// (what async-nats's ordered consumer creates, but named and renewed by the feed itself).
struct FeedConsumer {
    name: String,
    /// The node that leads it (its creation was answered from there).
    node: String,
    messages: async_nats::Subscriber,
    /// The stream sequence it starts after (with `DeliverPolicy::New`, the stream's last
    /// sequence when it was created).
    after: u64,
}

/// A consumer name of nitro's own, `nitro_` and a random token: a new one each time, so that
/// NATS places each consumer anew, and the feed knows the name of one whose creation was not
/// answered (to delete it).
fn consumer_name(client: &async_nats::Client) -> String {
    let inbox = client.new_inbox();
    format!("nitro_{}", inbox.rsplit('.').next().unwrap_or_default())
}

/// Creates the consumer `name` of `stream` filtered to `pattern`, from `policy`. Its delivery
/// subject is subscribed first, so nothing it sends is missed. The answer comes from the node
/// the consumer is placed on: when this returns, that node is up and the consumer delivers.
async fn live_consumer(
    client: &async_nats::Client,
    stream: &async_nats::jetstream::stream::Stream,
    pattern: &Pattern,
    policy: async_nats::jetstream::consumer::DeliverPolicy,
    name: String,
) -> Result<FeedConsumer, Box<dyn std::error::Error + Send + Sync>> {
    use async_nats::jetstream::consumer::{push, AckPolicy};
    let deliver_subject = client.new_inbox();
    let messages = client.subscribe(deliver_subject.clone()).await?;
    let consumer = stream
        .create_consumer(push::Config {
            name: Some(name.clone()),
            deliver_subject,
            filter_subject: pattern.as_str().to_owned(),
            deliver_policy: policy,
            ack_policy: AckPolicy::None,
            max_deliver: 1,
            flow_control: true,
            idle_heartbeat: HEARTBEAT,
            // NATS deletes it 30 s after nobody listens (the process died).
            inactive_threshold: Duration::from_secs(30),
            num_replicas: 1,
            memory_storage: true,
            ..Default::default()
        })
        .await?;
    let info = consumer.cached_info();
    Ok(FeedConsumer {
        name,
        node: info
            .cluster
            .as_ref()
            .and_then(|c| c.leader.clone())
            .unwrap_or_default(),
        messages,
        after: info.delivered.stream_sequence,
    })
}

/// Why a live feed renews its consumer.
#[derive(Clone, Copy)]
enum Renewal {
    /// The connection came back after an outage.
    Reconnected,
    /// The consumer sent nothing, not even a heartbeat, for [`SILENCE`].
    Silent,
    /// A message the consumer sent did not arrive (its consumer sequence skipped one).
    Gap,
}

/// The task behind one held pattern's JetStream consumer: fans out what it brings, in stream
/// order, once each, and renews the consumer when it cannot be trusted to deliver the rest.
///
/// **Liveness, by construction.** The consumer sends an idle heartbeat every [`HEARTBEAT`]
/// when it has nothing to deliver, so a feed that hears nothing at all for [`SILENCE`] while
/// its connection is up has lost its consumer: the node holding it died (the app's own
/// connection, to another node, saw no outage) or NATS dropped it. A heartbeat also says which
/// consumer sequence was last sent: a feed that received less, or a message whose sequence
/// skips one, lost a message on the way.
///
/// **Renewal.** In each of those cases, and after each reconnection of the connection, the feed
/// creates a new consumer from the message after the last one it delivered (so nothing is lost
/// or repeated) and deletes the old one: one consumer per pattern per process. Each attempt
/// has a new name and a short bound ([`create_feed_consumer`]): NATS may place a new consumer
/// on a node it has not yet noticed is down, whose creation then goes unanswered (async-nats's
/// ordered consumer retries under the same name, which can stay on the dead node); the next
/// attempt is placed anew, and the unanswered one is deleted. It never delivers a message from
/// before the feed started.
struct LiveFeed {
    client: async_nats::Client,
    /// Reads the consumer's messages' metadata (stream and consumer sequences).
    context: async_nats::jetstream::Context,
    stream: async_nats::jetstream::stream::Stream,
    pattern: Pattern,
    /// The current consumer's name, shared with its [`Source`] (which deletes it).
    name: Arc<std::sync::Mutex<String>>,
    /// The node that leads the current consumer, for the log.
    node: String,
    /// The last stream sequence delivered (or the feed's start).
    last: u64,
    /// The consumer sequence of the last message the current consumer sent.
    sent: u64,
}

impl LiveFeed {
    async fn run(mut self, mut messages: async_nats::Subscriber, hub: Arc<Hub>) {
        let mut id = itoa::Buffer::new();
        let mut reconnected = hub.reconnected.subscribe();
        // When the consumer was last heard from; the timer is moved only when it fires (not
        // once per message).
        let mut heard = tokio::time::Instant::now();
        let silence = tokio::time::sleep(SILENCE);
        tokio::pin!(silence);
        loop {
            // Biased: what the consumer sent is read first, so the silence is only noticed once
            // nothing is waiting (a busy process that read late did not lose its consumer).
            let renewal = tokio::select! {
                biased;
                m = messages.next() => {
                    // `None`: the connection was closed for good.
                    let Some(m) = m else { break };
                    heard = tokio::time::Instant::now();
                    self.receive(m, &hub, &mut id).await
                }
                changed = reconnected.changed() => {
                    if changed.is_err() {
                        break;
                    }
                    Some(Renewal::Reconnected)
                }
                () = &mut silence => {
                    let now = tokio::time::Instant::now();
                    if now < heard + SILENCE {
                        silence.as_mut().reset(heard + SILENCE);
                        None
                    } else {
                        silence.as_mut().reset(now + SILENCE);
                        // While the connection is down, its comeback renews the consumer.
                        (self.client.connection_state() == async_nats::connection::State::Connected)
                            .then_some(Renewal::Silent)
                    }
                }
            };
            if let Some(why) = renewal {
                if let Renewal::Silent = why {
                    crate::stats::BUS_FEEDS_STALLED.incr();
                    crate::log::warning!(
                        pattern = %self.pattern,
                        node = %self.node,
                        after = self.last,
                        "bus: a JetStream live feed went silent (no message nor heartbeat from its consumer for {} s: its node is down?); renewing it from the message after the last one delivered",
                        SILENCE.as_secs()
                    );
                }
                messages = self.renew(why).await;
                heard = tokio::time::Instant::now();
                silence.as_mut().reset(heard + SILENCE);
            }
        }
    }

    /// Handles what the consumer sent: a message (fanned out, unless from before the feed
    /// started or already delivered), a heartbeat or a flow-control request (answered). Says
    /// when the consumer must be renewed: a message it sent did not arrive.
    async fn receive(
        &mut self,
        m: async_nats::Message,
        hub: &Hub,
        id: &mut itoa::Buffer,
    ) -> Option<Renewal> {
        match m.status {
            None => {}
            Some(async_nats::StatusCode::IDLE_HEARTBEAT) => {
                if let Some(reply) = m.reply {
                    // Flow control: the consumer sends more once answered.
                    let _ = self.client.publish(reply, Bytes::new()).await;
                    return None;
                }
                let header = |name| m.headers.as_ref().and_then(|h| h.get(name));
                if let Some(stalled) = header(STALLED) {
                    // A flow-control request whose answer was lost: asked again.
                    let _ = self
                        .client
                        .publish(stalled.as_str().to_owned(), Bytes::new())
                        .await;
                }
                let sent = header(LAST_CONSUMER).and_then(|v| v.as_str().parse::<u64>().ok());
                return sent.filter(|s| *s > self.sent).map(|_| Renewal::Gap);
            }
            Some(_) => return None,
        }
        let m = async_nats::jetstream::Message {
            message: m,
            context: self.context.clone(),
        };
        let Ok((consumer_sequence, sequence)) =
            m.info().map(|i| (i.consumer_sequence, i.stream_sequence))
        else {
            return None;
        };
        if consumer_sequence != self.sent + 1 {
            return Some(Renewal::Gap);
        }
        self.sent = consumer_sequence;
        if sequence <= self.last {
            return None; // from before the feed started, or already delivered
        }
        self.last = sequence;
        hub.deliver(id.format(sequence), from_nats(&m, Some(sequence)));
        None
    }

    /// A new consumer from the message after the last one delivered; retried until it exists.
    async fn renew(&mut self, why: Renewal) -> async_nats::Subscriber {
        use async_nats::jetstream::consumer::DeliverPolicy;
        let policy = DeliverPolicy::ByStartSequence {
            start_sequence: self.last + 1,
        };
        let why = match why {
            Renewal::Reconnected => "the connection came back",
            Renewal::Silent => "its consumer went silent",
            Renewal::Gap => "a message it was sent did not arrive",
        };
        loop {
            let created =
                create_feed_consumer(&self.client, &self.stream, &self.pattern, policy, None, why)
                    .await;
            if let Ok((consumer, attempts)) = created {
                let old = std::mem::replace(
                    &mut *self.name.lock().unwrap_or_else(|p| p.into_inner()),
                    consumer.name,
                );
                delete_later(&self.stream, old);
                self.sent = 0;
                self.node = consumer.node;
                crate::log::debug!(pattern = %self.pattern, after = self.last, node = %self.node, attempts, "bus: JetStream live feed renewed ({why})");
                return consumer.messages;
            }
        }
    }
}

/// Creates a live feed's consumer (see [`live_consumer`]), retried: each attempt under a new
/// name and within a short bound (1 s for the first five, as a creation answers in
/// milliseconds, then 2 s, 3 s, … up to 5 s for a loaded server). NATS may place a consumer on
/// a node it has not yet noticed is down, and then the creation goes unanswered; the next
/// attempt is placed anew, and the unanswered one is deleted (it may exist on that node). With
/// `attempts`, at most that many, and none after an error NATS answered (`None`: until one
/// succeeds, after a pause when NATS refused); returns the consumer and the attempts it took,
/// or the last error.
async fn create_feed_consumer(
    client: &async_nats::Client,
    stream: &async_nats::jetstream::stream::Stream,
    pattern: &Pattern,
    policy: async_nats::jetstream::consumer::DeliverPolicy,
    attempts: Option<u32>,
    why: &str,
) -> Result<(FeedConsumer, u32), String> {
    let mut attempt = 0u32;
    loop {
        attempt = attempt.saturating_add(1);
        let name = consumer_name(client);
        let bound = Duration::from_secs(u64::from(attempt.saturating_sub(4)).clamp(1, 5));
        let created = tokio::time::timeout(
            bound,
            live_consumer(client, stream, pattern, policy, name.clone()),
        )
        .await;
        let (error, answered) = match created {
            Ok(Ok(consumer)) => return Ok((consumer, attempt)),
            Ok(Err(e)) => (e.to_string(), true),
            Err(_) => (format!("no answer within {} s", bound.as_secs()), false),
        };
        crate::log::debug!(%pattern, %error, attempt, "bus: creating a JetStream live feed's consumer failed ({why})");
        delete_later(stream, name);
        // With a limit (a subscription, whose client waits), an error NATS answers is final.
        if attempts.is_some_and(|n| answered || attempt >= n) {
            return Err(error);
        }
        if answered {
            // Refused (JetStream unavailable, electing a leader, …): not again at once.
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}

/// Deletes the consumer `name` of `stream` in the background (NATS deletes it anyway 30 s after
/// nobody listens to it).
fn delete_later(stream: &async_nats::jetstream::stream::Stream, name: String) {
    let stream = stream.clone();
    tokio::spawn(async move {
        let _ = stream.delete_consumer(&name).await;
    });
}

/// The header of a JetStream idle heartbeat that says the consumer sequence last sent.
const LAST_CONSUMER: &str = "Nats-Last-Consumer";
/// The header of a JetStream idle heartbeat that says where to answer a flow-control request
/// the consumer still waits for.
const STALLED: &str = "Nats-Consumer-Stalled";

/// Does JetStream say that the stream `name` does not exist? (Not when it cannot tell, such as
/// during a cluster's leader election.)
async fn stream_missing(js: &async_nats::jetstream::Context, name: &str) -> bool {
    use async_nats::jetstream::context::GetStreamErrorKind;
    use async_nats::jetstream::ErrorCode;
    match js.get_stream(name).await {
        Ok(_) => false,
        Err(e) => {
            matches!(e.kind(), GetStreamErrorKind::JetStream(j) if j.error_code() == ErrorCode::STREAM_NOT_FOUND)
        }
    }
}

/// How async-nats words a publish to a subject no stream holds.
const STREAM_NOT_FOUND: &str = "no stream found";

/// How many times a JetStream publish is sent when its acknowledgement does not come (5 s each).
const PUBLISH_ATTEMPTS: usize = 3;

/// Publishes to JetStream and waits for the acknowledgement: stored when this returns `Ok`.
/// When no acknowledgement comes in time (a frozen or overloaded server), the same message,
/// with the same `Nats-Msg-Id`, is sent again: JetStream stores it once (within its duplicate
/// window, 2 minutes by default). After [`PUBLISH_ATTEMPTS`] the outcome is unknown, and the
/// error says so ([`BusErrorKind::Unconfirmed`]).
async fn publish_acknowledged(
    js: &async_nats::jetstream::Context,
    topic: &Topic,
    headers: async_nats::HeaderMap,
    payload: Bytes,
) -> Result<(), BusError> {
    use async_nats::jetstream::context::PublishErrorKind;
    let failed = |e: &dyn std::fmt::Display| {
        BusError::new(
            BusErrorKind::Publish,
            format!("publish to {topic} failed: {e}"),
        )
    };
    for attempt in 1..=PUBLISH_ATTEMPTS {
        let ack = js
            .publish_with_headers(topic.as_str().to_owned(), headers.clone(), payload.clone())
            .await
            .map_err(|e| failed(&e))?;
        match ack.await {
            Ok(_) => return Ok(()),
            Err(e) if e.kind() == PublishErrorKind::TimedOut => {
                crate::log::warning!(
                    attempt,
                    %topic,
                    "bus: no acknowledgement from JetStream in time; sending the same message again (it is stored once)"
                );
            }
            Err(e) if e.kind() == PublishErrorKind::MaxPayloadExceeded => {
                return Err(BusError::new(
                    BusErrorKind::TooLarge,
                    format!("publish to {topic} failed: {e}"),
                ))
            }
            Err(e) => return Err(failed(&e)),
        }
    }
    Err(BusError::new(
        BusErrorKind::Unconfirmed,
        format!(
            "publish to {topic}: no acknowledgement after {PUBLISH_ATTEMPTS} attempts; it may have been stored (a retry with the same `Publish::id` is stored once)"
        ),
    ))
}

/// A header of a NATS message, or `""`.
/// A bus message from a NATS message: its subject, sender, payload and event flag, with its
/// stream sequence on JetStream (`None` on core NATS).
fn from_nats(m: &async_nats::Message, sequence: Option<u64>) -> Message {
    Message::build(
        m.subject.to_string(),
        header_value(m, SENDER),
        m.payload.clone(),
        sequence,
        header_value(m, EVENT) == "1",
    )
}

fn header_value(m: &async_nats::Message, name: &str) -> String {
    m.headers
        .as_ref()
        .and_then(|h| h.get(name))
        .map(|v| v.as_str().to_owned())
        .unwrap_or_default()
}

/// Unsubscribes when dropped.
pub(crate) enum NatsGuard {
    /// A user of the process's shared subscriptions: leaves the local matcher and releases
    /// its patterns.
    Shared {
        hub: Arc<Hub>,
        id: u64,
        patterns: Vec<Pattern>,
        count: Arc<AtomicUsize>,
    },
}

impl Drop for NatsGuard {
    fn drop(&mut self) {
        match self {
            NatsGuard::Shared {
                hub,
                id,
                patterns,
                count,
            } => {
                hub.local.unsubscribe(patterns, *id);
                hub.release(patterns);
                count.fetch_sub(1, Ordering::Relaxed);
            }
        }
    }
}

/// Logs and counts what happens to the connection: an outage and the reconnection after it are
/// warnings (publishing fails fast while the connection is down), a slow consumer too; the
/// rest is debug.
#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
/// Returns whether the event is a reconnection.
fn connection_event(event: async_nats::Event, down: &std::sync::atomic::AtomicBool) -> bool {
    use async_nats::Event;
    use std::sync::atomic::Ordering::Relaxed;
    match event {
        Event::Disconnected => {
            down.store(true, Relaxed);
            crate::stats::BUS_DISCONNECTS.incr();
            crate::log::warning!("bus: the connection to NATS was lost; reconnecting");
        }
        Event::Connected if down.swap(false, Relaxed) => {
            crate::stats::BUS_RECONNECTS.incr();
            crate::log::warning!("bus: connected to NATS again; subscriptions resume");
            return true;
        }
        Event::SlowConsumer(sid) => {
            crate::log::warning!(
                sid,
                "bus: NATS reports a slow consumer; messages were dropped"
            )
        }
        other => crate::log::debug!(event = %other, "bus: NATS connection event"),
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strangers' patterns cannot make a process hold unbounded NATS subscriptions: past
    /// `MAX_HELD_PATTERNS` distinct patterns, a subscription fails and holds nothing; held
    /// patterns can still be shared, and a released one makes room.
    #[test]
    fn held_patterns_are_capped() {
        let hub = Hub::default();
        let p = |i: usize| Pattern::new(format!("room.{i}.>")).unwrap();
        for i in 0..MAX_HELD_PATTERNS {
            hub.hold(&[p(i)]).unwrap();
        }
        let Err(err) = hub.hold(&[p(0), p(MAX_HELD_PATTERNS)]) else {
            panic!("one pattern too many was held");
        };
        assert_eq!(err.kind(), BusErrorKind::Subscribe);
        assert_eq!(
            hub.held.lock().unwrap()[p(0).as_str()].refs,
            1,
            "nothing held"
        );
        hub.hold(&[p(0)]).unwrap();
        hub.release(&[p(1)]);
        hub.hold(&[p(MAX_HELD_PATTERNS)]).unwrap();
        assert_eq!(hub.held.lock().unwrap().len(), MAX_HELD_PATTERNS);
    }
}
