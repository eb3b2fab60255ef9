use nitro::prelude::*;
use serde::Serialize;

#[derive(Signals, Serialize)]
struct Counter {
    count: i64,
    step: i64,
}

fn main() {
    let page = html! {
        @signals(Counter);
        span data-text="$countr" {}
    };
    let _: String = page.render().into_string();
}
