//! `nitro::client`: the Datastar client version, the script tag, and serving a local copy
//! over real HTTP with long-lived caching headers.

use crate::common;

use nitro::client::{self, ClientScript};
use nitro::prelude::*;

#[test]
fn version_is_the_one_the_browser_tests_run() {
    let js = std::fs::read_to_string(common::browser::datastar_js()).unwrap();
    let header = js.lines().next().unwrap();
    assert!(
        header.starts_with(&format!("// Datastar v{} ", client::VERSION)),
        "the client the tests run is {header:?}, nitro::client::VERSION is {}",
        client::VERSION
    );
    assert!(client::CDN_URL.contains(&format!("@v{}/", client::VERSION)));
}

#[test]
fn script_tags() {
    let page = html! { head { (client::script()) } };
    assert_eq!(
        page.render().into_string(),
        format!(
            r#"<head><script type="module" src="{}"></script></head>"#,
            client::CDN_URL
        )
    );
    let tricky =
        ClientScript::url(nitro::TrustedUrl::new(r#"/a".js?x=1&y=2"#)).integrity("sha384-q\"");
    assert_eq!(
        tricky.render().into_string(),
        r#"<script type="module" src="/a&quot;.js?x=1&amp;y=2" integrity="sha384-q&quot;" crossorigin="anonymous"></script>"#
    );
}

#[tokio::test]
async fn serves_a_copy_with_long_lived_caching() {
    let path = common::browser::datastar_js();
    let expected = std::fs::read(&path).unwrap();
    let js = ClientScript::file(&path).unwrap();
    assert_eq!(js.src(), client::PATH);
    let app = js.routes(axum::Router::new().route("/", axum::routing::get(|| async { "home" })));
    let base = common::base_url(app).await;
    let res = reqwest::get(format!("{base}/datastar.js")).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert_eq!(
        res.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    // The browser never sniffs it as anything but a script.
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.bytes().await.unwrap(), expected);
    // The rest of the app is untouched; a copy at another path is served there only.
    assert_eq!(
        reqwest::get(&base).await.unwrap().text().await.unwrap(),
        "home"
    );
    let versioned = ClientScript::bytes("export {}").at(nitro::TrustedUrl::new("/assets/ds-1.js"));
    let base = common::base_url(versioned.routes(axum::Router::new())).await;
    let res = reqwest::get(format!("{base}/assets/ds-1.js"))
        .await
        .unwrap();
    assert_eq!(res.text().await.unwrap(), "export {}");
    let res = reqwest::get(format!("{base}/datastar.js")).await.unwrap();
    assert_eq!(res.status(), 404);
}

#[test]
fn no_route_without_a_copy() {
    assert!(client::script().copy().is_none());
    assert!(ClientScript::file("/nonexistent/datastar.js").is_err());
}
