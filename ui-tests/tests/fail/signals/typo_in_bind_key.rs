use nitro::prelude::*;
use serde::Serialize;

#[derive(Signals, Serialize)]
struct Login {
    email: String,
}

fn main() {
    let page = html! {
        @signals(Login);
        input data-bind:emial;
    };
    let _: String = page.render().into_string();
}
