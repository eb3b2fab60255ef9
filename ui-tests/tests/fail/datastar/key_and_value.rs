use nitro::prelude::*;

fn main() {
    let page = html! {
        input data-bind:email="email";
    };
    let _: String = page.render().into_string();
}
