use nitro::prelude::*;

fn main() {
    let page = html! {
        input data-bnd:email;
    };
    let _: String = page.render().into_string();
}
