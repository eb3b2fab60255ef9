// A `data-attr` map computed by an `Expr` could not have its keys checked.
use nitro::prelude::*;

fn main() {
    let e = Expr::new("{onclick: 'alert(1)'}");
    let page = html! {
        p data-attr=(e) {}
    };
    let _: String = page.render().into_string();
}
