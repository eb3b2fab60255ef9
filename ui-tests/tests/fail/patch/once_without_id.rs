use nitro::prelude::*;

fn main() {
    let _ = Sse::once().emit_elements(html! { p { "where does this go?" } });
}
