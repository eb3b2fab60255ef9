//! Shared by the example apps: where the Datastar client comes from, the page shell, serving.
#![allow(dead_code)] // each app uses a part of it

pub mod state;

use axum::Router;
use nitro::client::ClientScript;
use nitro::prelude::*;

/// Where pages load the Datastar client from (`nitro::client`): `NITRO_DATASTAR_FILE=path`
/// serves that file at `/datastar.js`; otherwise `NITRO_DATASTAR_URL`, or the public CDN.
/// Add its route with `datastar.routes(router)`.
pub fn datastar_from_env() -> ClientScript {
    if let Some(path) = std::env::var_os("NITRO_DATASTAR_FILE") {
        return ClientScript::file(&path)
            .unwrap_or_else(|e| panic!("NITRO_DATASTAR_FILE={}: {e}", path.to_string_lossy()));
    }
    match std::env::var("NITRO_DATASTAR_URL") {
        // Configuration, read at start-up: the page runs the code at this URL.
        Ok(url) => ClientScript::url(nitro::TrustedUrl::from_config(url)),
        Err(_) => nitro::client::script(),
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
    datastar: &'a ClientScript,
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
                (datastar)
            }
            body { (body) }
        }
    }
}

/// Serves `app` on 127.0.0.1:`PORT` (default `default_port`) with `nitro::serve` (small idle
/// streams; on ctrl-c or SIGTERM, open streams end cleanly and browsers resume elsewhere) and
/// prints the URL to open.
/// nitro's logs (dropped events, slow subscribers, refused signals, NATS outages) and the
/// app's go to stderr.
pub async fn serve(app: Router, default_port: u16) {
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_writer(std::io::stderr)
        .try_init();
    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(default_port);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("bind");
    println!("open http://127.0.0.1:{port}/");
    // Debug builds: pages reload themselves when the server restarts; nothing in release.
    let app = nitro::dev::live_reload(app);
    nitro::serve(listener, app).await.expect("serve");
}
