// `data-attr:KEY` ends in `setAttribute(KEY, value)`: an event handler or a frame's document
// cannot take a value from Rust.
use nitro::prelude::*;

fn main() {
    let s = String::from("alert(1)");
    let page = html! {
        p data-attr:onclick=(s) {}
        p data-attr:on-mouseover=(s) {}
        iframe data-attr:srcdoc=(s) {}
    };
    let _: String = page.render().into_string();
}
