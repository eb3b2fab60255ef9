use nitro::prelude::*;
use serde::Serialize;

#[derive(Serialize)]
struct Plain {
    count: i64,
}

fn main() {
    let page = html! {
        @signals(Plain);
        span data-text="$count" {}
    };
    let _: String = page.render().into_string();
}
