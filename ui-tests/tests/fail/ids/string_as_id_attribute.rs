// `id=(..)` follows the rule of `#(..)`: a `String` or `format!` is not an id; declare it or
// build one explicitly.
use nitro::prelude::*;

struct Comment {
    id: u64,
}

fn main() {
    let c = Comment { id: 7 };
    let _ = html! { li id=(format!("comment-{}", c.id)) {} };
    let _ = html! { li ID=(String::from("x")) {} };
    let _ = html! { li "id"=("x") {} };
    let _ = html! { li data-attr:id=(format!("comment-{}", c.id)) {} };
}
