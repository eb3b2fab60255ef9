//! Forms and component-scoped signals in headless Chromium with the real Datastar client.
//! `#[derive(Form)]`: a submit with errors shows each message next to its field, a corrected
//! submit clears the fixed field's message, a valid one clears them all, resets the inputs and
//! answers. Scopes: three instances of one counter component keep their own `$card_N.count`,
//! changed in the browser and by the server, which reads each back typed. No console error.

mod common;

use std::time::{Duration, Instant};

use axum::extract::Path;
use axum::Router;
use common::browser::{browser, chromedriver, datastar_js};
use fantoccini::{Client, Locator};
use nitro::prelude::*;
use nitro::routes::{get, post};
use nitro::scope::{ScopeName, Scopes};
use serde::{Deserialize, Serialize};

#[derive(Signals, Form, Serialize, Deserialize, Default)]
struct Signup {
    name: String,
    email: String,
}

routes! { PAGE = GET "/", SIGNUP = POST "/signup" }
ids! { WELCOME = "welcome" }

const HOOKS: &str = "window.__errors = []; const e = console.error; \
    console.error = (...a) => { window.__errors.push(a.map(String).join(' ')); e(...a); }; \
    addEventListener('error', (ev) => window.__errors.push('error: ' + ev.message));";

fn validate(s: &Signup) -> SignupErrors {
    SignupErrors {
        name: s.name.trim().is_empty().then(|| "A name is needed".into()),
        email: (!s.email.contains('@')).then(|| "This is not an email address".into()),
    }
}

async fn page() -> Markup {
    let page = html! {
        @signals(Signup);
        !DOCTYPE
        html {
            head { script { (PreEscaped(HOOKS)) } script type="module" src=(nitro::TrustedUrl::new("/datastar.js")) {} }
            body {
                form novalidate data-signals=(Signup::default()) data-on:submit__prevent=(SIGNUP.action()) {
                    (Signup::FIELDS.name.input("Name"))
                    (Signup::FIELDS.email.input("Email").kind("email"))
                    button #submit type="submit" { "Sign up" }
                }
                p #(WELCOME) {}
            }
        }
    };
    page.render()
}

