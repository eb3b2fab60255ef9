use nitro::prelude::*;

fn main() {
    let page = html! {
        if true { "yes" }
    };
    let _: String = page.render().into_string();
}
