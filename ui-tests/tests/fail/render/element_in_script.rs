use nitro::prelude::*;

fn main() {
    let page = html! {
        script { p { "x" } }
    };
    let _: String = page.render().into_string();
}
