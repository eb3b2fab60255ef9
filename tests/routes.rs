//! `routes!`: typed routes registered through their declaration, and their actions and paths,
//! with parameters percent-encoded as path segments and written as JSON literals.

use axum::extract::Path;
use axum::Router;
use nitro::prelude::*;
use nitro::routes::{delete, get, post, Route};
use nitro::testing::{Event, TestClient};

routes! {
    SEARCH = GET "/search",
    /// Deletes a todo.
    pub TODO = DELETE "/todos/{id}",
    TOGGLE = POST "/todos/{id}/toggle",
    MOVE = POST "/boards/{board}/cards/{card}",
}

async fn echo(Path(params): Path<Vec<String>>) -> Sse {
    Sse::once().emit_signals(&serde_json::json!({ "params": params }))
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

#[test]
fn actions_are_code_with_encoded_values() {
    assert_eq!(SEARCH.action().as_str(), "@get('/search')");
    assert_eq!(TODO.action(7).as_str(), r#"@delete('/todos/' + "7")"#);
    assert_eq!(
        TOGGLE.action(7).as_str(),
        r#"@post('/todos/' + "7" + '/toggle')"#
    );
    assert_eq!(
        MOVE.action("a", 2).as_str(),
        r#"@post('/boards/' + "a" + '/cards/' + "2")"#
    );
    // A hostile value stays one JSON string of one path segment: no quote, `/`, `$` or `@`
    // reaches the code.
    let evil = "x'); @post('/admin'); $a='/../";
    let code = TODO.action(evil).as_str().to_owned();
    let json = code
        .strip_prefix("@delete('/todos/' + ")
        .and_then(|r| r.strip_suffix(')'))
        .unwrap();
    let value: String = serde_json::from_str(json).unwrap();
    assert_eq!(value, nitro::routes::segment(evil));
    assert!(!value.contains(['/', '\'', '$', '@', ' ']));
    assert!(!json.contains(['\'', '$', '@']), "{json}");
    // In a template it is an attribute value like any expression.
    let page = html! { button data-on:click=(TOGGLE.action(3)) { "toggle" } };
    assert_eq!(
        page.render().into_string(),
        r#"<button data-on:click="@post(&#x27;/todos/&#x27; + &quot;3&quot; + &#x27;/toggle&#x27;)">toggle</button>"#
    );
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
    for value in ["plain", "a b/c?d#e", "100%", "ü/..", "x'); @post('/admin')"] {
        let events = client
            .post(&MOVE.path(value, "card 1"))
            .await
            .events()
            .await
            .unwrap();
        assert_eq!(
            events,
            [Event::Signals(
                serde_json::json!({ "params": [value, "card 1"] })
            )],
            "{value}"
        );
    }
}
