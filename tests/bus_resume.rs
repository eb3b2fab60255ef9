//! Resuming on JetStream without a consumer per client (issue 23, item 2): a subscription that
//! resumes after a sequence joins the process's shared live feed and reads what it missed once,
//! so while messages are published concurrently every resumed client gets exactly the messages
//! after the last one it saw (no gap, nothing twice), and NATS's consumer count stays at one per
//! pattern per process (its monitoring endpoint, `jsz`). Over HTTP, strangers' rooms cost one
//! NATS subscription each while someone watches them, and nothing once everyone left (`subsz`).

mod common;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::{routing::get, Router};
use common::nats::{unique, NatsServer};
use common::settle;
use futures_util::StreamExt;
use nitro::axum::{LastEventId, Sse};
use nitro::bus::{Bus, BusError, Lagged, Subscription};
use nitro::sse::PatchSignals;

async fn consumers(server: &NatsServer) -> u64 {
    server.monitor_json("jsz?consumers=true").await["consumers"]
        .as_u64()
        .unwrap_or(0)
}

/// Every subscription NATS holds (`subsz`: its own for each JetStream consumer too).
async fn subscriptions(server: &NatsServer) -> u64 {
    server.monitor_json("subsz").await["num_subscriptions"]
        .as_u64()
        .unwrap()
}

