use nitro::prelude::*;

fn main() {
    let page = html! {
        p.@let x = 1; {
            (x)
        }
    };
    let _: String = page.render().into_string();
}
