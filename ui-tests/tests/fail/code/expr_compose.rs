// Code spliced into `expr!` (`{code}`) is an `Expr`, never a string, and stands where an
// expression starts, never inside a string or after an operand.
use nitro::prelude::*;

fn main() {
    let user = String::from("alert(1)");
    let _ = expr!("$ok && {code}", user);
    let _ = expr!("$ok && {code}", "alert(1)");
    let inner = expr!("$count++");
    let _ = expr!("'text {code}'", inner.clone());
    let _ = expr!("$a {code}", inner);
}
