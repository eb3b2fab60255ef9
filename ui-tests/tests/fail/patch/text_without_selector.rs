use nitro::prelude::*;

fn main() {
    let name = "Ada";
    let _ = Events::new().with(PatchElements::new(html! { "Hello, " (name) }));
}
