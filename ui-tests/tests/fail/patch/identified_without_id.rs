use nitro::prelude::*;

fn item(text: &str) -> impl IdentifiedElements + '_ {
    html! { li { (text) } }
}

fn main() {
    let _ = item;
}
