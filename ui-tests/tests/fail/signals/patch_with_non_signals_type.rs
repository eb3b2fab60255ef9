use nitro::prelude::*;
use serde::Serialize;

#[derive(Serialize)]
struct Plain {
    count: i64,
}

fn main() {
    let _ = Sse::once().emit_signals(&Plain { count: 1 });
}
