//! The multi-room chat of the reference docs. Each room is a topic, `chat.room.<token>.message`
//! (`bus::token` escapes the room name into one token);
//! a tab's stream subscribes to its room only, appends messages, updates the message count
//! signal and scrolls to the bottom.
//!
//! Run with `cargo run --example chat`, then open http://127.0.0.1:3002/rooms/lobby in two tabs.
//!
//! Several processes: `NITRO_BUS=nats://127.0.0.1:4222 PORT=3002 cargo run --example chat`, and
//! the same with `PORT=3003`. The rooms' history is then the JetStream stream itself: a page
//! renders the room's last messages from it, and its stream resumes after the last sequence the
//! page rendered (or the browser's `Last-Event-ID`), whichever process serves it, so nothing
//! falls in between. Message ids are stream sequences and counts come from the stream.
//!
//! What a stranger sends is bounded: in process, at most [`MAX_ROOMS`] rooms, each keeping its
//! last [`HISTORY`] messages; a message is at most [`MAX_TEXT`] characters and a name at most
//! [`MAX_NAME`]. Past a bound the sender gets a clear message and nothing is stored. With
//! NATS, the stream keeps each room's last 1,000 messages and 100,000 in all
//! (`common/state.rs`).

#[path = "common/mod.rs"]
pub mod common;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::{request::Parts, StatusCode};
use axum::response::Redirect;
use axum::Router;
use nitro::axum::{LastEventId, Sse};
use nitro::bus::{self, Bus, BusError};
use nitro::prelude::*;
use nitro::routes::{self, Segment};
use serde::{Deserialize, Serialize};

#[derive(Signals, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ChatForm {
    username: String,
    text: String,
    message_count: usize,
}

#[derive(Serialize, Deserialize, Clone)]
struct ChatMessage {
    id: u64,
    username: String,
    text: String,
    total_count: usize,
}

ids! { CHAT_MESSAGES = "chat-messages", MSG = "msg", NOTICE = "notice" }

routes! {
    HOME = GET "/",
    ROOM = GET "/rooms/{room}",
    SEND = POST "/rooms/{room}/send",
    STREAM = GET "/rooms/{room}/stream",
}

/// How many messages a page shows from a stream-backed history.
const RECENT: usize = 50;

/// How many rooms the process keeps (in process; with NATS the stream bounds the history).
pub const MAX_ROOMS: usize = 100;
/// How many messages each room keeps (in process).
pub const HISTORY: usize = 200;
/// The longest message, in characters.
pub const MAX_TEXT: usize = 2000;
/// The longest name, in characters.
pub const MAX_NAME: usize = 64;

/// Every room's last messages, and the last message id.
#[derive(Default)]
struct Rooms {
    last_id: u64,
    rooms: HashMap<Segment, RoomState>,
}

/// One room in process: how many messages it has had, and the last [`HISTORY`].
#[derive(Default)]
struct RoomState {
    count: usize,
    recent: VecDeque<ChatMessage>,
}

#[derive(Clone)]
struct AppState {
    rooms: Arc<Mutex<Rooms>>,
    bus: Bus,
    datastar: nitro::client::ClientScript,
}

/// A room name from the path: any text up to 64 bytes without control characters, and a path
/// segment (`Segment`: never `.`, `..` or empty, which would take the room's links to another
/// route). It goes into topics through `bus::token`, which escapes it into one token, so a room
/// named `*` or `a.>` is a room of its own and never a wildcard over other rooms.
struct Room(Segment);

impl<S: Send + Sync> FromRequestParts<S> for Room {
    type Rejection = (StatusCode, &'static str);

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(room) = Path::<Segment>::from_request_parts(parts, state)
            .await
            .map_err(|_| NOT_FOUND)?;
        let ok = !room.is_empty() && room.len() <= 64 && !room.chars().any(char::is_control);
        if ok {
            Ok(Room(room))
        } else {
            Err(NOT_FOUND)
        }
    }
}

impl Room {
    /// The room's topic (`chat.room.<token>.<what>`).
    fn topic(&self, what: &str) -> String {
        format!("chat.room.{}.{what}", bus::token(&self.0))
    }
}

