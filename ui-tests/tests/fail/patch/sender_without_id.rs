use nitro::prelude::*;

fn main() {
    let _ = Sse::stream(|mut sse| async move {
        sse.emit_elements(html! { p { "no id" } }).await
    });
}
