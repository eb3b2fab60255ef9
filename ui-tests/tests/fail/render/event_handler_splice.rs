use nitro::prelude::*;

fn main() {
    let page = html! {
        button onclick=(String::from("go()")) { "x" }
    };
    let _: String = page.render().into_string();
}
