//! Where the example apps keep what they share, chosen by `NITRO_BUS` without code changes:
//!
//! | `NITRO_BUS` | bus | state (counter, todo) | chat history |
//! |---|---|---|---|
//! | unset or `memory:` | in process | process memory | process memory |
//! | `nats://host:port` | core NATS | JetStream key-value bucket `nitro_<app>` | JetStream stream `NITRO_CHAT` (`chat.>`, last 1,000 per room) |
//! | `nats+js://host:port/STREAM?subjects=…` | JetStream (chat), core NATS (others) | as above | that stream |
//!
//! `NITRO_KV_BUCKET` overrides the bucket name. With NATS every process pointed at the same
//! server shares one state: run two behind a load balancer and a click on one shows on the
//! other. A key-value update is a compare-and-set on the entry's revision, retried on
//! conflict, so concurrent updates from several processes are never lost; within one process
//! the updates of a key take turns (a lock per key), so only processes contend, and contention
//! alone never makes an update give up.
//!
//! **Replicas.** The bucket (and the chat's stream) is created with as many replicas as the
//! NATS server's cluster has servers, at most 3 (1 for a server on its own: NATS tells each
//! client its cluster's client URLs). `NITRO_KV_REPLICAS=N` sets the bucket's count; a
//! `nats+js://…&replicas=N` URL sets the stream's. An existing bucket keeps its count.
#![allow(dead_code)] // each app uses a part of it

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use nitro::bus::{Bus, BusError};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The stream the chat keeps its history in when `NITRO_BUS` is a plain `nats://` URL.
pub const CHAT_STREAM: &str = "NITRO_CHAT";

/// How many state operations failed (each is also logged to stderr).
pub static STATE_ERRORS: AtomicU64 = AtomicU64::new(0);

/// `NITRO_BUS`, or `""` (in process).
pub fn bus_url() -> String {
    std::env::var("NITRO_BUS").unwrap_or_default()
}

/// The NATS server of a bus URL (`nats://host:port` of `nats+js://host:port/…`), or `None` for
/// the in-process bus.
pub fn nats_server(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let base = scheme.strip_suffix("+js").unwrap_or(scheme);
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    Some(format!("{base}://{authority}"))
}

/// Connects the bus of `url`, or ends the program with the reason (at startup, before serving).
pub async fn connect_or_exit(url: &str) -> Bus {
    match Bus::connect(url).await {
        Ok(bus) => bus,
        Err(e) => {
            eprintln!("NITRO_BUS: {e}");
            std::process::exit(2);
        }
    }
}

/// The bus for the chat: with NATS, JetStream (a plain `nats://` URL gets the stream
/// [`CHAT_STREAM`]), so the stream holds the rooms' history.
pub async fn chat_bus(url: &str) -> Bus {
    let url = match url.trim() {
        u if u.starts_with("nats://") || u.starts_with("tls://") => {
            let (scheme, rest) = u.split_once("://").unwrap_or_default();
            format!(
                "{scheme}+js://{}/{CHAT_STREAM}?subjects=chat.>&max_per_subject=1000&max_messages=100000",
                rest.trim_end_matches('/')
            )
        }
        u => u.to_owned(),
    };
    connect_or_exit(&url).await
}

/// The bus for the counter and todo apps: core NATS on the server `url` names, or in process.
pub async fn plain_bus(url: &str) -> Bus {
    match nats_server(url) {
        Some(server) => connect_or_exit(&server).await,
        None => connect_or_exit(url).await,
    }
}

/// A state operation failed (NATS unreachable, a value that does not deserialize). Clients
/// get `503 Service Unavailable` and a short text; the details go to the log.
#[derive(Debug)]
pub struct StateError(String);

impl StateError {
    fn new(what: impl std::fmt::Display) -> StateError {
        let e = StateError(what.to_string());
        STATE_ERRORS.fetch_add(1, Ordering::Relaxed);
        tracing::error!(error = %e.0, "state operation failed; answered 503");
        e
    }
}

impl std::fmt::Display for StateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StateError {}

/// A handler's error: the bus or the state.
#[derive(Debug)]
pub enum AppError {
    /// From the bus.
    Bus(BusError),
    /// From the state.
    State(StateError),
    /// A limit of the app's own was reached: shown to the user as an error toast (status 200,
    /// as the Datastar client ignores the body of any other status).
    Full(&'static str),
}

impl From<BusError> for AppError {
    fn from(e: BusError) -> Self {
        AppError::Bus(e)
    }
}

impl From<StateError> for AppError {
    fn from(e: StateError) -> Self {
        AppError::State(e)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::Bus(e) => e.into_response(),
            AppError::State(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "state unavailable, try again",
            )
                .into_response(),
            AppError::Full(why) => nitro::sse::Events::new()
                .with(nitro::flash::Flash::error(why))
                .into_response(),
        }
    }
}

