//! The example apps driven through `nitro::testing::TestClient`: each example's `app()` Router,
//! called with the requests the Datastar client sends, answers with the events the page needs.
//! (tests/browser.rs runs the same apps in Chromium.)

// Each example is a standalone binary with its own copy of `examples/common`.
#![allow(clippy::duplicate_mod)]

#[path = "../examples/board.rs"]
mod board;
#[path = "../examples/chat.rs"]
mod chat;
#[path = "../examples/counter.rs"]
mod counter;
#[path = "../examples/progress.rs"]
mod progress;
#[path = "../examples/todo.rs"]
mod todo;

use std::time::Duration;

use nitro::client::ClientScript;
use nitro::prelude::Mode;
use nitro::testing::{EventsError, Received, TestClient};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(10);

fn client_script() -> ClientScript {
    ClientScript::bytes("/* the Datastar client */")
}

fn select_text(html: &str, css: &str) -> Vec<String> {
    let doc = scraper::Html::parse_fragment(html);
    doc.select(&scraper::Selector::parse(css).unwrap())
        .map(|e| e.text().collect())
        .collect()
}

#[tokio::test]
async fn counter_patches_the_clicking_tab_and_pushes_to_the_others() {
    let client = TestClient::new(counter::app(client_script()));
    let page = client.get("/").without_datastar_header().await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains(r#"<script type="module" src="/datastar.js"></script>"#));
    assert_eq!(select_text(&page, "#counter"), ["Count: 0"]);
    let js = client.get("/datastar.js").await;
    assert_eq!(js.headers()["cache-control"], nitro::client::CACHE_CONTROL);

    let mut other_tab = client.get("/stream").await;
    let res = client
        .post("/increment")
        .signals(&json!({ "count": 0, "step": 5 }))
        .await;
    let events = res.events().await.unwrap();
    assert_eq!(events.len(), 2, "{events:?}");
    let Received::Elements(patch) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(select_text(&patch.elements, "p#counter strong"), ["5"]);
    assert_eq!(events[1], Received::Signals(json!({ "count": 5 })));
    // The other tab's stream gets the same two patches.
    assert_eq!(other_tab.first(2, WAIT).await.unwrap(), events);
}

#[tokio::test]
async fn todo_changes_reach_every_stream() {
    let client = TestClient::new(todo::app(client_script()));
    let mut tab = client.get("/todos/stream").await;
    let res = client
        .post("/todos")
        .signals(&json!({ "newTodo": "Buy <milk>" }))
        .await;
    // The form is cleared through a signals patch, and the notice emptied.
    let sent = res.events().await.unwrap();
    assert_eq!(sent[0], Received::Signals(json!({ "newTodo": "" })));
    assert!(matches!(&sent[1], Received::Elements(p) if p.elements == r#"<p id="notice"></p>"#));
    let added = tab.first(1, WAIT).await.unwrap();
    let Received::Elements(patch) = &added[0] else {
        panic!("{added:?}")
    };
    assert_eq!(patch.selector.as_deref(), Some("#todo-list"));
    assert_eq!(patch.mode, Mode::Append);
    assert_eq!(
        select_text(&patch.elements, "li#todo-1 span"),
        ["Buy <milk>"]
    );

    let toggled = client.post("/todos/1/toggle").await;
    assert_eq!(toggled.status(), 200);
    let updated = tab.first(1, WAIT).await.unwrap();
    let Received::Elements(patch) = &updated[0] else {
        panic!("{updated:?}")
    };
    assert_eq!(
        select_text(&patch.elements, "li#todo-1.done span"),
        ["Buy <milk>"]
    );

    assert_eq!(client.delete("/todos/1").await.status(), 200);
    let removed = tab.first(1, WAIT).await.unwrap();
    let Received::Elements(patch) = &removed[0] else {
        panic!("{removed:?}")
    };
    assert_eq!(patch.selector.as_deref(), Some("#todo-1"));
    assert_eq!(patch.mode, Mode::Remove);
}

#[tokio::test]
async fn chat_messages_reach_their_room_only() {
    let client = TestClient::new(chat::app(client_script()));
    let mut alpha = client.get("/rooms/alpha/stream").await;
    let mut beta = client.get("/rooms/beta/stream").await;
    let res = client
        .post("/rooms/alpha/send")
        .signals(&json!({ "username": "ann", "text": "<hi>", "messageCount": 0 }))
        .await;
    let sent = res.events().await.unwrap();
    assert_eq!(sent[0], Received::Signals(json!({ "text": "" })));
    assert!(matches!(&sent[1], Received::Elements(p) if p.elements == r#"<p id="notice"></p>"#));
    let events = alpha.first(3, WAIT).await.unwrap();
    let Received::Elements(patch) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(patch.selector.as_deref(), Some("#chat-messages"));
    assert_eq!(select_text(&patch.elements, ".message-text"), ["<hi>"]);
    assert_eq!(events[1], Received::Signals(json!({ "messageCount": 1 })));
    assert!(matches!(&events[2], Received::Script(code) if code.contains("scrollTop")));
    match beta.first(1, Duration::from_millis(300)).await {
        Err(EventsError::Timeout(got)) => assert!(got.is_empty(), "{got:?}"),
        other => panic!("room beta got {other:?}"),
    }
    // A room name with a control character is not a room, and neither is a dot segment.
    assert_eq!(client.get("/rooms/a%00b/stream").await.status(), 404);
    assert_eq!(client.get("/rooms/%2e%2e/stream").await.status(), 404);
}

/// The notice a refused message gets, or `None` when it was sent.
async fn chat_send(client: &TestClient, room: &str, text: &str) -> Option<String> {
    let res = client
        .post(&format!("/rooms/{room}/send"))
        .signals(&json!({ "username": "ann", "text": text, "messageCount": 0 }))
        .await;
    assert_eq!(res.status(), 200);
    let events = res.events().await.unwrap();
    match &events[..] {
        [Received::Signals(_), _] => None,
        [Received::Elements(p)] => Some(select_text(&p.elements, "#notice").join("")),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn chat_keeps_bounded_rooms_and_history() {
    let client = TestClient::new(chat::app(client_script()));
    // Each room keeps its last `HISTORY` messages (the bus's history, in process), and the
    // count is how many it keeps; other rooms are not touched.
    assert_eq!(chat_send(&client, "quiet", "still here").await, None);
    for i in 0..chat::HISTORY + 5 {
        assert_eq!(chat_send(&client, "busy", &format!("m{i}")).await, None);
    }
    let page = client.get("/rooms/busy").await.text().await.unwrap();
    let shown = select_text(&page, ".message-text");
    assert_eq!(shown.len(), 50, "a page shows the last 50");
    assert_eq!(shown[0], format!("m{}", chat::HISTORY + 5 - 50));
    assert_eq!(select_text(&page, "#count"), [chat::HISTORY.to_string()]);
    let page = client.get("/rooms/quiet").await.text().await.unwrap();
    assert_eq!(select_text(&page, ".message-text"), ["still here"]);
    // Too long a message or name: refused, nothing stored.
    let long = "x".repeat(chat::MAX_TEXT + 1);
    let notice = chat_send(&client, "busy", &long).await.unwrap();
    assert!(notice.contains("at most 2000 characters"), "{notice}");
}

#[tokio::test]
async fn progress_streams_until_the_redirect() {
    let client = TestClient::new(progress::app(client_script()));
    let mut job = client.post("/jobs").await;
    let first = job.first(3, WAIT).await.unwrap();
    let Received::Elements(bar) = &first[0] else {
        panic!("{first:?}")
    };
    assert_eq!(select_text(&bar.elements, "#progress-bar .label"), ["0%"]);
    assert_eq!(
        first[1],
        Received::Signals(json!({ "progress": 0, "status": "running" }))
    );
    assert!(matches!(&first[2], Received::Script(_)));
    // Ten more steps of three events, then the redirect; then the stream ends.
    let rest = job.first(31, WAIT).await.unwrap();
    assert_eq!(
        rest[28],
        Received::Signals(json!({ "progress": 100, "status": "complete" }))
    );
    assert_eq!(rest[30], Received::Redirect("/jobs/1/done".into()));
    assert!(matches!(
        job.first(1, WAIT).await,
        Err(EventsError::Ended(_))
    ));
    let done = client.get("/jobs/1/done").await.text().await.unwrap();
    assert_eq!(select_text(&done, "#done"), ["Job 1 complete at 100%"]);
}

#[tokio::test]
async fn todo_keeps_a_bounded_list() {
    let client = TestClient::new(todo::app(client_script()));
    let add = |text: String| {
        let client = &client;
        async move {
            let res = client
                .post("/todos")
                .signals(&json!({ "newTodo": text }))
                .await;
            let events = res.events().await.unwrap();
            match &events[..] {
                [Received::Signals(_), _] => None,
                [Received::Elements(p)] => Some(select_text(&p.elements, "#notice").join("")),
                other => panic!("{other:?}"),
            }
        }
    };
    let long = add("x".repeat(todo::MAX_TEXT + 1)).await.unwrap();
    assert!(long.contains("at most 500 characters"), "{long}");
    // One client keeps at most MAX_PER_CLIENT (here all requests are one client, `local`).
    for i in 0..todo::MAX_PER_CLIENT {
        assert_eq!(add(format!("t{i}")).await, None);
    }
    let full = add("one more".into()).await.unwrap();
    assert!(full.contains("you already have 50 todos"), "{full}");
    let page = client.get("/").await.text().await.unwrap();
    let spans = select_text(&page, "#todo-list li span");
    assert_eq!(spans.len() as u64, todo::MAX_PER_CLIENT);
    assert_eq!((spans[0].as_str(), spans[49].as_str()), ("t0", "t49"));
    // Deleting one gives its place back.
    assert_eq!(client.delete("/todos/7").await.status(), 200);
    assert_eq!(add("one more".into()).await, None);
}

/// The text of every element patch in `events`, in order.
fn patched(events: &[Received]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            Received::Elements(p) => Some(p.elements.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn board_validates_and_sends_each_tab_what_fits_its_filter() {
    let client = TestClient::new(board::app(client_script()).await);
    let page = client
        .get("/")
        .without_datastar_header()
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("guest-1"), "{page}");

    let mut all = client
        .get("/board/stream")
        .signals(&json!({ "name": "ada" }))
        .await;
    // The list and count (the snapshot), then who is online: nobody, then ada herself.
    let first = patched(&all.first(4, WAIT).await.unwrap());
    assert_eq!(first[0], r#"<ul id="issues"></ul>"#);
    assert_eq!(first[1], r#"<span id="count">0 shown</span>"#);
    assert_eq!(select_text(&first[3], "#online .who"), ["ada"]);
    let mut bugs = client
        .get("/board/stream")
        .signals(&json!({ "name": "bob", "q": "BUG" }))
        .await;
    bugs.first(4, WAIT).await.unwrap();
    let online = patched(&all.first(1, WAIT).await.unwrap());
    assert_eq!(select_text(&online[0], "#online .who"), ["ada", "bob"]);

    // The form: an error next to the field, nothing published.
    let refused = client
        .post("/issues")
        .signals(&json!({ "title": "  " }))
        .await;
    let sent = patched(&refused.events().await.unwrap());
    let errors: Vec<String> = sent
        .iter()
        .flat_map(|p| select_text(p, "p.field-error"))
        .collect();
    assert_eq!(
        errors,
        [
            "A title is needed.",
            "A name of 1 to 40 characters, please."
        ]
    );
    let added = client
        .post("/issues")
        .signals(&json!({ "title": "Export", "name": "ada" }))
        .await;
    let sent = added.events().await.unwrap();
    assert!(
        sent.contains(&Received::Signals(json!({ "title": "" }))),
        "{sent:?}"
    );
    assert!(patched(&sent).iter().any(|p| p.contains("Issue #1 added")));
    // ada shows everything: appended, count 1. bob's filter excludes it: nothing sent.
    let to_all = all.first(2, WAIT).await.unwrap();
    let Received::Elements(row) = &to_all[0] else {
        panic!("{to_all:?}")
    };
    assert_eq!(
        (row.selector.as_deref(), row.mode),
        (Some("#issues"), Mode::Append)
    );
    assert_eq!(patched(&to_all)[1], r#"<span id="count">1 shown</span>"#);
    client
        .post("/issues")
        .signals(&json!({ "title": "Bug in export", "name": "bob" }))
        .await;
    let to_bugs = bugs.first(2, WAIT).await.unwrap();
    assert_eq!(
        select_text(&patched(&to_bugs)[0], "#issue-2 span"),
        ["#2 Bug in export"]
    );
    assert_eq!(patched(&to_bugs)[1], r#"<span id="count">1 shown</span>"#);

    // The streamed section.
    let stats = client.get("/board/stats").await.events().await.unwrap();
    assert_eq!(select_text(&patched(&stats)[0], "p"), ["2 open, 0 closed"]);
}
