//! A failure reported to a publisher is a real one (issue 27): a JetStream publish during a
//! NATS freeze is resent with the same message id and stored once; a client's retry with the
//! same `Publish::id` is stored once; what can never fit is a 413, not a 503.

mod common;

use std::time::Duration;

use common::nats::{unique, NatsServer};
use nitro::bus::{Bus, BusErrorKind};

fn nats_url() -> String {
    std::env::var("NITRO_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_publish_during_a_freeze_is_stored_once() {
    let server = NatsServer::start_jetstream();
    let bus = Bus::nats_jetstream(&server.url(), &unique("FREEZE"), &["freeze.>"])
        .await
        .unwrap();
    bus.publish("freeze.a", &0).await.unwrap();
    server.signal("STOP");
    let publisher = bus.clone();
    let frozen = tokio::spawn(async move { publisher.publish("freeze.a", &1).await });
    // The first attempt's acknowledgement times out after 5 s; the resend waits.
    tokio::time::sleep(Duration::from_secs(6)).await;
    server.signal("CONT");
    tokio::time::timeout(Duration::from_secs(10), frozen)
        .await
        .expect("the publish completes after the freeze")
        .unwrap()
        .expect("acknowledged, not reported as failed");
    let history = bus.history("freeze.>", 10).await.unwrap();
    let values: Vec<i32> = history
        .messages()
        .iter()
        .map(|m| m.payload().unwrap())
        .collect();
    assert_eq!(values, [0, 1], "stored once");
}

#[tokio::test]
async fn a_retry_with_the_same_id_is_stored_once() {
    let server = NatsServer::start_jetstream();
    let bus = Bus::nats_jetstream(&server.url(), &unique("RETRY"), &["retry.>"])
        .await
        .unwrap();
    for _ in 0..3 {
        bus.publish(["retry.a", "retry.b"], "hello")
            .id("form-42")
            .await
            .unwrap();
    }
    bus.publish("retry.a", "other").id("form-43").await.unwrap();
    let history = bus.history("retry.>", 10).await.unwrap();
    let topics: Vec<&str> = history.messages().iter().map(|m| m.topic()).collect();
    assert_eq!(topics, ["retry.a", "retry.b", "retry.a"]);
    let err = bus
        .publish("retry.a", &1)
        .id("bad\r\nid")
        .await
        .unwrap_err();
    assert_eq!((err.kind(), err.status()), (BusErrorKind::InvalidId, 400));
}

#[tokio::test]
async fn what_can_never_fit_is_413() {
    let bus = Bus::nats(&nats_url())
        .await
        .expect("NATS on 127.0.0.1:4222");
    let big = "x".repeat(2 << 20);
    let err = bus.publish(unique("fit.a"), &big).await.unwrap_err();
    assert_eq!((err.kind(), err.status()), (BusErrorKind::TooLarge, 413));
    assert!(err.to_string().contains("max_payload"), "{err}");
    // Just under the limit still goes.
    let fits = "x".repeat(1000 * 1000);
    bus.publish(unique("fit.b"), &fits).await.unwrap();
}
