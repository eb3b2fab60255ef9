// A quoted name skips Datastar's syntax checks, never a guard: the browser reads these names
// without case, so they are event handlers and a Datastar attribute.
use nitro::prelude::*;

fn main() {
    let s = String::from("alert(1)");
    let page = html! {
        p "onclick"=(s) {}
        p "OnMouseOver"=(s) {}
        p ONCLICK=(s) {}
        p "data-On:click"=(s) {}
        p DATA-ON:click=(s) {}
    };
    let _: String = page.render().into_string();
}
