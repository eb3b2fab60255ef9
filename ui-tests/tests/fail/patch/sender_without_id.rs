use nitro::prelude::*;

fn main() {
    let _ = Sse::spawn(|mut sse| async move {
        sse.send(PatchElements::new(html! { p { "no id" } })).await
    });
}
