//! Faults: the NATS server stops mid-stream and comes back; a client that never reads.

mod common;

use std::time::{Duration, Instant};

use common::nats::NatsServer;
use futures_util::StreamExt;
use nitro::bus::{Bus, BusErrorKind};

#[tokio::test]
async fn nats_outage_errors_publishers_and_subscribers_resume() {
    let port = common::nats::free_port();
    let logs = common::logs::capture();
    let before = nitro::stats::snapshot();
    let mut server = NatsServer::start(port);
    let url = format!("nats://127.0.0.1:{}", server.port);
    let bus = Bus::nats(&url).await.unwrap();
    let mut sub = bus.subscribe("fault.>").await.unwrap();
    bus.publish("fault.a", &1).sender("t").await.unwrap();
    let m = tokio::time::timeout(Duration::from_secs(5), sub.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(m.payload::<i32>().unwrap(), 1);

    // The server goes away mid-stream: publishing fails at once with a clear error.
    server.stop();
    let start = Instant::now();
    let err = loop {
        match bus.publish("fault.a", &2).sender("t").await {
            Err(e) => break e,
            Ok(()) => {
                assert!(
                    start.elapsed() < Duration::from_secs(5),
                    "publish kept succeeding with the server down"
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };
    assert_eq!(err.kind(), BusErrorKind::Publish);
    assert!(err.to_string().contains("connection is down"), "{err}");

    // It comes back on the same port: the client reconnects, the subscription resumes.
    let _server = NatsServer::start(port);
    let start = Instant::now();
    loop {
        if bus.publish("fault.a", &3).sender("t").await.is_ok() {
            bus.flush().await.unwrap();
            if let Ok(Some(Ok(m))) =
                tokio::time::timeout(Duration::from_millis(300), sub.next()).await
            {
                assert_eq!(m.payload::<i32>().unwrap(), 3);
                break;
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "the subscription did not resume after the restart"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The outage and the reconnection are in the log and in the counters.
    logs.wait_for(&["WARN", "connection to NATS was lost"])
        .await;
    logs.wait_for(&["WARN", "connected to NATS again"]).await;
    let after = nitro::stats::snapshot();
    assert!(after.bus_disconnects > before.bus_disconnects, "{after:?}");
    assert!(after.bus_reconnects > before.bus_reconnects, "{after:?}");
}

fn rss_kib() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_reads_neither_grows_memory_nor_delays_others() {
    use axum::extract::State;
    use axum::{routing::get, Router};
    use nitro::prelude::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    ids! { LOG = "log" }
    async fn feed(State(bus): State<Bus>) -> Result<nitro::axum::Sse, nitro::bus::BusError> {
        Ok(bus.subscribe("feed").await?.into_sse(|m| {
            let text: String = m.payload().unwrap_or_default();
            PatchElements::at(LOG, Mode::Append, text)
        }))
    }
    let bus = Bus::in_process().queue_messages(64);
    let addr = common::serve(
        Router::new()
            .route("/feed", get(feed))
            .with_state(bus.clone()),
    )
    .await;

    // The stalled client: sends its request, never reads a byte.
    let mut stalled = tokio::net::TcpStream::connect(addr).await.unwrap();
    stalled
        .write_all(b"GET /feed HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    // A healthy client reading everything.
    let healthy = reqwest::get(format!("http://{addr}/feed")).await.unwrap();
    let start = Instant::now();
    while bus.subscriber_count() < 2 {
        assert!(start.elapsed() < Duration::from_secs(5));
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    const N: usize = 20_000;
    const BATCH: usize = 32; // below the queue capacity: a client that keeps up loses nothing
    let payload = "x".repeat(2048);
    let received = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = received.clone();
    let reader = tokio::spawn(async move {
        let mut body = healthy.bytes_stream();
        let mut bytes = Vec::new();
        while let Some(chunk) = body.next().await {
            bytes.extend_from_slice(&chunk.unwrap());
            while let Some(i) = bytes.windows(2).position(|w| w == b"\n\n") {
                bytes.drain(..i + 2);
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
        }
    });
    let rss_before = rss_kib();
    let publish_start = Instant::now();
    let mut slowest_batch = Duration::ZERO;
    for batch in 0..N / BATCH {
        let t = Instant::now();
        for _ in 0..BATCH {
            bus.publish("feed", &payload).sender("t").await.unwrap();
        }
        // The healthy client receives each batch promptly, whatever the stalled one does.
        while received.load(std::sync::atomic::Ordering::SeqCst) < (batch + 1) * BATCH {
            assert!(
                t.elapsed() < Duration::from_secs(5),
                "healthy client delayed at batch {batch}"
            );
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
        slowest_batch = slowest_batch.max(t.elapsed());
    }
    let publishing = publish_start.elapsed();
    assert_eq!(received.load(std::sync::atomic::Ordering::SeqCst), N);
    // The stalled client is still connected and still subscribed, beside the healthy one
    // (checked before the healthy reader stops: its disconnect then races with this count).
    assert_eq!(bus.subscriber_count(), 2);
    reader.abort();
    eprintln!(
        "{N} messages of 2 KiB in {publishing:?}; slowest batch of {BATCH}: {slowest_batch:?}"
    );
    let growth_mib = rss_kib().saturating_sub(rss_before) / 1024;
    // ~40 MiB went through; the stalled client may hold its queue (64 x 2 KiB) plus socket
    // buffers, not the stream.
    assert!(
        growth_mib < 24,
        "RSS grew by {growth_mib} MiB while a client never read"
    );
    assert!(
        publishing < Duration::from_secs(30),
        "publishing took {publishing:?}"
    );
    // The stalled client is still subscribed after the publishing; nothing was lost for others.
    assert!(bus.subscriber_count() >= 1);
    let mut buf = [0u8; 16];
    let _ = stalled.read(&mut buf).await;
}
