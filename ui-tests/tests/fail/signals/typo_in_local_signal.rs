use nitro::prelude::*;

fn main() {
    let page = html! {
        div data-signals:open="false" {
            button data-on:click="$opne = !$opne" { "toggle" }
        }
    };
    let _: String = page.render().into_string();
}
