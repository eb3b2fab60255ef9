//! A live issue board: search as you type, a validated form (`#[derive(Form)]`), live updates
//! to tabs with different filters (`sse::ListView`), who is online (`bus::Presence`, left in
//! `Sse::on_end`), toasts (`flash::Flash`), a section that streams in (`axum::Sections`), and a
//! details toggle per row (component-scoped signals, composed into `expr!`). A name is what the
//! tab says (no accounts). `cargo run --example board`, then http://127.0.0.1:3004/ in two tabs;
//! with `NITRO_BUS=nats://127.0.0.1:4222` issues and presence span every process.

#[path = "common/mod.rs"]
pub mod common;

use std::sync::{atomic::AtomicU64, atomic::Ordering, Arc};
use std::time::Duration;

use axum::{extract::Path, extract::State, Router};
use common::state::{AppError, StateError, Store};
use nitro::bus::{Bus, Member, Presence, PresenceChange, Roster, DEFAULT_PRESENCE_TTL};
use nitro::prelude::*;
use nitro::{axum::Sections, axum::Sse, flash::Flash, flash::Flashed};
use nitro::{routes, scope::ScopeName, sse::ListView};
use serde::{Deserialize, Serialize};

/// The tab's signals: its search and who it is.
#[derive(Signals, Serialize, Deserialize, Default)]
#[serde(default)]
struct Board {
    q: String,
    name: String,
}

/// The new issue's form: ids, signal and errors type (`NewIssueErrors`) derived.
#[derive(Signals, Form, Serialize, Deserialize, Default)]
#[serde(default)]
struct NewIssue {
    title: String,
    name: String,
}

/// One row's own signals (`row_<id>.details`), whatever the number of rows.
#[derive(Signals, Serialize, Deserialize)]
struct RowUi {
    details: bool,
}
const ROW: ScopeName<RowUi> = ScopeName::new("row");
const HIDDEN: RowUi = RowUi { details: false };

#[derive(Serialize, Deserialize, Clone)]
struct Issue {
    id: u64,
    title: String,
    by: String,
    open: bool,
}

ids! { LIST = "issues", ISSUE = "issue", COUNT = "count", ONLINE = "online", STATS = "stats" }

routes! {
    INDEX = GET "/", STREAM = GET "/board/stream", STATS_PARTS = GET "/board/stats",
    ADD = POST "/issues", TOGGLE = POST "/issues/{id}/toggle",
}

const MAX_TITLE: usize = 80; // characters
const MAX_ISSUES: usize = 500; // then "The board is full" (nothing grows with what strangers send)

#[derive(Clone)]
struct AppState {
    issues: Store,
    bus: Bus,
    presence: Presence,
    guests: Arc<AtomicU64>,
    datastar: nitro::client::ClientScript,
}

fn issue_row(i: &Issue) -> impl IdentifiedElements + '_ {
    let (scope, toggle) = (ROW.at(i.id), TOGGLE.action(i.id));
    let ui = scope.refs();
    let flip = expr!("{code} = !{code}", ui.details(), ui.details());
    html! {
        move
        li #(ISSUE.with(i.id)) .closed[!i.open] data-signals=(scope.signals(&HIDDEN)) {
            span { "#" (i.id) " " (i.title) }
            button.toggle data-on:click=(toggle) { @if i.open { "Close" } @else { "Reopen" } }
            button.more data-on:click=(flip) { "…" }
            small data-show=(ui.details()) { " opened by " (i.by) }
        }
    }
}

