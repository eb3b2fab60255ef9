//! `routes!`: typed routes registered through their declaration, and their actions and paths,
//! with parameters checked (never `.`, `..` or empty), percent-encoded as path segments and
//! written by `expr!`'s proven pipeline.

use axum::extract::Path;
use axum::Router;
use nitro::prelude::*;
use nitro::routes::{delete, get, post, Route, Segment};
use nitro::testing::{Received, TestClient};

routes! {
    SEARCH = GET "/search",
    /// Deletes a todo.
    pub TODO = DELETE "/todos/{id}",
    TOGGLE = POST "/todos/{id}/toggle",
    MOVE = POST "/boards/{board}/cards/{card}",
}

async fn echo(Path(params): Path<Vec<String>>) -> Events {
    Events::new().with(PatchSignals::new(&serde_json::json!({ "params": params })))
}

fn app() -> Router {
    Router::new()
        .route_to(SEARCH, get(|| async { "searched" }))
        .route_to(TODO, delete(echo))
        .route_to(TOGGLE, post(echo))
        .route_to(MOVE, post(echo))
}

#[test]
fn declarations_know_their_path_and_method() {
    fn of<R: Route>(_: R) -> (&'static str, &'static str) {
        (<R::Method as nitro::routes::Method>::ACTION, R::PATH)
    }
    assert_eq!(of(SEARCH), ("get", "/search"));
    assert_eq!(of(TODO), ("delete", "/todos/{id}"));
    assert_eq!(of(MOVE), ("post", "/boards/{board}/cards/{card}"));
}

fn seg(s: &str) -> Segment {
    Segment::new(s).unwrap()
}

#[test]
fn actions_are_code_with_encoded_values() {
    assert_eq!(SEARCH.action().as_str(), "@get('/search')");
    assert_eq!(TODO.action(7).as_str(), r"@delete('/todos/\x37')");
    assert_eq!(TOGGLE.action(7).as_str(), r"@post('/todos/\x37/toggle')");
    assert_eq!(
        MOVE.action(seg("a"), 2).as_str(),
        r"@post('/boards/\x61/cards/\x32')"
    );
    // A hostile value is one percent-encoded path segment, written as escapes inside the
    // string: no quote, `/`, `$` or `@` reaches the code.
    let evil = seg("x'); @post('/admin'); $a='/../");
    let code = TODO.action(&evil).as_str().to_owned();
    let escaped = code
        .strip_prefix("@delete('/todos/")
        .and_then(|r| r.strip_suffix("')"))
        .unwrap();
    assert!(
        escaped
            .chars()
            .all(|c| c == '\\' || c == 'x' || c.is_ascii_hexdigit()),
        "{escaped}"
    );
    let decoded: String = escaped
        .split("\\x")
        .skip(1)
        .map(|h| u8::from_str_radix(h, 16).unwrap() as char)
        .collect();
    assert_eq!(decoded, evil.encoded());
    // In a template it is an attribute value like any expression.
    let page = html! { button data-on:click=(TOGGLE.action(3)) { "toggle" } };
    assert_eq!(
        page.render().into_string(),
        r#"<button data-on:click="@post(&#x27;/todos/\x33/toggle&#x27;)">toggle</button>"#
    );
}

#[test]
fn dot_segments_are_refused_never_changed() {
    // `..` would take `/todos/../delete` to `/delete`: the segment is not made, so neither is
    // the action or the path.
    for dots in [".", "..", ""] {
        let err = Segment::new(dots).unwrap_err();
        assert!(err.to_string().contains("another route"), "{err}");
    }
    // Other spellings are not dot segments once encoded: `%` becomes `%25`.
    for other in ["%2e", "%2E%2e", ".%2e", "...", ". .", "..x", "x.."] {
        let s = seg(other);
        assert!(!matches!(s.encoded().as_str(), "." | ".."), "{other}");
        assert_eq!(TODO.path(&s), format!("/todos/{}", s.encoded()));
    }
    assert_eq!(TODO.path(seg("%2e%2e")), "/todos/%252e%252e");
    // A handler taking `Path<Segment>` answers 400 to a request that names `..` itself.
    let v: Result<Segment, _> = serde_json::from_str("\"..\"");
    assert!(v.is_err());
}

#[tokio::test]
async fn registered_routes_answer_with_their_method_only() {
    let client = TestClient::new(app());
    let res = client.get(&SEARCH.path()).await;
    assert_eq!(res.text().await.unwrap(), "searched");
    assert_eq!(client.post(&SEARCH.path()).await.status(), 405);
    assert_eq!(client.get(&TODO.path(1)).await.status(), 405);
    assert_eq!(client.delete(&TODO.path(1)).await.status(), 200);
}

#[tokio::test]
async fn parameters_arrive_as_they_were_given() {
    let client = TestClient::new(app());
    for value in [
        "plain",
        "a b/c?d#e",
        "100%",
        "ü/..",
        "x'); @post('/admin')",
        "...",
        "%2e%2e",
    ] {
        let events = client
            .post(&MOVE.path(seg(value), seg("card 1")))
            .await
            .events()
            .await
            .unwrap();
        assert_eq!(
            events,
            [Received::Signals(
                serde_json::json!({ "params": [value, "card 1"] })
            )],
            "{value}"
        );
    }
}
