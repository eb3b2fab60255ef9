use nitro::prelude::*;

fn main() {
    let page = html! {
        p { "a" } @else { "b" }
    };
    let _: String = page.render().into_string();
}
