// `#[derive(Form)]` reads the struct as signals: it needs `#[derive(Signals)]` too.
use nitro::prelude::*;

#[derive(Form, serde::Serialize)]
struct Login {
    user: String,
}

fn main() {
    let _ = Login::FIELDS.user.input("User");
}
