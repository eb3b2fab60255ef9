// `.action(..)` and `.path(..)` take one value per `{param}` of the path.
use nitro::prelude::*;

routes! {
    SEARCH = GET "/search",
    TODO = DELETE "/todos/{id}",
}

fn main() {
    let _ = TODO.action();
    let _ = SEARCH.action(1);
    let _ = TODO.path(1, 2);
}
