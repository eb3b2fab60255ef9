use nitro::prelude::*;
use serde::Serialize;

#[derive(Serialize)]
enum Status {
    Open,
}

#[derive(Signals, Serialize)]
struct Ticket {
    status: Status,
}

fn main() {}
