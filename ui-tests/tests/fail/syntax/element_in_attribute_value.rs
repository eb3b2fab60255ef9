use nitro::prelude::*;

fn main() {
    let _ = html! {
        p title={ "a" b { "bold" } } { }
    };
}
