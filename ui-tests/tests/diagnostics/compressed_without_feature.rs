// `Sse::compressed` without nitro's `compression` feature: the message names the feature.
use nitro::prelude::*;

fn main() {
    let headers = axum::http::HeaderMap::new();
    let _ = Sse::spawn(|_sender| async { Ok(()) }).compressed(&headers);
}
