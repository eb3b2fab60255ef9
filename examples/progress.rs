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
use axum::{routing::get, routing::post, Router};
use futures_util::StreamExt;
use nitro::axum::SseStream;
use nitro::bus::{Bus, BusError};
use nitro::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Signals, Serialize, Deserialize, Clone)]
struct Job {
    progress: u32,
    status: String,
}

ids! { BAR = "progress-bar" }

const PULSE: &str = "const bar = document.getElementById('progress-bar'); bar.classList.add('pulse'); setTimeout(() => bar.classList.remove('pulse'), 200)";

/// Every job's last state, and the last job id.
#[derive(Default)]
struct Jobs {
    last_id: u64,
    state: HashMap<u64, Job>,
}

#[derive(Clone)]
struct AppState {
    jobs: Arc<Mutex<Jobs>>,
    bus: Bus,
    datastar: common::Datastar,
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
            button #start data-on:click="@post('/jobs')" data-attr:disabled="$status == 'running'" { "Start job" }
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
        s.bus.publish(&format!("job.{id}"), "worker", &job).await?;
    }
    Ok(())
}

async fn start(State(s): State<AppState>) -> Result<SseStream, BusError> {
    let id = {
        let mut jobs = s.jobs.lock().unwrap();
        jobs.last_id += 1;
        jobs.last_id
    };
    let mut updates = s.bus.subscribe(format!("job.{id}")).await?;
    tokio::spawn(work(s.clone(), id));
    Ok(Sse::stream(move |mut sse| async move {
        while let Some(Ok(m)) = updates.next().await {
            let Ok(job) = m.payload::<Job>() else {
                continue;
            };
            sse.emit_elements(bar(job.progress)).await?;
            sse.emit_signals(
                &Job::patch()
                    .progress(job.progress)
                    .status(job.status.clone()),
            )
            .await?;
            sse.execute_script(PULSE).await?;
            if job.status == "complete" {
                tokio::time::sleep(Duration::from_millis(500)).await; // let 100% show
                return sse.redirect(&format!("/jobs/{id}/done")).await;
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
pub fn app(datastar: common::Datastar) -> Router {
    let state = AppState {
        jobs: Arc::default(),
        bus: Bus::in_process(),
        datastar: datastar.clone(),
    };
    let router = Router::new()
        .route("/", get(index))
        .route("/jobs", post(start))
        .route("/jobs/{id}/done", get(done));
    datastar.routes(router).with_state(state)
}

#[allow(dead_code)] // the browser tests include this file for `app()`
#[tokio::main]
async fn main() {
    common::serve(app(common::Datastar::from_env()), 3003).await;
}
