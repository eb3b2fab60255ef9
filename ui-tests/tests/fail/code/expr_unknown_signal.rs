// `$refs` in an `expr!` spliced into a template are checked against its signals.
use nitro::prelude::*;
use serde::Serialize;

#[derive(Serialize, Signals)]
struct Counter {
    count: i64,
}

fn main() {
    let step = 2;
    let page = html! {
        @signals(Counter)
        button data-on:click=(expr!("$cuont += {}", step)) { "+" }
    };
    let _: String = page.render().into_string();
}
