//! Snapshot then live over real HTTP (`Subscription::snapshot` then `into_sse`): messages published
//! between the page render and the subscription, and between the subscription and the
//! snapshot, are neither lost nor sent twice.

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::{routing::get, Router};
use futures_util::StreamExt;
use nitro::axum::Sse;
use nitro::bus::{Bus, BusError};
use nitro::prelude::*;
use tokio::sync::{mpsc, Mutex as AsyncMutex};

#[derive(Clone)]
struct App {
    bus: Bus,
    log: Arc<Mutex<Vec<u64>>>,
    /// The stream handler reports "subscribed" here and waits for the go-ahead, so the test can
    /// publish between the subscription and the snapshot.
    subscribed: mpsc::Sender<()>,
    go: Arc<AsyncMutex<mpsc::Receiver<()>>>,
}

impl App {
    /// What the app does on a new entry: store it, then publish it.
    async fn add(&self, n: u64) {
        self.log.lock().unwrap().push(n);
        self.bus
            .publish("log.entry", &n)
            .sender("app")
            .await
            .unwrap();
    }
}

async fn stream(State(app): State<App>) -> Result<Sse, BusError> {
    let sub = app.bus.subscribe("log.>").await?;
    app.subscribed.send(()).await.unwrap();
    app.go.lock().await.recv().await;
    let snapshot = app.log.lock().unwrap().clone();
    let last = snapshot.last().copied().unwrap_or(0);
    Ok(sub
        .snapshot(PatchSignals::new(
            &serde_json::json!({ "snapshot": snapshot }),
        ))
        .into_sse(move |m| {
            let n: u64 = m.payload().unwrap_or(0);
            (n > last)
                .then(|| PatchSignals::new(&serde_json::json!({ "live": n })))
                .into_iter()
                .collect::<Events>()
        }))
}

/// The events of a response body as text, until `done` says so.
async fn read_until<S>(body: &mut S, done: impl Fn(&str) -> bool) -> String
where
    S: futures_util::Stream<Item = reqwest::Result<axum::body::Bytes>> + Unpin,
{
    let mut text = String::new();
    while !done(&text) {
        text.push_str(&common::next_event(body).await);
    }
    text
}

#[tokio::test]
async fn nothing_published_during_the_gap_is_lost_or_duplicated() {
    let (subscribed_tx, mut subscribed) = mpsc::channel(1);
    let (go, go_rx) = mpsc::channel(1);
    let app = App {
        bus: Bus::in_process(),
        log: Arc::default(),
        subscribed: subscribed_tx,
        go: Arc::new(AsyncMutex::new(go_rx)),
    };
    let base = common::base_url(
        Router::new()
            .route("/stream", get(stream))
            .with_state(app.clone()),
    )
    .await;

    // The page is rendered with entries 1..=3.
    for n in 1..=3 {
        app.add(n).await;
    }
    // 4 and 5 come after the render, before the browser's stream subscribes.
    app.add(4).await;
    app.add(5).await;
    let response = tokio::spawn(reqwest::get(format!("{base}/stream")));
    subscribed.recv().await.unwrap();
    // 6 and 7 come after the subscription, before the snapshot: queued AND in the snapshot.
    app.add(6).await;
    app.add(7).await;
    go.send(()).await.unwrap();
    let mut body = response.await.unwrap().unwrap().bytes_stream();
    let first = common::next_event(&mut body).await;
    assert_eq!(
        first,
        "event: datastar-patch-signals\ndata: signals {\"snapshot\":[1,2,3,4,5,6,7]}\n\n"
    );
    // 8 and 9 come live.
    app.add(8).await;
    app.add(9).await;
    let live = read_until(&mut body, |t| t.contains("\"live\":9")).await;
    assert_eq!(
        live,
        "event: datastar-patch-signals\ndata: signals {\"live\":8}\n\n\
         event: datastar-patch-signals\ndata: signals {\"live\":9}\n\n",
        "6 and 7 were in the snapshot and must not come again"
    );
    let more = tokio::time::timeout(Duration::from_millis(200), body.next()).await;
    assert!(more.is_err(), "unexpected {more:?}");
}
