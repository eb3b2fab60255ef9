// With `#[nitro::handler]`, the handler's shape gets messages that name the fix: the body
// extractor must be last, a handler is `async`, a component is not a response.
use axum::extract::State;
use nitro::prelude::*;

#[derive(Signals, serde::Serialize, serde::Deserialize)]
struct Counter {
    count: i64,
}

#[nitro::handler]
async fn increment(ReadSignals(c): ReadSignals<Counter>, State(step): State<i64>) -> Events {
    Events::new().with(PatchSignals::new(&Counter::patch().count(c.count + step)))
}

#[nitro::handler]
fn not_async(State(step): State<i64>) -> String {
    step.to_string()
}

#[nitro::handler]
async fn page() -> impl Render {
    html! { p { "hi" } }
}

fn main() {
    let _ = (increment, not_async, page);
}
