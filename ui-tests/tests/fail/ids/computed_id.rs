// `data-attr:id="$x"` sets the id to what the code computes in the browser: an id no rule
// can check, the second path the one id rule must not have.
use nitro::prelude::*;

fn main() {
    let page = html! {
        @signals("x")
        li data-attr:id="$x" {}
        li data-attr:id="'comment-' + $x" {}
    };
    let _: String = page.render().into_string();
}
