use nitro::prelude::*;

fn main() {
    let page = html! {
        p #a id="b" {}
    };
    let _: String = page.render().into_string();
}
