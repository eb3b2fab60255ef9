// `@name(` is an action call wherever it appears; the client throws for unknown names.
use nitro::prelude::*;

fn main() {
    let id = 7;
    let e = expr!("@gett('/x/{}')", id);
    let page = html! {
        button data-on:click="@pots('/x')" { "go" }
        button data-on:click=(e) { "go" }
    };
    let _: String = page.render().into_string();
}
