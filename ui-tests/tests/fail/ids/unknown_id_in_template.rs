use nitro::prelude::*;

ids! { COUNTER = "counter" }

fn main() {
    let page = html! {
        div #(COUNTR) { "0" }
    };
    let _: String = page.render().into_string();
}
