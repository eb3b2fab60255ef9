use nitro::prelude::*;

fn main() {
    let page = html! {
        br /
    };
    let _: String = page.render().into_string();
}
