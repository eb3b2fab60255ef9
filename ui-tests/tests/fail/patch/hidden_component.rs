use nitro::prelude::*;

ids! { ITEM = "item" }

fn item(id: u32) -> impl Render {
    html! { li #(ITEM.with(id)) { "item" } }
}

fn main() {
    let _ = PatchElements::new(item(1));
}
