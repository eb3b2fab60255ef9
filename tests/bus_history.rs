//! The in-process bus's optional history (issue 23, item 2): a browser that reconnects after a
//! network blip resumes after its `Last-Event-ID` without NATS, exactly (no gap, nothing twice)
//! while messages keep coming; the history holds its bounds in messages per topic and in bytes
//! whatever topics strangers use; and a resume from before what it keeps is told so: an
//! `Expired` error (410) from `subscribe_after`, a full re-render from `Bus::room`.

mod common;

use std::time::Duration;

use axum::extract::State;
use axum::{routing::get, Router};
use futures_util::StreamExt;
use nitro::axum::{LastEventId, Sse};
use nitro::bus::{Bus, BusError, BusErrorKind};
use nitro::sse::PatchSignals;

/// The `id:` and the `n` of each event in an SSE text.
fn events(text: &str) -> Vec<(u64, u64)> {
    text.split("\n\n")
        .filter(|e| !e.trim().is_empty() && !e.starts_with(':'))
        .map(|e| {
            let id = e.lines().find_map(|l| l.strip_prefix("id: ")).unwrap();
            let n = e.split("\"n\":").nth(1).unwrap();
            let n: String = n.chars().take_while(char::is_ascii_digit).collect();
            (id.parse().unwrap(), n.parse().unwrap())
        })
        .collect()
}

async fn feed(State(bus): State<Bus>, LastEventId(last): LastEventId) -> Result<Sse, BusError> {
    Ok(bus
        .subscribe_after("ticks", last)
        .await?
        .into_sse(|m| PatchSignals::new(&serde_json::json!({ "n": m.payload::<u64>().unwrap() }))))
}

