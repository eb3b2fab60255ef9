// An id attribute always has a value.
use nitro::prelude::*;

fn main() {
    let on = true;
    let _ = html! { li id {} };
    let _ = html! { li id[on] {} };
    let _ = html! { li id="a b" {} };
}
