// `SCRIPT` is `script` to the browser: the raw-text rule applies in any case.
use nitro::prelude::*;

fn main() {
    let s = String::from("alert(1)");
    let page = html! {
        SCRIPT { (s) }
    };
    let _: String = page.render().into_string();
}
