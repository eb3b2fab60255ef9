//! Arbitrary bodies and query strings: `ReadSignals` answers with a value or a rejection with a
//! 4xx status, and never panics.
#![no_main]

use axum::extract::FromRequest;
use libfuzzer_sys::fuzz_target;
use nitro::axum::ReadSignals;

fuzz_target!(|input: (bool, Vec<u8>, String)| {
    let (get, body, query) = input;
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let uri = format!("/x?{}", query.replace(|c: char| c.is_whitespace() || c == '#', ""));
    let Ok(req) = http::Request::builder()
        .method(if get { "GET" } else { "POST" })
        .uri(uri)
        .body(axum::body::Body::from(body))
    else {
        return;
    };
    let result = rt.block_on(ReadSignals::<serde_json::Value>::from_request(req, &()));
    if let Err(rejection) = result {
        assert!(rejection.status().is_client_error(), "{rejection}");
    }
});
