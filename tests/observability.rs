//! Nothing dropped without a trace: every run-time problem leaves a log line (captured here from
//! `tracing`) and moves a counter of `nitro::stats`, over real HTTP.

mod common;

use std::time::Duration;

use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use nitro::axum::{ReadSignals, Sse};
use nitro::bus::Bus;
use nitro::sse::{Events, Mode, PatchElements, PatchSignals};
use nitro::stats::{self, Snapshot};
use nitro::PreEscaped;

/// The counters are process-wide: the tests of this file take turns.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Takes this file's turn once the streams of the tests before it have closed: a test that
/// leaves a stream open (its client is dropped at its end) is seen closing by the server a little
/// later, and that must not move the next test's counters.
async fn turn() -> tokio::sync::MutexGuard<'static, ()> {
    let turn = SERIAL.lock().await;
    let start = std::time::Instant::now();
    while stats::snapshot().live_streams != 0 {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "a stream of an earlier test is still live after 5 s"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    turn
}

/// How much each counter moved.
fn moved(before: Snapshot, after: Snapshot) -> Vec<(&'static str, i64)> {
    let after = after.counters();
    before
        .counters()
        .iter()
        .zip(after)
        .map(|((name, b), (_, a))| (*name, a as i64 - *b as i64))
        .collect()
}

fn delta(before: Snapshot, name: &str) -> i64 {
    moved(before, stats::snapshot())
        .into_iter()
        .find(|(n, _)| *n == name)
        .unwrap()
        .1
}

