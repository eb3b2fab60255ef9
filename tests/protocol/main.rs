//! The Datastar protocol over HTTP: SSE framing, events, one-shot and streamed responses, signals read back, the test client and the served client script (one test binary: these tests share no process-wide state beyond the captured log).

#[path = "../common/mod.rs"]
mod common;

mod client;
mod events;
mod keep_alive;
mod patch_options;
mod plain_responses;
mod read_signals;
mod snapshot;
mod sse_framing;
mod sse_http;
mod testing;
