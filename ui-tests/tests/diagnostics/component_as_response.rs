// A component returned as `impl Render` is not a response: `.render()` makes it one.
// rustc prints axum's own message here (see the report: stable Rust gives no way to add ours).
use axum::response::IntoResponse;
use nitro::prelude::*;

fn card(title: &'static str) -> impl Render {
    html! { article { h2 { (title) } } }
}

async fn page() -> impl IntoResponse {
    card("hello")
}

fn main() {
    let _ = page();
}
