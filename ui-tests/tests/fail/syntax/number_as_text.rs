use nitro::prelude::*;

fn main() {
    let page = html! {
        p { 42 }
    };
    let _: String = page.render().into_string();
}
