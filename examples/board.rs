//! A live issue board: search as you type, a validated form, live updates to tabs with
//! different filters (`sse::ListView`), who is online (`bus::Presence`, left in `Sse::on_end`),
//! toasts (`flash::Flash`) and a section that streams in (`axum::Sections`).
//!
//! Run with `cargo run --example board`, then open http://127.0.0.1:3004/ in two tabs. With
//! `NITRO_BUS=nats://127.0.0.1:4222` the issues live in a JetStream key-value bucket and
//! presence spans every process.

#[path = "common/mod.rs"]
pub mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::Router;
use common::state::{AppError, StateError, Store};
use nitro::axum::{Sections, Sse};
use nitro::bus::{Bus, Member, Presence, PresenceChange};
use nitro::flash::{Flash, Flashed};
use nitro::prelude::*;
use nitro::routes;
use nitro::sse::ListView;
use serde::{Deserialize, Serialize};

/// The page's signals: the search, who this tab is, the new issue's title.
#[derive(Signals, Serialize, Deserialize, Default)]
#[serde(default)]
struct Board {
    q: String,
    name: String,
    title: String,
}

#[derive(Serialize, Deserialize, Clone)]
struct Issue {
    id: u64,
    title: String,
    open: bool,
}

#[derive(Default, Serialize, Deserialize)]
struct Issues {
    last_id: u64,
    list: Vec<Issue>,
}

ids! {
    LIST = "issues", ISSUE = "issue", COUNT = "count", ONLINE = "online",
    STATS = "stats", TITLE_ERROR = "title-error",
}

routes! {
    INDEX = GET "/",
    STREAM = GET "/board/stream",
    STATS_PARTS = GET "/board/stats",
    ADD = POST "/issues",
    TOGGLE = POST "/issues/{id}/toggle",
}

/// The longest title, in characters.
pub const MAX_TITLE: usize = 80;

#[derive(Clone)]
struct AppState {
    issues: Store,
    bus: Bus,
    presence: Presence,
    guests: Arc<AtomicU64>,
    datastar: nitro::client::ClientScript,
}

fn issue_row(i: &Issue) -> impl IdentifiedElements + '_ {
    let toggle = TOGGLE.action(i.id);
    html! {
        move
        li #(ISSUE.with(i.id)) .closed[!i.open] {
            span { "#" (i.id) " " (i.title) }
            " "
            button data-on:click=(toggle) { @if i.open { "Close" } @else { "Reopen" } }
        }
    }
}

