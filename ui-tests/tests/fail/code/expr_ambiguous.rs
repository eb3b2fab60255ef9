// After `}`, `/` may start a regular expression (a block ends) or divide (an object literal
// ends): when the two readings put a placeholder in different places, it is refused.
use nitro::prelude::*;

fn main() {
    let _: Expr = expr!("{{}}/'/ + '{}' // '", 1);
    // After `.` a value would be a property name; inside an escape it would complete it.
    let _: Expr = expr!("$a.{}", 1);
    let _: Expr = expr!("'\\x{}'", 1);
    // The client rewrites `@name(` wherever it sees it: `@get{}` would lose the value's `(`.
    let _: Expr = expr!("@get{}", "/x");
    // In a value expression the client splits `// x; '{}'` at the `;`, as statements it does
    // not: the placeholder would be in a comment in one and in a string in the other.
    let _: Expr = expr!("1 // x; '{}'", 1);
}
