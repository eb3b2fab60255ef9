use nitro::prelude::*;

fn main() {
    let page = html! {
        @loop { "x" }
    };
    let _: String = page.render().into_string();
}
