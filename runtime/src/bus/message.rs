//! What travels on the bus: a [`Message`] as subscribers receive it, and the [`Payload`]s
//! [`Bus::publish`](super::Bus::publish) takes (a serializable value, or an SSE event encoded
//! once by the publisher).

use std::fmt;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::collapse;
use super::{BusError, BusErrorKind};

/// The longest sender name, in bytes (UTF-8).
pub const MAX_SENDER_BYTES: usize = 256;

/// The sender a publish is made on behalf of unless [`Publish::sender`](super::Publish::sender)
/// names another.
pub const DEFAULT_SENDER: &str = "server";

/// Checks a sender name the same way on every backend: 1 to [`MAX_SENDER_BYTES`] bytes, no
/// control characters (so no CR or LF, which cannot travel in a NATS header), no whitespace
/// at either end.
pub(crate) fn check_sender(sender: &str) -> Result<(), BusError> {
    check_name(sender, "sender", BusErrorKind::InvalidSender)
}

/// Checks a publish's idempotency key ([`Publish::id`](super::Publish::id)) like a sender.
pub(crate) fn check_id(id: &str) -> Result<(), BusError> {
    check_name(id, "id", BusErrorKind::InvalidId)
}

fn check_name(sender: &str, what: &str, kind: BusErrorKind) -> Result<(), BusError> {
    let why = if sender.is_empty() {
        "it is empty"
    } else if sender.len() > MAX_SENDER_BYTES {
        "it is longer than MAX_SENDER_BYTES (256 bytes)"
    } else if sender.chars().any(char::is_control) {
        "it contains a control character (such as CR or LF)"
    } else if sender.trim() != sender {
        "it starts or ends with whitespace"
    } else {
        return Ok(());
    };
    let quoted: String = sender.chars().take(64).collect();
    Err(BusError::new(
        kind,
        format!("invalid {what} {quoted:?}: {why}"),
    ))
}

/// What [`Bus::publish`](super::Bus::publish) can publish:
///
/// - a reference to any `Serialize` value (`&"hi"`, `&my_struct`): sent as JSON, read back
///   with [`Message::payload`];
/// - an SSE event ([`PatchElements`](crate::sse::PatchElements),
///   [`PatchSignals`](crate::sse::PatchSignals), [`ExecuteScript`](crate::sse::ExecuteScript),
///   [`Events`](crate::sse::Events), or a reference to one; an event type of your own goes
///   in an `Events`): encoded once, here; every subscriber's SSE bridge
///   ([`Subscription::into_sse`](super::Subscription::into_sse)) forwards those bytes as they
///   are.
///
/// ```
/// use nitro::bus::Bus;
/// use nitro::sse::PatchSignals;
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let bus = Bus::in_process();
/// bus.publish("news.today", &"plain JSON").await.unwrap();
/// bus.publish("news.today", PatchSignals::new(&serde_json::json!({ "n": 1 }))).await.unwrap();
/// # });
/// ```
pub trait Payload: sealed::Sealed {
    #[doc(hidden)]
    fn into_payload(self) -> Result<(Bytes, bool), BusError>;
}

mod sealed {
    pub trait Sealed {}
}

impl<T: Serialize + ?Sized> sealed::Sealed for &T {}
impl<T: Serialize + ?Sized> Payload for &T {
    fn into_payload(self) -> Result<(Bytes, bool), BusError> {
        let bytes = serde_json::to_vec(self).map(Bytes::from).map_err(|e| {
            BusError::with_source(
                BusErrorKind::Serialize,
                "payload could not be serialized",
                e,
            )
        })?;
        Ok((bytes, false))
    }
}

fn encode_event(event: &impl crate::sse::Event) -> Result<(Bytes, bool), BusError> {
    let mut buf = bytes::BytesMut::new();
    event.encode_to(&mut buf).map_err(|e| {
        BusError::with_source(BusErrorKind::Serialize, "event could not be encoded", e)
    })?;
    Ok((buf.freeze(), true))
}

