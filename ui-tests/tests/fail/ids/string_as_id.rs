use nitro::prelude::*;

fn main() {
    let id = format!("row-{}", 1);
    let page = html! {
        tr #(id) {}
    };
    let _: String = page.render().into_string();
}
