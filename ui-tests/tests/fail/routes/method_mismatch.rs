// A route is registered with a handler of its own method only.
use axum::Router;
use nitro::prelude::*;
use nitro::routes::get;

routes! { TODO = DELETE "/todos/{id}" }

fn main() {
    let _app: Router = Router::new().route_to(TODO, get(|| async { "deleted" }));
}