/// Reads events from `url` until one with `n == until`; returns them.
async fn read_until(url: &str, last: Option<u64>, until: u64) -> Vec<(u64, u64)> {
    let mut request = reqwest::Client::new().get(url);
    if let Some(last) = last {
        request = request.header("last-event-id", last.to_string());
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    let mut body = response.bytes_stream();
    let mut got = Vec::new();
    while got.last().is_none_or(|e: &(u64, u64)| e.1 < until) {
        got.extend(events(&common::next_event(&mut body).await));
    }
    got
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_resumes_after_a_blip_exactly_while_messages_flow() {
    const TOTAL: u64 = 200;
    let bus = Bus::in_process().history_messages(1000);
    assert!(bus.keeps_history());
    let base = common::base_url(
        Router::new()
            .route("/feed", get(feed))
            .with_state(bus.clone()),
    )
    .await;
    let url = format!("{base}/feed");
    let publishing = tokio::spawn({
        let bus = bus.clone();
        async move {
            for n in 1..=TOTAL {
                bus.publish("ticks", &n).await.unwrap();
                bus.publish("other", &n).await.unwrap(); // numbered too: ids skip
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        }
    });
    // Three connections, each cut after a few events; the next resumes after the last id.
    let mut seen: Vec<(u64, u64)> = Vec::new();
    for (i, until) in [20u64, 90, TOTAL].into_iter().enumerate() {
        if i > 0 {
            tokio::time::sleep(Duration::from_millis(30)).await; // the blip: messages go on
        }
        let got = read_until(&url, seen.last().map(|e| e.0), until).await;
        seen.extend(got);
    }
    publishing.await.unwrap();
    let ns: Vec<u64> = seen.iter().map(|e| e.1).collect();
    let first = ns[0];
    assert_eq!(
        ns,
        (first..=TOTAL).collect::<Vec<_>>(),
        "a gap or a duplicate"
    );
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "ids in order");
}

#[tokio::test]
async fn the_history_holds_its_bounds_in_messages_and_bytes() {
    // Per topic: its last 5.
    let bus = Bus::in_process().history_messages(5);
    for i in 0..20u64 {
        bus.publish(format!("room.{}", i % 2), &i).await.unwrap();
    }
    let room = bus.history("room.0", 100).await.unwrap();
    let kept: Vec<u64> = room
        .messages()
        .iter()
        .map(|m| m.payload().unwrap())
        .collect();
    assert_eq!(kept, [10, 12, 14, 16, 18]);
    assert_eq!(bus.history("room.>", 100).await.unwrap().total(), 10);

    // In bytes, for all topics together, however many topics strangers make up: a message
    // is charged its payload, topic and sender plus 128, a topic its name plus 128.
    const BOUND: usize = 64 * 1024;
    let bus = Bus::in_process()
        .history_messages(1000)
        .history_bytes(BOUND);
    let payload = "x".repeat(1000);
    for i in 0..500 {
        bus.publish(format!("s.t{i:03}"), &payload).await.unwrap();
    }
    let all = bus.history("s.>", usize::MAX).await.unwrap();
    let charged = |topics: usize, messages: usize| {
        messages * (payload.len() + 2 + 6 + "server".len() + 128) + topics * (6 + 128)
    };
    let kept = all.total() as usize;
    assert!(charged(kept, kept) <= BOUND, "{kept} kept");
    assert!(charged(kept + 1, kept + 1) > BOUND, "only {kept} kept");
    // The newest stay.
    let last: String = format!("s.t{:03}", 499);
    assert_eq!(all.messages().last().unwrap().topic(), last);
}

#[tokio::test]
async fn a_resume_older_than_the_history_is_told_so() {
    let bus = Bus::in_process().history_messages(3);
    for n in 1..=10u64 {
        bus.publish("ticks", &n).await.unwrap();
    }
    // Sequences 8, 9, 10 are kept: after 7 is complete, after 6 is not.
    let mut sub = bus.subscribe_after("ticks", Some(7)).await.unwrap();
    let m = sub.next().await.unwrap().unwrap();
    assert_eq!(m.payload::<u64>().unwrap(), 8);
    let err = bus.subscribe_after("ticks", Some(6)).await.unwrap_err();
    assert_eq!((err.kind(), err.status()), (BusErrorKind::Expired, 410));
    let before = nitro::stats::snapshot().resumes_expired;

    // Over HTTP: the raw resume answers 410; `Bus::room` renders the room in full instead,
    // with the last sequence as its id, then goes on live.
    let room = |State(bus): State<Bus>, LastEventId(last): LastEventId| async move {
        bus.room("ticks")
            .last(2)
            .after(last)
            .into_sse(
                |h| {
                    let all: Vec<u64> = h.messages().iter().map(|m| m.payload().unwrap()).collect();
                    PatchSignals::new(&serde_json::json!({ "all": all, "n": 0 }))
                },
                |m, count| {
                    PatchSignals::new(
                        &serde_json::json!({ "n": m.payload::<u64>().unwrap(), "count": count }),
                    )
                },
            )
            .await
    };
    let base = common::base_url(
        Router::new()
            .route("/feed", get(feed))
            .route("/room", get(room))
            .with_state(bus.clone()),
    )
    .await;
    let get = |path: &str, last: u64| {
        reqwest::Client::new()
            .get(format!("{base}{path}"))
            .header("last-event-id", last.to_string())
            .send()
    };
    assert_eq!(get("/feed", 6).await.unwrap().status(), 410);
    let mut body = get("/room", 6).await.unwrap().bytes_stream();
    let first = common::next_event(&mut body).await;
    assert!(
        first.contains("id: 10\n") && first.contains(r#""all":[9,10]"#),
        "{first}"
    );
    bus.publish("ticks", &11u64).await.unwrap();
    let next = common::next_event(&mut body).await;
    assert!(
        next.contains("id: 11\n") && next.contains(r#""count":4"#),
        "{next}"
    );
    // Within the history, the room sends what was missed, each with its count.
    let mut body = get("/room", 9).await.unwrap().bytes_stream();
    let missed = common::next_event(&mut body).await;
    assert_eq!(events(&missed), [(10, 10), (11, 11)], "{missed}");
    assert!(nitro::stats::snapshot().resumes_expired >= before + 2);
}
