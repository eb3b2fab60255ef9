//! The multi-room chat of the reference docs: each room is a topic, `chat.room.<token>.message`
//! (`bus::token` makes the room name one token). A page renders the room's last messages and its
//! stream continues after them (`bus.room(..)`), or after the browser's `Last-Event-ID`, on any
//! process: no gap, nothing twice. `cargo run --example chat`, open /rooms/lobby on port 3002 in
//! two tabs; with `NITRO_BUS=nats://127.0.0.1:4222` and `PORT=3002`/`3003`, two processes share a
//! JetStream history (in one process the bus keeps it).
//! Bounded: each room keeps its last [`HISTORY`] messages, all rooms 16 MiB (NATS: 1,000 a room,
//! 100,000 in all); a message is at most [`MAX_TEXT`] characters, a name [`MAX_NAME`].

#[path = "common/mod.rs"]
pub mod common;

use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::{request::Parts, StatusCode};
use axum::{response::Redirect, Router};
use nitro::axum::{LastEventId, Sse};
use nitro::bus::{self, Bus, BusError, History, Message};
use nitro::prelude::*;
use nitro::routes::{self, Segment};
use serde::{Deserialize, Serialize};

type ChatMessage = (String, String); // what the bus carries: a name and a text

#[derive(Signals, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ChatForm {
    username: String,
    text: String,
    message_count: usize,
}

ids! { CHAT_MESSAGES = "chat-messages", MSG = "msg", NOTICE = "notice" }

routes! {
    HOME = GET "/",
    ROOM = GET "/rooms/{room}",
    SEND = POST "/rooms/{room}/send",
    STREAM = GET "/rooms/{room}/stream",
}

/// Messages a page shows; messages a room keeps (in process); characters in a text, in a name.
const RECENT: usize = 50;
pub(crate) const HISTORY: usize = 200;
pub(crate) const MAX_TEXT: usize = 2000;
pub(crate) const MAX_NAME: usize = 64;

type AppState = (Bus, nitro::client::ClientScript);

/// A room name from the path: text up to 64 bytes without control characters, and a path
/// segment (never `.`, `..` or empty). Topics hold it through `bus::token` (one token), so a room
/// named `*` or `a.>` is a room of its own, never a wildcard over other rooms.
struct Room(Segment);

impl<S: Send + Sync> FromRequestParts<S> for Room {
    type Rejection = (StatusCode, &'static str);

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<Segment>::from_request_parts(parts, state).await {
            Ok(Path(r)) if !r.is_empty() && r.len() <= 64 && !r.chars().any(char::is_control) => {
                Ok(Room(r))
            }
            _ => Err((StatusCode::NOT_FOUND, "no such room")),
        }
    }
}

impl Room {
    fn topic(&self) -> String {
        format!("chat.room.{}.message", bus::token(&self.0))
    }
}

fn room_named(name: &'static str) -> Segment {
    Segment::new(name).expect("a fixed room name is a path segment")
}

/// One message (its id is its sequence), or nothing for what is not a chat message.
fn message(m: &Message) -> Option<Markup> {
    let ((name, text), id) = (m.payload::<ChatMessage>().ok()?, m.sequence()?);
    Some(
        html! {
            div #(MSG.with(id)) .chat-message {
                b.username { (name) }
                ": "
                span.message-text { (text) }
            }
        }
        .render(),
    )
}

