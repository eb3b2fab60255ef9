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
//! conflict, so concurrent updates from several processes are never lost.
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
        }
    }
}

/// Shared state: one JSON value per key, in this process or in a JetStream key-value bucket.
#[derive(Clone)]
pub enum Store {
    /// In this process.
    Memory(Arc<Mutex<HashMap<String, Vec<u8>>>>),
    /// In a JetStream key-value bucket, shared by every process using it.
    Kv(Box<async_nats::jetstream::kv::Store>),
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
        let js = async_nats::jetstream::new(client);
        // The bucket's stream, as `create_key_value` would make it (which itself needs a
        // newer server than 2.9 to read the account information).
        use async_nats::jetstream::stream::{Config, DiscardPolicy};
        js.get_or_create_stream(Config {
            name: format!("KV_{bucket}"),
            subjects: vec![format!("$KV.{bucket}.>")],
            max_messages_per_subject: 1,
            allow_rollup: true,
            deny_delete: true,
            allow_direct: true,
            discard: DiscardPolicy::New,
            ..Default::default()
        })
        .await
        .map_err(|e| StateError::new(format!("key-value bucket {bucket}: {e}")))?;
        let kv = js
            .get_key_value(bucket)
            .await
            .map_err(|e| StateError::new(format!("key-value bucket {bucket}: {e}")))?;
        Ok(Store::Kv(Box::new(kv)))
    }

    /// The value at `key`, or `T::default()` when there is none.
    pub async fn get<T: DeserializeOwned + Default>(&self, key: &str) -> Result<T, StateError> {
        Ok(self.read(key).await?.map(|(v, _)| v).unwrap_or_default())
    }

    async fn read<T: DeserializeOwned>(&self, key: &str) -> Result<Option<(T, u64)>, StateError> {
        let bytes = match self {
            Store::Memory(m) => m.lock().unwrap().get(key).map(|b| (b.clone().into(), 0)),
            Store::Kv(kv) => kv
                .entry(key)
                .await
                .map_err(|e| StateError::new(format!("reading {key}: {e}")))?
                .filter(|e| e.operation == async_nats::jetstream::kv::Operation::Put)
                .map(|e| (e.value, e.revision)),
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
        let encode = |v: &T| {
            serde_json::to_vec(v).map_err(|e| StateError::new(format!("value of {key}: {e}")))
        };
        match self {
            Store::Memory(m) => {
                let mut map = m.lock().unwrap();
                let mut value: T = match map.get(key) {
                    Some(b) => serde_json::from_slice(b)
                        .map_err(|e| StateError::new(format!("value of {key}: {e}")))?,
                    None => T::default(),
                };
                let out = change(&mut value);
                map.insert(key.to_owned(), encode(&value)?);
                Ok(out)
            }
            Store::Kv(kv) => {
                use async_nats::jetstream::kv::{CreateErrorKind, UpdateErrorKind};
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
                    let current = self.read::<T>(key).await?;
                    let (mut value, revision) = current.unwrap_or_default();
                    let out = change(&mut value);
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