fn count(n: usize) -> impl IdentifiedElements {
    html! { span #(COUNT) { (n) " shown" } }
}

fn online(members: &[Member]) -> impl IdentifiedElements + '_ {
    html! { span #(ONLINE) { @for m in members { span.who { (m.key) } " " } } }
}

fn title_error(text: &str) -> impl IdentifiedElements + '_ {
    html! { p #(TITLE_ERROR) .error { (text) } }
}

async fn index(State(s): State<AppState>, flash: Flashed) -> (Flashed, Markup) {
    let guest = s.guests.fetch_add(1, Ordering::Relaxed) + 1;
    let signals = Board {
        name: format!("guest-{guest}"),
        ..Board::default()
    };
    let body = html! {
        @signals(Board);
        main data-signals=(signals) {
            (flash)
            h1 { "Board" }
            p { "You are " strong #me data-text="$name" {} ". Online: " (online(&[])) }
            section #(STATS) data-init=(STATS_PARTS.action()) { "Counting…" }
            form data-on:submit__prevent=(ADD.action()) {
                input #title data-bind:title placeholder="New issue";
                button #add type="submit" { "Add" }
                p #(TITLE_ERROR) {}
            }
            input #q type="search" placeholder="Search" data-bind:q data-init=(STREAM.action())
                data-on:input__debounce.250ms=(STREAM.action());
            p { (count(0)) }
            ul #(LIST) {}
        }
    };
    let page = common::page(&s.datastar, "Board", body).render();
    (flash, page)
}

/// The tab's stream: its filtered list (a `ListView` of what it shows) and who is online.
/// Searching opens it again with the new `q`; the client cancels the old one.
async fn stream(
    State(s): State<AppState>,
    ReadSignals(b): ReadSignals<Board>,
) -> Result<Sse, AppError> {
    let name: String = b.name.chars().take(40).collect();
    let sub = s
        .bus
        .subscribe("board.issue")
        .await?
        .with_presence(&s.presence, "board")?;
    let here = s.presence.join("board", &name, &())?;
    let all = s.issues.get::<Issues>("issues").await?.list;
    let q = b.q.to_lowercase();
    let fits = move |i: &Issue| i.title.to_lowercase().contains(&q);
    let shown: Vec<&Issue> = all.iter().filter(|i| fits(i)).collect();
    let mut view = ListView::new(LIST, shown.iter().map(|i| i.id));
    let snapshot = Events::new()
        .with(PatchElements::new(
            html! { ul #(LIST) { @for i in &shown { (issue_row(i)) } } },
        ))
        .with(PatchElements::new(count(shown.len())));
    Ok(sub
        .snapshot(snapshot)
        .into_sse(move |m| {
            if let Some(change) = PresenceChange::of(m) {
                return Some(Events::new().with(PatchElements::new(online(&change.members))));
            }
            let issue: Issue = m.payload().ok()?;
            let patch = view.patch(
                issue.id,
                ISSUE.with(issue.id),
                fits(&issue).then(|| issue_row(&issue)),
            )?;
            Some(
                Events::new()
                    .with(patch)
                    .with(PatchElements::new(count(view.len()))),
            )
        })
        .on_end(move || drop(here)))
}

/// A slow report, streamed in after the page.
async fn stats(State(s): State<AppState>) -> Sections {
    Sections::new().add(STATS, async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let list = s.issues.get::<Issues>("issues").await?.list;
        let open = list.iter().filter(|i| i.open).count();
        Ok::<_, StateError>(html! { p { (open) " open, " (list.len() - open) " closed" } }.render())
    })
}

async fn add(
    State(s): State<AppState>,
    ReadSignals(b): ReadSignals<Board>,
) -> Result<Events, AppError> {
    let title = b.title.trim();
    let problem = match title.chars().count() {
        0 => Some("A title is needed.".to_string()),
        n if n > MAX_TITLE => Some(format!("At most {MAX_TITLE} characters ({n} now).")),
        _ => None,
    };
    if let Some(why) = problem {
        return Ok(Events::new().with(PatchElements::new(title_error(&why))));
    }
    let issue = s
        .issues
        .update("issues", |all: &mut Issues| {
            all.last_id += 1;
            let issue = Issue {
                id: all.last_id,
                title: title.to_owned(),
                open: true,
            };
            all.list.push(issue.clone());
            issue
        })
        .await?;
    s.bus.publish("board.issue", &issue).await?;
    Ok(Events::new()
        .with(PatchSignals::new(&Board::patch().title(String::new())))
        .with(PatchElements::new(html! { p #(TITLE_ERROR) {} }))
        .with(Flash::success(format!("Issue #{} added", issue.id))))
}

async fn toggle(State(s): State<AppState>, Path(id): Path<u64>) -> Result<Events, AppError> {
    let changed = s
        .issues
        .update("issues", |all: &mut Issues| {
            let issue = all.list.iter_mut().find(|i| i.id == id)?;
            issue.open = !issue.open;
            Some(issue.clone())
        })
        .await?;
    let Some(issue) = changed else {
        return Ok(Events::new().with(Flash::error(format!("No issue #{id}"))));
    };
    s.bus.publish("board.issue", &issue).await?;
    let verb = if issue.open { "reopened" } else { "closed" };
    Ok(Events::new().with(Flash::info(format!("Issue #{id} {verb}"))))
}

/// The app's routes (also served by the browser tests).
pub async fn app(datastar: nitro::client::ClientScript) -> Router {
    app_with(datastar, Bus::in_process(), Store::default()).await
}

/// The app on a given bus and store (`NITRO_BUS` chooses them in `main`).
pub async fn app_with(datastar: nitro::client::ClientScript, bus: Bus, issues: Store) -> Router {
    let presence = Presence::start(&bus, nitro::bus::DEFAULT_PRESENCE_TTL)
        .await
        .expect("presence");
    let state = AppState {
        issues,
        bus,
        presence,
        guests: Arc::default(),
        datastar: datastar.clone(),
    };
    let router = Router::new()
        .route_to(INDEX, routes::get(index))
        .route_to(STREAM, routes::get(stream))
        .route_to(STATS_PARTS, routes::get(stats))
        .route_to(ADD, routes::post(add))
        .route_to(TOGGLE, routes::post(toggle));
    datastar.routes(router).with_state(state)
}

#[allow(dead_code)] // the browser tests include this file for `app()`
#[tokio::main]
async fn main() {
    let url = common::state::bus_url();
    let (bus, store) = (
        common::state::plain_bus(&url).await,
        Store::for_bus(&url, "board").await,
    );
    common::serve(
        app_with(common::datastar_from_env(), bus, store).await,
        3004,
    )
    .await;
}
