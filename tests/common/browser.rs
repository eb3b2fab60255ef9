//! The browser for end-to-end tests: Debian's `chromium` driven through `chromedriver`, with the
//! flags this machine needs and a fresh profile per session, and the real Datastar 1.0.x client
//! (`datastar-core.js`), taken from the `starhtml` wheel on PyPI at test setup (never committed).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder};

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

pub fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target")
}

pub fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// The Datastar client (`datastar-core.js`, Datastar 1.0.x) from the starhtml 0.7.0 wheel.
pub fn datastar_js() -> PathBuf {
    let dir = target_dir().join("datastar");
    let js = dir.join("datastar-core.js");
    if js.is_file() {
        return js;
    }
    std::fs::create_dir_all(&dir).unwrap();
    let wheel_dir = dir.join("wheel");
    let status = Command::new("python3")
        .args([
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary=:all:",
            "--python-version",
            "3.12",
            "starhtml==0.7.0",
            "-d",
        ])
        .arg(&wheel_dir)
        .status()
        .expect("python3 is needed to fetch the Datastar client from PyPI: run `.ci/setup` once");
    assert!(
        status.success(),
        "pip could not download starhtml==0.7.0 (the Datastar client) from PyPI: run `.ci/setup` once"
    );
    let script = "import glob, sys, zipfile\n\
                  w = glob.glob(sys.argv[1] + '/starhtml-*.whl')[0]\n\
                  open(sys.argv[2], 'wb').write(zipfile.ZipFile(w).read('starhtml/static/js/datastar-core.js'))";
    let status = Command::new("python3")
        .args(["-c", script])
        .arg(&wheel_dir)
        .arg(&js)
        .status()
        .unwrap();
    assert!(
        status.success() && js.is_file(),
        "could not extract datastar-core.js from the starhtml wheel"
    );
    js
}

pub struct Driver {
    child: Child,
    pub url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

use super::nats::free_port;

pub fn chromedriver() -> Driver {
    let (Some(driver), Some(_)) = (which("chromedriver"), which("chromium")) else {
        panic!(
            "the browser tests need Chromium and ChromeDriver: run `.ci/setup` once (it installs them, \
             starts NATS and fetches the Datastar client), then `cargo test` again"
        );
    };
    let port = free_port();
    let mut child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    super::wait_for_listener(&mut child, port, Duration::from_secs(10), "chromedriver");
    Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    }
}

pub struct Browser {
    pub client: Client,
    _profile: TempDir,
}

pub struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub async fn browser(driver: &Driver) -> Browser {
    let profile = std::env::temp_dir().join(format!(
        "nitro-chromium-{}-{}",
        std::process::id(),
        free_port()
    ));
    std::fs::create_dir_all(&profile).unwrap();
    let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| s.to_string()).collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({ "binary": which("chromium").unwrap(), "args": args }),
    );
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a Chromium session through chromedriver");
    Browser {
        client,
        _profile: TempDir(profile),
    }
}

/// Waits (up to 10 s) until the text of `css` satisfies `ok`; fails with what it last saw.
pub async fn wait_text(c: &Client, css: &str, ok: impl Fn(&str) -> bool) -> String {
    let start = std::time::Instant::now();
    let mut last = String::from("(no element)");
    while start.elapsed() < Duration::from_secs(10) {
        if let Ok(el) = c.find(fantoccini::Locator::Css(css)).await {
            if let Ok(t) = el.text().await {
                if ok(&t) {
                    return t;
                }
                last = t;
            }
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    panic!("`{css}` never got the expected text; last seen: {last:?}");
}
