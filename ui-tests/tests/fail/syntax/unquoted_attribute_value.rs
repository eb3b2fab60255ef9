use nitro::prelude::*;

fn main() {
    let page = html! {
        p title=hello {}
    };
    let _: String = page.render().into_string();
}
