use nitro::prelude::*;

fn main() {
    let page = html! {
        input data-bind:firstName;
    };
    let _: String = page.render().into_string();
}