/// Shared state: one JSON value per key, in this process or in a JetStream key-value bucket.
#[derive(Clone)]
pub enum Store {
    /// In this process.
    Memory(Arc<Mutex<HashMap<String, Vec<u8>>>>),
    /// In a JetStream key-value bucket, shared by every process using it.
    Kv(Box<Bucket>),
}

/// A JetStream key-value bucket, its stream (to list keys with their values), and this
/// process's turn-taking per key.
#[derive(Clone)]
pub struct Bucket {
    kv: async_nats::jetstream::kv::Store,
    stream: async_nats::jetstream::stream::Stream,
    name: String,
    turns: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
}

impl Bucket {
    /// This process's turn to update `key`: the updates of one key in one process take turns,
    /// so only processes contend for it.
    async fn turn(&self, key: &str) -> Turn {
        let lock = self
            .turns
            .lock()
            .unwrap()
            .entry(key.to_owned())
            .or_default()
            .clone();
        let guard = lock.clone().lock_owned().await;
        Turn {
            turns: self.turns.clone(),
            key: key.to_owned(),
            lock,
            _guard: guard,
        }
    }
}

/// A turn to update a key; the key's lock is forgotten with the last waiter.
struct Turn {
    turns: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
    key: String,
    lock: Arc<tokio::sync::Mutex<()>>,
    _guard: tokio::sync::OwnedMutexGuard<()>,
}

impl Drop for Turn {
    fn drop(&mut self) {
        let mut turns = self.turns.lock().unwrap();
        // Ours, the map's and the guard's: no one else waits.
        if Arc::strong_count(&self.lock) <= 3 {
            turns.remove(&self.key);
        }
    }
}

impl Default for Store {
    fn default() -> Self {
        Store::Memory(Arc::default())
    }
}

impl Store {
    /// In process when `url` is in-process, else the bucket `NITRO_KV_BUCKET` (default
    /// `nitro_<app>`) on its NATS server, created if missing; ends the program if that fails.
    pub async fn for_bus(url: &str, app: &str) -> Store {
        let Some(server) = nats_server(url) else {
            return Store::default();
        };
        let bucket = std::env::var("NITRO_KV_BUCKET").unwrap_or_else(|_| format!("nitro_{app}"));
        match Store::kv(&server, &bucket).await {
            Ok(store) => store,
            Err(e) => {
                eprintln!("NITRO_BUS: {e}");
                std::process::exit(2);
            }
        }
    }

