//! Browser tests of your own app (feature `browser-testing`): [`Browser::start`] serves the
//! app on a free loopback port, starts `chromedriver` and a headless Chromium with a fresh
//! profile, and drives the page the way a user does, with the real Datastar client your page
//! loads: [`goto`](Browser::goto), [`click`](Browser::click), [`type_into`](Browser::type_into),
//! [`wait_text`](Browser::wait_text), [`value`](Browser::value), and
//! [`console_errors`](Browser::console_errors) (every `console.error`, uncaught error and
//! unhandled rejection since the page loaded).
//!
//! It needs `chromium` and `chromedriver` on the `PATH` (Debian: `apt-get install chromium
//! chromium-driver`); [`Browser::start`] says so if they are missing. Each step waits up to
//! [`Browser::timeout`] (10 s) and panics with what it last saw, like an assertion.
//!
//! ```no_run
//! use axum::Router;
//! use nitro::prelude::*;
//! use nitro::testing::browser::Browser;
//!
//! # async fn app() -> Router { Router::new() }
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let b = Browser::start(app().await).await.unwrap();
//! b.goto("/").await;
//! b.click("#increment").await;
//! b.wait_text("#counter", "Count: 1").await;
//! b.type_into("#step", "5").await;
//! assert_eq!(b.console_errors().await, Vec::<String>::new());
//! b.close().await;
//! # });
//! ```

use std::fmt;
use std::net::{SocketAddr, TcpListener as StdListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::Router;
use fantoccini::{Client, ClientBuilder, Locator};

/// Chromium's flags: headless, no sandbox (containers), no GPU, no background traffic.
pub const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1000,800",
];

/// Installed in every document before its scripts run: records console errors, uncaught
/// errors and unhandled rejections.
const HOOK: &str = "(() => { const all = []; Object.defineProperty(window, '__nitroErrors', { value: all }); \
    const e = console.error.bind(console); \
    console.error = (...a) => { all.push(a.map((x) => { try { return typeof x === 'string' ? x : (x && x.stack) || JSON.stringify(x); } catch (_) { return String(x); } }).join(' ')); e(...a); }; \
    addEventListener('error', (ev) => all.push('uncaught: ' + ev.message)); \
    addEventListener('unhandledrejection', (ev) => all.push('unhandled rejection: ' + String(ev.reason))); })();";

/// Why a browser could not be started.
#[derive(Debug)]
pub struct BrowserError(String);

impl fmt::Display for BrowserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BrowserError {}

/// Headless Chromium on a page of your app, served on a free loopback port. Dropping it stops
/// chromedriver (and with it Chromium) and removes the profile; [`Browser::close`] also ends
/// the WebDriver session cleanly.
pub struct Browser {
    client: Client,
    base: String,
    timeout: Duration,
    _driver: Driver,
    _profile: Profile,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl fmt::Debug for Browser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Browser").field("base", &self.base).finish()
    }
}

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Profile(PathBuf);

impl Drop for Profile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

fn free_port() -> Result<u16, BrowserError> {
    StdListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| BrowserError(format!("no free loopback port: {e}")))
}

fn wait_listening(child: &mut Child, port: u16) -> Result<(), BrowserError> {
    let start = Instant::now();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    while start.elapsed() < Duration::from_secs(10) {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(100)).is_ok() {
            return Ok(());
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(BrowserError(format!("chromedriver exited: {status}")));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(BrowserError(
        "chromedriver did not listen within 10 s".into(),
    ))
}

/// chromedriver's Chrome DevTools command endpoint, for `Page.addScriptToEvaluateOnNewDocument`.
#[derive(Debug)]
struct Cdp(serde_json::Value);

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.0.to_string()))
    }
}

