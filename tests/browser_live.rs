//! Live-app capabilities in headless Chromium with the real Datastar client: tabs with different
//! filters get only the patches that fit their view (`sse::ListView`; the console stays clean,
//! and the same change sent without it is caught there as `PatchElementsNoTargetsFound`),
//! flash messages that go away by themselves (also after a redirect), and sections that stream
//! in with an error shown in place.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::Router;
use common::browser::{browser, chromedriver, datastar_js, wait_text};
use fantoccini::{Client, Locator};
use nitro::axum::{Sections, Sse};
use nitro::bus::{Bus, BusError};
use nitro::client::ClientScript;
use nitro::flash::{Flash, Flashed};
use nitro::prelude::*;
use nitro::routes::{get, post};
use nitro::sse::ListView;
use serde::{Deserialize, Serialize};

/// One browser scenario at a time: two cores.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Records every console warning and error, and uncaught errors, from the first line on.
const CONSOLE: &str = "window.__problems = [];\
for (const k of ['warn', 'error']) { const o = console[k]; console[k] = (...a) => { \
window.__problems.push(k + ': ' + a.map(x => { try { return typeof x === 'string' ? x : JSON.stringify(x) } catch (e) { return String(x) } }).join(' ')); o.apply(console, a); }; }\
window.addEventListener('error', e => window.__problems.push('uncaught: ' + e.message));";

fn shell<'a>(js: &'a ClientScript, body: impl Render + 'a) -> Markup {
    html! {
        move
        !DOCTYPE
        html {
            head { script { (PreEscaped(CONSOLE)) } (js) }
            body { (body) }
        }
    }
    .render()
}

async fn gone(c: &Client, css: &str) -> Duration {
    let start = Instant::now();
    while c.find(Locator::Css(css)).await.is_ok() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "`{css}` is still on the page"
        );
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    start.elapsed()
}

async fn problems(c: &Client) -> Vec<String> {
    serde_json::from_value(c.execute("return window.__problems", vec![]).await.unwrap()).unwrap()
}

// ---- Tabs with different filters --------------------------------------------------------

#[derive(Clone, Serialize, Deserialize)]
struct Item {
    id: u32,
    title: String,
}

#[derive(Signals, Serialize, Deserialize, Default)]
#[serde(default)]
struct Filter {
    q: String,
}

ids! { LIST = "items", ITEM = "item", COUNT = "count" }
routes! { PAGE = GET "/", STREAM = GET "/stream" }

#[derive(Clone)]
struct Board {
    bus: Bus,
    items: Arc<Mutex<Vec<Item>>>,
    js: ClientScript,
}

fn row(i: &Item) -> impl IdentifiedElements + '_ {
    html! { li #(ITEM.with(i.id)) { (i.title) } }
}

