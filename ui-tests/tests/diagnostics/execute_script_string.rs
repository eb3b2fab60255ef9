// Code built with `format!` is refused; the message names `.arg` and `ExecuteScript::trusted`.
use nitro::prelude::*;

fn main() {
    let name = "world";
    let _ = ExecuteScript::new(format!("console.log('{name}')"));
    let code = String::from("go()");
    let _ = ExecuteScript::new(&code);
}
