// The three shapes of issue 22 that ran a value as code when placeholders were guessed are now
// proved: each compiles, and the value is written where it stands.
use nitro::prelude::*;

fn main() {
    let v = "+pwn(1)+";
    // A regex literal holding a quote before the placeholder.
    let _: Expr = expr!("$name.replace(/\"/g, '') + {}", v);
    // A placeholder in a string inside `${}` of a template literal.
    let _: Expr = expr!("`${{\"{}\"}}`", v);
    // An apostrophe in a comment.
    let _: Expr = expr!("/* it's */ \"a\" + \"{}\"", v);
    // Refused: the placeholder in a regex literal, in a comment, after an operand.
    let _: Expr = expr!("$name.replace(/{}/g, '')", v);
    let _: Expr = expr!("/* it's {} */ 1", v);
    let _: Expr = expr!("$a {}", v);
}
