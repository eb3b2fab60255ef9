use nitro::prelude::*;

fn main() {
    let n = 1;
    let _ = html! {
        p #{ "row-" (n) } { }
    };
}
