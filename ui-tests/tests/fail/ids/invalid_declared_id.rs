use nitro::prelude::*;

ids! { BAD = "two words" }

fn main() {
    let _ = BAD;
}
