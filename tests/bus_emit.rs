//! Emitting SSE events to topics (`Bus::publish` of an event), on the in-process bus and on NATS: encoded
//! once, forwarded as they are by every SSE bridge over real HTTP, after the sender filters;
//! a broadcast topic; the default sender of `Bus::publish`.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::{routing::get, Router};
use bytes::BytesMut;
use futures_util::StreamExt;
use nitro::axum::Sse;
use nitro::bus::{Bus, BusErrorKind, DEFAULT_SENDER};
use nitro::prelude::*;
use nitro::sse::EventError;

fn nats_url() -> String {
    common::nats::shared_url()
}

fn prefix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("emit{nanos}x{}", std::process::id())
}

/// An event that counts how often it is encoded.
struct Counted(Arc<AtomicUsize>);

impl Event for Counted {
    fn encode_to(&self, buf: &mut BytesMut) -> Result<(), EventError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        PatchSignals::new(&serde_json::json!({ "counted": true })).encode_to(buf)
    }
}

/// Streams, over HTTP: `/dash` forwards events only; `/side` maps payload messages too and
/// skips the sender `system`; `/all` subscribes to its topic and the broadcast topic.
fn app(bus: Bus, pre: String) -> Router {
    async fn dash(State((bus, pre)): State<(Bus, String)>) -> Sse {
        bus.subscribe(format!("{pre}.dashboard.>"))
            .await
            .unwrap()
            .into_sse(nitro::bus::forward)
    }
    async fn side(State((bus, pre)): State<(Bus, String)>) -> Sse {
        bus.subscribe(format!("{pre}.sidebar.>"))
            .await
            .unwrap()
            .except_sender("system")
            .into_sse(|m| {
                let n: i64 = m.payload().unwrap_or_default();
                PatchSignals::new(&serde_json::json!({ "n": n }))
            })
    }
    async fn all(State((bus, pre)): State<(Bus, String)>) -> Sse {
        bus.subscribe([format!("{pre}.user.7"), format!("{pre}.broadcast")])
            .await
            .unwrap()
            .shared("bus_emit")
            .into_sse(|_| PatchSignals::new(&serde_json::json!({ "payload": true })))
    }
    Router::new()
        .route("/dash", get(dash))
        .route("/side", get(side))
        .route("/all", get(all))
        .with_state((bus, pre))
}

async fn emit_contract(bus: Bus, publisher: Bus) {
    let pre = prefix();
    let base = common::base_url(app(bus.clone(), pre.clone())).await;
    let open = |path: &'static str| {
        let base = base.clone();
        async move {
            let r = reqwest::get(format!("{base}{path}")).await.unwrap();
            Box::pin(r.bytes_stream())
        }
    };
    let (mut dash, mut side, mut all) =
        (open("/dash").await, open("/side").await, open("/all").await);
    // Each handler has subscribed once its response headers arrived.
    let patch = PatchElements::new(html! { p #stats { "42 online" } });
    let wire = "event: datastar-patch-elements\ndata: elements <p id=\"stats\">42 online</p>\n\n";

    // To two topics on behalf of `system`: the dashboard gets it as is; the sidebar filters
    // `system` out.
    publisher
        .publish(
            [
                format!("{pre}.dashboard.metrics"),
                format!("{pre}.sidebar.stats"),
            ],
            &patch,
        )
        .sender("system")
        .await
        .unwrap();
    assert_eq!(common::next_event(&mut dash).await, wire);
    // The same from another sender reaches the sidebar, forwarded as is (not through its map);
    // a payload message there still goes through the map.
    publisher
        .publish(format!("{pre}.sidebar.stats"), &patch)
        .sender("ops")
        .await
        .unwrap();
    publisher
        .publish(format!("{pre}.sidebar.count"), &5)
        .sender("ops")
        .await
        .unwrap();
    assert_eq!(common::next_event(&mut side).await, wire);
    assert_eq!(
        common::next_event(&mut side).await,
        "event: datastar-patch-signals\ndata: signals {\"n\":5}\n\n"
    );
    // A payload message on the dashboard is not an event: `into_sse(forward)` skips it.
    publisher
        .publish(format!("{pre}.dashboard.raw"), &1)
        .sender("ops")
        .await
        .unwrap();

    // Broadcast: everyone subscribed to the broadcast topic gets it, shared bridge included.
    let counter = Arc::new(AtomicUsize::new(0));
    publisher
        .publish(
            vec![format!("{pre}.broadcast"), format!("{pre}.dashboard.all")],
            nitro::sse::Events::new().with(Counted(counter.clone())),
        )
        .sender("system")
        .await
        .unwrap();
    let counted = "event: datastar-patch-signals\ndata: signals {\"counted\":true}\n\n";
    assert_eq!(common::next_event(&mut all).await, counted);
    assert_eq!(common::next_event(&mut dash).await, counted);
    // Encoded once for two topics and two subscribers.
    assert_eq!(counter.load(Ordering::SeqCst), 1);
    // Nothing else came (the sidebar filtered `system`, the dashboard skipped the payload).
    for s in [&mut dash, &mut side, &mut all] {
        let more = tokio::time::timeout(Duration::from_millis(150), s.next()).await;
        assert!(more.is_err(), "unexpected {more:?}");
    }

    // All topics are checked before anything is published.
    let mut probe = bus.subscribe(format!("{pre}.>")).await.unwrap();
    let err = publisher
        .publish([format!("{pre}.ok"), "bad topic".into()], &patch)
        .sender("system")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), BusErrorKind::InvalidTopic);
    let err = publisher
        .publish(format!("{pre}.ok"), &patch)
        .sender("bad\nsender")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), BusErrorKind::InvalidSender);
    let err = publisher
        .publish(
            format!("{pre}.ok"),
            PatchElements::new(PreEscaped("<p>no id</p>")),
        )
        .sender("s")
        .sender("s")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), BusErrorKind::Serialize);
    assert!(err.to_string().contains("no id"), "{err}");
    let nothing = tokio::time::timeout(Duration::from_millis(150), probe.next()).await;
    assert!(nothing.is_err(), "published despite an error: {nothing:?}");

    // The default sender.
    publisher.publish(format!("{pre}.x"), &1).await.unwrap();
    publisher
        .publish(format!("{pre}.x"), &2)
        .sender("worker")
        .await
        .unwrap();
    let a = probe.next().await.unwrap().unwrap();
    let b = probe.next().await.unwrap().unwrap();
    assert_eq!((a.sender(), a.is_event()), (DEFAULT_SENDER, false));
    assert_eq!(b.sender(), "worker");
}

#[tokio::test]
async fn emit_in_process() {
    let bus = Bus::in_process();
    emit_contract(bus.clone(), bus).await;
}

#[tokio::test]
async fn emit_across_nats_clients() {
    let sub = Bus::nats(&nats_url())
        .await
        .expect("NATS on 127.0.0.1:4222");
    let publisher = Bus::nats(&nats_url()).await.unwrap();
    emit_contract(sub, publisher).await;
}
