//! Resuming after a reconnect on NATS JetStream: messages get sequence numbers, the SSE bridge
//! sends them as event ids, and a client that comes back with `Last-Event-ID: n` receives
//! everything after n. (Needs the server on 127.0.0.1:4222 started with `-js`; `.ci/run` does.)

mod common;

use std::time::Duration;

use axum::extract::State;
use axum::{routing::get, Router};
use futures_util::StreamExt;
use nitro::axum::{LastEventId, Sse};
use nitro::bus::{Bus, BusError};
use nitro::prelude::*;

fn url() -> String {
    common::nats::shared_url()
}

/// A stream of this run's own, deleted at the end.
struct TestStream {
    name: String,
    prefix: String,
}

impl TestStream {
    fn new() -> TestStream {
        let n = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        TestStream {
            name: format!("NITRO_TEST_{n}"),
            prefix: format!("js{n}"),
        }
    }

    async fn delete(&self) {
        if let Ok(client) = async_nats::connect(url()).await {
            let _ = async_nats::jetstream::new(client)
                .delete_stream(&self.name)
                .await;
        }
    }
}

async fn feed(
    State((bus, prefix)): State<(Bus, String)>,
    LastEventId(last): LastEventId,
) -> Result<Sse, BusError> {
    Ok(bus
        .subscribe_after(format!("{prefix}.>"), last)
        .await?
        .into_sse(|m| {
            let n: u64 = m.payload().unwrap_or_default();
            PatchSignals::new(&serde_json::json!({ "n": n }))
        }))
}

