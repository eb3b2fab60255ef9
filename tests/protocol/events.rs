//! Mixed events from one mapping without a tuple limit (`Events`), and whole values in nested
//! signal patches (`From<T>` for the patch type), over real HTTP.

use crate::common;

use axum::extract::State;
use axum::{routing::get, Router};
use nitro::axum::Sse;
use nitro::bus::Bus;
use nitro::prelude::*;
use nitro::sse::Events;
use serde::{Deserialize, Serialize};

#[derive(Signals, Serialize, Deserialize, Clone)]
struct User {
    name: String,
    age: u32,
}

#[derive(Signals, Serialize, Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
struct Form {
    user: User,
    best_friend: Option<User>,
    tags: Vec<String>,
    count: i64,
}

ids! { ITEM = "item" }

/// A message that removes a run-time number of items and updates a count: one mapping, any
/// number of events of two kinds.
async fn feed(State(bus): State<Bus>) -> Sse {
    bus.subscribe("cleanup").await.unwrap().into_sse(|m| {
        let ids: Vec<u32> = m.payload().unwrap_or_default();
        let mut events: Events = ids
            .iter()
            .map(|i| PatchElements::remove(ITEM.with(*i)))
            .collect();
        events.push(PatchSignals::new(
            &serde_json::json!({ "removed": ids.len() }),
        ));
        events
    })
}

async fn whole() -> Events {
    let ada = User {
        name: "Ada".into(),
        age: 36,
    };
    let form = Form {
        user: ada.clone(),
        best_friend: Some(User {
            name: "Bob".into(),
            age: 40,
        }),
        tags: vec!["a".into()],
        count: 1,
    };
    Events::new()
        // A nested patch takes a whole value...
        .with(PatchSignals::new(&Form::patch().user(ada)))
        // ...or a partial one, as before.
        .with(PatchSignals::new(
            &Form::patch().user(User::patch().age(37u32)),
        ))
        // A whole struct as a patch of everything.
        .with(PatchSignals::new(&FormPatch::from(form)))
}

#[tokio::test]
async fn events_of_any_number_and_kind_from_one_mapping() {
    let bus = Bus::in_process();
    let base = common::base_url(
        Router::new()
            .route("/feed", get(feed))
            .route("/whole", get(whole))
            .with_state(bus.clone()),
    )
    .await;
    let r = reqwest::get(format!("{base}/feed")).await.unwrap();
    let mut body = Box::pin(r.bytes_stream());
    bus.publish("cleanup", &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13])
        .await
        .unwrap();
    let text = common::next_event(&mut body).await;
    assert_eq!(text.matches("data: mode remove").count(), 13, "{text}");
    assert!(text.contains("data: selector #item-13\n"), "{text}");
    assert!(
        text.ends_with("event: datastar-patch-signals\ndata: signals {\"removed\":13}\n\n"),
        "{text}"
    );

    let text = reqwest::get(format!("{base}/whole"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        text,
        "event: datastar-patch-signals\ndata: signals {\"user\":{\"name\":\"Ada\",\"age\":36}}\n\n\
         event: datastar-patch-signals\ndata: signals {\"user\":{\"age\":37}}\n\n\
         event: datastar-patch-signals\ndata: signals {\"user\":{\"name\":\"Ada\",\"age\":36},\
         \"bestFriend\":{\"name\":\"Bob\",\"age\":40},\"tags\":[\"a\"],\"count\":1}\n\n"
    );
}

#[test]
fn events_are_all_or_nothing() {
    let events = Events::new()
        .with(PatchSignals::new(&serde_json::json!({ "a": 1 })))
        .with(PatchElements::new(PreEscaped("<p>no id</p>")));
    assert!(events.encode().is_err());
    assert!(Events::new().encode().unwrap().is_empty());
}