/// A fixed room name.
fn room_named(name: &'static str) -> Segment {
    Segment::new(name).expect("a fixed room name is a path segment")
}

/// Why a message was not sent, shown above the form.
fn notice(text: &str) -> impl IdentifiedElements + '_ {
    html! { p #(NOTICE) .notice { (text) } }
}

const NOT_FOUND: (StatusCode, &str) = (StatusCode::NOT_FOUND, "no such room");

fn message(m: &ChatMessage) -> impl IdentifiedElements + '_ {
    html! {
        div #(MSG.with(m.id)) .chat-message {
            b.username { (m.username) }
            ": "
            span.message-text { (m.text) }
        }
    }
}

/// A room's last messages, how many it has, and (when the bus keeps history) the stream
/// sequence they were read up to.
async fn recent(
    s: &AppState,
    room: &Room,
) -> Result<(Vec<ChatMessage>, usize, Option<u64>), BusError> {
    if !s.bus.keeps_history() {
        let rooms = s.rooms.lock().unwrap();
        let Some(r) = rooms.rooms.get(&room.0) else {
            return Ok((Vec::new(), 0, None));
        };
        return Ok((r.recent.iter().cloned().collect(), r.count, None));
    }
    let history = s.bus.history(&room.topic("message"), RECENT).await?;
    let (total, upto) = (history.total() as usize, history.last_sequence());
    let messages = history.into_messages();
    let first = total - messages.len();
    let messages = messages
        .iter()
        .enumerate()
        .filter_map(|(i, m)| {
            let mut msg: ChatMessage = m.payload().ok()?;
            msg.id = m.sequence()?;
            msg.total_count = first + i + 1;
            Some(msg)
        })
        .collect();
    Ok((messages, total, upto))
}

