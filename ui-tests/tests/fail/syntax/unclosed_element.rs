use nitro::prelude::*;

fn main() {
    let page = html! {
        div { p }
    };
    let _: String = page.render().into_string();
}
