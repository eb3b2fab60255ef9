// A route parameter is an integer or a checked `Segment`: text could be `.`, `..` or empty,
// which the browser resolves to another route.
use nitro::prelude::*;

routes! { ROOM = GET "/rooms/{room}", DOTS = GET "/a/../b" }

fn main() {
    let name = String::from("..");
    let _ = ROOM.path(&name);
    let _ = ROOM.action("lobby");
}
