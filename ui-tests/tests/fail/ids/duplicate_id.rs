use nitro::prelude::*;

ids! { COUNTER = "counter" }

fn main() {
    let page = html! {
        div #(COUNTER) { "a" }
        div #(COUNTER) { "b" }
        p #note {}
        p #note {}
    };
    let _: String = page.render().into_string();
}