impl Browser {
    /// Serves `app` on a free loopback port and opens a headless Chromium (fresh profile)
    /// through a `chromedriver` it starts; the page is blank until [`Browser::goto`].
    pub async fn start(app: Router) -> Result<Browser, BrowserError> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| BrowserError(format!("cannot serve the app: {e}")))?;
        let addr = listener
            .local_addr()
            .map_err(|e| BrowserError(format!("cannot serve the app: {e}")))?;
        let server = tokio::spawn(async move {
            let _ = crate::serve(listener, app).await;
        });
        let mut b = Browser::connect(&format!("http://{addr}")).await?;
        b.server = Some(server);
        Ok(b)
    }

    /// A browser for an app served elsewhere (another process, a server the test restarts),
    /// at `base` (`http://127.0.0.1:3000`).
    pub async fn connect(base: &str) -> Result<Browser, BrowserError> {
        let (Some(driver), Some(chromium)) = (which("chromedriver"), which("chromium")) else {
            return Err(BrowserError(
                "browser tests need `chromium` and `chromedriver` on the PATH (Debian: `apt-get install chromium chromium-driver`)".into(),
            ));
        };
        let port = free_port()?;
        let mut child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| BrowserError(format!("cannot start chromedriver: {e}")))?;
        wait_listening(&mut child, port)?;
        let driver = Driver(child);
        let profile = Profile(
            std::env::temp_dir().join(format!("nitro-browser-{}-{port}", std::process::id())),
        );
        std::fs::create_dir_all(&profile.0)
            .map_err(|e| BrowserError(format!("cannot create the Chromium profile: {e}")))?;
        let client = connect(port, &chromium, &profile.0).await?;
        client
            .issue_cmd(Cdp(serde_json::json!({
                "cmd": "Page.addScriptToEvaluateOnNewDocument",
                "params": { "source": HOOK },
            })))
            .await
            .map_err(|e| BrowserError(format!("cannot install the console hook: {e}")))?;
        Ok(Browser {
            client,
            base: base.trim_end_matches('/').to_owned(),
            timeout: Duration::from_secs(10),
            _driver: driver,
            _profile: profile,
            server: None,
        })
    }

    /// The app's base URL, `http://127.0.0.1:PORT`.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// How long each step waits (10 s by default).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The WebDriver client, for anything this harness does not wrap.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Loads `path` of the app and waits until the Datastar client has started (the `datastar`
    /// module script has run: `window` has its signal root or the page has no client).
    pub async fn goto(&self, path: &str) {
        let url = format!("{}{path}", self.base);
        self.client
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("cannot load {url}: {e}"));
        // Module scripts run after parsing; give the client a moment to wire its attributes.
        self.until(&format!("the page {path} to be ready"), || async {
            self.client
                .execute("return document.readyState === 'complete'", vec![])
                .await
                .ok()
                .filter(|v| v == &serde_json::Value::Bool(true))
        })
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    async fn until<T, F, Fut>(&self, what: &str, mut f: F) -> T
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Option<T>>,
    {
        let start = Instant::now();
        loop {
            if let Some(t) = f().await {
                return t;
            }
            if start.elapsed() > self.timeout {
                panic!("timed out after {:?} waiting for {what}", self.timeout);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the element at `css` exists and its text is `want`; panics with the last
    /// text seen after the timeout.
    pub async fn wait_text(&self, css: &str, want: &str) {
        let start = Instant::now();
        let mut last = String::from("(no element)");
        loop {
            if let Ok(el) = self.client.find(Locator::Css(css)).await {
                if let Ok(t) = el.text().await {
                    if t == want {
                        return;
                    }
                    last = t;
                }
            }
            if start.elapsed() > self.timeout {
                panic!(
                    "`{css}` never read {want:?} within {:?}; last seen: {last:?}",
                    self.timeout
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The text of the element at `css`, once it exists.
    pub async fn text(&self, css: &str) -> String {
        let el = self.find(css).await;
        el.text().await.unwrap_or_else(|e| panic!("`{css}`: {e}"))
    }

    /// The `value` property of the input at `css`, once it exists.
    pub async fn value(&self, css: &str) -> String {
        let el = self.find(css).await;
        el.prop("value")
            .await
            .unwrap_or_else(|e| panic!("`{css}`: {e}"))
            .unwrap_or_default()
    }

    /// Clicks the element at `css`, once it exists.
    pub async fn click(&self, css: &str) {
        let el = self.find(css).await;
        el.click()
            .await
            .unwrap_or_else(|e| panic!("click `{css}`: {e}"));
    }

    /// Types `text` into the element at `css` (after what it holds), once it exists.
    pub async fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        el.send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into `{css}`: {e}"));
    }

    async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.until(&format!("`{css}`"), || async {
            self.client.find(Locator::Css(css)).await.ok()
        })
        .await
    }

    /// Every `console.error`, uncaught error and unhandled rejection of the current page so
    /// far (the Datastar client reports its errors on the console).
    pub async fn console_errors(&self) -> Vec<String> {
        let v = self
            .client
            .execute("return window.__nitroErrors || []", vec![])
            .await
            .unwrap_or_else(|e| panic!("cannot read the console errors: {e}"));
        serde_json::from_value(v).unwrap_or_default()
    }

    /// Ends the session (Chromium closes), stops chromedriver and the app.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
        if let Some(server) = &self.server {
            server.abort();
        }
    }
}

async fn connect(port: u16, chromium: &Path, profile: &Path) -> Result<Client, BrowserError> {
    let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| s.to_string()).collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({ "binary": chromium, "args": args }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .map_err(|e| BrowserError(format!("no Chromium session through chromedriver: {e}")))
}
