use nitro::prelude::*;

fn main() {
    let page = html! {
        p data-text {}
    };
    let _: String = page.render().into_string();
}
