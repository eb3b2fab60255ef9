// `ReadSignals` reads the body, so it must be the handler's last argument.
use axum::extract::State;
use axum::Router;
use nitro::prelude::*;
use nitro::routes::post;

#[derive(Signals, serde::Serialize, serde::Deserialize)]
struct Counter {
    count: i64,
}

routes! { INCREMENT = POST "/increment" }

async fn increment(ReadSignals(c): ReadSignals<Counter>, State(step): State<i64>) -> Events {
    Events::new().with(PatchSignals::new(&Counter::patch().count(c.count + step)))
}

fn main() {
    let _: Router = Router::new().route_to(INCREMENT, post(increment)).with_state(1);
}
