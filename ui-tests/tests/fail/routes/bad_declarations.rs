// Methods, paths and parameters that `routes!` refuses, each with what to write instead.
use nitro::prelude::*;

routes! {
    FETCH = FETCH "/x",
    RELATIVE = GET "todos",
    WILDCARD = GET "/files/{*path}",
    PARTIAL = GET "/todos/item-{id}",
    TWICE = GET "/a/{id}/b/{id}",
    QUOTE = GET "/it's",
    SIGNAL = GET "/$count",
    UNCLOSED = GET "/a/{id",
    A = GET "/same",
    B = GET "/same",
}

fn main() {}
