use nitro::prelude::*;

fn main() {
    let page = html! {
        span data-text="$count" {}
    };
    let _: String = page.render().into_string();
}