/// The SSE event types are payloads (encoded once, by the publisher).
macro_rules! event_payload {
    ($([$($g:tt)*] $t:ty),* $(,)?) => {$(
        impl<$($g)*> sealed::Sealed for $t {}
        impl<$($g)*> Payload for $t {
            fn into_payload(self) -> Result<(Bytes, bool), BusError> {
                encode_event(&self)
            }
        }
    )*};
}

event_payload!(
    [] crate::sse::PatchElements,
    [] &crate::sse::PatchElements,
    [] crate::sse::PatchSignals,
    [] &crate::sse::PatchSignals,
    [] crate::sse::ExecuteScript,
    [] &crate::sse::ExecuteScript,
    [] crate::sse::Events,
    [] &crate::sse::Events,
);

/// A message received from the bus. Cheap to clone: subscribers of one process share it (and
/// its bytes), whatever the backend.
///
/// ```
/// use futures_util::StreamExt;
/// use nitro::bus::Bus;
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let bus = Bus::in_process();
/// let mut room = bus.subscribe("room.*").await.unwrap();
/// bus.publish("room.lobby", &"hello").sender("bob").await.unwrap();
/// let m = room.next().await.unwrap().unwrap();
/// assert_eq!((m.topic(), m.sender()), ("room.lobby", "bob"));
/// assert_eq!(m.payload::<String>().unwrap(), "hello");
/// assert!(!m.is_event()); // published as a value, not as an SSE event
/// # });
/// ```
#[derive(Clone)]
pub struct Message(pub(super) Arc<MessageInner>);

pub(super) struct MessageInner {
    topic: String,
    sender: String,
    payload: Bytes,
    /// The JetStream stream sequence, when the bus keeps history.
    sequence: Option<u64>,
    /// Published as an SSE event: the payload is encoded SSE.
    event: bool,
    /// The SSE bytes of this message as encoded by one shared mapping (keyed by its name),
    /// shared by every subscriber using the same key.
    #[cfg(feature = "axum")]
    encoded: OnceLock<(&'static str, Option<Bytes>)>,
    /// How a full queue may collapse it, worked out once for every queue.
    collapse: OnceLock<Arc<collapse::Kind>>,
}

impl Message {
    pub(crate) fn build(
        topic: String,
        sender: String,
        payload: Bytes,
        sequence: Option<u64>,
        event: bool,
    ) -> Message {
        Message(Arc::new(MessageInner {
            topic,
            sender,
            payload,
            sequence,
            event,
            #[cfg(feature = "axum")]
            encoded: OnceLock::new(),
            collapse: OnceLock::new(),
        }))
    }

    /// How many bytes a queue holding it is charged: its payload, topic and sender, and a
    /// fixed overhead for the rest.
    pub(crate) fn size(&self) -> usize {
        const OVERHEAD: usize = 128;
        self.0.payload.len() + self.0.topic.len() + self.0.sender.len() + OVERHEAD
    }

    /// How a full queue may collapse this message (computed once).
    pub(crate) fn collapse_kind(&self) -> Arc<collapse::Kind> {
        self.0
            .collapse
            .get_or_init(|| Arc::new(collapse::classify(self)))
            .clone()
    }

    /// This message with its event replaced by a signals patch of `signals` (a merge).
    pub(crate) fn with_signals(&self, signals: serde_json::Value) -> Message {
        let m = Message::build(
            self.0.topic.clone(),
            self.0.sender.clone(),
            collapse::signals_event(&signals),
            self.0.sequence,
            true,
        );
        let _ = m.0.collapse.set(Arc::new(collapse::Kind::Signals(signals)));
        m
    }

    /// Was it published as an SSE event? Then [`Message::payload_bytes`] is an encoded SSE
    /// event, which the SSE bridge forwards as is.
    ///
    /// ```
    /// use futures_util::StreamExt;
    /// use nitro::bus::Bus;
    /// use nitro::sse::PatchSignals;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let bus = Bus::in_process();
    /// let mut sub = bus.subscribe("a").await.unwrap();
    /// bus.publish("a", PatchSignals::new(&serde_json::json!({ "x": 1 }))).await.unwrap();
    /// assert!(sub.next().await.unwrap().unwrap().is_event());
    /// # });
    /// ```
    pub fn is_event(&self) -> bool {
        self.0.event
    }

