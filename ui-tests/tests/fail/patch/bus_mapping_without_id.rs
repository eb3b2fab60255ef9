// The mistake of a new user: a patch without a selector whose element has no id, inside a bus
// mapping. It used to compile and be dropped at run time.
use nitro::bus::Bus;
use nitro::prelude::*;

async fn feed(bus: Bus) -> Sse {
    bus.subscribe("feed").await.unwrap().into_sse(|m| {
        let text: String = m.payload().unwrap_or_default();
        PatchElements::new(html! { li { (text) } })
    })
}

fn main() {
    let _ = feed;
}
