//! Shared by the example apps: where the Datastar client comes from, the page shell, serving.
#![allow(dead_code)] // each app uses a part of it

pub mod state;

use std::path::PathBuf;

use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::{routing::get, Router};
use nitro::prelude::*;

/// The public CDN build of the Datastar 1.0 client.
pub const DEFAULT_DATASTAR_URL: &str =
    "https://cdn.jsdelivr.net/gh/starfederation/datastar@v1.0.3/bundles/datastar.js";

/// Where pages load the Datastar client from.
#[derive(Clone, Debug)]
pub struct Datastar {
    src: String,
    file: Option<PathBuf>,
}

impl Datastar {
    /// `NITRO_DATASTAR_FILE=path` serves that file at `/datastar.js`; otherwise
    /// `NITRO_DATASTAR_URL`, or the public CDN.
    pub fn from_env() -> Datastar {
        match std::env::var_os("NITRO_DATASTAR_FILE") {
            Some(path) => Datastar::local_file(path.into()),
            None => Datastar {
                src: std::env::var("NITRO_DATASTAR_URL")
                    .unwrap_or_else(|_| DEFAULT_DATASTAR_URL.into()),
                file: None,
            },
        }
    }

    /// Serves a local copy of the client at `/datastar.js`.
    pub fn local_file(path: PathBuf) -> Datastar {
        Datastar {
            src: "/datastar.js".into(),
            file: Some(path),
        }
    }

    /// Adds the `/datastar.js` route when serving a local file.
    pub fn routes<S: Clone + Send + Sync + 'static>(&self, router: Router<S>) -> Router<S> {
        let Some(path) = self.file.clone() else {
            return router;
        };
        router.route(
            "/datastar.js",
            get(move || async move {
                match tokio::fs::read(&path).await {
                    Ok(js) => ([(CONTENT_TYPE, "text/javascript")], js).into_response(),
                    Err(e) => (
                        axum::http::StatusCode::NOT_FOUND,
                        format!("{}: {e}", path.display()),
                    )
                        .into_response(),
                }
            }),
        )
    }
}

const CSS: &str =
    "body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}\
button{cursor:pointer}li.done span{text-decoration:line-through;color:#888}\
.progress-bar{position:relative;height:1.5rem;background:#eee;border-radius:4px;overflow:hidden}\
.progress-bar .fill{height:100%;background:#4a8;transition:width .1s}\
.progress-bar .label{position:absolute;inset:0;text-align:center}.pulse{outline:2px solid #4a8}\
#chat-messages{height:12rem;overflow-y:auto;border:1px solid #ccc;padding:.5rem}";

/// A full HTML page around `body`, loading the Datastar client.
pub fn page<'a>(
    datastar: &'a Datastar,
    title: &'a str,
    body: impl Render + 'a,
) -> impl Render + 'a {
    // `move`: the page keeps `body`, which it owns, after this function returns.
    html! {
        move
        !DOCTYPE
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(CSS)) }
                script type="module" src=(datastar.src.as_str()) {}
            }
            body { (body) }
        }
    }
}

/// Serves `app` on 127.0.0.1:`PORT` (default `default_port`) and prints the URL to open.
pub async fn serve(app: Router, default_port: u16) {
    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(default_port);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("bind");
    println!("open http://127.0.0.1:{port}/");
    axum::serve(listener, app).await.expect("serve");
}
