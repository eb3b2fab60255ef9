//! The job progress page of the reference docs: "Start" launches a background job that reports
//! progress on the bus (`job.<id>`); the response streams a progress bar and signals, pulses the
//! bar on each update, and redirects the browser to the result page when the job completes.
//!
//! Run with `cargo run --example progress`, then open http://127.0.0.1:3003/.

#[path = "common/mod.rs"]
pub mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::Router;
use futures_util::StreamExt;
use nitro::axum::Sse;
use nitro::bus::{Bus, BusError};
use nitro::prelude::*;
use nitro::routes;
use serde::{Deserialize, Serialize};

#[derive(Signals, Serialize, Deserialize, Clone)]
struct Job {
    progress: u32,
    status: String,
}

ids! { BAR = "progress-bar" }

routes! {
    INDEX = GET "/",
    START = POST "/jobs",
    DONE = GET "/jobs/{id}/done",
}

const PULSE: &str = "const bar = document.getElementById('progress-bar'); bar.classList.add('pulse'); setTimeout(() => bar.classList.remove('pulse'), 200)";

/// How many jobs may run at once; a click past that is told to wait.
pub const MAX_RUNNING: usize = 8;
/// How many finished jobs' states are kept (for their "done" page); older ones are forgotten.
pub const MAX_KEPT: usize = 1000;

/// The last [`MAX_KEPT`] jobs' states, the last job id, and how many jobs run.
#[derive(Default)]
struct Jobs {
    last_id: u64,
    state: HashMap<u64, Job>,
    running: usize,
}

#[derive(Clone)]
struct AppState {
    jobs: Arc<Mutex<Jobs>>,
    bus: Bus,
    datastar: nitro::client::ClientScript,
}

fn bar(pct: u32) -> impl IdentifiedElements {
    html! {
        div #(BAR) .progress-bar {
            div.fill style=(format!("width: {pct}%")) {}
            span.label { (pct) "%" }
        }
    }
}

async fn index(State(s): State<AppState>) -> Markup {
    let body = html! {
        @signals(Job);
        main data-signals=(Job { progress: 0, status: "idle".into() }) {
            h1 { "Job progress" }
            button #start data-on:click=(START.action()) data-attr:disabled="$status == 'running'" {
                "Start job"
            }
            (bar(0))
            p { "Status: " span #status data-text="$status" { "idle" } }
        }
    };
    common::page(&s.datastar, "Job progress", body).render()
}

/// The background job: reports progress, then completion, on `job.<id>`.
async fn work(s: AppState, id: u64) -> Result<(), BusError> {
    for progress in (0..=100).step_by(10) {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let status = if progress == 100 {
            "complete"
        } else {
            "running"
        };
        let job = Job {
            progress,
            status: status.into(),
        };
        s.jobs.lock().unwrap().state.insert(id, job.clone());
        s.bus
            .publish(format!("job.{id}"), &job)
            .sender("worker")
            .await?;
    }
    Ok(())
}

async fn start(State(s): State<AppState>) -> Result<Sse, BusError> {
    let id = {
        let mut jobs = s.jobs.lock().unwrap();
        if jobs.running >= MAX_RUNNING {
            None
        } else {
            jobs.running += 1;
            jobs.last_id += 1;
            let id = jobs.last_id;
            // Forget the oldest job's state (ids grow, so it is `id - MAX_KEPT`).
            if let Some(old) = id.checked_sub(MAX_KEPT as u64) {
                jobs.state.remove(&old);
            }
            Some(id)
        }
    };
    let Some(id) = id else {
        return Ok(Sse::spawn(|mut sender| async move {
            sender
                .send(PatchSignals::new(&Job::patch().status(format!(
                    "busy: {MAX_RUNNING} jobs are running, try again in a moment"
                ))))
                .await
        }));
    };
    let mut updates = match s.bus.subscribe(format!("job.{id}")).await {
        Ok(u) => u,
        Err(e) => {
            s.jobs.lock().unwrap().running -= 1;
            return Err(e);
        }
    };
    tokio::spawn(async move {
        let result = work(s.clone(), id).await;
        s.jobs.lock().unwrap().running -= 1;
        result
    });
    Ok(Sse::spawn(move |mut sender| async move {
        while let Some(Ok(m)) = updates.next().await {
            let Ok(job) = m.payload::<Job>() else {
                continue;
            };
            sender.send(PatchElements::new(bar(job.progress))).await?;
            sender
                .send(PatchSignals::new(
                    &Job::patch()
                        .progress(job.progress)
                        .status(job.status.clone()),
                ))
                .await?;
            sender.send(ExecuteScript::new(PULSE)).await?;
            if job.status == "complete" {
                tokio::time::sleep(Duration::from_millis(500)).await; // let 100% show
                return sender.send(ExecuteScript::redirect(&DONE.path(id))).await;
            }
        }
        Ok(())
    }))
}

async fn done(State(s): State<AppState>, Path(id): Path<u64>) -> Markup {
    let job = s.jobs.lock().unwrap().state.get(&id).cloned();
    let body = html! {
        @match &job {
            Some(j) => h1 #done { "Job " (id) " " (j.status) " at " (j.progress) "%" },
            None => h1 #done { "No job " (id) },
        }
        a href="/" { "Start another" }
    };
    // A local (not a temporary of the tail expression), so it ends before `job`, which it borrows.
    let page = common::page(&s.datastar, "Job done", body);
    page.render()
}

/// The app's routes (also served by the browser tests).
pub fn app(datastar: nitro::client::ClientScript) -> Router {
    let state = AppState {
        jobs: Arc::default(),
        bus: Bus::in_process(),
        datastar: datastar.clone(),
    };
    let router = Router::new()
        .route_to(INDEX, routes::get(index))
        .route_to(START, routes::post(start))
        .route_to(DONE, routes::get(done));
    datastar.routes(router).with_state(state)
}

#[allow(dead_code)] // the browser tests include this file for `app()`
#[tokio::main]
async fn main() {
    common::serve(app(common::datastar_from_env()), 3003).await;
}
