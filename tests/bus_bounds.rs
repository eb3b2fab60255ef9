//! Bounds on what a slow subscriber costs (issue 27): every lag is logged and counted when it
//! happens, also for a client that never reads; and on NATS, clients that never read cost a
//! bounded amount of memory whatever the size of the messages (each queue is bounded in bytes,
//! and a message's bytes are shared by the subscribers of the process).

mod common;

use std::time::{Duration, Instant};

use common::nats::{free_port, unique, NatsServer};
use futures_util::StreamExt;
use nitro::bus::Bus;
use nitro::stats;

/// The counters and the log are process-wide: one test at a time.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn nats_url() -> String {
    std::env::var("NITRO_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into())
}

fn rss_kib() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4
}

/// Waits (up to 5 s) for `done`.
async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < Duration::from_secs(5), "{what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn lag_is_logged_and_counted(bus: Bus, topic: &str) {
    let logs = common::logs::capture();
    let before = stats::snapshot();
    let warned = logs.lines_with(&["WARN", "queue is full"]).len();
    let mut sub = bus.subscribe(topic).await.unwrap();
    for i in 0..10 {
        bus.publish(topic, &i).await.unwrap();
    }
    // Counted and logged when the messages are dropped, before anyone reads.
    until("6 messages counted as lost", || {
        stats::snapshot().messages_lagged - before.messages_lagged == 6
    })
    .await;
    assert_eq!(
        stats::snapshot().subscribers_lagged - before.subscribers_lagged,
        1
    );
    assert_eq!(
        logs.lines_with(&["WARN", "queue is full"]).len(),
        warned + 1,
        "one warning when the lag starts"
    );
    // Reading: the subscriber learns how many it lost, and the log says it with `lost=6`.
    let first = sub.next().await.unwrap();
    assert_eq!(first.unwrap_err(), nitro::bus::Lagged(6));
    logs.wait_for(&["WARN", "lost=6", "reads again"]).await;
    // A second lag, and the subscriber leaves without reading: logged as it leaves.
    for i in 0..10 {
        bus.publish(topic, &i).await.unwrap();
    }
    until("10 more lost", || {
        stats::snapshot().messages_lagged - before.messages_lagged == 16
    })
    .await;
    drop(sub);
    logs.wait_for(&["WARN", "lost=10", "left"]).await;
    assert_eq!(
        stats::snapshot().subscribers_lagged - before.subscribers_lagged,
        2
    );
}

#[tokio::test]
async fn every_lag_is_logged_and_counted_when_it_happens_in_process() {
    let _turn = SERIAL.lock().await;
    lag_is_logged_and_counted(Bus::in_process().queue_messages(4), "lag.memory").await;
}

#[tokio::test]
async fn every_lag_is_logged_and_counted_when_it_happens_on_nats() {
    let _turn = SERIAL.lock().await;
    let bus = Bus::nats(&nats_url())
        .await
        .expect("NATS on 127.0.0.1:4222")
        .queue_messages(4);
    lag_is_logged_and_counted(bus, &format!("{}.lag", unique("bounds"))).await;
}

/// Ten clients that never read a byte, and 200 messages of 512 KiB (100 MiB) through NATS:
/// the process keeps at most about one message per client, not the 100 MiB.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn never_reading_clients_on_nats_hold_bounded_memory() {
    use axum::extract::State;
    use axum::{routing::get, Router};
    use nitro::prelude::*;
    use tokio::io::AsyncWriteExt;

    const CLIENTS: usize = 10;
    const MESSAGES: usize = 200;
    const SIZE: usize = 512 * 1024;
    let _turn = SERIAL.lock().await;
    ids! { LOG = "log" }
    async fn feed(State(bus): State<Bus>) -> Result<nitro::axum::Sse, nitro::bus::BusError> {
        Ok(bus.subscribe("big").await?.into_sse(|m| {
            let text: String = m.payload().unwrap_or_default();
            PatchElements::at(LOG, Mode::Append, text)
        }))
    }
    let server = NatsServer::start(free_port());
    let bus = Bus::nats(&server.url())
        .await
        .unwrap()
        .queue_bytes(256 * 1024);
    let publisher = Bus::nats(&server.url()).await.unwrap();
    let addr = common::serve(
        Router::new()
            .route("/feed", get(feed))
            .with_state(bus.clone()),
    )
    .await;
    let mut stalled = Vec::new();
    for _ in 0..CLIENTS {
        let mut c = tokio::net::TcpStream::connect(addr).await.unwrap();
        c.write_all(b"GET /feed HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        stalled.push(c);
    }
    until("every client subscribed", || {
        bus.subscriber_count() == CLIENTS
    })
    .await;
    let before = stats::snapshot();
    let rss_before = rss_kib();
    let mut peak = rss_before;
    let payload = "x".repeat(SIZE);
    for _ in 0..MESSAGES {
        publisher.publish("big", &payload).await.unwrap();
        publisher.flush().await.unwrap();
        peak = peak.max(rss_kib());
    }
    // Every client has lost all but a few messages, and that was counted.
    let lagged = || stats::snapshot().messages_lagged - before.messages_lagged;
    let start = Instant::now();
    while lagged() < (CLIENTS * (MESSAGES - 10)) as u64 {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "lost: {}",
            lagged()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
        peak = peak.max(rss_kib());
    }
    let growth_mib = peak.saturating_sub(rss_before) / 1024;
    eprintln!(
        "{CLIENTS} never-reading clients, {MESSAGES} messages of {} KiB on NATS: RSS {} -> peak {} MiB (+{growth_mib} MiB), {} messages lost",
        SIZE / 1024,
        rss_before / 1024,
        peak / 1024,
        lagged()
    );
    assert!(
        growth_mib < 48,
        "RSS grew by {growth_mib} MiB while {CLIENTS} clients never read"
    );
    assert_eq!(bus.subscriber_count(), CLIENTS);
    drop(stalled);
}

/// One room of large messages: page loads read a bounded history, in batches NATS cannot
/// overrun, and the connection other rooms use stays up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_of_large_messages_reads_a_bounded_history() {
    let _turn = SERIAL.lock().await;
    let server = NatsServer::start_jetstream();
    let bus = Bus::nats_jetstream(&server.url(), &unique("BIG"), &["room.>"])
        .await
        .unwrap();
    let big = "x".repeat(700 * 1024);
    for _ in 0..30 {
        bus.publish("room.big.message", &big).await.unwrap();
    }
    bus.publish("room.small.message", "hi").await.unwrap();
    let before = stats::snapshot();
    let loads = (0..8).map(|_| bus.history("room.big.>", 50));
    for history in futures_util::future::join_all(loads).await {
        let history = history.expect("read within 5 s");
        assert_eq!(history.total(), 30);
        let bytes: usize = history
            .messages()
            .iter()
            .map(|m| m.payload_bytes().len())
            .sum();
        assert!(
            bytes <= nitro::bus::MAX_HISTORY_BYTES && !history.messages().is_empty(),
            "{bytes} bytes in {} messages",
            history.messages().len()
        );
    }
    let other = bus.history("room.small.>", 50).await.unwrap();
    assert_eq!(other.messages().len(), 1);
    assert_eq!(stats::snapshot().bus_disconnects, before.bus_disconnects);
}
