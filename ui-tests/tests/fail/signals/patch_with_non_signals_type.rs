use nitro::prelude::*;
use serde::Serialize;

#[derive(Serialize)]
struct Plain {
    count: i64,
}

fn main() {
    let _ = Events::new().with(PatchSignals::new(&Plain { count: 1 }));
}
