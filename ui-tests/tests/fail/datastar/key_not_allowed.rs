use nitro::prelude::*;

fn main() {
    let page = html! {
        p data-show:x="$y" {}
    };
    let _: String = page.render().into_string();
}
