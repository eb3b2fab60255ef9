// Every `{}` takes one value; a lone brace is a mistake.
use nitro::prelude::*;

fn main() {
    let _ = expr!("$a = {} + {}", 1);
    let _ = expr!("$a = { b: {} }", 1);
}
