//! Forms and component-scoped signals in headless Chromium with the real Datastar client.
//! `#[derive(Form)]`: a submit with errors shows each message next to its field, a corrected
//! submit clears the fixed field's message, a valid one clears them all, resets the inputs and
//! answers. Scopes: three instances of one counter component keep their own `$card_N.count`,
//! changed in the browser and by the server, which reads each back typed. No console error.
//! Driven by the public harness, `nitro::testing::browser`.
#![cfg(feature = "browser-testing")]

mod common;

use axum::extract::Path;
use axum::Router;
use common::browser::datastar_js;
use nitro::prelude::*;
use nitro::routes::{get, post};
use nitro::scope::{ScopeName, Scopes};
use nitro::testing::browser::Browser;
use serde::{Deserialize, Serialize};

#[derive(Signals, Form, Serialize, Deserialize, Default)]
struct Signup {
    name: String,
    email: String,
}

routes! { PAGE = GET "/", SIGNUP = POST "/signup" }
ids! { WELCOME = "welcome" }

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
            head { script type="module" src=(nitro::TrustedUrl::new("/datastar.js")) {} }
            body {
                form novalidate data-signals=(Signup::default())
                    data-on:submit__prevent=(SIGNUP.action()) {
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

#[tokio::test]
async fn errors_show_next_to_their_fields_and_clear_on_success() {
    let _serial = SERIAL.lock().await;
    let app = with_client(
        Router::new()
            .route_to(PAGE, get(page))
            .route_to(SIGNUP, post(signup)),
    );
    let b = Browser::start(app).await.unwrap();
    b.goto("/").await;

    let name = format!("#{}", Signup::FIELDS.name.id());
    let email = format!("#{}", Signup::FIELDS.email.id());
    let name_error = format!("#{}", Signup::FIELDS.name.error_id());
    let email_error = format!("#{}", Signup::FIELDS.email.error_id());

    b.click("#submit").await;
    b.wait_text(&name_error, "A name is needed").await;
    b.wait_text(&email_error, "This is not an email address")
        .await;

    b.type_into(&name, "Ada").await;
    b.type_into(&email, "ada").await;
    b.click("#submit").await;
    b.wait_text(&name_error, "").await;
    b.wait_text(&email_error, "This is not an email address")
        .await;
    assert_eq!(
        b.value(&email).await,
        "ada",
        "a failed submit keeps what was typed"
    );

    b.type_into(&email, "@example.org").await;
    b.click("#submit").await;
    b.wait_text("#welcome", "Welcome, Ada").await;
    b.wait_text(&email_error, "").await;
    b.wait_text(&name_error, "").await;
    assert_eq!(b.value(&name).await, "");
    assert_eq!(b.value(&email).await, "");
    assert_eq!(b.console_errors().await, Vec::<String>::new());
    b.close().await;
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
        move
        div.card data-signals=(scope.signals(c)) {
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
            head { script type="module" src=(nitro::TrustedUrl::new("/datastar.js")) {} }
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
    let b = Browser::start(app).await.unwrap();
    b.goto("/cards").await;
    for n in 1..=3 {
        b.wait_text(&format!("#count-{n}"), "0").await;
    }
    b.click("#local-2").await;
    b.click("#local-2").await;
    b.click("#local-3").await;
    b.wait_text("#count-2", "2").await;
    b.wait_text("#count-3", "1").await;
    // The server reads instance 2 back typed (2) and patches it alone.
    b.click("#server-2").await;
    b.wait_text("#count-2", "12").await;
    b.click("#server-1").await;
    b.wait_text("#count-1", "10").await;
    b.wait_text("#count-3", "1").await;
    assert_eq!(b.console_errors().await, Vec::<String>::new());
    b.close().await;
}

/// The harness reports what the page logs as an error.
#[tokio::test]
async fn the_harness_reads_console_errors() {
    let _serial = SERIAL.lock().await;
    let page = || async {
        Markup::from_trusted(
            "<!DOCTYPE html><html><body><p id=\"p\">hi</p><script>console.error('boom', 1); Promise.reject('nope');</script></body></html>".into(),
        )
    };
    let b = Browser::start(Router::new().route("/", axum::routing::get(page)))
        .await
        .unwrap();
    b.goto("/").await;
    b.wait_text("#p", "hi").await;
    assert_eq!(
        b.console_errors().await,
        vec![
            "boom 1".to_string(),
            "unhandled rejection: nope".to_string()
        ]
    );
    b.close().await;
}

#[derive(Signals, Form, Serialize, Deserialize, Default)]
struct Rename {
    title: String,
}

const ROW: ScopeName<Rename> = ScopeName::new("row");
routes! { ROWS = GET "/rows", RENAME = POST "/rows/{n}/rename" }
ids! { RENAMED = "renamed" }

fn row(n: u64) -> impl Render {
    let scope = ROW.at(n);
    let field = scope.field(Rename::FIELDS.title);
    let submit = DynId::new(format!("rename-{n}"));
    let empty = Rename::default();
    html! {
        move
        form novalidate data-signals=(scope.signals(&empty))
            data-on:submit__prevent=(RENAME.action(n)) {
            (field.input("Title"))
            button id=(submit) type="submit" { "Rename" }
        }
    }
}

async fn rows() -> Markup {
    let page = html! {
        !DOCTYPE
        html {
            head { script type="module" src=(nitro::TrustedUrl::new("/datastar.js")) {} }
            body {
                @for n in 1..=2u64 { (row(n)) }
                p #(RENAMED) {}
            }
        }
    };
    page.render()
}

async fn rename(Path(n): Path<u64>, ReadSignals(mut all): ReadSignals<Scopes<Rename>>) -> Events {
    let scope = ROW.at(n);
    let r = all.take(ROW.at(n)).unwrap_or_default();
    let errors = RenameErrors {
        title: r
            .title
            .trim()
            .is_empty()
            .then(|| "A title is needed".into()),
    };
    if !errors.is_empty() {
        return scope.errors(&errors);
    }
    scope
        .errors(&errors)
        .with(PatchSignals::new(&scope.patch(Rename::default())))
        .with(PatchElements::new(
            html! { p #(RENAMED) { (n) ": " (r.title) } },
        ))
}

#[tokio::test]
async fn a_form_per_row_keeps_its_own_values_and_errors() {
    let _serial = SERIAL.lock().await;
    let app = with_client(
        Router::new()
            .route_to(ROWS, get(rows))
            .route_to(RENAME, post(rename)),
    );
    let b = Browser::start(app).await.unwrap();
    b.goto("/rows").await;
    let (input1, error1) = ("#row_1-rename-title", "#row_1-rename-title-error");
    let error2 = "#row_2-rename-title-error";
    b.click("#rename-2").await;
    b.wait_text(error2, "A title is needed").await;
    b.wait_text(error1, "").await;
    b.type_into(input1, "Ada").await;
    b.click("#rename-1").await;
    b.wait_text("#renamed", "1: Ada").await;
    b.wait_text(error1, "").await;
    b.wait_text(error2, "A title is needed").await;
    assert_eq!(b.value(input1).await, "");
    assert_eq!(b.console_errors().await, Vec::<String>::new());
    b.close().await;
}
