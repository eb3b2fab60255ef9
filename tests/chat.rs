//! The chat example over real HTTP: room names are user text, and `bus::token` keeps each one a
//! room of its own. A room named `*` (or `>`, or `a.b`) never sees another room's messages.

mod common;

#[path = "../examples/chat.rs"]
mod chat;

use std::time::Duration;

use futures_util::StreamExt;

async fn open_stream(
    base: &str,
    room: &str,
) -> impl futures_util::Stream<Item = reqwest::Result<axum::body::Bytes>> + Unpin {
    let r = reqwest::get(format!("{base}/rooms/{}/stream", urlencoding::encode(room)))
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "stream of room {room:?}");
    Box::pin(r.bytes_stream())
}

async fn send(base: &str, room: &str, text: &str) {
    let r = reqwest::Client::new()
        .post(format!("{base}/rooms/{}/send", urlencoding::encode(room)))
        .header("datastar-request", "true")
        .header("content-type", "application/json")
        .body(serde_json::json!({ "username": "u", "text": text, "messageCount": 0 }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "send to room {room:?}");
}

#[tokio::test]
async fn wildcard_room_names_are_rooms_of_their_own() {
    let base = common::base_url(chat::app(chat::common::datastar_from_env())).await;
    let rooms = ["*", ">", "lobby", "a.b", "a", "a b", "x/y"];
    let mut streams = Vec::new();
    for room in rooms {
        streams.push(open_stream(&base, room).await);
    }
    // Let each stream's subscription be in place.
    tokio::time::sleep(Duration::from_millis(100)).await;
    for room in rooms {
        send(&base, room, &format!("hello {room}")).await;
    }
    for (room, stream) in rooms.iter().zip(streams.iter_mut()) {
        let event = common::next_event(stream).await;
        let want = format!("hello {}", room.replace('>', "&gt;"));
        assert!(event.contains(&want), "room {room:?} got {event:?}");
        // The message's three events come together; nothing from another room follows.
        let extra = tokio::time::timeout(Duration::from_millis(100), stream.next()).await;
        if let Ok(Some(Ok(chunk))) = &extra {
            let text = String::from_utf8_lossy(chunk);
            assert!(!text.contains("hello"), "room {room:?} also got {text:?}");
        }
    }

    // The page of the room `*` shows its own history only.
    let page = reqwest::get(format!("{base}/rooms/%2A"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("hello *"), "{page}");
    assert!(!page.contains("hello lobby"), "{page}");

    // A room name with a control character is no room.
    let r = reqwest::get(format!("{base}/rooms/a%0Ab")).await.unwrap();
    assert_eq!(r.status(), 404);
}
