use nitro::prelude::*;

fn main() {
    let page = html! {
        p "data-on:click"=("alert(1)") {}
    };
    let _: String = page.render().into_string();
}
