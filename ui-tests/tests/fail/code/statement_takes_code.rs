// A value spliced into an attribute that runs code would be a string literal that does nothing.
use nitro::prelude::*;

fn main() {
    let id = 7;
    let page = html! {
        button data-on:click=(format!("@get('/x/{id}')")) { "go" }
        div data-init=(id) {}
    };
    let _: String = page.render().into_string();
}
