//! The example apps in a real browser: headless Chromium (Debian's `chromium` and
//! `chromium-driver`, driven through chromedriver) running the real Datastar 1.0 client, which
//! is taken from the `starhtml` wheel on PyPI at test setup (never committed). Each scenario
//! saves a screenshot of its final page under `target/screenshots/`.

// Each example is a standalone binary with its own copy of `examples/common`.
#![allow(clippy::duplicate_mod)]

mod common;

#[path = "../examples/board.rs"]
mod board;
#[path = "../examples/chat.rs"]
mod chat;
#[cfg(feature = "browser-testing")]
#[path = "../examples/counter.rs"]
mod counter;
#[cfg(feature = "browser-testing")]
#[path = "../examples/progress.rs"]
mod progress;
#[cfg(feature = "browser-testing")]
#[path = "../examples/todo.rs"]
mod todo;

use std::time::{Duration, Instant};

use common::browser::{browser, chromedriver, datastar_js, target_dir, wait_text};
use fantoccini::{Client, Locator};

/// One browser scenario at a time: two cores, and each scenario already runs two browsers.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[cfg_attr(not(feature = "browser-testing"), allow(dead_code))]
async fn wait_gone(c: &Client, css: &str) {
    let start = Instant::now();
    while c.find(Locator::Css(css)).await.is_ok() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "`{css}` is still on the page"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("`{css}`: {e}"))
        .click()
        .await
        .unwrap();
}

async fn type_into(c: &Client, css: &str, text: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("`{css}`: {e}"))
        .send_keys(text)
        .await
        .unwrap();
}

/// Waits for the page's Datastar client to have opened its `data-init` stream.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(400)).await;
}

