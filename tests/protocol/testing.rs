//! `nitro::testing::TestClient`: requests as the Datastar client sends them, through a Router
//! without a socket, and the answer read back as typed events.

use std::time::Duration;

use axum::extract::Query;
use axum::http::HeaderMap;
use axum::routing::{delete, get, post};
use axum::Router;
use nitro::prelude::*;
use nitro::testing::{EventsError, Received, TestClient};
use serde::{Deserialize, Serialize};

#[derive(Signals, Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Search {
    query: String,
    page: u32,
}

ids! { RESULTS = "results" }

async fn echo(ReadSignals(s): ReadSignals<Search>) -> Events {
    Events::new()
        .with(PatchElements::at(
            Selector::css("#top"),
            Mode::Outer,
            html! { li.hit { (s.query) } },
        ))
        .with(PatchElements::at(
            RESULTS,
            Mode::Append,
            html! { li { (s.page) } },
        ))
        .with(PatchSignals::new(&Search::patch().page(s.page + 1)))
        .with(ExecuteScript::new("console.log('done')"))
}

fn app() -> Router {
    Router::new()
        .route("/search", get(echo).post(echo).put(echo).patch(echo))
        .route("/items/{id}", delete(echo))
        .route(
            "/raw",
            get(
                |q: Query<std::collections::HashMap<String, String>>, h: HeaderMap| async move {
                    format!(
                        "{}|{}",
                        q.get("datastar").cloned().unwrap_or_default(),
                        h.get("datastar-request")
                            .map_or("-", |v| v.to_str().unwrap())
                    )
                },
            ),
        )
        .route(
            "/body",
            post(|h: HeaderMap, body: String| async move {
                format!("{}|{body}", h["content-type"].to_str().unwrap())
            }),
        )
        .route(
            "/stream",
            get(|| async {
                Sse::spawn(|mut sse| async move {
                    for n in 0..2 {
                        sse.send(PatchSignals::new(&serde_json::json!({ "n": n })))
                            .await?;
                    }
                    // Then nothing more; the stream stays open until the client goes.
                    sse.closed().await;
                    Ok(())
                })
            }),
        )
}

#[tokio::test]
async fn signals_go_where_the_client_puts_them() {
    let client = TestClient::new(app());
    let s = Search {
        query: "a&b=c d".into(),
        page: 2,
    };
    // GET: the `datastar` query parameter, percent-encoded; the header is set.
    let text = client.get("/raw").signals(&s).await.text().await.unwrap();
    assert_eq!(text, r#"{"query":"a&b=c d","page":2}|true"#);
    let text = client
        .get("/raw")
        .without_datastar_header()
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(text, "|-");
    // A header given by the test replaces the client's.
    let text = client
        .get("/raw")
        .header("datastar-request", "maybe")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(text, "|maybe");
    // POST: a JSON body.
    let text = client.post("/body").signals(&s).await.text().await.unwrap();
    assert_eq!(text, r#"application/json|{"query":"a&b=c d","page":2}"#);
    // Every method reaches ReadSignals the way it expects.
    for res in [
        client.get("/search").signals(&s).await,
        client.post("/search").signals(&s).await,
        client.put("/search").signals(&s).await,
        client.patch("/search").signals(&s).await,
        client.delete("/items/1").signals(&s).await,
    ] {
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "text/event-stream");
    }
    // Without the header, a POST is refused (CSRF) as from another site.
    let res = client
        .post("/search")
        .signals(&s)
        .without_datastar_header()
        .await;
    assert_eq!(res.status(), 403);
    assert!(matches!(res.events().await, Err(EventsError::NotSse(_))));
}

#[tokio::test]
async fn events_are_typed() {
    let client = TestClient::new(app());
    let s = Search {
        query: "<b>rust</b>".into(),
        page: 2,
    };
    let events = client
        .post("/search")
        .signals(&s)
        .await
        .events()
        .await
        .unwrap();
    assert_eq!(events.len(), 4, "{events:?}");
    let Received::Elements(hit) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(hit.selector.as_deref(), Some("#top"));
    assert_eq!(hit.mode, Mode::Outer);
    let html = scraper::Html::parse_fragment(&hit.elements);
    let li = html
        .select(&scraper::Selector::parse("li.hit").unwrap())
        .next()
        .unwrap();
    assert_eq!(li.text().collect::<String>(), "<b>rust</b>");
    let Received::Elements(appended) = &events[1] else {
        panic!("{events:?}")
    };
    assert_eq!(appended.selector.as_deref(), Some("#results"));
    assert_eq!(appended.mode, Mode::Append);
    assert_eq!(appended.elements, "<li>2</li>");
    assert_eq!(
        events[2],
        Received::Signals(serde_json::json!({ "page": 3 }))
    );
    assert_eq!(events[3], Received::Script("console.log('done')".into()));
}

#[tokio::test]
async fn first_events_of_a_stream() {
    let client = TestClient::new(app());
    let mut res = client.get("/stream").await;
    let first = res.first(1, Duration::from_secs(5)).await.unwrap();
    assert_eq!(first, [Received::Signals(serde_json::json!({ "n": 0 }))]);
    let next = res.first(1, Duration::from_secs(5)).await.unwrap();
    assert_eq!(next, [Received::Signals(serde_json::json!({ "n": 1 }))]);
    // Nothing more comes: a timeout, not a hang.
    match res.first(1, Duration::from_millis(200)).await {
        Err(EventsError::Timeout(got)) => assert!(got.is_empty()),
        other => panic!("{other:?}"),
    }
    // A finished response asked for more events than it has.
    let mut once = client
        .get("/search")
        .signals(&Search {
            query: "x".into(),
            page: 0,
        })
        .await;
    match once.first(5, Duration::from_secs(5)).await {
        Err(EventsError::Ended(got)) => assert_eq!(got.len(), 4),
        other => panic!("{other:?}"),
    }
}

/// A redirect is its own event, with the URL as given (the script escapes `/`, `"`, `<` and
/// non-ASCII as `\uXXXX`; the test sees none of it). Other scripts stay scripts, also one
/// that only starts like a redirect.
#[tokio::test]
async fn a_redirect_comes_back_decoded() {
    let url = "/exports/1?name=\"a b\"&x=</script>é";
    let app = Router::new().route(
        "/go",
        post(move || async move {
            Events::new()
                .with(ExecuteScript::redirect(url))
                .with(ExecuteScript::redirect("https://example.com/").auto_remove(false))
                .with(ExecuteScript::new(
                    "setTimeout(() => window.location.href = \"/a\" + location.hash)",
                ))
                .with(ExecuteScript::new("console.log('done')"))
        }),
    );
    let events = TestClient::new(app)
        .post("/go")
        .await
        .events()
        .await
        .unwrap();
    assert_eq!(
        events,
        [
            Received::Redirect(url.into()),
            Received::Redirect("https://example.com/".into()),
            Received::Script(
                "setTimeout(() => window.location.href = \"/a\" + location.hash)".into()
            ),
            Received::Script("console.log('done')".into()),
        ]
    );
}
