//! One NATS subscription per pattern per process (issue 23): with many subscribers in two
//! "processes" (two `Bus` handles, two NATS connections), a private nats-server's monitoring
//! endpoint shows one subscription per pattern per connection and one delivery per process
//! per publish; every subscriber gets every message once, in order; a publish right after
//! `subscribe` returns is delivered; everything is released when the subscribers leave.

mod common;

use std::time::Duration;

use common::nats::NatsServer;
use common::settle;
use futures_util::StreamExt;
use nitro::bus::{Bus, Subscription};

async fn receive(sub: &mut Subscription, n: usize) -> Vec<u64> {
    let mut got = Vec::new();
    for _ in 0..n {
        let m = tokio::time::timeout(Duration::from_secs(5), sub.next())
            .await
            .expect("a message within 5 s")
            .unwrap()
            .unwrap();
        got.push(m.payload().unwrap());
    }
    got
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_nats_subscription_per_pattern_per_process() {
    const CLIENTS: usize = 50;
    const PUBLISHES: u64 = 10;
    let server = NatsServer::start_monitored(false);
    let a = Bus::nats(&server.url()).await.unwrap();
    let b = Bus::nats(&server.url()).await.unwrap();
    let publisher = Bus::nats(&server.url()).await.unwrap();
    publisher.flush().await.unwrap();
    // Each connection may hold a request inbox of the client's own: count from here.
    settle("subscriptions before", 0, || server.client_subscriptions()).await;

    // 50 subscribers on one pattern in each process; in `a`, 50 more that also hold a second
    // pattern matching the same topics (delivered once each all the same).
    let mut subs = Vec::new();
    for _ in 0..CLIENTS {
        subs.push(a.subscribe("room.1.>").await.unwrap());
        subs.push(b.subscribe("room.1.>").await.unwrap());
        subs.push(a.subscribe(["room.1.>", "room.*.text"]).await.unwrap());
    }
    assert_eq!(a.subscriber_count(), 2 * CLIENTS);
    assert_eq!(b.subscriber_count(), CLIENTS);
    // `a` holds two patterns, `b` one: 3 NATS subscriptions for 150 subscribers.
    settle("subscriptions held", 3, || server.client_subscriptions()).await;

    let before = server.monitor_json("varz").await["out_msgs"]
        .as_u64()
        .unwrap();
    for i in 0..PUBLISHES {
        publisher.publish("room.1.text", &i).await.unwrap();
    }
    publisher.flush().await.unwrap();
    for sub in &mut subs {
        assert_eq!(
            receive(sub, PUBLISHES as usize).await,
            (0..PUBLISHES).collect::<Vec<_>>()
        );
    }
    // Per publish, NATS delivered once per held matching pattern per process: 2 to `a`, 1 to
    // `b` (not once per subscriber: that would be 150).
    let after = server.monitor_json("varz").await["out_msgs"]
        .as_u64()
        .unwrap();
    assert_eq!(after - before, 3 * PUBLISHES);
    // Nothing more came (no duplicate through the second pattern).
    for sub in &mut subs {
        let more = tokio::time::timeout(Duration::from_millis(20), sub.next()).await;
        assert!(more.is_err(), "unexpected {more:?}");
    }

    // No gap: a publish from another connection right after `subscribe` returns is delivered,
    // on a pattern the process held already and on a new one.
    let mut held = b.subscribe("room.1.>").await.unwrap();
    let mut new = b.subscribe("room.2.>").await.unwrap();
    publisher.publish("room.1.text", &100u64).await.unwrap();
    publisher.publish("room.2.text", &200u64).await.unwrap();
    assert_eq!(receive(&mut held, 1).await, [100]);
    assert_eq!(receive(&mut new, 1).await, [200]);
    drop((held, new));

    // Everything is released when the subscribers leave.
    drop(subs);
    assert_eq!((a.subscriber_count(), b.subscriber_count()), (0, 0));
    settle("subscriptions after", 0, || server.client_subscriptions()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_jetstream_consumer_per_pattern_per_process() {
    const CLIENTS: usize = 30;
    let server = NatsServer::start_monitored(true);
    let stream = common::nats::unique("SHARED");
    let a = Bus::nats_jetstream(&server.url(), &stream, &["js.>"])
        .await
        .unwrap();
    let b = Bus::nats_jetstream(&server.url(), &stream, &["js.>"])
        .await
        .unwrap();
    let consumers = || async {
        server.monitor_json("jsz?consumers=true").await["consumers"]
            .as_u64()
            .unwrap_or(0)
    };
    // Each connection holds the inbox its requests (stream creation) are answered on.
    settle("subscriptions before", 2, || server.client_subscriptions()).await;
    let mut subs = Vec::new();
    for _ in 0..CLIENTS {
        subs.push(a.subscribe("js.room.>").await.unwrap());
        subs.push(b.subscribe("js.room.>").await.unwrap());
    }
    settle("consumers held", 2, consumers).await;
    settle("subscriptions held", 2 + 2, || {
        server.client_subscriptions()
    })
    .await;
    for i in 0..5u64 {
        a.publish("js.room.1", &i).await.unwrap();
    }
    for sub in &mut subs {
        let mut got = Vec::new();
        for _ in 0..5 {
            let m = tokio::time::timeout(Duration::from_secs(5), sub.next())
                .await
                .expect("a message within 5 s")
                .unwrap()
                .unwrap();
            got.push((m.payload::<u64>().unwrap(), m.sequence().is_some()));
        }
        assert_eq!(got, (0..5).map(|i| (i, true)).collect::<Vec<_>>());
    }
    drop(subs);
    // Their NATS subscriptions end with the last subscriber; the consumers are
    // ephemeral, and NATS removes them once nobody reads them.
    settle("subscriptions after", 2, || server.client_subscriptions()).await;
    settle("consumers after", 0, consumers).await;
}
