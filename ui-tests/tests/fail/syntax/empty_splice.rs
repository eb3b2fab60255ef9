use nitro::prelude::*;

fn main() {
    let page = html! {
        p { () }
    };
    let _: String = page.render().into_string();
}
