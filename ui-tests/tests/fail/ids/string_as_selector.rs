use nitro::prelude::*;

fn main() {
    let _ = PatchElements::remove("#message-1");
}