async fn room_page(State(s): State<AppState>, room: Room) -> Result<Markup, BusError> {
    let (history, total, upto) = recent(&s, &room).await?;
    let Room(room) = room;
    let signals = ChatForm {
        message_count: total,
        ..ChatForm::default()
    };
    // The room name may hold `/`, `?` or `#`: the actions encode it as one path segment. With
    // a stream-backed history, the stream resumes after what the page rendered.
    let stream = match upto {
        Some(n) => expr!("@get('{}?after={}')", STREAM.path(&room), n),
        None => STREAM.action(&room),
    };
    let send = SEND.action(&room);
    let body = html! {
        @signals(ChatForm);
        main data-signals=(signals) data-init=(stream) {
            h1 { "Room " (room.as_str()) }
            div #(CHAT_MESSAGES) { @for m in &history { (message(m)) } }
            p { span #count data-text="$messageCount" { (total) } " messages" }
            p #(NOTICE) {}
            form data-on:submit__prevent=(send) {
                input #username data-bind:username placeholder="name";
                input #message data-bind:text placeholder="message";
                button #send type="submit" { "Send" }
            }
            nav {
                "Rooms: "
                a href=(ROOM.path(room_named("lobby"))) { "lobby" }
                " "
                a href=(ROOM.path(room_named("rust"))) { "rust" }
            }
        }
    };
    // A local (not a temporary of the tail expression), so it ends before the locals it borrows.
    let page = common::page(&s.datastar, "Chat", body);
    Ok(page.render())
}

async fn send(
    State(s): State<AppState>,
    room: Room,
    ReadSignals(form): ReadSignals<ChatForm>,
) -> Result<Events, BusError> {
    if form.text.trim().is_empty() {
        return Ok(Events::new());
    }
    if form.text.chars().count() > MAX_TEXT || form.username.chars().count() > MAX_NAME {
        let why = format!(
            "Not sent: a message is at most {MAX_TEXT} characters, a name at most {MAX_NAME}."
        );
        return Ok(Events::new().with(PatchElements::new(notice(&why).render())));
    }
    let username = if form.username.trim().is_empty() {
        "anonymous".into()
    } else {
        form.username
    };
    if s.bus.keeps_history() {
        // The stream is the history: it gives the message its id (sequence) and count.
        let msg = ChatMessage {
            id: 0,
            username,
            text: form.text,
            total_count: 0,
        };
        s.bus
            .publish(room.topic("message"), &msg)
            .sender("api")
            .await?;
    } else {
        let msg = {
            let mut rooms = s.rooms.lock().unwrap();
            if !rooms.rooms.contains_key(&room.0) && rooms.rooms.len() >= MAX_ROOMS {
                drop(rooms);
                let why = format!(
                    "Not sent: this server keeps at most {MAX_ROOMS} rooms and all are in use. Post in an existing room."
                );
                return Ok(Events::new().with(PatchElements::new(notice(&why).render())));
            }
            rooms.last_id += 1;
            let id = rooms.last_id;
            let r = rooms.rooms.entry(room.0.clone()).or_default();
            r.count += 1;
            let msg = ChatMessage {
                id,
                username,
                text: form.text,
                total_count: r.count,
            };
            r.recent.push_back(msg.clone());
            while r.recent.len() > HISTORY {
                r.recent.pop_front();
            }
            msg
        };
        s.bus
            .publish(room.topic("message"), &msg)
            .sender("api")
            .await?;
    }
    Ok(Events::new()
        .with(PatchSignals::new(&ChatForm::patch().text("")))
        .with(PatchElements::new(html! { p #(NOTICE) {} })))
}

/// Where a stream-backed room's stream starts: after the sequence the page rendered.
#[derive(Deserialize)]
struct After {
    after: Option<u64>,
}

fn events(msg: &ChatMessage) -> Events {
    Events::new()
        .with(PatchElements::at(CHAT_MESSAGES, Mode::Append, message(msg)))
        .with(PatchSignals::new(
            &ChatForm::patch().message_count(msg.total_count),
        ))
        .with(ExecuteScript::new(
            "document.getElementById('chat-messages').scrollTop = 1e9",
        ))
}

/// Snapshot then live on the stream: what came after the page (or the browser's
/// `Last-Event-ID`) up to now from the history, then live from there, counted on.
async fn stream_from_history(s: AppState, room: Room, seen: Option<u64>) -> Result<Sse, BusError> {
    let (recent, total, upto) = recent(&s, &room).await?;
    let sub = s.bus.subscribe_after(room.topic("message"), upto).await?;
    let missed: Events = match seen {
        Some(seen) => recent.iter().filter(|m| m.id > seen).map(events).collect(),
        None => Events::new(),
    };
    let mut count = total;
    Ok(sub.snapshot(missed).into_sse(move |m| {
        let (Ok(mut msg), Some(id)) = (m.payload::<ChatMessage>(), m.sequence()) else {
            return Events::new();
        };
        msg.id = id;
        count += 1;
        msg.total_count = count;
        events(&msg)
    }))
}

async fn stream(
    State(s): State<AppState>,
    room: Room,
    Query(q): Query<After>,
    LastEventId(last): LastEventId,
) -> Result<Sse, BusError> {
    if s.bus.keeps_history() {
        // A reconnecting browser's Last-Event-ID is newer than the page it loaded.
        return stream_from_history(s, room, last.or(q.after)).await;
    }
    let sub = s.bus.subscribe(room.topic(">")).await?;
    Ok(sub.shared("chat").into_sse(|m| {
        m.payload::<ChatMessage>()
            .map(|msg| events(&msg))
            .unwrap_or_default()
    }))
}

/// The app's routes (also served by the browser tests).
pub fn app(datastar: nitro::client::ClientScript) -> Router {
    app_with_bus(datastar, Bus::in_process())
}

/// The app on a given bus (the soak test watches its subscriptions).
pub fn app_with_bus(datastar: nitro::client::ClientScript, bus: Bus) -> Router {
    let state = AppState {
        rooms: Arc::default(),
        bus,
        datastar: datastar.clone(),
    };
    let router = Router::new()
        .route_to(
            HOME,
            routes::get(|| async { Redirect::to(&ROOM.path(room_named("lobby"))) }),
        )
        .route_to(ROOM, routes::get(room_page))
        .route_to(SEND, routes::post(send))
        .route_to(STREAM, routes::get(stream));
    datastar.routes(router).with_state(state)
}

#[allow(dead_code)] // the browser tests include this file for `app()`
#[tokio::main]
async fn main() {
    let bus = common::state::chat_bus(&common::state::bus_url()).await;
    common::serve(app_with_bus(common::datastar_from_env(), bus), 3002).await;
}
