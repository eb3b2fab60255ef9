use nitro::prelude::*;

fn main() {
    let page = html! {
        br { "text" }
    };
    let _: String = page.render().into_string();
}