#[tokio::test]
async fn a_reconnecting_client_resumes_after_its_last_event_id() {
    let ts = TestStream::new();
    let subjects = format!("{}.>", ts.prefix);
    let bus = Bus::nats_jetstream(&url(), &ts.name, &[subjects.as_str()])
        .await
        .expect("NATS with JetStream on 127.0.0.1:4222 (see .ci/run)");
    assert!(bus.keeps_history());
    for n in 1..=5u64 {
        bus.publish(format!("{}.msg", ts.prefix), &n)
            .sender("t")
            .await
            .unwrap();
    }

    // Resume after sequence 2: messages 3, 4, 5 come first, with their sequence.
    let mut sub = bus
        .subscribe_after(format!("{}.>", ts.prefix), Some(2))
        .await
        .unwrap();
    for want in 3..=5u64 {
        let m = tokio::time::timeout(Duration::from_secs(5), sub.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(
            (m.sequence(), m.payload::<u64>().unwrap()),
            (Some(want), want)
        );
    }

    // Over HTTP: the events carry ids, and `Last-Event-ID: 4` resumes with message 5.
    let app = Router::new()
        .route("/feed", get(feed))
        .with_state((bus.clone(), ts.prefix.clone()));
    let addr = common::serve(app).await;
    let response = reqwest::Client::new()
        .get(format!("http://{addr}/feed"))
        .header("last-event-id", "4")
        .send()
        .await
        .unwrap();
    let mut body = response.bytes_stream();
    assert_eq!(
        common::next_event(&mut body).await,
        "event: datastar-patch-signals\nid: 5\ndata: signals {\"n\":5}\n\n"
    );

    // A live message reaches the same client with the next id.
    bus.publish(format!("{}.msg", ts.prefix), &6u64)
        .sender("t")
        .await
        .unwrap();
    assert_eq!(
        common::next_event(&mut body).await,
        "event: datastar-patch-signals\nid: 6\ndata: signals {\"n\":6}\n\n"
    );
    ts.delete().await;
}

/// A `Last-Event-ID` from beyond the end of the stream (`u64::MAX`, forged or from a stream that
/// was recreated) neither overflows nor stalls: the client starts with the next message.
#[tokio::test]
async fn resuming_past_the_end_starts_with_the_next_message() {
    let ts = TestStream::new();
    let subjects = format!("{}.>", ts.prefix);
    let bus = Bus::nats_jetstream(&url(), &ts.name, &[subjects.as_str()])
        .await
        .expect("NATS with JetStream on 127.0.0.1:4222 (see .ci/run)");
    let topic = format!("{}.msg", ts.prefix);
    bus.publish(&topic, &1u64).sender("t").await.unwrap();
    for last in [u64::MAX, u64::MAX - 1, 1_000_000] {
        let mut sub = bus
            .subscribe_after(format!("{}.>", ts.prefix), Some(last))
            .await
            .unwrap();
        bus.publish(&topic, &last).sender("t").await.unwrap();
        let m = tokio::time::timeout(Duration::from_secs(5), sub.next())
            .await
            .expect("the next message never came")
            .unwrap()
            .unwrap();
        assert_eq!(m.payload::<u64>().unwrap(), last);
    }

    // Over HTTP with the header.
    let app = Router::new()
        .route("/feed", get(feed))
        .with_state((bus.clone(), ts.prefix.clone()));
    let addr = common::serve(app).await;
    let response = reqwest::Client::new()
        .get(format!("http://{addr}/feed"))
        .header("last-event-id", u64::MAX.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut body = response.bytes_stream();
    tokio::time::sleep(Duration::from_millis(100)).await;
    bus.publish(&topic, &42u64).sender("t").await.unwrap();
    assert!(common::next_event(&mut body)
        .await
        .contains("data: signals {\"n\":42}"));
    ts.delete().await;
}

#[tokio::test]
async fn buses_without_history_say_so_and_start_live() {
    let bus = Bus::in_process();
    assert!(!bus.keeps_history());
    bus.publish("h.a", &1).sender("t").await.unwrap();
    let mut sub = bus.subscribe_after("h.>", Some(0)).await.unwrap();
    bus.publish("h.a", &2).sender("t").await.unwrap();
    let m = sub.next().await.unwrap().unwrap();
    assert_eq!((m.sequence(), m.payload::<i32>().unwrap()), (None, 2));
    let core = Bus::nats(&url()).await.expect("NATS on 127.0.0.1:4222");
    assert!(!core.keeps_history());
}

/// `Bus::connect` with a JetStream URL, then `Bus::history`: the last n messages of one topic
/// (not another's), how many it keeps, and the sequence read up to, from which
/// `subscribe_after` continues with exactly the next message of that topic.
#[tokio::test]
async fn history_then_live_has_no_gap_and_no_duplicate() {
    let ts = TestStream::new();
    let server = url();
    let server = server.trim_start_matches("nats://");
    let bus = Bus::connect(&format!(
        "nats+js://{server}/{}?subjects={}.>&max_per_subject=100",
        ts.name, ts.prefix
    ))
    .await
    .expect("NATS with JetStream on 127.0.0.1:4222 (see .ci/run)");
    assert!(bus.keeps_history());
    let (room, other) = (format!("{}.a", ts.prefix), format!("{}.b", ts.prefix));
    let empty = bus.history(&room, 3).await.unwrap();
    assert_eq!((empty.messages().len(), empty.total()), (0, 0));
    for n in 1..=5u64 {
        bus.publish(&room, &n).sender("t").await.unwrap();
        bus.publish(&other, &(100 + n)).sender("t").await.unwrap();
    }
    let history = bus.history(&room, 3).await.unwrap();
    let got: Vec<u64> = history
        .messages()
        .iter()
        .map(|m| m.payload().unwrap())
        .collect();
    assert_eq!(got, [3, 4, 5]);
    assert_eq!(history.total(), 5);
    let last = history.last_sequence().unwrap();
    assert_eq!(history.messages()[2].sequence(), Some(last - 1)); // then `other`'s 105
    assert_eq!(bus.history(&room, 0).await.unwrap().total(), 5);

    // Published after the history was read: delivered once, and nothing before it.
    bus.publish(&other, &106u64).sender("t").await.unwrap();
    bus.publish(&room, &6u64).sender("t").await.unwrap();
    let mut sub = bus
        .subscribe_after(room.as_str(), Some(last))
        .await
        .unwrap();
    let m = tokio::time::timeout(Duration::from_secs(5), sub.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(m.payload::<u64>().unwrap(), 6);
    let more = tokio::time::timeout(Duration::from_millis(200), sub.next()).await;
    assert!(more.is_err(), "unexpected {more:?}");
    ts.delete().await;
}

/// NATS drops a live feed's consumer while the connection stays up (here deleted by hand; in a
/// cluster, its node dies: `tests/cluster.rs`). While it lives, its idle heartbeats keep an idle
/// feed from being taken for a stalled one. Once dropped, the heartbeats stop, the feed
/// notices within its 6 s bound, logs and counts it, and goes on from a new consumer after the
/// last message it delivered: what was published meanwhile arrives once, in order, and NATS
/// holds one consumer for the feed again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_feed_whose_consumer_is_dropped_goes_on_from_a_new_one() {
    let logs = common::logs::capture();
    let ts = TestStream::new();
    let subjects = format!("{}.>", ts.prefix);
    let bus = Bus::nats_jetstream(&url(), &ts.name, &[subjects.as_str()])
        .await
        .expect("NATS with JetStream on 127.0.0.1:4222 (see .ci/run)");
    let js = async_nats::jetstream::new(async_nats::connect(url()).await.unwrap());
    // The next message's payload; the feed must not stall longer than its 6 s bound and a bit.
    async fn next(sub: &mut nitro::bus::Subscription) -> u64 {
        tokio::time::timeout(Duration::from_secs(9), sub.next())
            .await
            .expect("the live feed stalled")
            .unwrap()
            .unwrap()
            .payload::<u64>()
            .unwrap()
    }
    let consumers = || async {
        let stream = js.get_stream(&ts.name).await.unwrap();
        stream
            .consumer_names()
            .map(Result::unwrap)
            .collect::<Vec<String>>()
            .await
    };
    let topic = format!("{}.msg", ts.prefix);
    let mut sub = bus.subscribe(subjects.as_str()).await.unwrap();
    bus.publish(&topic, &1u64).await.unwrap();
    assert_eq!(next(&mut sub).await, 1);
    let before = nitro::stats::snapshot().bus_feeds_stalled;
    let [old] = consumers().await.try_into().unwrap();

    // An idle feed is not taken for a stalled one: its consumer's heartbeats keep it (the same
    // consumer, nothing counted) past the 6 s bound.
    tokio::time::sleep(Duration::from_secs(8)).await;
    assert_eq!(consumers().await, std::slice::from_ref(&old));
    assert_eq!(nitro::stats::snapshot().bus_feeds_stalled, before);
    bus.publish(&topic, &2u64).await.unwrap();
    assert_eq!(next(&mut sub).await, 2);

    js.get_stream(&ts.name)
        .await
        .unwrap()
        .delete_consumer(&old)
        .await
        .unwrap();
    let dropped = std::time::Instant::now();
    for n in 3..=6u64 {
        bus.publish(&topic, &n).await.unwrap();
    }
    for want in 3..=6u64 {
        assert_eq!(next(&mut sub).await, want);
    }
    let took = dropped.elapsed();
    assert!(
        took < Duration::from_secs(9),
        "the feed went on {took:?} after its consumer was dropped"
    );
    logs.wait_for(&["WARN", "live feed went silent", &subjects])
        .await;
    assert!(nitro::stats::snapshot().bus_feeds_stalled > before);
    bus.publish(&topic, &7u64).await.unwrap();
    assert_eq!(next(&mut sub).await, 7);
    let now = consumers().await;
    assert!(now.len() == 1 && now[0] != old, "{now:?}");
    drop(sub);
    ts.delete().await;
}
