use nitro::prelude::*;

fn main() {
    let page = html! {
        p title="a" title="b" {}
    };
    let _: String = page.render().into_string();
}