    /// The key-value bucket `bucket` on the NATS server `server` (with JetStream), created if
    /// missing.
    pub async fn kv(server: &str, bucket: &str) -> Result<Store, StateError> {
        let client = async_nats::ConnectOptions::new()
            .connection_timeout(std::time::Duration::from_secs(5))
            .retry_on_initial_connect()
            .connect(server)
            .await
            .map_err(|e| StateError::new(format!("cannot connect to NATS at {server}: {e}")))?;
        // As many replicas as the server's cluster has servers (it tells its clients their
        // URLs), at most 3; `NITRO_KV_REPLICAS` says otherwise.
        let replicas = std::env::var("NITRO_KV_REPLICAS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| client.server_info().connect_urls.len())
            .clamp(1, 3);
        let js = async_nats::jetstream::new(client);
        // The bucket's stream, as `create_key_value` would make it (which itself needs a
        // newer server than 2.9 to read the account information).
        use async_nats::jetstream::stream::{Config, DiscardPolicy};
        let stream = js
            .get_or_create_stream(Config {
                name: format!("KV_{bucket}"),
                subjects: vec![format!("$KV.{bucket}.>")],
                max_messages_per_subject: 1,
                allow_rollup: true,
                deny_delete: true,
                allow_direct: true,
                discard: DiscardPolicy::New,
                num_replicas: replicas,
                ..Default::default()
            })
            .await
            .map_err(|e| StateError::new(format!("key-value bucket {bucket}: {e}")))?;
        let kv = js
            .get_key_value(bucket)
            .await
            .map_err(|e| StateError::new(format!("key-value bucket {bucket}: {e}")))?;
        Ok(Store::Kv(Box::new(Bucket {
            kv,
            stream,
            name: bucket.to_owned(),
            turns: Arc::default(),
        })))
    }

    /// The value at `key`, or `T::default()` when there is none.
    pub async fn get<T: DeserializeOwned + Default>(&self, key: &str) -> Result<T, StateError> {
        Ok(self.read(key).await?.map(|(v, _)| v).unwrap_or_default())
    }

    async fn read<T: DeserializeOwned>(&self, key: &str) -> Result<Option<(T, u64)>, StateError> {
        let bytes = match self {
            Store::Memory(m) => m.lock().unwrap().get(key).map(|b| (b.clone().into(), 0)),
            Store::Kv(b) => {
                b.kv.entry(key)
                    .await
                    .map_err(|e| StateError::new(format!("reading {key}: {e}")))?
                    .filter(|e| e.operation == async_nats::jetstream::kv::Operation::Put)
                    .map(|e| (e.value, e.revision))
            }
        };
        bytes
            .map(|(b, rev): (bytes::Bytes, u64)| {
                serde_json::from_slice(&b)
                    .map(|v| (v, rev))
                    .map_err(|e| StateError::new(format!("value of {key}: {e}")))
            })
            .transpose()
    }

    /// Changes the value at `key` (starting from `T::default()`) with `change`, and returns
    /// what `change` returned. In a bucket it is a compare-and-set on the entry's revision:
    /// when another process changed the entry meanwhile, `change` runs again on the new value,
    /// after a short random wait (so 100 concurrent writers on two processes all get through).
    pub async fn update<T, R>(
        &self,
        key: &str,
        mut change: impl FnMut(&mut T) -> R,
    ) -> Result<R, StateError>
    where
        T: Serialize + DeserializeOwned + Default,
    {
        let out = self
            .update_entry(key, true, |v: &mut Option<T>| {
                Some(change(v.get_or_insert_with(T::default)))
            })
            .await?;
        Ok(out.expect("created when missing"))
    }

    /// Like [`Store::update`] for a value that exists: `None` (and nothing written) when there
    /// is none at `key`.
    pub async fn update_existing<T, R>(
        &self,
        key: &str,
        mut change: impl FnMut(&mut T) -> R,
    ) -> Result<Option<R>, StateError>
    where
        T: Serialize + DeserializeOwned,
    {
        self.update_entry(key, false, |v: &mut Option<T>| v.as_mut().map(&mut change))
            .await
    }

    /// Stores `value` at `key` unless a value is there; returns whether it stored it.
    pub async fn create<T: Serialize>(&self, key: &str, value: &T) -> Result<bool, StateError> {
        let bytes = serde_json::to_vec(value)
            .map_err(|e| StateError::new(format!("value of {key}: {e}")))?;
        match self {
            Store::Memory(m) => {
                let mut map = m.lock().unwrap();
                if map.contains_key(key) {
                    return Ok(false);
                }
                map.insert(key.to_owned(), bytes);
                Ok(true)
            }
            Store::Kv(b) => {
                use async_nats::jetstream::kv::CreateErrorKind;
                match b.kv.create(key, bytes.into()).await {
                    Ok(_) => Ok(true),
                    Err(e) if e.kind() == CreateErrorKind::AlreadyExists => Ok(false),
                    Err(e) => Err(StateError::new(format!("writing {key}: {e}"))),
                }
            }
        }
    }

    /// Removes the value at `key`; returns it if this call removed it (`None` if there was
    /// none, or another process removed or changed it first).
    pub async fn remove<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StateError> {
        match self {
            Store::Memory(m) => m
                .lock()
                .unwrap()
                .remove(key)
                .map(|b| {
                    serde_json::from_slice(&b)
                        .map_err(|e| StateError::new(format!("value of {key}: {e}")))
                })
                .transpose(),
            Store::Kv(b) => {
                let Some((value, revision)) = self.read::<T>(key).await? else {
                    return Ok(None);
                };
                match b.kv.delete_expect_revision(key, Some(revision)).await {
                    Ok(()) => Ok(Some(value)),
                    Err(e)
                        if e.kind()
                            == async_nats::jetstream::kv::DeleteErrorKind::WrongLastRevision =>
                    {
                        Ok(None)
                    }
                    Err(e) => Err(StateError::new(format!("removing {key}: {e}"))),
                }
            }
        }
    }

    /// Every value whose key starts with `prefix` (`"todo."`), in no particular order. In a
    /// bucket it is one read of the bucket's stream (the last value of each matching key), not
    /// one request per key.
    pub async fn list<T: DeserializeOwned>(&self, prefix: &str) -> Result<Vec<T>, StateError> {
        let decode = |key: &str, b: &[u8]| {
            serde_json::from_slice(b).map_err(|e| StateError::new(format!("value of {key}: {e}")))
        };
        match self {
            Store::Memory(m) => m
                .lock()
                .unwrap()
                .iter()
                .filter(|(k, _)| k.starts_with(prefix))
                .map(|(k, b)| decode(k, b))
                .collect(),
            Store::Kv(b) => {
                use async_nats::jetstream::consumer::{pull, AckPolicy, DeliverPolicy};
                use futures_util::StreamExt;
                let failed = |e: &dyn std::fmt::Display| {
                    StateError::new(format!("listing {prefix}* in {}: {e}", b.name))
                };
                let mut consumer = b
                    .stream
                    .create_consumer(pull::Config {
                        filter_subject: format!("$KV.{}.{prefix}>", b.name),
                        deliver_policy: DeliverPolicy::LastPerSubject,
                        ack_policy: AckPolicy::None,
                        inactive_threshold: std::time::Duration::from_secs(10),
                        ..Default::default()
                    })
                    .await
                    .map_err(|e| failed(&e))?;
                let mut pending = consumer.info().await.map_err(|e| failed(&e))?.num_pending;
                let mut values = Vec::with_capacity(pending as usize);
                if pending > 0 {
                    let mut messages = consumer
                        .stream()
                        .max_messages_per_batch(256)
                        .messages()
                        .await
                        .map_err(|e| failed(&e))?;
                    while pending > 0 {
                        let next = tokio::time::timeout(
                            std::time::Duration::from_secs(5),
                            messages.next(),
                        )
                        .await
                        .map_err(|_| failed(&"no answer within 5 s"))?;
                        let Some(m) = next else { break };
                        let m = m.map_err(|e| failed(&e))?;
                        pending = m.info().map_err(|e| failed(&e))?.pending;
                        // Removed keys leave a marker (KV-Operation: DEL or PURGE), no value.
                        let removed = m
                            .headers
                            .as_ref()
                            .and_then(|h| h.get("KV-Operation"))
                            .is_some();
                        if !removed {
                            values.push(decode(&m.subject, &m.payload)?);
                        }
                    }
                }
                let name = consumer.cached_info().name.clone();
                let _ = b.stream.delete_consumer(&name).await;
                Ok(values)
            }
        }
    }

    /// The one update loop: `change` sees the value (`None` when missing) and may create,
    /// change or leave it; it is written back unless it is (still) `None`.
    async fn update_entry<T, R>(
        &self,
        key: &str,
        create_missing: bool,
        mut change: impl FnMut(&mut Option<T>) -> Option<R>,
    ) -> Result<Option<R>, StateError>
    where
        T: Serialize + DeserializeOwned,
    {
        let encode = |v: &T| {
            serde_json::to_vec(v).map_err(|e| StateError::new(format!("value of {key}: {e}")))
        };
        match self {
            Store::Memory(m) => {
                let mut map = m.lock().unwrap();
                let mut value: Option<T> = match map.get(key) {
                    Some(b) => Some(
                        serde_json::from_slice(b)
                            .map_err(|e| StateError::new(format!("value of {key}: {e}")))?,
                    ),
                    None => None,
                };
                let out = change(&mut value);
                if let Some(v) = &value {
                    map.insert(key.to_owned(), encode(v)?);
                }
                Ok(out)
            }
            Store::Kv(b) => {
                use async_nats::jetstream::kv::{CreateErrorKind, UpdateErrorKind};
                let kv = &b.kv;
                let _turn = b.turn(key).await;
                // Contention alone never makes it give up: after a conflict it waits a
                // random 0–2^attempt ms (at most 64 ms) and tries again, for up to 30 s.
                let start = std::time::Instant::now();
                let mut attempt = 0u32;
                while start.elapsed() < std::time::Duration::from_secs(30) {
                    if attempt > 0 {
                        let nanos = std::time::SystemTime::now()
                            .duration_since(std::time::UNIX_EPOCH)
                            .map_or(0, |d| d.subsec_nanos());
                        let cap = 1u64 << attempt.min(6);
                        let wait = u64::from(nanos) % (cap * 1000);
                        tokio::time::sleep(std::time::Duration::from_micros(wait)).await;
                    }
                    attempt += 1;
                    let (mut value, revision) = match self.read::<T>(key).await? {
                        Some((v, revision)) => (Some(v), revision),
                        None => (None, 0),
                    };
                    if value.is_none() && !create_missing {
                        return Ok(None);
                    }
                    let out = change(&mut value);
                    let Some(value) = value else { return Ok(out) };
                    let bytes = encode(&value)?.into();
                    // On a conflict (another process wrote first), go round again.
                    if revision == 0 {
                        match kv.create(key, bytes).await {
                            Ok(_) => return Ok(out),
                            Err(e) if e.kind() == CreateErrorKind::AlreadyExists => {}
                            Err(e) => return Err(StateError::new(format!("writing {key}: {e}"))),
                        }
                    } else {
                        match kv.update(key, bytes, revision).await {
                            Ok(_) => return Ok(out),
                            Err(e) if e.kind() == UpdateErrorKind::WrongLastRevision => {}
                            Err(e) => return Err(StateError::new(format!("writing {key}: {e}"))),
                        }
                    }
                }
                Err(StateError::new(format!(
                    "writing {key}: still conflicting after 30 s ({attempt} attempts)"
                )))
            }
        }
    }
}
