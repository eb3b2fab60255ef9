use nitro::prelude::*;

fn main() {
    let page = html! {
        button data-on:click__debounce.fast="@post('/x')" { "go" }
    };
    let _: String = page.render().into_string();
}
