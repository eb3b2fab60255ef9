use nitro::prelude::*;
use serde::Serialize;

#[derive(Signals, Serialize)]
struct Form {
    email: String,
    name: String,
}

#[derive(Signals, Serialize)]
struct Page {
    form: Form,
}

fn main() {
    let page = html! {
        @signals(Page);
        p data-show="$form.emial.length > 3" { "ok" }
    };
    let _: String = page.render().into_string();
}
