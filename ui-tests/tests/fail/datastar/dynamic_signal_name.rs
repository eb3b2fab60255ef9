use nitro::prelude::*;

fn main() {
    let name = String::from("email");
    let page = html! {
        input data-bind=(name);
    };
    let _: String = page.render().into_string();
}
