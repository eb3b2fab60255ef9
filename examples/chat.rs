//! The multi-room chat of the reference docs. Each room is a topic, `chat.room.<token>.message`
//! (`bus::token` escapes the room name into one token);
//! a tab's stream subscribes to its room only, appends messages, updates the message count
//! signal and scrolls to the bottom.
//!
//! Run with `cargo run --example chat`, then open http://127.0.0.1:3002/rooms/lobby in two tabs.

#[path = "common/mod.rs"]
pub mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{FromRequestParts, Path, State};
use axum::http::{request::Parts, StatusCode};
use axum::response::Redirect;
use axum::Router;
use nitro::axum::SseStream;
use nitro::bus::{self, Bus, BusError};
use nitro::prelude::*;
use nitro::routes;
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

ids! { CHAT_MESSAGES = "chat-messages", MSG = "msg" }

routes! {
    HOME = GET "/",
    ROOM = GET "/rooms/{room}",
    SEND = POST "/rooms/{room}/send",
    STREAM = GET "/rooms/{room}/stream",
}

/// Every room's messages, and the last message id.
#[derive(Default)]
struct Rooms {
    last_id: u64,
    history: HashMap<String, Vec<ChatMessage>>,
}

#[derive(Clone)]
struct AppState {
    rooms: Arc<Mutex<Rooms>>,
    bus: Bus,
    datastar: nitro::client::ClientScript,
}

/// A room name from the path: any text up to 64 bytes without control characters. It goes
/// into topics through `bus::token`, which escapes it into one token, so a room named `*` or
/// `a.>` is a room of its own and never a wildcard over other rooms.
struct Room(String);

impl<S: Send + Sync> FromRequestParts<S> for Room {
    type Rejection = (StatusCode, &'static str);

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(room) = Path::<String>::from_request_parts(parts, state)
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

const NOT_FOUND: (StatusCode, &str) = (StatusCode::NOT_FOUND, "no such room");

fn message(m: &ChatMessage) -> impl IdentifiedElements + '_ {
    html! {
        div #(MSG.with(m.id)) .chat-message { b.username { (m.username) } ": " span.message-text { (m.text) } }
    }
}

async fn room_page(State(s): State<AppState>, Room(room): Room) -> Markup {
    let history = s
        .rooms
        .lock()
        .unwrap()
        .history
        .get(&room)
        .cloned()
        .unwrap_or_default();
    let signals = ChatForm {
        message_count: history.len(),
        ..ChatForm::default()
    };
    // The room name may hold `/`, `?` or `#`: the actions encode it as one path segment.
    let stream = STREAM.action(&room);
    let send = SEND.action(&room);
    let body = html! {
        @signals(ChatForm);
        main data-signals=(signals) data-init=(stream) {
            h1 { "Room " (room) }
            div #(CHAT_MESSAGES) { @for m in &history { (message(m)) } }
            p { span #count data-text="$messageCount" { (history.len()) } " messages" }
            form data-on:submit__prevent=(send) {
                input #username data-bind:username placeholder="name";
                input #message data-bind:text placeholder="message";
                button #send type="submit" { "Send" }
            }
            nav { "Rooms: " a href=(ROOM.path("lobby")) { "lobby" } " " a href=(ROOM.path("rust")) { "rust" } }
        }
    };
    // A local (not a temporary of the tail expression), so it ends before the locals it borrows.
    let page = common::page(&s.datastar, "Chat", body);
    page.render()
}

async fn send(
    State(s): State<AppState>,
    room: Room,
    ReadSignals(form): ReadSignals<ChatForm>,
) -> Result<Sse, BusError> {
    if !form.text.trim().is_empty() {
        let msg = {
            let mut rooms = s.rooms.lock().unwrap();
            rooms.last_id += 1;
            let id = rooms.last_id;
            let history = rooms.history.entry(room.0.clone()).or_default();
            let username = if form.username.trim().is_empty() {
                "anonymous".into()
            } else {
                form.username
            };
            let msg = ChatMessage {
                id,
                username,
                text: form.text,
                total_count: history.len() + 1,
            };
            history.push(msg.clone());
            msg
        };
        s.bus.publish(&room.topic("message"), "api", &msg).await?;
    }
    Ok(Sse::once().emit_signals(&ChatForm::patch().text("")))
}

async fn stream(State(s): State<AppState>, room: Room) -> Result<SseStream, BusError> {
    let sub = s.bus.subscribe(room.topic(">")).await?;
    Ok(sub.into_sse_shared(|m| {
        m.payload::<ChatMessage>().ok().map(|msg| {
            (
                emit_elements(message(&msg))
                    .selector(CHAT_MESSAGES)
                    .mode(Mode::Append),
                emit_signals(&ChatForm::patch().message_count(msg.total_count)),
                execute_script("document.getElementById('chat-messages').scrollTop = 1e9"),
            )
        })
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
            routes::get(|| async { Redirect::to(&ROOM.path("lobby")) }),
        )
        .route_to(ROOM, routes::get(room_page))
        .route_to(SEND, routes::post(send))
        .route_to(STREAM, routes::get(stream));
    datastar.routes(router).with_state(state)
}

#[allow(dead_code)] // the browser tests include this file for `app()`
#[tokio::main]
async fn main() {
    common::serve(app(common::datastar_from_env()), 3002).await;
}
