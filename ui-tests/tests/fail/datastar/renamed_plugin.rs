use nitro::prelude::*;

fn main() {
    let page = html! {
        input data-model="name";
    };
    let _: String = page.render().into_string();
}
