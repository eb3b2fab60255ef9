use nitro::prelude::*;
use serde::Serialize;

#[derive(Signals, Serialize)]
#[serde(rename_all = "camelCase")]
struct Profile {
    user_name: String,
}

fn main() {
    let page = html! {
        @signals(Profile);
        span data-text="$user_name" {}
    };
    let _: String = page.render().into_string();
}
