use nitro::prelude::*;

fn main() {
    let _ = remove_elements("#message-1");
}
