use nitro::prelude::*;

fn main() {
    let _ = html! {
        input checked[1];
        p.big["yes"] { }
    };
}
