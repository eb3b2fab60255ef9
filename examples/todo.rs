//! The todo list of the reference docs, shared by every open tab: adding, toggling and deleting
//! publish a change on the bus (`todos.added`, `todos.updated`, `todos.removed`), and each tab's
//! stream turns changes into patches.
//!
//! Run with `cargo run --example todo`, then open http://127.0.0.1:3001/ in two tabs. With
//! `NITRO_BUS=nats://127.0.0.1:4222` the list lives in a JetStream key-value bucket, shared by
//! every process (`common/state.rs`).
//!
//! What a stranger sends is bounded, and no one can fill the list for everyone: each todo is a
//! key of its own (`todo.<id>`, so no value grows with the list), a todo is at most
//! [`MAX_TEXT`] characters, one client address keeps at most [`MAX_PER_CLIENT`] todos (the
//! address `nitro::serve` saw; behind a proxy, put the cap at the proxy or key it by user), and
//! the list at most [`MAX_TODOS`]. Past a limit nothing is stored and the form shows why: the
//! answer is a `200` with a notice, because the Datastar client applies no patch from an error
//! response (it shows nothing, and retries).

#[path = "common/mod.rs"]
pub mod common;

use axum::extract::{Path, State};
use axum::{Extension, Router};
use common::state::{AppError, Store};
use nitro::axum::Sse;
use nitro::bus::{Bus, BusError};
use nitro::prelude::*;
use nitro::routes;
use serde::{Deserialize, Serialize};

#[derive(Signals, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct TodoForm {
    new_todo: String,
}

#[derive(Serialize, Deserialize, Clone)]
struct Todo {
    id: u64,
    text: String,
    done: bool,
    /// Who added it (a client address, as a key token), whose count it is charged to.
    #[serde(default)]
    owner: String,
}

ids! { TODO_LIST = "todo-list", TODO = "todo", NOTICE = "notice" }

/// The most todos the list keeps.
pub const MAX_TODOS: u64 = 2_000;
/// The most todos one client address keeps.
pub const MAX_PER_CLIENT: u64 = 50;
/// The longest todo, in characters.
pub const MAX_TEXT: usize = 500;

routes! {
    INDEX = GET "/",
    ADD = POST "/todos",
    TOGGLE = POST "/todos/{id}/toggle",
    REMOVE = DELETE "/todos/{id}",
    STREAM = GET "/todos/stream",
}

/// The store's layout: each todo at `todo.<id>`; the last id given out and how many todos
/// there are at `todos`; how many each client keeps at `owner.<client>`.
#[derive(Default, Serialize, Deserialize)]
struct Counts {
    last_id: u64,
    total: u64,
}

fn todo_key(id: u64) -> String {
    format!("todo.{id}")
}

/// A client address as a store key token (`owner.127-0-0-1`); `local` when the app is not
/// served by `nitro::serve` (tests).
fn owner_of(client: Option<Extension<nitro::serve::ClientAddr>>) -> String {
    match client {
        Some(Extension(nitro::serve::ClientAddr(addr))) => addr
            .ip()
            .to_string()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect(),
        None => "local".into(),
    }
}

/// Every todo, oldest first.
async fn all_todos(store: &Store) -> Result<Vec<Todo>, AppError> {
    let mut todos: Vec<Todo> = store.list("todo.").await?;
    todos.sort_by_key(|t| t.id);
    Ok(todos)
}

#[derive(Clone, Default)]
struct AppState {
    todos: Store,
    bus: Bus,
    datastar: Option<nitro::client::ClientScript>,
}

fn todo_item(t: &Todo) -> impl IdentifiedElements + '_ {
    let toggle = TOGGLE.action(t.id);
    let delete = REMOVE.action(t.id);
    // `move`: the template keeps `toggle` and `delete`, built here, after this function returns.
    html! {
        move
        li #(TODO.with(t.id)) .done[t.done] {
            input type="checkbox" checked[t.done] data-on:change=(toggle);
            " "
            span { (t.text) }
            " "
            button.delete data-on:click=(delete) { "×" }
        }
    }
}

/// Why a todo was not added, shown under the form.
fn notice(text: &str) -> impl IdentifiedElements + '_ {
    html! { p #(NOTICE) .notice { (text) } }
}

async fn index(State(s): State<AppState>) -> Result<Markup, AppError> {
    let todos = all_todos(&s.todos).await?;
    let body = html! {
        @signals(TodoForm);
        main data-signals=(TodoForm::default()) data-init=(STREAM.action()) {
            h1 { "Todos" }
            form data-on:submit__prevent=(ADD.action()) {
                input #new-todo data-bind:new-todo placeholder="What needs doing?";
                button #add type="submit" { "Add" }
            }
            p #(NOTICE) {}
            ul #(TODO_LIST) { @for t in &todos { (todo_item(t)) } }
        }
    };
    // A local (not a temporary of the tail expression), so it ends before `todos`, which it borrows.
    let page = common::page(s.datastar.as_ref().expect("configured"), "Todos", body);
    Ok(page.render())
}

