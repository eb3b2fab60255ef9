use nitro::prelude::*;

struct Opaque;

fn main() {
    let v = Opaque;
    let page = html! {
        p data-show=(v) {}
    };
    let _: String = page.render().into_string();
}
