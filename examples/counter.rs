//! The counter of the reference docs: one count shared by every open tab. "+" posts the page's
//! signals; the server adds `step`, answers with the patched counter, and pushes the new count
//! to every other tab over the bus. `POST /bump` is a push from the server side.
//!
//! Run with `cargo run --example counter`, then open http://127.0.0.1:3000/. With
//! `NITRO_BUS=nats://127.0.0.1:4222` the count lives in a JetStream key-value bucket, shared by
//! every process (`common/state.rs`).

#[path = "common/mod.rs"]
pub mod common;

use axum::extract::State;
use axum::Router;
use common::state::{AppError, Store};
use nitro::axum::Sse;
use nitro::bus::{Bus, BusError};
use nitro::prelude::*;
use nitro::routes;
use serde::{Deserialize, Serialize};

#[derive(Signals, Serialize, Deserialize, Clone, Copy)]
struct Counter {
    count: i64,
    step: i64,
}

ids! { COUNTER = "counter" }

routes! {
    INDEX = GET "/",
    INCREMENT = POST "/increment",
    BUMP = POST "/bump",
    STREAM = GET "/stream",
}

#[derive(Clone)]
struct AppState {
    count: Store,
    bus: Bus,
    datastar: nitro::client::ClientScript,
}

fn counter(count: i64) -> impl IdentifiedElements {
    html! { p #(COUNTER) { "Count: " strong { (count) } } }
}

async fn index(State(s): State<AppState>) -> Result<Markup, AppError> {
    let signals = Counter {
        count: s.count.get("count").await?,
        step: 1,
    };
    let body = html! {
        @signals(Counter);
        main data-signals=(signals) data-init=(STREAM.action()) {
            h1 { "Counter" }
            (counter(signals.count))
            label { "Step " input #step type="number" data-bind:step; }
            button #increment data-on:click=(INCREMENT.action()) { "+" }
            p { "Signal: " span #signal data-text="$count" {} }
        }
    };
    Ok(common::page(&s.datastar, "Counter", body).render())
}

/// Adds `amount` and tells every tab.
async fn add(s: &AppState, amount: i64) -> Result<i64, AppError> {
    let count = s
        .count
        .update("count", |c: &mut i64| {
            *c = c.saturating_add(amount);
            *c
        })
        .await?;
    s.bus.publish("counter.changed", &count).await?;
    Ok(count)
}

async fn increment(
    State(s): State<AppState>,
    ReadSignals(c): ReadSignals<Counter>,
) -> Result<Events, AppError> {
    let count = add(&s, c.step).await?;
    Ok(Events::new()
        .with(PatchElements::new(counter(count)))
        .with(PatchSignals::new(&Counter::patch().count(count))))
}

async fn bump(State(s): State<AppState>) -> Result<String, AppError> {
    Ok(add(&s, 1).await?.to_string())
}

async fn stream(State(s): State<AppState>) -> Result<Sse, BusError> {
    Ok(s.bus.subscribe("counter.changed").await?.into_sse(|m| {
        let count: i64 = m.payload().unwrap_or_default();
        Events::new()
            .with(PatchElements::new(counter(count)))
            .with(PatchSignals::new(&Counter::patch().count(count)))
    }))
}

/// The app's routes (also served by the browser tests).
pub fn app(datastar: nitro::client::ClientScript) -> Router {
    app_with(datastar, Bus::in_process(), Store::default())
}

/// The app on a given bus and store (`NITRO_BUS` chooses them in `main`).
pub fn app_with(datastar: nitro::client::ClientScript, bus: Bus, count: Store) -> Router {
    let state = AppState {
        count,
        bus,
        datastar: datastar.clone(),
    };
    let router = Router::new()
        .route_to(INDEX, routes::get(index))
        .route_to(INCREMENT, routes::post(increment))
        .route_to(BUMP, routes::post(bump))
        .route_to(STREAM, routes::get(stream));
    datastar.routes(router).with_state(state)
}

#[allow(dead_code)] // the browser tests include this file for `app()`
#[tokio::main]
async fn main() {
    let url = common::state::bus_url();
    let (bus, store) = (
        common::state::plain_bus(&url).await,
        Store::for_bus(&url, "counter").await,
    );
    common::serve(app_with(common::datastar_from_env(), bus, store), 3000).await;
}