async fn add(
    State(s): State<AppState>,
    client: Option<Extension<nitro::serve::ClientAddr>>,
    ReadSignals(form): ReadSignals<TodoForm>,
) -> Result<Events, AppError> {
    let refuse = |why: String| Ok(Events::new().with(PatchElements::new(notice(&why).render())));
    let text = form.new_todo.trim();
    if text.is_empty() {
        return Ok(Events::new());
    }
    if text.chars().count() > MAX_TEXT {
        return refuse(format!(
            "Not added: a todo is at most {MAX_TEXT} characters."
        ));
    }
    // The client's share first, then the list's; a refusal gives the share back.
    let owner = owner_of(client);
    let owner_key = format!("owner.{owner}");
    let charged = s
        .todos
        .update(&owner_key, |n: &mut u64| {
            let ok = *n < MAX_PER_CLIENT;
            *n += u64::from(ok);
            ok
        })
        .await?;
    if !charged {
        return refuse(format!(
            "Not added: you already have {MAX_PER_CLIENT} todos. Delete some first."
        ));
    }
    let id = s
        .todos
        .update("todos", |c: &mut Counts| {
            if c.total >= MAX_TODOS {
                return None;
            }
            c.total += 1;
            c.last_id += 1;
            Some(c.last_id)
        })
        .await?;
    let Some(id) = id else {
        s.todos
            .update(&owner_key, |n: &mut u64| *n = n.saturating_sub(1))
            .await?;
        return refuse(format!(
            "Not added: the list holds at most {MAX_TODOS} todos. Delete some first."
        ));
    };
    let todo = Todo {
        id,
        text: text.to_owned(),
        done: false,
        owner,
    };
    s.todos.create(&todo_key(id), &todo).await?;
    s.bus.publish("todos.added", &todo).sender("api").await?;
    Ok(Events::new()
        .with(PatchSignals::new(&TodoForm::patch().new_todo("")))
        .with(PatchElements::new(html! { p #(NOTICE) {} })))
}

async fn toggle(State(s): State<AppState>, Path(id): Path<u64>) -> Result<Events, AppError> {
    let changed = s
        .todos
        .update_existing(&todo_key(id), |t: &mut Todo| {
            t.done = !t.done;
            t.clone()
        })
        .await?;
    if let Some(todo) = changed {
        s.bus.publish("todos.updated", &todo).sender("api").await?;
    }
    Ok(Events::new())
}

async fn delete(State(s): State<AppState>, Path(id): Path<u64>) -> Result<Events, AppError> {
    // Whoever removes it gives its owner's share and the list's place back (once).
    if let Some(todo) = s.todos.remove::<Todo>(&todo_key(id)).await? {
        s.todos
            .update(&format!("owner.{}", todo.owner), |n: &mut u64| {
                *n = n.saturating_sub(1)
            })
            .await?;
        s.todos
            .update("todos", |c: &mut Counts| {
                c.total = c.total.saturating_sub(1)
            })
            .await?;
    }
    s.bus.publish("todos.removed", &id).sender("api").await?;
    Ok(Events::new())
}

async fn stream(State(s): State<AppState>) -> Result<Sse, BusError> {
    Ok(s.bus.subscribe("todos.*").await?.into_sse(|m| {
        let event = match (m.topic(), m.payload::<Todo>()) {
            ("todos.added", Ok(t)) => PatchElements::at(TODO_LIST, Mode::Append, todo_item(&t)),
            ("todos.updated", Ok(t)) => PatchElements::new(todo_item(&t)),
            _ => match m.payload::<u64>() {
                Ok(id) => PatchElements::remove(TODO.with(id)),
                // Not a message of this app: nothing to send.
                Err(_) => return Events::new(),
            },
        };
        Events::new().with(event)
    }))
}

/// The app's routes (also served by the browser tests).
pub fn app(datastar: nitro::client::ClientScript) -> Router {
    app_with(datastar, Bus::in_process(), Store::default())
}

/// The app on a given bus and store (`NITRO_BUS` chooses them in `main`).
pub fn app_with(datastar: nitro::client::ClientScript, bus: Bus, todos: Store) -> Router {
    let state = AppState {
        datastar: Some(datastar.clone()),
        bus,
        todos,
    };
    let router = Router::new()
        .route_to(INDEX, routes::get(index))
        .route_to(ADD, routes::post(add))
        .route_to(TOGGLE, routes::post(toggle))
        .route_to(REMOVE, routes::delete(delete))
        .route_to(STREAM, routes::get(stream));
    datastar.routes(router).with_state(state)
}

#[allow(dead_code)] // the browser tests include this file for `app()`
#[tokio::main]
async fn main() {
    let url = common::state::bus_url();
    let (bus, store) = (
        common::state::plain_bus(&url).await,
        Store::for_bus(&url, "todo").await,
    );
    common::serve(app_with(common::datastar_from_env(), bus, store), 3001).await;
}