/// Waits up to 5 s for `name` to have moved by `want` since `before`.
async fn wait_delta(before: Snapshot, name: &str, want: i64) {
    let start = std::time::Instant::now();
    while delta(before, name) != want {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{name} moved by {} instead of {want}: {:?}",
            delta(before, name),
            moved(before, stats::snapshot())
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn a_one_shot_response_with_a_bad_event_is_a_generic_500_and_the_detail_is_logged() {
    let _turn = turn().await;
    let logs = common::logs::capture();
    let app = Router::new().route(
        "/bad",
        get(|| async {
            Events::new()
                .with(PatchSignals::new(&serde_json::json!({"ok": 1})))
                .with(PatchElements::new(PreEscaped("<p>no id</p>")))
        }),
    );
    let base = common::base_url(app).await;
    let before = stats::snapshot();
    let response = reqwest::get(format!("{base}/bad")).await.unwrap();
    assert_eq!(response.status(), 500);
    let body = response.text().await.unwrap();
    assert_eq!(body, "internal error: the response could not be encoded");
    // The client learns nothing of the cause; the log has it.
    let line = logs.wait_for(&["ERROR", "answered with 500"]).await;
    assert!(line.contains("id"), "the log line names the cause: {line}");
    assert_eq!(delta(before, "responses_failed"), 1);
    assert_eq!(delta(before, "events_failed"), 1);
    assert_eq!(delta(before, "events_sent"), 0);
}

#[tokio::test]
async fn a_one_shot_response_counts_its_events_and_bytes() {
    let _turn = turn().await;
    let app = Router::new().route(
        "/ok",
        get(|| async {
            Events::new()
                .with(PatchSignals::new(&serde_json::json!({"a": 1})))
                .with(PatchSignals::new(&serde_json::json!({"b": 2})))
        }),
    );
    let base = common::base_url(app).await;
    let before = stats::snapshot();
    let body = reqwest::get(format!("{base}/ok"))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(delta(before, "events_sent"), 2);
    assert_eq!(delta(before, "bytes_sent"), body.len() as i64);
}

#[tokio::test]
async fn a_slow_subscriber_is_logged_and_counted_with_the_number_of_messages_it_lost() {
    let _turn = turn().await;
    let logs = common::logs::capture();
    let bus = Bus::in_process().queue_messages(2);
    // The handler subscribes, then ten messages are published before the stream is read: the
    // queue of two keeps the last two, and the stream says how many it lost.
    let app = Router::new()
        .route(
            "/feed",
            get(|State(bus): State<Bus>| async move {
                let sub = bus.subscribe("feed").await.unwrap();
                for i in 0..10 {
                    bus.publish("feed", &i).sender("t").await.unwrap();
                }
                sub.into_sse(|m| {
                    let i: i32 = m.payload().unwrap();
                    PatchSignals::new(&serde_json::json!({ "i": i }))
                })
            }),
        )
        .with_state(bus);
    let base = common::base_url(app).await;
    let before = stats::snapshot();
    let response = reqwest::get(format!("{base}/feed")).await.unwrap();
    let mut body = response.bytes_stream();
    let first = common::next_event(&mut body).await;
    assert!(
        first.contains(r#"{"i":8}"#),
        "the oldest were dropped: {first}"
    );
    let line = logs
        .wait_for(&["WARN", "slow SSE subscriber", "lost="])
        .await;
    assert!(line.contains("lost=8"), "{line}");
    assert_eq!(delta(before, "subscribers_lagged"), 1);
    assert_eq!(delta(before, "messages_lagged"), 8);
}

#[tokio::test]
async fn an_event_that_fails_to_encode_in_a_bus_stream_is_logged_counted_and_the_stream_goes_on() {
    let _turn = turn().await;
    let logs = common::logs::capture();
    let bus = Bus::in_process();
    let app = Router::new()
        .route(
            "/feed",
            get(|State(bus): State<Bus>| async move {
                bus.subscribe("feed").await.unwrap().into_sse(|m| {
                    let html: String = m.payload().unwrap();
                    // Trusted HTML is checked only when it is sent: no id, no selector.
                    PatchElements::new(PreEscaped(html))
                })
            }),
        )
        .with_state(bus.clone());
    let base = common::base_url(app).await;
    let response = reqwest::get(format!("{base}/feed")).await.unwrap();
    let mut body = response.bytes_stream();
    while bus.subscriber_count() == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let before = stats::snapshot();
    bus.publish("feed", "<p>no id</p>")
        .sender("t")
        .await
        .unwrap();
    bus.publish("feed", r#"<p id="ok">fine</p>"#)
        .sender("t")
        .await
        .unwrap();
    let next = common::next_event(&mut body).await;
    assert!(next.contains(r#"<p id="ok">"#), "{next}");
    let line = logs
        .wait_for(&["WARN", "Subscription::into_sse", "failed to encode"])
        .await;
    assert!(line.contains("id"), "{line}");
    assert_eq!(delta(before, "events_failed"), 1);
    assert_eq!(delta(before, "events_sent"), 1);
}

#[tokio::test]
async fn a_client_that_goes_away_is_counted_and_logged_and_the_stream_is_no_longer_live() {
    let _turn = turn().await;
    let logs = common::logs::capture();
    let app = Router::new().route(
        "/stream",
        get(|| async {
            Sse::spawn(|mut sse| async move {
                loop {
                    sse.send(PatchSignals::new(&serde_json::json!({"tick": 1})))
                        .await?;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            })
        }),
    );
    let base = common::base_url(app).await;
    let before = stats::snapshot();
    let response = reqwest::get(format!("{base}/stream")).await.unwrap();
    let mut body = response.bytes_stream();
    common::next_event(&mut body).await;
    assert_eq!(delta(before, "live_streams"), 1);
    assert_eq!(delta(before, "streams_opened"), 1);
    drop(body);
    wait_delta(before, "live_streams", 0).await;
    assert_eq!(delta(before, "client_disconnects"), 1);
    logs.wait_for(&["DEBUG", "SSE client disconnected"]).await;
}

#[tokio::test]
async fn a_stream_that_ends_is_not_a_disconnect() {
    let _turn = turn().await;
    let app = Router::new().route(
        "/three",
        get(|| async {
            Sse::spawn(|mut sse| async move {
                for i in 0..3 {
                    sse.send(PatchSignals::new(&serde_json::json!({ "i": i })))
                        .await?;
                }
                Ok(())
            })
        }),
    );
    let base = common::base_url(app).await;
    let before = stats::snapshot();
    let body = reqwest::get(format!("{base}/three"))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    wait_delta(before, "live_streams", 0).await;
    assert_eq!(delta(before, "events_sent"), 3);
    assert_eq!(delta(before, "bytes_sent"), body.len() as i64);
    assert_eq!(delta(before, "client_disconnects"), 0);
}

#[derive(serde::Deserialize)]
struct Form {
    #[allow(dead_code)]
    name: String,
}

#[tokio::test]
async fn refused_signals_are_logged_at_debug_and_counted() {
    let _turn = turn().await;
    let logs = common::logs::capture();
    let app = Router::new().route(
        "/save",
        post(|ReadSignals(_): ReadSignals<Form>| async { "saved" }),
    );
    let base = common::base_url(app).await;
    let client = reqwest::Client::new();
    let before = stats::snapshot();
    // Not a Datastar request (a cross-site form could send this): 403.
    let r = client
        .post(format!("{base}/save"))
        .header("content-type", "application/json")
        .body(r#"{"name":"x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // A Datastar request whose signals do not fit the type: 422.
    let r = client
        .post(format!("{base}/save"))
        .header("datastar-request", "true")
        .header("content-type", "application/json")
        .body(r#"{"name":5}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(delta(before, "signals_rejected"), 2);
    logs.wait_for(&["DEBUG", "signals refused", "status=403", "/save"])
        .await;
    logs.wait_for(&["DEBUG", "signals refused", "status=422", "name"])
        .await;
}

#[test]
fn the_counters_print_as_name_value_lines() {
    let text = stats::snapshot().to_string();
    assert_eq!(
        text.lines().count(),
        stats::snapshot().counters().len(),
        "{text}"
    );
    assert!(text.lines().all(|l| l.starts_with("nitro_") && l.split(' ').nth(1).unwrap().parse::<u64>().is_ok()), "{text}");
}

#[test]
fn attribute_values_refused_while_rendering_are_counted() {
    use nitro::Render;
    use std::collections::BTreeMap;
    let before = stats::snapshot().values_refused;
    let map: BTreeMap<&str, &str> = [
        ("onclick", "x"),
        ("id", "y"),
        ("src", "/x.js"),
        ("title", "t"),
    ]
    .into_iter()
    .collect();
    let html = nitro::html! {
        a href=("javascript:alert(1)") {}
        script data-attr=(&map) {}
    }
    .render()
    .into_string();
    assert!(html.contains("about:invalid#nitro-blocked"), "{html}");
    assert!(
        html.contains("title") && !html.contains("onclick") && !html.contains("x.js"),
        "{html}"
    );
    // The URL, and three keys of the map (`onclick`, `id`, and `src` on a script).
    assert!(stats::snapshot().values_refused >= before + 4);
}

#[tokio::test]
async fn values_that_fail_to_serialize_render_null_logged_and_counted() {
    use nitro::{Json, Render};
    use std::collections::BTreeMap;
    let logs = common::logs::capture();
    let before = stats::snapshot().json_failures;
    // serde_json refuses a map whose keys are not strings.
    let bad: BTreeMap<(u8, u8), u8> = [((1, 2), 3)].into_iter().collect();
    let html = nitro::html! {
        @signals("picked")
        script { (Json(&bad)) }
        button data-on:click=(nitro::expr!("$picked = {}", bad)) { "pick" }
    }
    .render()
    .into_string();
    assert!(html.contains("<script>null</script>"), "{html}");
    assert!(
        !html.contains("(1, 2)") && !html.contains("[1,2]"),
        "{html}"
    );
    // The `Json` value and the `expr!` value: at least these two (tests run in parallel).
    assert!(stats::snapshot().json_failures >= before + 2);
    logs.wait_for(&[
        "WARN",
        "failed to serialize to JSON",
        "key must be a string",
    ])
    .await;
}

#[tokio::test]
async fn events_refused_at_encoding_are_returned_to_the_producer_logged_and_counted() {
    let _turn = turn().await;
    let logs = common::logs::capture();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let app = Router::new().route(
        "/stream",
        get(move || {
            let tx = tx.clone();
            async move {
                Sse::spawn(move |mut sse| async move {
                    // A signal path with an empty name, and trusted HTML with a mode that needs a
                    // selector: neither is sent, the producer gets both errors and goes on.
                    let empty = sse.send(PatchSignals::remove([""])).await;
                    let mode = sse
                        .send(PatchElements::trusted(None, Mode::Inner, "<p>x</p>"))
                        .await;
                    let _ = tx.send((empty.is_err(), mode.is_err()));
                    sse.send(PatchSignals::new(&serde_json::json!({"after": true})))
                        .await
                })
            }
        }),
    );
    let base = common::base_url(app).await;
    let before = stats::snapshot();
    let response = reqwest::get(format!("{base}/stream")).await.unwrap();
    let mut body = response.bytes_stream();
    let first = common::next_event(&mut body).await;
    assert!(first.contains(r#"{"after":true}"#), "{first}");
    assert_eq!(rx.recv().await.unwrap(), (true, true));
    logs.wait_for(&["WARN", "Sender::send", "empty name"]).await;
    logs.wait_for(&["WARN", "Sender::send", "needs a selector"])
        .await;
    assert_eq!(delta(before, "events_failed"), 2);
}