/// The whole list, on the page and when a stream renders it again.
fn messages(history: &History) -> Markup {
    html! { div #(CHAT_MESSAGES) { @for m in history.messages() { (message(m)) } } }.render()
}

fn count(n: u64) -> PatchSignals {
    PatchSignals::new(&ChatForm::patch().message_count(n as usize))
}

/// A stream's events for one more message, the room's `n`th.
fn appended(m: &Message, n: u64) -> Option<Events> {
    let scroll = "document.getElementById('chat-messages').scrollTop = 1e9";
    let append = PatchElements::at(CHAT_MESSAGES, Mode::Append, message(m)?);
    let events = Events::new().with(append).with(count(n));
    Some(events.with(ExecuteScript::new(scroll)))
}

async fn room_page(State((bus, js)): State<AppState>, room: Room) -> Result<Markup, BusError> {
    let history = bus.room(room.topic()).last(RECENT).history().await?;
    let (Room(room), total) = (room, history.total());
    let signals = ChatForm {
        message_count: total as usize,
        ..ChatForm::default()
    };
    // The actions encode the room name as one path segment; the stream goes on after the page.
    let upto = history.last_sequence().unwrap_or(0);
    let stream = expr!("@get('{}?after={}')", STREAM.path(&room), upto);
    let send = SEND.action(&room);
    let body = html! {
        @signals(ChatForm);
        main data-signals=(signals) data-init=(stream) {
            h1 { "Room " (room.as_str()) }
            (messages(&history))
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
    let page = common::page(&js, "Chat", body);
    Ok(page.render())
}

async fn send(
    State((bus, _)): State<AppState>,
    room: Room,
    ReadSignals(form): ReadSignals<ChatForm>,
) -> Result<Events, BusError> {
    if form.text.trim().is_empty() {
        return Ok(Events::new());
    }
    if form.text.chars().count() > MAX_TEXT || form.username.chars().count() > MAX_NAME {
        let why = format!("Not sent: at most {MAX_TEXT} characters, a name {MAX_NAME}.");
        return Ok(Events::new().with(PatchElements::new(html! { p #(NOTICE) .notice { (why) } })));
    }
    let name = Some(form.username).filter(|n| !n.trim().is_empty());
    let msg: ChatMessage = (name.unwrap_or("anonymous".into()), form.text);
    // The bus numbers it: its sequence is its id, on every process.
    bus.publish(room.topic(), &msg).sender("api").await?;
    Ok(Events::new()
        .with(PatchSignals::new(&ChatForm::patch().text("")))
        .with(PatchElements::new(html! { p #(NOTICE) {} })))
}

/// Where the stream starts: after the sequence the page rendered.
#[derive(Deserialize)]
struct After {
    after: Option<u64>,
}

/// History then live: what came after the page (or the browser's `Last-Event-ID`, newer), or
/// the whole list again when the bus no longer keeps all of it; then live, counted on.
async fn stream(
    State((bus, _)): State<AppState>,
    room: Room,
    Query(q): Query<After>,
    LastEventId(last): LastEventId,
) -> Result<Sse, BusError> {
    let all = |h: &History| {
        Events::new()
            .with(PatchElements::new(messages(h)))
            .with(count(h.total()))
    };
    let room = bus.room(room.topic()).last(RECENT);
    room.after(last.or(q.after)).into_sse(all, appended).await
}

/// The app's routes, in process (also served by the tests).
pub fn app(datastar: nitro::client::ClientScript) -> Router {
    app_with_bus(datastar, Bus::in_process().history_messages(HISTORY))
}

/// The app on a given bus (the soak test watches its subscriptions).
pub fn app_with_bus(datastar: nitro::client::ClientScript, bus: Bus) -> Router {
    let lobby = || async { Redirect::to(&ROOM.path(room_named("lobby"))) };
    let router = Router::new()
        .route_to(HOME, routes::get(lobby))
        .route_to(ROOM, routes::get(room_page))
        .route_to(SEND, routes::post(send))
        .route_to(STREAM, routes::get(stream));
    datastar.routes(router).with_state((bus, datastar.clone()))
}

#[allow(dead_code)] // the browser tests include this file for `app()`
#[tokio::main]
async fn main() {
    // In process, the bus keeps the history; with NATS, the JetStream stream does.
    let bus = common::state::chat_bus(&common::state::bus_url()).await;
    let app = app_with_bus(common::datastar_from_env(), bus.history_messages(HISTORY));
    common::serve(app, 3002).await;
}