    /// The bytes `encode` produces for this message, computed once per message for `key`.
    #[cfg(feature = "axum")]
    pub(super) fn encoded_once(
        &self,
        key: &'static str,
        encode: impl FnOnce() -> Option<Bytes>,
    ) -> Option<Bytes> {
        let mut encode = Some(encode);
        let (k, bytes) = self
            .0
            .encoded
            .get_or_init(|| (key, (encode.take().expect("first use"))()));
        match (*k == key, encode) {
            (true, _) => bytes.clone(),
            // Another mapping got the slot first: encode for this one without caching.
            (false, Some(encode)) => encode(),
            (false, None) => None,
        }
    }

    /// Its position in the bus's history (JetStream's stream sequence), if the bus keeps one.
    /// The SSE bridge sends it as the event id, so a reconnecting browser's `Last-Event-ID`
    /// says where to resume.
    ///
    /// ```
    /// # use futures_util::StreamExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let bus = nitro::bus::Bus::in_process();
    /// let mut sub = bus.subscribe("a").await.unwrap();
    /// bus.publish("a", &1).await.unwrap();
    /// assert_eq!(sub.next().await.unwrap().unwrap().sequence(), None); // no history kept (Bus::history_messages)
    /// # });
    /// ```
    pub fn sequence(&self) -> Option<u64> {
        self.0.sequence
    }

    /// The topic it was published to.
    ///
    /// ```
    /// # use futures_util::StreamExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let bus = nitro::bus::Bus::in_process();
    /// let mut sub = bus.subscribe("a.>").await.unwrap();
    /// bus.publish("a.b", &1).await.unwrap();
    /// assert_eq!(sub.next().await.unwrap().unwrap().topic(), "a.b");
    /// # });
    /// ```
    pub fn topic(&self) -> &str {
        &self.0.topic
    }

    /// Who published it.
    ///
    /// ```
    /// # use futures_util::StreamExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let bus = nitro::bus::Bus::in_process();
    /// let mut sub = bus.subscribe("a").await.unwrap();
    /// bus.publish("a", &1).sender("alice").await.unwrap();
    /// assert_eq!(sub.next().await.unwrap().unwrap().sender(), "alice");
    /// # });
    /// ```
    pub fn sender(&self) -> &str {
        &self.0.sender
    }

    /// The payload's bytes: JSON, or encoded SSE when [`Message::is_event`].
    ///
    /// ```
    /// # use futures_util::StreamExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let bus = nitro::bus::Bus::in_process();
    /// let mut sub = bus.subscribe("a").await.unwrap();
    /// bus.publish("a", &[1, 2]).await.unwrap();
    /// assert_eq!(sub.next().await.unwrap().unwrap().payload_bytes().as_ref(), b"[1,2]");
    /// # });
    /// ```
    pub fn payload_bytes(&self) -> &Bytes {
        &self.0.payload
    }

    /// The payload, deserialized.
    ///
    /// ```
    /// # use futures_util::StreamExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let bus = nitro::bus::Bus::in_process();
    /// let mut sub = bus.subscribe("a").await.unwrap();
    /// bus.publish("a", &"hi").await.unwrap();
    /// assert_eq!(sub.next().await.unwrap().unwrap().payload::<String>().unwrap(), "hi");
    /// # });
    /// ```
    pub fn payload<T: DeserializeOwned>(&self) -> Result<T, BusError> {
        serde_json::from_slice(&self.0.payload).map_err(|e| {
            BusError::with_source(
                BusErrorKind::Deserialize,
                format!("payload of a message on {}", self.topic()),
                e,
            )
        })
    }
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("topic", &self.0.topic)
            .field("sender", &self.0.sender)
            .field("payload", &String::from_utf8_lossy(&self.0.payload))
            .finish()
    }
}
