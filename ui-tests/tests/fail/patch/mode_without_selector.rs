use nitro::prelude::*;

ids! { PANEL = "panel" }

fn main() {
    // `inner` needs a selector: the client throws PatchElementsExpectedSelector without one.
    let _ = PatchElements::new(html! { div #(PANEL) { "x" } }).mode(Mode::Inner);
}
