use nitro::prelude::*;

fn main() {
    let name = "Ada";
    let _ = Sse::once().emit(emit_elements(html! { "Hello, " (name) }));
}