/// The next message's (sequence, payload).
async fn next(sub: &mut Subscription) -> (u64, u64) {
    let m = tokio::time::timeout(Duration::from_secs(10), sub.next())
        .await
        .expect("a message within 10 s")
        .expect("the subscription ended")
        .expect("no lag");
    (m.sequence().unwrap(), m.payload().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resumes_while_publishing_have_no_gap_no_duplicate_and_no_consumer_each() {
    const CLIENTS: u64 = 40;
    const TOTAL: u64 = 300;
    let server = Arc::new(NatsServer::start_monitored(true));
    let stream = unique("RESUME");
    let app = Bus::nats_jetstream(&server.url(), &stream, &["rs.>"])
        .await
        .unwrap();
    let publisher = Bus::nats_jetstream(&server.url(), &stream, &["rs.>"])
        .await
        .unwrap();
    // The process's other tabs hold the room's shared feed: one consumer.
    let _other_tab = app.subscribe("rs.room").await.unwrap();
    settle("consumers before", 1, || consumers(&server)).await;

    // NATS's consumer count, sampled while the clients come and go.
    let (done, most) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicU64::new(0)),
    );
    let sampler = tokio::spawn({
        let (server, done, most) = (server.clone(), done.clone(), most.clone());
        async move {
            while !done.load(Ordering::Relaxed) {
                most.fetch_max(consumers(&server).await, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    });
    let publishing = tokio::spawn(async move {
        for i in 1..=TOTAL {
            publisher.publish("rs.room", &i).await.unwrap();
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    });

    // Each client: watches a little, loses its connection for a moment (messages go on), and
    // comes back after the last sequence it saw.
    let clients = (0..CLIENTS).map(|i| {
        let app = app.clone();
        async move {
            tokio::time::sleep(Duration::from_millis(i * 10)).await;
            let mut live = app.subscribe("rs.room").await.unwrap();
            let mut seen = next(&mut live).await;
            for _ in 0..i % 4 {
                seen = next(&mut live).await;
            }
            drop(live);
            tokio::time::sleep(Duration::from_millis(i % 5 * 3)).await;
            let mut resumed = app.subscribe_after("rs.room", Some(seen.0)).await.unwrap();
            let (mut sequence, mut payload) = seen;
            while payload < TOTAL {
                let (s, p) = next(&mut resumed).await;
                assert!(s > sequence, "client {i}: sequence {s} after {sequence}");
                assert_eq!(p, payload + 1, "client {i}: a gap or a duplicate");
                (sequence, payload) = (s, p);
            }
            resumed
        }
    });
    let resumed = futures_util::future::join_all(clients).await;
    publishing.await.unwrap();
    done.store(true, Ordering::Relaxed);
    sampler.await.unwrap();
    // Flat: the one shared consumer, whatever the number of clients that resumed.
    assert_eq!(most.load(Ordering::Relaxed), 1, "consumers seen at once");
    assert_eq!(consumers(&server).await, 1);
    assert_eq!(app.subscriber_count(), CLIENTS as usize + 1);
    // Nothing more came to anyone.
    for mut sub in resumed {
        let more = tokio::time::timeout(Duration::from_millis(20), sub.next()).await;
        assert!(more.is_err(), "unexpected {more:?}");
    }
}

/// A resume that missed more than a few messages reads them in batches (a pull consumer of its
/// own, deleted when done), and more than its queue holds: the newest, after `Lagged(n)`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_resume_reads_in_batches_within_the_queue_bound() {
    let server = NatsServer::start_monitored(true);
    let stream = unique("LONG");
    let app = Bus::nats_jetstream(&server.url(), &stream, &["lr.>"])
        .await
        .unwrap()
        .queue_messages(100);
    for i in 1..=150u64 {
        app.publish("lr.room", &i).await.unwrap();
        app.publish("lr.other", &(1000 + i)).await.unwrap();
    }
    let mut sub = app.subscribe_after("lr.room", Some(0)).await.unwrap();
    let first = tokio::time::timeout(Duration::from_secs(5), sub.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.unwrap_err(), Lagged(50));
    for want in 51..=150u64 {
        assert_eq!(next(&mut sub).await.1, want);
    }
    app.publish("lr.room", &151u64).await.unwrap();
    assert_eq!(next(&mut sub).await.1, 151);
    // The read's consumer is gone; the shared one remains while the subscription lives.
    settle("consumers", 1, || consumers(&server)).await;
    drop(sub);
    settle("consumers after", 0, || consumers(&server)).await;
}

async fn room_feed(
    State(bus): State<Bus>,
    Path(room): Path<String>,
    LastEventId(last): LastEventId,
) -> Result<Sse, BusError> {
    let topic = format!("hx.{}", nitro::bus::token(&room));
    let sse = bus
        .room(topic)
        .after(last)
        .into_sse(
            |h| PatchSignals::new(&serde_json::json!({ "total": h.total() })),
            |m, n| PatchSignals::new(&serde_json::json!({ "n": n, "v": m.payload::<u64>().ok() })),
        )
        .await?;
    Ok(sse.keep_alive(Some(Duration::from_millis(50))))
}

/// Strangers name the rooms: each watched room costs the process one NATS subscription (and
/// one consumer), shared by its watchers, and when they all leave NATS holds nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_subscriptions_return_to_zero_when_clients_leave() {
    const ROOMS: usize = 10;
    let server = NatsServer::start_monitored(true);
    let stream = unique("SUBSZ");
    let bus = Bus::nats_jetstream(&server.url(), &stream, &["hx.>"])
        .await
        .unwrap();
    bus.publish("hx.room0", &1u64).await.unwrap();
    // The server's own, and the connection's request inbox.
    let (base_subs, base_client) = (
        subscriptions(&server).await,
        server.client_subscriptions().await,
    );
    let base = common::base_url(
        Router::new()
            .route("/rooms/{room}", get(room_feed))
            .with_state(bus.clone()),
    )
    .await;
    let mut bodies = Vec::new();
    for i in 0..3 * ROOMS {
        let room = format!("room{} *.>", i % ROOMS);
        let mut request =
            reqwest::Client::new().get(format!("{base}/rooms/{}", urlencoding::encode(&room)));
        if i == 0 {
            request = request.header("last-event-id", "0");
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200);
        bodies.push(Box::pin(response.bytes_stream()));
    }
    assert_eq!(bus.subscriber_count(), 3 * ROOMS);
    settle(
        "client subscriptions held",
        base_client + ROOMS as u64,
        || server.client_subscriptions(),
    )
    .await;
    settle("consumers held", ROOMS as u64, || consumers(&server)).await;
    drop(bodies);
    settle("subscribers after", 0, || async {
        bus.subscriber_count() as u64
    })
    .await;
    settle("client subscriptions after", base_client, || {
        server.client_subscriptions()
    })
    .await;
    settle("subscriptions after", base_subs, || subscriptions(&server)).await;
    settle("consumers after", 0, || consumers(&server)).await;
}