fn count(n: usize) -> impl IdentifiedElements {
    html! { span #(COUNT) { (n) " shown" } }
}

fn online<'a>(members: &'a [&'a Member]) -> impl IdentifiedElements + 'a {
    html! { span #(ONLINE) { @for m in members { span.who { (m.key) } " " } } }
}

async fn index(State(s): State<AppState>, flash: Flashed) -> (Flashed, Markup) {
    let name = format!("guest-{}", s.guests.fetch_add(1, Ordering::Relaxed) + 1);
    let signals = NewIssue::patch().name(name).title(String::new());
    let body = html! {
        @signals(Board, NewIssue);
        main data-signals=(signals) {
            (flash)
            h1 { "Board" }
            p { "You are " strong #me data-text="$name" {} ". Online: " (online(&[])) }
            section #(STATS) data-init=(STATS_PARTS.action()) { "Counting…" }
            form novalidate data-on:submit__prevent=(ADD.action()) {
                (NewIssue::FIELDS.title.input("New issue"))
                (NewIssue::FIELDS.name.input("Your name"))
                button #add type="submit" { "Add" }
            }
            // One-letter searches are skipped; a new search cancels the stream this element opened.
            input #q type="search" placeholder="Search" data-bind:q data-init=(STREAM.action())
                data-on:input__debounce.250ms=(expr!("$q.length != 1 && {code}", STREAM.action()));
            p { (count(0)) }
            ul #(LIST) {}
        }
    };
    let page = common::page(&s.datastar, "Board", body).render();
    (flash, page)
}

/// The tab's stream: its filtered list (a `ListView` of what it shows) and who is online.
async fn stream(
    State(s): State<AppState>,
    ReadSignals(b): ReadSignals<Board>,
) -> Result<Sse, AppError> {
    let name: String = b.name.chars().take(40).collect();
    let sub = s.bus.subscribe("board.issue").await?;
    let sub = sub.with_presence(&s.presence, "board")?;
    let here = s.presence.join("board", &name, &())?;
    let all = s.issues.get::<Vec<Issue>>("issues").await?;
    let q = b.q.to_lowercase();
    let fits = move |i: &Issue| i.title.to_lowercase().contains(&q);
    let shown: Vec<&Issue> = all.iter().filter(|i| fits(i)).collect();
    let mut view = ListView::new(LIST, shown.iter().map(|i| i.id));
    let list = html! { ul #(LIST) { @for i in &shown { (issue_row(i)) } } };
    let snapshot = Events::new()
        .with(PatchElements::new(list))
        .with(PatchElements::new(count(shown.len())));
    // Who is online, kept from the changes (each carries who joined and who left).
    let mut roster = Roster::default();
    let live = sub.snapshot(snapshot).into_sse(move |m| {
        if let Some(change) = PresenceChange::of(m) {
            roster.apply(&change);
            let members: Vec<&Member> = roster.members().collect();
            return Some(Events::new().with(PatchElements::new(online(&members))));
        }
        let issue: Issue = m.payload().ok()?;
        let row = fits(&issue).then(|| issue_row(&issue));
        let patch = view.patch(issue.id, ISSUE.with(issue.id), row)?;
        Some(Events::from(patch).with(PatchElements::new(count(view.len()))))
    });
    Ok(live.on_end(move || drop(here)))
}

/// A slow report, streamed in after the page.
async fn stats(State(s): State<AppState>) -> Sections {
    Sections::new().add(STATS, async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let list = s.issues.get::<Vec<Issue>>("issues").await?;
        let open = list.iter().filter(|i| i.open).count();
        Ok::<_, StateError>(html! { p { (open) " open, " (list.len() - open) " closed" } }.render())
    })
}

async fn add(
    State(s): State<AppState>,
    ReadSignals(form): ReadSignals<NewIssue>,
) -> Result<Events, AppError> {
    let title = form.title.trim();
    let errors = NewIssueErrors {
        title: match title.chars().count() {
            0 => Some("A title is needed.".into()),
            n if n > MAX_TITLE => Some(format!("At most {MAX_TITLE} characters ({n} now).")),
            _ => None,
        },
        name: (!(1..=40).contains(&form.name.trim().chars().count()))
            .then(|| "A name of 1 to 40 characters, please.".into()),
    };
    if !errors.is_empty() {
        return Ok(errors.into());
    }
    let added = s
        .issues
        .update("issues", |all: &mut Vec<Issue>| {
            let by = form.name.trim().into();
            let issue = Issue {
                id: all.len() as u64 + 1, // never deleted
                title: title.into(),
                by,
                open: true,
            };
            let room = all.len() < MAX_ISSUES;
            room.then(|| all.push(issue.clone())).map(|()| issue)
        })
        .await?;
    let issue = added.ok_or(AppError::Full("The board is full."))?;
    s.bus.publish("board.issue", &issue).await?;
    Ok(Events::from(errors)
        .with(PatchSignals::new(&NewIssue::patch().title(String::new())))
        .with(Flash::success(format!("Issue #{} added", issue.id))))
}

async fn toggle(State(s): State<AppState>, Path(id): Path<u64>) -> Result<Events, AppError> {
    let changed = s
        .issues
        .update("issues", |all: &mut Vec<Issue>| {
            let issue = all.iter_mut().find(|i| i.id == id)?;
            issue.open = !issue.open;
            Some(issue.clone())
        })
        .await?;
    let Some(issue) = changed else {
        return Ok(Events::new().with(Flash::error(format!("No issue #{id}"))));
    };
    s.bus.publish("board.issue", &issue).await?;
    let verb = ["closed", "reopened"][issue.open as usize];
    Ok(Events::new().with(Flash::info(format!("Issue #{id} {verb}"))))
}

/// The app's routes (also served by the tests).
pub async fn app(datastar: nitro::client::ClientScript) -> Router {
    app_with(datastar, Bus::in_process(), Store::default()).await
}

/// The app on a given bus and store (`NITRO_BUS` chooses them in `main`).
pub async fn app_with(datastar: nitro::client::ClientScript, bus: Bus, issues: Store) -> Router {
    let presence = Presence::start(&bus, DEFAULT_PRESENCE_TTL).await;
    let presence = presence.expect("presence on the bus");
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

#[allow(dead_code)] // the tests include this file for `app()`
#[tokio::main]
async fn main() {
    let url = common::state::bus_url();
    let bus = common::state::plain_bus(&url).await;
    let store = Store::for_bus(&url, "board").await;
    let app = app_with(common::datastar_from_env(), bus, store).await;
    common::serve(app, 3004).await;
}
