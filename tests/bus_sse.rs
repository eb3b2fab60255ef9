//! A bus subscription as an SSE stream over real HTTP: messages arrive as Datastar events, and
//! when clients go away their subscriptions go too.

mod common;

use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::{routing::get, Router};
use nitro::axum::Sse;
use nitro::bus::{Bus, BusError};
use nitro::prelude::*;

ids! { MESSAGES = "messages" }

fn line(text: &str) -> impl IntoElements + '_ {
    html! { li { (text) } }
}

async fn room(Path(room): Path<u32>, State(bus): State<Bus>) -> Result<Sse, BusError> {
    Ok(bus
        .subscribe(format!("chat.room.{room}.>"))
        .await?
        .into_sse(|m| {
            let text: String = m.payload().unwrap_or_default();
            PatchElements::at(MESSAGES, Mode::Append, line(&text))
        }))
}

async fn serve(bus: Bus) -> String {
    common::base_url(
        Router::new()
            .route("/room/{room}", get(room))
            .with_state(bus),
    )
    .await
}

async fn wait_for_count(bus: &Bus, want: usize) {
    let start = Instant::now();
    while bus.subscriber_count() != want {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "subscriber count is {}, expected {want}",
            bus.subscriber_count()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn bridge_contract(bus: Bus, publisher: Bus) {
    let base = serve(bus.clone()).await;
    let client = reqwest::Client::new();

    // One client in room 1 receives a message published to room 1, escaped, as an append.
    let response = client.get(format!("{base}/room/1")).send().await.unwrap();
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut body = response.bytes_stream();
    wait_for_count(&bus, 1).await;
    publisher
        .publish("chat.room.2.message", "other room")
        .sender("bob")
        .await
        .unwrap();
    publisher
        .publish("chat.room.1.message", "<b>hi</b>")
        .sender("alice")
        .await
        .unwrap();
    publisher.flush().await.unwrap();
    assert_eq!(
        common::next_event(&mut body).await,
        "event: datastar-patch-elements\ndata: selector #messages\ndata: mode append\ndata: elements <li>&lt;b&gt;hi&lt;/b&gt;</li>\n\n"
    );
    drop(body);
    wait_for_count(&bus, 0).await;

    // 100 clients connect, all disconnect: the count returns to 0.
    let mut bodies = Vec::new();
    for i in 0..100 {
        let r = client
            .get(format!("{base}/room/{}", i % 5))
            .send()
            .await
            .unwrap();
        bodies.push(r.bytes_stream());
    }
    wait_for_count(&bus, 100).await;
    drop(bodies);
    wait_for_count(&bus, 0).await;
}

#[tokio::test]
async fn in_process_bridge() {
    let bus = Bus::in_process();
    bridge_contract(bus.clone(), bus).await;
}

#[tokio::test]
async fn nats_bridge() {
    let url = common::nats::shared_url();
    let bus = Bus::nats(&url)
        .await
        .expect("a NATS server (see tests/bus.rs)");
    let publisher = Bus::nats(&url).await.unwrap();
    bridge_contract(bus, publisher).await;
}

static RENDERS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn shared_line(m: &nitro::bus::Message) -> nitro::sse::PatchElements {
    RENDERS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let text: String = m.payload().unwrap_or_default();
    PatchElements::at(MESSAGES, Mode::Append, line(&text))
}

#[tokio::test]
async fn shared_encoding_renders_each_message_once() {
    async fn feed(State(bus): State<Bus>) -> Result<Sse, BusError> {
        Ok(bus
            .subscribe("feed.>")
            .await?
            .shared("bus_sse")
            .into_sse(shared_line))
    }
    let bus = Bus::in_process();
    let addr = common::serve(
        Router::new()
            .route("/feed", get(feed))
            .with_state(bus.clone()),
    )
    .await;
    let mut bodies = Vec::new();
    for _ in 0..5 {
        bodies.push(
            reqwest::get(format!("http://{addr}/feed"))
                .await
                .unwrap()
                .bytes_stream(),
        );
    }
    wait_for_count(&bus, 5).await;
    bus.publish("feed.x", "<hi>").sender("t").await.unwrap();
    for body in &mut bodies {
        assert_eq!(
            common::next_event(body).await,
            "event: datastar-patch-elements\ndata: selector #messages\ndata: mode append\ndata: elements <li>&lt;hi&gt;</li>\n\n"
        );
    }
    assert_eq!(
        RENDERS.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "one render shared by five subscribers"
    );
}