async fn signup(ReadSignals(s): ReadSignals<Signup>) -> Events {
    let errors = validate(&s);
    if !errors.is_empty() {
        return errors.into();
    }
    Events::from(errors) // every slot cleared
        .with(PatchSignals::new(&Signup::default()))
        .with(PatchElements::new(
            html! { p #(WELCOME) { "Welcome, " (s.name) } },
        ))
}

async fn wait_text(c: &Client, css: &str, want: &str) {
    let start = Instant::now();
    let mut last = String::from("(no element)");
    while start.elapsed() < Duration::from_secs(10) {
        if let Ok(el) = c.find(Locator::Css(css)).await {
            if let Ok(t) = el.text().await {
                if t == want {
                    return;
                }
                last = t;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("`{css}` never read {want:?}; last seen: {last:?}");
}

async fn value(c: &Client, css: &str) -> String {
    let el = c.find(Locator::Css(css)).await.unwrap();
    el.prop("value").await.unwrap().unwrap_or_default()
}

/// One browser at a time: two cores.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn with_client(app: Router) -> Router {
    let js = std::fs::read(datastar_js()).unwrap();
    app.route(
        "/datastar.js",
        axum::routing::get(
            move || async move { ([("content-type", "text/javascript")], js.clone()) },
        ),
    )
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

#[tokio::test]
async fn errors_show_next_to_their_fields_and_clear_on_success() {
    let _serial = SERIAL.lock().await;
    let app = with_client(
        Router::new()
            .route_to(PAGE, get(page))
            .route_to(SIGNUP, post(signup)),
    );
    let base = common::base_url(app).await;
    let driver = chromedriver();
    let b = browser(&driver).await;
    let c = &b.client;
    c.goto(&base).await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;

    let name = format!("#{}", Signup::FIELDS.name.id());
    let email = format!("#{}", Signup::FIELDS.email.id());
    let name_error = format!("#{}", Signup::FIELDS.name.error_id());
    let email_error = format!("#{}", Signup::FIELDS.email.error_id());

    c.find(Locator::Css("#submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(c, &name_error, "A name is needed").await;
    wait_text(c, &email_error, "This is not an email address").await;

    c.find(Locator::Css(&name))
        .await
        .unwrap()
        .send_keys("Ada")
        .await
        .unwrap();
    c.find(Locator::Css(&email))
        .await
        .unwrap()
        .send_keys("ada")
        .await
        .unwrap();
    c.find(Locator::Css("#submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(c, &name_error, "").await;
    wait_text(c, &email_error, "This is not an email address").await;
    assert_eq!(
        value(c, &email).await,
        "ada",
        "a failed submit keeps what was typed"
    );

    c.find(Locator::Css(&email))
        .await
        .unwrap()
        .send_keys("@example.org")
        .await
        .unwrap();
    c.find(Locator::Css("#submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(c, "#welcome", "Welcome, Ada").await;
    wait_text(c, &email_error, "").await;
    wait_text(c, &name_error, "").await;
    assert_eq!(value(c, &name).await, "");
    assert_eq!(value(c, &email).await, "");

    let errors = c.execute("return window.__errors", vec![]).await.unwrap();
    assert_eq!(errors, serde_json::json!([]), "console errors");
    b.client.clone().close().await.unwrap();
}

#[derive(Signals, Serialize, Deserialize, Default)]
struct Counter {
    count: i64,
}

const CARD: ScopeName<Counter> = ScopeName::new("card");
routes! { CARDS = GET "/cards", BUMP = POST "/cards/{n}/bump" }

fn card(n: u64, c: &Counter) -> impl Render + '_ {
    let scope = CARD.at(n);
    let s = scope.refs();
    let local = DynId::new(format!("local-{n}"));
    let server = DynId::new(format!("server-{n}"));
    let count = DynId::new(format!("count-{n}"));
    html! {
        move div.card data-signals=(scope.signals(c)) {
            span id=(count) data-text=(s.count()) {}
            button id=(local) data-on:click=(expr!("{code}++", s.count())) { "+ here" }
            button id=(server) data-on:click=(BUMP.action(n)) { "+ on the server" }
        }
    }
}

async fn cards() -> Markup {
    let zero = Counter::default();
    let page = html! {
        !DOCTYPE
        html {
            head { script { (PreEscaped(HOOKS)) } script type="module" src=(nitro::TrustedUrl::new("/datastar.js")) {} }
            body { @for n in 1..=3u64 { (card(n, &zero)) } }
        }
    };
    page.render()
}

async fn bump(Path(n): Path<u64>, ReadSignals(mut all): ReadSignals<Scopes<Counter>>) -> Events {
    let scope = CARD.at(n);
    let count = all.take(CARD.at(n)).map_or(0, |c| c.count);
    PatchSignals::new(&scope.patch(Counter::patch().count(count + 10))).into()
}

#[tokio::test]
async fn each_component_instance_has_its_own_signals() {
    let _serial = SERIAL.lock().await;
    let app = with_client(
        Router::new()
            .route_to(CARDS, get(cards))
            .route_to(BUMP, post(bump)),
    );
    let base = common::base_url(app).await;
    let driver = chromedriver();
    let b = browser(&driver).await;
    let c = &b.client;
    c.goto(&format!("{base}/cards")).await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    for n in 1..=3 {
        wait_text(c, &format!("#count-{n}"), "0").await;
    }
    click(c, "#local-2").await;
    click(c, "#local-2").await;
    click(c, "#local-3").await;
    wait_text(c, "#count-2", "2").await;
    wait_text(c, "#count-3", "1").await;
    // The server reads instance 2 back typed (2) and patches it alone.
    click(c, "#server-2").await;
    wait_text(c, "#count-2", "12").await;
    click(c, "#server-1").await;
    wait_text(c, "#count-1", "10").await;
    wait_text(c, "#count-3", "1").await;
    let errors = c.execute("return window.__errors", vec![]).await.unwrap();
    assert_eq!(errors, serde_json::json!([]), "console errors");
    b.client.clone().close().await.unwrap();
}
