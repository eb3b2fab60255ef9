//! `nitro::dev::live_reload` in headless Chromium with the real Datastar client: a page served
//! by one server process reloads itself once a new one (a restart after a rebuild) listens on
//! the same port, and shows the new template. Prints how long that took.
#![cfg(feature = "browser-testing")]

mod common;

use std::time::{Duration, Instant};

use axum::Router;
use common::browser::datastar_js;
use nitro::prelude::*;
use nitro::testing::browser::Browser;

fn app(version: &'static str) -> Router {
    let js = std::fs::read(datastar_js()).unwrap();
    let page = move || async move {
        html! {
            !DOCTYPE
            html {
                head { script type="module" src=(nitro::TrustedUrl::new("/datastar.js")) {} }
                body { p #version { (version) } }
            }
        }
        .render()
    };
    nitro::dev::live_reload(Router::new().route("/", axum::routing::get(page)).route(
        "/datastar.js",
        axum::routing::get(
            move || async move { ([("content-type", "text/javascript")], js.clone()) },
        ),
    ))
}

/// The server process: this test binary run again with `NITRO_DEV_CHILD=addr,version`; a
/// no-op in a normal test run.
#[tokio::test]
async fn child_server() {
    let Ok(spec) = std::env::var("NITRO_DEV_CHILD") else {
        return;
    };
    let (addr, version) = spec.split_once(',').unwrap();
    let version: &'static str = Box::leak(version.to_owned().into_boxed_str());
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    nitro::serve(listener, app(version)).await.unwrap();
}

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(addr: std::net::SocketAddr, version: &str) -> Child {
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_server", "--nocapture"])
        .env("NITRO_DEV_CHILD", format!("{addr},{version}"))
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while std::net::TcpStream::connect(addr).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the server process never listened"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    Child(child)
}

#[tokio::test]
async fn a_page_reloads_itself_when_the_server_restarts() {
    if std::env::var_os("NITRO_DEV_CHILD").is_some() {
        return;
    }
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let first = spawn(addr, "v1");
    let b = Browser::connect(&format!("http://{addr}")).await.unwrap();
    b.goto("/").await;
    b.wait_text("#version", "v1").await;
    // The reload stream is open and has told the page its server's boot id.
    let started = Instant::now();
    loop {
        let boot = b
            .client()
            .execute("return window.__nitroBoot || ''", vec![])
            .await
            .unwrap();
        if boot.as_str().is_some_and(|s| !s.is_empty()) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the reload stream never ran"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    b.client()
        .execute("window.__sameDocument = true", vec![])
        .await
        .unwrap();

    // A restart after a rebuild: the process is killed, a new one (new template) takes the port.
    drop(first);
    let killed = Instant::now();
    let _second = spawn(addr, "v2");
    let listening = Instant::now();
    b.wait_text("#version", "v2").await;
    let shown = listening.elapsed();
    let same = b
        .client()
        .execute("return window.__sameDocument === true", vec![])
        .await
        .unwrap();
    assert_eq!(
        same,
        serde_json::Value::Bool(false),
        "the page was reloaded, not patched"
    );
    eprintln!(
        "live reload: new process listening {:?} after the kill; its page shown {shown:?} after it listened",
        listening - killed
    );
    assert_eq!(b.console_errors().await, Vec::<String>::new());
    b.close().await;
}
