//! Faults: the NATS server stops mid-stream and comes back; a client that never reads.
//!
//! The ten observations of issue 27's reliability review, each with the test that shows it
//! fixed (all in `.ci/run`: loopback, private NATS servers or cluster started by the test):
//!
//! | # | observation | test |
//! |---|---|---|
//! | 1 | a client that never reads costs memory in proportion to message size on NATS | `bus_bounds.rs` `never_reading_clients_on_nats_hold_bounded_memory`; here `a_client_that_never_reads_neither_grows_memory_nor_delays_others` (in process) |
//! | 2 | lagging is silent | `bus_bounds.rs` `every_lag_is_logged_and_counted_when_it_happens_on_nats` / `…_in_process`; `observability.rs` `a_slow_subscriber_is_logged_and_counted_with_the_number_of_messages_it_lost` |
//! | 3 | a NATS freeze reports failures that are not (a retry duplicates) | `bus_publish_faults.rs` `a_publish_during_a_freeze_is_stored_once`, `a_retry_with_the_same_id_is_stored_once` |
//! | 4 | stream churn on JetStream: a consumer per open stream | `bus_shared.rs` `one_jetstream_consumer_per_pattern_per_process` (60 streams, 2 consumers, 0 after); `stream_churn_on_jetstream_holds_one_consumer_per_process` here |
//! | 5 | one room of large messages knocks the app off NATS | `bus_bounds.rs` `a_room_of_large_messages_reads_a_bounded_history` |
//! | 6 | NATS restarted without its store: the app never recovers | `bus_publish_faults.rs` `a_stream_nats_lost_is_recreated` |
//! | 7 | wrong statuses, silence at the file limit, no per-client cap | `bus_publish_faults.rs` `what_can_never_fit_is_413`; `serve.rs` `a_client_over_its_connection_cap_gets_429`, `nearing_the_file_limit_is_logged_and_counted` |
//! | 8 | shutdown cuts streams mid-response | `serve.rs` `shutdown_ends_open_streams_cleanly` |
//! | 9 | in a 3-node cluster the chat stream has one replica | `scale_out.rs` `chat_keeps_sending_on_every_process_when_a_cluster_node_dies`; `cluster.rs` `sse_streams_survive_a_cluster_node_dying` |
//! | 10 | the examples' state: a todo value anyone can fill, a counter that refuses clicks | `scale_out.rs` `every_concurrent_click_on_two_counter_processes_is_counted` (2,000 bumps, 100 at a time, two processes), `one_client_cannot_fill_the_todo_list`; `examples.rs` `todo_keeps_a_bounded_list` |

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

/// Issue 27 (observation 4): 2 × 1,000 clients reconnecting every 50–500 ms made NATS hold tens
/// of thousands of consumers (one or two per stream opened), and stream opens got 503. Here,
/// at a bounded scale: two app instances on one JetStream server, 2 × 50 clients over real HTTP
/// each opening a stream, holding it 10–60 ms and opening the next, for 3 s while messages are
/// published: every open is a 200, NATS never holds more than one consumer per instance, and
/// none once the clients are gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stream_churn_on_jetstream_holds_one_consumer_per_process() {
    use axum::extract::State;
    use axum::{routing::get, Router};
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    async fn feed(State(bus): State<Bus>) -> Result<nitro::axum::Sse, nitro::bus::BusError> {
        Ok(bus
            .subscribe("churn.room.>")
            .await?
            .into_sse(nitro::bus::forward))
    }
    let server = NatsServer::start_monitored(true);
    let stream = common::nats::unique("CHURN");
    let mut bases = Vec::new();
    let mut buses = Vec::new();
    for _ in 0..2 {
        let bus = Bus::nats_jetstream(&server.url(), &stream, &["churn.>"])
            .await
            .unwrap();
        let app = Router::new()
            .route("/feed", get(feed))
            .with_state(bus.clone());
        bases.push(common::base_url(app).await);
        buses.push(bus);
    }
    let consumers = || async {
        server.monitor_json("jsz?consumers=true").await["consumers"]
            .as_u64()
            .unwrap_or(0)
    };
    let (opens, refused) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let until = Instant::now() + Duration::from_secs(3);
    let mut clients = Vec::new();
    for i in 0..100u64 {
        let url = format!("{}/feed", bases[i as usize % 2]);
        let (opens, refused) = (opens.clone(), refused.clone());
        clients.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut hold = 10 + i % 50;
            while Instant::now() < until {
                match http.get(&url).send().await {
                    Ok(r) if r.status() == 200 => {
                        opens.fetch_add(1, Ordering::Relaxed);
                        tokio::time::sleep(Duration::from_millis(hold)).await;
                    }
                    _ => {
                        refused.fetch_add(1, Ordering::Relaxed);
                    }
                }
                hold = 10 + (hold * 7) % 50;
            }
        }));
    }
    let mut most = 0;
    let mut n = 0u64;
    while Instant::now() < until {
        n += 1;
        buses[(n % 2) as usize]
            .publish("churn.room.1", &n)
            .await
            .unwrap();
        most = most.max(consumers().await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for c in clients {
        c.await.unwrap();
    }
    let (opens, refused) = (
        opens.load(Ordering::Relaxed),
        refused.load(Ordering::Relaxed),
    );
    eprintln!("{opens} stream opens in 3 s, {refused} refused; at most {most} consumers");
    assert_eq!(refused, 0);
    assert!(opens >= 300, "only {opens} opens");
    assert!(most <= 2, "{most} consumers for 2 app instances");
    let start = Instant::now();
    while consumers().await > 0 || buses.iter().any(|b| b.subscriber_count() > 0) {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "consumers or subscriptions left behind"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