async fn screenshot(c: &Client, name: &str) {
    let dir = target_dir().join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let png = c.screenshot().await.expect("screenshot");
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

#[cfg(feature = "browser-testing")]
#[tokio::test]
async fn counter_increments_on_click_and_on_server_push() {
    // Written with the public harness, `nitro::testing::browser`.
    use nitro::testing::browser::Browser;
    let _serial = SERIAL.lock().await;
    let app = counter::app(nitro::client::ClientScript::file(datastar_js()).unwrap());
    let b = Browser::start(app).await.unwrap();
    b.goto("/").await;
    b.wait_text("#counter", "Count: 0").await;
    settle().await;
    b.click("#increment").await;
    b.wait_text("#counter", "Count: 1").await;
    b.wait_text("#signal", "1").await;
    // A push from the server side (another client bumps the count) reaches the open page.
    let pushed = reqwest::Client::new()
        .post(format!("{}/bump", b.base()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(pushed, "2");
    b.wait_text("#counter", "Count: 2").await;
    b.wait_text("#signal", "2").await;
    assert_eq!(b.console_errors().await, Vec::<String>::new());
    screenshot(b.client(), "counter").await;
    b.close().await;
}

#[cfg(feature = "browser-testing")]
#[tokio::test]
async fn todo_changes_in_one_tab_show_in_another() {
    // Two tabs: two harness browsers on one served app (`Browser::connect`).
    use nitro::testing::browser::Browser;
    let _serial = SERIAL.lock().await;
    let base = common::base_url(todo::app(
        nitro::client::ClientScript::file(datastar_js()).unwrap(),
    ))
    .await;
    let (a, b) = (
        Browser::connect(&base).await.unwrap(),
        Browser::connect(&base).await.unwrap(),
    );
    a.goto("/").await;
    b.goto("/").await;
    settle().await;
    a.type_into("#new-todo", "Buy <milk>").await;
    a.click("#add").await;
    b.wait_text("#todo-1 span", "Buy <milk>").await;
    // The form was cleared through a signals patch.
    let start = Instant::now();
    while !a.value("#new-todo").await.is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "input not cleared"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    a.click("#todo-1 input").await;
    let start = Instant::now();
    loop {
        let class = b
            .client()
            .find(Locator::Css("#todo-1"))
            .await
            .unwrap()
            .attr("class")
            .await
            .unwrap();
        if class.as_deref() == Some("done") {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "toggle not seen in the other tab: {class:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // A second todo, then delete the first one.
    a.type_into("#new-todo", "Walk the dog").await;
    a.click("#add").await;
    b.wait_text("#todo-2 span", "Walk the dog").await;
    a.click("#todo-1 .delete").await;
    wait_gone(b.client(), "#todo-1").await;
    wait_gone(a.client(), "#todo-1").await;
    assert_eq!(a.console_errors().await, Vec::<String>::new());
    assert_eq!(b.console_errors().await, Vec::<String>::new());
    screenshot(b.client(), "todo").await;
    a.close().await;
    b.close().await;
}

#[tokio::test]
async fn chat_messages_reach_their_room_only() {
    let _serial = SERIAL.lock().await;
    let driver = chromedriver();
    let base = common::base_url(chat::app(
        nitro::client::ClientScript::file(datastar_js()).unwrap(),
    ))
    .await;
    // Room names are any text without control characters (`bus::token` makes them one topic
    // token); names with control characters are not rooms.
    for bad in ["bad%0Aroom", "a%00b", "x%7F"] {
        let status = reqwest::get(format!("{base}/rooms/{bad}/stream"))
            .await
            .unwrap()
            .status();
        assert_eq!(status, 404, "{bad}");
    }
    let (a1, a2, b) = (
        browser(&driver).await,
        browser(&driver).await,
        browser(&driver).await,
    );
    a1.client
        .goto(&format!("{base}/rooms/alpha"))
        .await
        .unwrap();
    a2.client
        .goto(&format!("{base}/rooms/alpha"))
        .await
        .unwrap();
    // The room `*` is a room of its own, not a wildcard over alpha.
    b.client.goto(&format!("{base}/rooms/%2A")).await.unwrap();
    settle().await;
    type_into(&a1.client, "#username", "ada").await;
    type_into(&a1.client, "#message", "hello <alpha>").await;
    click(&a1.client, "#send").await;
    wait_text(&a2.client, "#chat-messages", |t| {
        t.contains("ada: hello <alpha>")
    })
    .await;
    wait_text(&a2.client, "#count", |t| t == "1").await;
    wait_text(&a1.client, "#chat-messages", |t| {
        t.contains("ada: hello <alpha>")
    })
    .await;
    // Room `*` saw nothing: its list and its count are unchanged.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let beta = b
        .client
        .find(Locator::Css("#chat-messages"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(beta, "", "a message from room alpha reached room *");
    wait_text(&b.client, "#count", |t| t == "0").await;
    // And its own messages stay in it (its URLs are built with `encodeURIComponent`).
    type_into(&b.client, "#username", "bo").await;
    type_into(&b.client, "#message", "star").await;
    click(&b.client, "#send").await;
    wait_text(&b.client, "#chat-messages", |t| t.contains("bo: star")).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let alpha = a2
        .client
        .find(Locator::Css("#chat-messages"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !alpha.contains("star"),
        "room * reached room alpha: {alpha}"
    );
    screenshot(&a2.client, "chat").await;
    for c in [a1, a2, b] {
        c.client.clone().close().await.unwrap();
    }
}

#[cfg(feature = "browser-testing")]
#[tokio::test]
async fn progress_reaches_100_and_redirects() {
    use nitro::testing::browser::Browser;
    let _serial = SERIAL.lock().await;
    let app = progress::app(nitro::client::ClientScript::file(datastar_js()).unwrap());
    let b = Browser::start(app).await.unwrap();
    b.goto("/").await;
    settle().await;
    b.click("#start").await;
    let c = b.client();
    let mut seen = Vec::new();
    let start = Instant::now();
    while !c.current_url().await.unwrap().path().ends_with("/done") {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "no redirect; progress seen: {seen:?}"
        );
        if let Ok(el) = c.find(Locator::Css("#progress-bar .label")).await {
            if let Ok(t) = el.text().await {
                if seen.last() != Some(&t) {
                    seen.push(t);
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    assert!(
        seen.iter().any(|t| t == "100%"),
        "the bar never showed 100%: {seen:?}"
    );
    assert!(
        seen.iter().any(|t| t != "0%" && t != "100%"),
        "no intermediate progress: {seen:?}"
    );
    assert_eq!(c.current_url().await.unwrap().path(), "/jobs/1/done");
    b.wait_text("#done", "Job 1 complete at 100%").await;
    assert_eq!(b.console_errors().await, Vec::<String>::new());
    screenshot(c, "progress").await;
    b.close().await;
}

/// A page for the protocol scenarios: loads the local Datastar client, then `body`.
fn protocol_page(body: nitro::Markup) -> nitro::Markup {
    use nitro::prelude::*;
    html! {
        !DOCTYPE
        html {
            head { script type="module" src="/datastar.js" {} }
            body { (body) }
        }
    }
    .render()
}

/// Serves `app` plus `/datastar.js` (the local client, through `nitro::client`).
async fn protocol_app(app: axum::Router) -> String {
    let js = nitro::client::ClientScript::file(datastar_js()).unwrap();
    common::base_url(js.routes(app)).await
}

/// Runs `script` (a function body) in the page until it returns something other than null.
async fn wait_js(c: &Client, script: &str) -> serde_json::Value {
    let start = Instant::now();
    loop {
        let v = c.execute(script, vec![]).await.unwrap();
        if !v.is_null() {
            return v;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the page never got there: {script}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Datastar 1.0.2's `namespace`: an SVG element patched on its own becomes SVG only with it,
/// and an `svg`/`math` template (namespace inferred at compile time) arrives as SVG/MathML.
#[tokio::test]
async fn svg_and_mathml_patches_render_in_their_namespace() {
    use nitro::prelude::*;
    use nitro::sse::Namespace;
    let _serial = SERIAL.lock().await;
    let driver = chromedriver();
    let page = || async {
        protocol_page(
            html! {
                svg #vis width="100" height="100" {}
                svg #plain width="100" height="100" {}
                div #chart {}
                div #formula {}
                div data-init="@get('/patch')" {}
            }
            .render(),
        )
    };
    let patch =
        || async {
            Events::new()
            .with(
                PatchElements::at(Selector::css("#vis"), Mode::Append, PreEscaped(
                    r#"<circle id="c1" cx="10" cy="10" r="5"></circle>"#,
                ))
                .namespace(Namespace::Svg),
            )
            .with(
                PatchElements::at(Selector::css("#plain"), Mode::Append, PreEscaped(
                    r#"<circle id="c0" cx="10" cy="10" r="5"></circle>"#,
                )),
            )
            .with(PatchElements::new(
                html! { svg #chart width="50" height="50" { circle #c2 cx="5" cy="5" r="5" {} } },
            ))
            .with(PatchElements::new(html! { math #formula { mi #m1 { "x" } } }))
        };
    let app = axum::Router::new()
        .route("/", axum::routing::get(page))
        .route("/patch", axum::routing::get(patch));
    let base = protocol_app(app).await;
    let b = browser(&driver).await;
    b.client.goto(&base).await.unwrap();
    let got = wait_js(
        &b.client,
        "const ids = ['c1', 'c0', 'chart', 'c2', 'formula', 'm1'];
         if (!ids.every(id => document.getElementById(id))) return null;
         const ns = ids.map(id => document.getElementById(id).namespaceURI);
         return ns.concat([document.getElementById('c1').getBBox().width]);",
    )
    .await;
    let svg = "http://www.w3.org/2000/svg";
    let mathml = "http://www.w3.org/1998/Math/MathML";
    let xhtml = "http://www.w3.org/1999/xhtml";
    assert_eq!(
        got,
        serde_json::json!([svg, xhtml, svg, svg, mathml, mathml, 10]),
        "namespaces of c1 (namespace svg), c0 (none: an HTML element), chart, c2, formula, m1; \
         the width of c1"
    );
    b.client.clone().close().await.unwrap();
}

/// Plain (non-SSE) responses in the real client: an `html!` page returned directly, elements
/// appended from a `text/html` response with `datastar-selector`/`datastar-mode`, signals from
/// `application/json` (with and without `datastar-only-if-missing`), a script from
/// `text/javascript` with its attributes.
#[tokio::test]
async fn plain_responses_are_applied_by_the_client() {
    use axum::routing::get;
    use nitro::prelude::*;
    let _serial = SERIAL.lock().await;
    let driver = chromedriver();
    let app = axum::Router::new()
        .route(
            "/",
            get(|| async {
                html! {
                    !DOCTYPE
                    html {
                        head { script type="module" src="/datastar.js" {} }
                        body data-signals="{count: 0, kept: 1}" {
                            ul #list { li { "old" } }
                            pre #all data-json-signals__terse {}
                            p #js { "not run" }
                            div data-init="@get('/p/elements')" {}
                            div data-init="@get('/p/signals')" {}
                            div data-init="@get('/p/missing')" {}
                            div data-init="@get('/p/script')" {}
                        }
                    }
                }
            }),
        )
        .route(
            "/p/elements",
            get(|| async {
                PatchElements::at(
                    Selector::css("#list"),
                    Mode::Append,
                    html! { li #added { "new" } },
                )
            }),
        )
        .route(
            "/p/signals",
            get(|| async { PatchSignals::new(&serde_json::json!({ "count": 3 })) }),
        )
        .route(
            "/p/missing",
            get(|| async {
                PatchSignals::new(&serde_json::json!({ "kept": 2, "fresh": 5 }))
                    .only_if_missing(true)
            }),
        )
        .route(
            "/p/script",
            get(|| async {
                ExecuteScript::new(
                    "document.getElementById('js').textContent = \
                     'ran ' + document.currentScript.getAttribute('data-marker')",
                )
                .attribute("data-marker", "m")
            }),
        );
    let base = protocol_app(app).await;
    let b = browser(&driver).await;
    let c = &b.client;
    c.goto(&base).await.unwrap();
    wait_text(c, "#list", |t| t == "old\nnew").await;
    wait_text(c, "#js", |t| t == "ran m").await;
    let signals = wait_text(c, "#all", |t| {
        t.contains("fresh") && t.contains("\"count\":3")
    })
    .await;
    let signals: serde_json::Value = serde_json::from_str(&signals).unwrap();
    assert_eq!(
        signals,
        serde_json::json!({ "count": 3, "kept": 1, "fresh": 5 })
    );
    // The script carried its attributes, and removed itself after running.
    let gone = wait_js(
        c,
        "return document.querySelector('script[data-marker]') ? null : true;",
    )
    .await;
    assert_eq!(gone, serde_json::json!(true));
    b.client.clone().close().await.unwrap();
}

/// Snapshot then live in the real client: the page is rendered, an entry is published before
/// the page's stream subscribes (the gap), and one after; the list shows each exactly once.
#[tokio::test]
async fn snapshot_then_live_loses_nothing_published_before_the_stream() {
    use axum::extract::State;
    use axum::routing::{get, post};
    use nitro::axum::Sse;
    use nitro::bus::Bus;
    use nitro::prelude::*;
    use std::sync::{Arc, Mutex};

    type Log = Arc<Mutex<Vec<u64>>>;
    ids! { ENTRY = "entry" }
    fn items(log: &[u64]) -> impl Render + '_ {
        html! { @for n in log { li #(ENTRY.with(n)) { (n) } } }
    }
    async fn add(bus: &Bus, log: &Log, n: u64) {
        log.lock().unwrap().push(n);
        bus.publish("gap.entry", &n).sender("app").await.unwrap();
    }

    let _serial = SERIAL.lock().await;
    let driver = chromedriver();
    let state: (Bus, Log) = (Bus::in_process(), Arc::default());
    add(&state.0, &state.1, 1).await;
    add(&state.0, &state.1, 2).await;
    let app = axum::Router::new()
        .route(
            "/",
            get(|State((bus, log)): State<(Bus, Log)>| async move {
                let now = log.lock().unwrap().clone();
                let page = protocol_page(
                    html! {
                        ul #log { (items(&now)) }
                        div data-init="@get('/stream')" {}
                    }
                    .render(),
                );
                // Published after the render, before the browser can open its stream.
                add(&bus, &log, 3).await;
                page
            }),
        )
        .route(
            "/stream",
            get(|State((bus, log)): State<(Bus, Log)>| async move {
                let sub = bus.subscribe("gap.>").await.unwrap();
                let snapshot = log.lock().unwrap().clone();
                let last = snapshot.last().copied().unwrap_or(0);
                let initial = PatchElements::new(html! { ul #log { (items(&snapshot)) } });
                let s: Sse = sub.snapshot(initial).into_sse(move |m| {
                    let n: u64 = m.payload().unwrap_or(0);
                    (n > last)
                        .then(|| {
                            PatchElements::at(
                                Selector::css("#log"),
                                Mode::Append,
                                html! { li #(ENTRY.with(n)) { (n) } },
                            )
                        })
                        .into_iter()
                        .collect::<Events>()
                });
                s
            }),
        )
        .route(
            "/add/{n}",
            post(
                |State((bus, log)): State<(Bus, Log)>,
                 axum::extract::Path(n): axum::extract::Path<u64>| async move {
                    add(&bus, &log, n).await;
                },
            ),
        )
        .with_state(state);
    let base = protocol_app(app).await;
    let b = browser(&driver).await;
    let c = &b.client;
    c.goto(&base).await.unwrap();
    wait_text(c, "#log", |t| t == "1\n2\n3").await;
    reqwest::Client::new()
        .post(format!("{base}/add/4"))
        .send()
        .await
        .unwrap();
    wait_text(c, "#log", |t| t == "1\n2\n3\n4").await;
    let count = c
        .execute(
            "return document.querySelectorAll('#log li').length;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(count, serde_json::json!(4));
    b.client.clone().close().await.unwrap();
}

/// The client's `contentType: 'form'`: a POST of the closest form's fields, url-encoded, and a
/// GET with them in the query, both read by `ReadSignals` into the same typed struct.
#[tokio::test]
async fn form_content_type_reads_into_the_typed_struct() {
    use axum::routing::get;
    use nitro::axum::ReadSignals;
    use nitro::prelude::*;

    #[derive(serde::Deserialize)]
    struct Entry {
        name: String,
        count: i64,
        done: bool,
    }
    async fn read(ReadSignals(e): ReadSignals<Entry>) -> nitro::sse::PatchElements {
        let text = format!("{}:{}:{}", e.name, e.count, e.done);
        PatchElements::new(html! { p #out { (text) } })
    }

    let _serial = SERIAL.lock().await;
    let driver = chromedriver();
    let app = axum::Router::new()
        .route(
            "/",
            get(|| async {
                protocol_page(
                    html! {
                        form #f {
                            input name="name" value="Zoë & co";
                            input name="count" value="-3";
                            input name="done" value="true";
                            button #post type="button"
                                data-on:click="@post('/read', {contentType: 'form'})" {
                                "post"
                            }
                            button #get type="button"
                                data-on:click="@get('/read', {contentType: 'form'})" {
                                "get"
                            }
                        }
                        p #out { "nothing yet" }
                    }
                    .render(),
                )
            }),
        )
        .route("/read", get(read).post(read));
    let base = protocol_app(app).await;
    let b = browser(&driver).await;
    let c = &b.client;
    c.goto(&base).await.unwrap();
    settle().await;
    click(c, "#post").await;
    wait_text(c, "#out", |t| t == "Zoë & co:-3:true").await;
    c.execute(
        "document.getElementById('out').textContent = 'reset'",
        vec![],
    )
    .await
    .unwrap();
    click(c, "#get").await;
    wait_text(c, "#out", |t| t == "Zoë & co:-3:true").await;
    b.client.clone().close().await.unwrap();
}

/// Typed actions (`routes!`) in the real client: each parameter, whatever it holds, reaches
/// the handler as it was given (percent-encoded as one path segment, read back by axum), and
/// the method is the declared one.
#[tokio::test]
async fn typed_actions_reach_their_route_with_their_parameters() {
    use axum::extract::Path;
    use nitro::prelude::*;
    use nitro::routes::{delete, get, post};
    nitro::routes! {
        PAGE = GET "/",
        RENAME = POST "/items/{item}/names/{name}",
        DROP = DELETE "/items/{item}",
    }
    const TRICKY: [&str; 4] = [
        "plain",
        "a b/c?d#e&f",
        "O'Brien \"$x\" @get('/')",
        "ü %2F 100%",
    ];
    let _serial = SERIAL.lock().await;
    let driver = chromedriver();
    let page = || async {
        protocol_page(
            html! {
                @for (i, t) in TRICKY.iter().enumerate() {
                    button.rename
                        data-on:click=(RENAME.action(i, nitro::routes::Segment::new(*t).unwrap())) {
                        "rename "
                        (i)
                    }
                }
                button #drop
                    data-on:click=(DROP.action(nitro::routes::Segment::new("x/y").unwrap())) {
                    "drop"
                }
                ul #got {}
            }
            .render(),
        )
    };
    let show = |what: String| {
        Events::new().with(PatchElements::at(
            Selector::css("#got"),
            Mode::Append,
            html! { li { (what) } }.render(),
        ))
    };
    let app = axum::Router::new()
        .route_to(PAGE, get(page))
        .route_to(
            RENAME,
            post(move |Path((i, name)): Path<(usize, String)>| async move {
                show(format!("{i}={name}"))
            }),
        )
        .route_to(
            DROP,
            delete(move |Path(item): Path<String>| async move { show(format!("drop {item}")) }),
        );
    let base = protocol_app(app).await;
    let b = browser(&driver).await;
    let c = &b.client;
    c.goto(&base).await.unwrap();
    settle().await;
    let mut expected = Vec::new();
    for (i, t) in TRICKY.iter().enumerate() {
        click(c, &format!(".rename:nth-of-type({})", i + 1)).await;
        expected.push(format!("{i}={t}"));
        let want = expected.join("\n");
        wait_text(c, "#got", |got| got == want).await;
    }
    click(c, "#drop").await;
    expected.push("drop x/y".into());
    let want = expected.join("\n");
    wait_text(c, "#got", |got| got == want).await;
    b.client.clone().close().await.unwrap();
}

/// Records console warnings and errors from now on (the patches come later).
const CONSOLE: &str = "window.__problems = [];\
for (const k of ['warn', 'error']) { const o = console[k]; console[k] = (...a) => { \
window.__problems.push(k + ': ' + a.map(String).join(' ')); o.apply(console, a); }; }";

async fn problems(c: &Client) -> Vec<String> {
    serde_json::from_value(c.execute("return window.__problems", vec![]).await.unwrap()).unwrap()
}

async fn input_value(c: &Client, css: &str) -> String {
    let el = c.find(Locator::Css(css)).await.unwrap();
    el.prop("value").await.unwrap().unwrap_or_default()
}

#[tokio::test]
async fn board_filters_presence_form_toasts_and_a_streamed_section() {
    let _serial = SERIAL.lock().await;
    let driver = chromedriver();
    let js = nitro::client::ClientScript::file(datastar_js()).unwrap();
    let base = common::base_url(board::app(js).await).await;
    let (a, b) = (browser(&driver).await, browser(&driver).await);
    let (ca, cb) = (&a.client, &b.client);
    ca.goto(&base).await.unwrap();
    ca.execute(CONSOLE, vec![]).await.unwrap();
    wait_text(ca, "#me", |t| t == "guest-1").await;
    cb.goto(&base).await.unwrap();
    cb.execute(CONSOLE, vec![]).await.unwrap();
    wait_text(cb, "#me", |t| t == "guest-2").await;
    // Who is online: each tab sees both.
    wait_text(ca, "#online", |t| t == "guest-1 guest-2").await;
    wait_text(cb, "#online", |t| t == "guest-1 guest-2").await;
    // The section that streams in.
    wait_text(ca, "#stats", |t| t == "0 open, 0 closed").await;

    // The validated form: the error next to the field, then cleared with the field on success.
    click(ca, "#add").await;
    wait_text(ca, "#new-issue-title-error", |t| t == "A title is needed.").await;
    type_into(ca, "#new-issue-title", "Crash on <save>").await;
    click(ca, "#add").await;
    wait_text(ca, "#nitro-flash", |t| t == "Issue #1 added").await;
    wait_text(ca, "#new-issue-title-error", str::is_empty).await;
    assert_eq!(input_value(ca, "#new-issue-title").await, "");
    wait_text(cb, "#issue-1 span", |t| t == "#1 Crash on <save>").await;
    // Each row's own signals: the details of issue 1 open in b only, and only for that row.
    click(cb, "#issue-1 .more").await;
    wait_text(cb, "#issue-1 small", |t| t == "opened by guest-1").await;
    assert_eq!(
        ca.find(Locator::Css("#issue-1 small"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        ""
    );
    wait_text(cb, "#count", |t| t == "1 shown").await;

    // Search as you type in b; then changes reach each tab as its view needs.
    type_into(cb, "#q", "export").await;
    wait_text(cb, "#count", |t| t == "0 shown").await;
    type_into(ca, "#new-issue-title", "Export to CSV").await;
    click(ca, "#add").await;
    wait_text(ca, "#count", |t| t == "2 shown").await;
    wait_text(cb, "#count", |t| t == "1 shown").await;
    wait_text(cb, "#issues", |t| t.starts_with("#2 Export to CSV")).await;
    click(ca, "#issue-1 button").await; // b does not show issue 1
    wait_text(ca, "#issue-1 button", |t| t == "Reopen").await;
    wait_text(ca, "#nitro-flash", |t| t.contains("Issue #1 closed")).await;
    settle().await;
    assert_eq!(
        cb.find(Locator::Css("#issue-1")).await.ok().map(|_| ()),
        None
    );
    assert_eq!(problems(ca).await, Vec::<String>::new());
    assert_eq!(problems(cb).await, Vec::<String>::new());
    // Toasts go away by themselves.
    wait_gone(ca, "#nitro-flash div").await;

    // b closes: a sees it leave.
    b.client.clone().close().await.unwrap();
    wait_text(ca, "#online", |t| t == "guest-1").await;
    screenshot(ca, "board").await;
    a.client.clone().close().await.unwrap();
}
