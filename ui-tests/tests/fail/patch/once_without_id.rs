use nitro::prelude::*;

fn main() {
    let _ = Events::new().with(PatchElements::new(html! { p { "where does this go?" } }));
}