fn count(n: usize) -> impl IdentifiedElements {
    html! { span #(COUNT) { (n) } }
}

async fn board_page(State(b): State<Board>) -> Markup {
    shell(
        &b.js,
        html! {
            @signals(Filter);
            input #q data-bind:q data-init=(STREAM.action())
                data-on:input__debounce.100ms=(STREAM.action());
            ul #(LIST) {}
            (count(0))
        },
    )
}

async fn board_stream(
    State(b): State<Board>,
    ReadSignals(f): ReadSignals<Filter>,
) -> Result<Sse, BusError> {
    let sub = b.bus.subscribe("items.>").await?;
    let items = b.items.lock().unwrap().clone();
    let shown: Vec<&Item> = items.iter().filter(|i| i.title.contains(&f.q)).collect();
    let mut view = ListView::new(LIST, shown.iter().map(|i| i.id));
    let snapshot = Events::new()
        .with(PatchElements::new(
            html! { ul #(LIST) { @for i in &shown { (row(i)) } } },
        ))
        .with(PatchElements::new(count(shown.len())));
    Ok(sub.snapshot(snapshot).into_sse(move |m| {
        let item: Item = m.payload().ok()?;
        let patch = view.patch(
            item.id,
            ITEM.with(item.id),
            item.title.contains(&f.q).then(|| row(&item)),
        )?;
        Some(
            Events::new()
                .with(patch)
                .with(PatchElements::new(count(view.len()))),
        )
    }))
}

async fn change(b: &Board, id: u32, title: &str) {
    let item = Item {
        id,
        title: title.into(),
    };
    {
        let mut items = b.items.lock().unwrap();
        match items.iter_mut().find(|i| i.id == id) {
            Some(i) => *i = item.clone(),
            None => items.push(item.clone()),
        }
    }
    b.bus.publish("items.changed", &item).await.unwrap();
}

#[tokio::test]
async fn tabs_with_different_filters_get_only_the_patches_that_fit() {
    let _serial = SERIAL.lock().await;
    let driver = chromedriver();
    let js = ClientScript::file(datastar_js()).unwrap();
    let board = Board {
        bus: Bus::in_process(),
        items: Arc::new(Mutex::new(vec![
            Item {
                id: 1,
                title: "bug one".into(),
            },
            Item {
                id: 2,
                title: "feature two".into(),
            },
            Item {
                id: 3,
                title: "bug three".into(),
            },
        ])),
        js: js.clone(),
    };
    let app = js.routes(
        Router::new()
            .route_to(PAGE, get(board_page))
            .route_to(STREAM, get(board_stream)),
    );
    let base = common::base_url(app.with_state(board.clone())).await;
    let (all, bugs) = (browser(&driver).await, browser(&driver).await);
    let (a, b) = (&all.client, &bugs.client);
    a.goto(&base).await.unwrap();
    b.goto(&base).await.unwrap();
    wait_text(a, "#count", |t| t == "3").await;
    wait_text(b, "#count", |t| t == "3").await;
    // Tab b searches: its stream is opened again with the filter, the old one cancelled.
    b.find(Locator::Css("#q"))
        .await
        .unwrap()
        .send_keys("bug")
        .await
        .unwrap();
    wait_text(b, "#count", |t| t == "2").await;
    wait_text(b, "#items", |t| t == "bug one\nbug three").await;
    tokio::time::sleep(Duration::from_millis(300)).await; // the old stream is gone

    // A row b does not show changes: a updates it, b gets nothing.
    change(&board, 2, "feature two, renamed").await;
    wait_text(a, "#item-2", |t| t == "feature two, renamed").await;
    // A new row that matches both views: appended in both, counts follow.
    change(&board, 4, "bug four").await;
    wait_text(a, "#count", |t| t == "4").await;
    wait_text(b, "#count", |t| t == "3").await;
    wait_text(b, "#items", |t| t == "bug one\nbug three\nbug four").await;
    // A row that stops matching b's filter: removed from b, updated in a.
    change(&board, 1, "feature one").await;
    wait_text(a, "#item-1", |t| t == "feature one").await;
    wait_text(b, "#count", |t| t == "2").await;
    wait_text(b, "#items", |t| t == "bug three\nbug four").await;
    // A new row that only a shows.
    change(&board, 5, "feature five").await;
    wait_text(a, "#count", |t| t == "5").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        b.find(Locator::Css("#items"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "bug three\nbug four"
    );
    assert_eq!(problems(a).await, Vec::<String>::new());
    assert_eq!(problems(b).await, Vec::<String>::new());

    // The oracle can see the failure it guards against: the same kind of change sent to every
    // tab as it is, without a view, reaches b for a row it does not show.
    board
        .bus
        .publish(
            "items.raw",
            PatchElements::new(html! { li #(ITEM.with(5u32)) { "feature five!" } }),
        )
        .await
        .unwrap();
    wait_text(a, "#item-5", |t| t == "feature five!").await;
    let start = Instant::now();
    loop {
        let p = problems(b).await;
        if p.iter().any(|p| p.contains("PatchElementsNoTargetsFound")) {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the console check did not see the unfit patch: {p:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    all.client.clone().close().await.unwrap();
    bugs.client.clone().close().await.unwrap();
}

// ---- Flash messages ----------------------------------------------------------------------

routes! {
    FLASH_PAGE = GET "/flash",
    NEXT_PAGE = GET "/next",
    SAVE = POST "/save",
    MOVE = POST "/move",
}

async fn flash_page(State(js): State<ClientScript>, flash: Flashed) -> (Flashed, Markup) {
    let body = shell(
        &js,
        html! {
            (flash)
            button #save data-on:click=(SAVE.action()) { "Save" }
            button #move data-on:click=(MOVE.action()) { "Move" }
        },
    );
    (flash, body)
}

async fn next_page(State(js): State<ClientScript>, flash: Flashed) -> (Flashed, Markup) {
    let body = shell(&js, html! { (flash) h1 { "Next" } });
    (flash, body)
}

#[tokio::test]
async fn a_flash_shows_and_goes_away_by_itself_also_after_a_redirect() {
    let _serial = SERIAL.lock().await;
    let driver = chromedriver();
    let js = ClientScript::file(datastar_js()).unwrap();
    let app = js
        .routes(
            Router::new()
                .route_to(FLASH_PAGE, get(flash_page))
                .route_to(NEXT_PAGE, get(next_page))
                .route_to(
                    SAVE,
                    post(|| async { Flash::success("Saved <b>").for_ms(700) }),
                )
                .route_to(
                    MOVE,
                    post(|| async { Flash::info("Moved").for_ms(700).redirect("/next") }),
                ),
        )
        .with_state(js.clone());
    let base = common::base_url(app).await;
    let tab = browser(&driver).await;
    let c = &tab.client;
    c.goto(&format!("{base}/flash")).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    // One call: the message shows at once, as text, and removes itself.
    c.find(Locator::Css("#save"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(c, "#nitro-flash .nitro-flash-success", |t| t == "Saved <b>").await;
    let stayed = gone(c, "#nitro-flash .nitro-flash-success").await;
    assert!(stayed < Duration::from_secs(3), "{stayed:?}");

    // After a redirect: the next page shows it, then it goes; a reload does not show it again.
    c.find(Locator::Css("#move"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(c, "h1", |t| t == "Next").await;
    wait_text(c, "#nitro-flash .nitro-flash-info", |t| t == "Moved").await;
    gone(c, "#nitro-flash .nitro-flash-info").await;
    c.refresh().await.unwrap();
    wait_text(c, "h1", |t| t == "Next").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(c
        .find(Locator::Css("#nitro-flash .nitro-flash-info"))
        .await
        .is_err());
    assert_eq!(problems(c).await, Vec::<String>::new());
    tab.client.clone().close().await.unwrap();
}

// ---- Sections that stream in -------------------------------------------------------------

ids! { FAST = "fast", SLOW = "slow", BROKEN = "broken" }
routes! { SECTIONS_PAGE = GET "/sections", PARTS = GET "/parts" }

async fn sections_page(State(js): State<ClientScript>) -> Markup {
    shell(
        &js,
        html! {
            main data-init=(PARTS.action()) {
                section #(FAST) { "Loading…" }
                section #(SLOW) { "Loading…" }
                section #(BROKEN) { "Loading…" }
            }
        },
    )
}

async fn parts() -> Sections {
    let wait = |ms| tokio::time::sleep(Duration::from_millis(ms));
    Sections::new()
        .add(SLOW, async move {
            wait(600).await;
            Ok::<_, String>(html! { p { "slow part" } }.render())
        })
        .add(FAST, async move {
            wait(50).await;
            Ok::<_, String>(html! { p { "fast part" } }.render())
        })
        .add(BROKEN, async move {
            wait(100).await;
            Err::<Markup, _>("secret internal detail".to_string())
        })
}

#[tokio::test]
async fn sections_stream_in_with_errors_in_place() {
    let _serial = SERIAL.lock().await;
    let driver = chromedriver();
    let js = ClientScript::file(datastar_js()).unwrap();
    let app = js
        .routes(
            Router::new()
                .route_to(SECTIONS_PAGE, get(sections_page))
                .route_to(PARTS, get(parts)),
        )
        .with_state(js.clone());
    let base = common::base_url(app).await;
    let tab = browser(&driver).await;
    let c = &tab.client;
    c.goto(&format!("{base}/sections")).await.unwrap();
    wait_text(c, "#fast", |t| t == "fast part").await;
    // The slow one is still a placeholder when the fast one is in.
    assert_eq!(
        c.find(Locator::Css("#slow"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "Loading…"
    );
    wait_text(c, "#broken", |t| t == "This part could not be loaded.").await;
    wait_text(c, "#slow", |t| t == "slow part").await;
    assert_eq!(problems(c).await, Vec::<String>::new());
    tab.client.clone().close().await.unwrap();
}
