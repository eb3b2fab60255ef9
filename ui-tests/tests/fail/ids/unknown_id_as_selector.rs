use nitro::prelude::*;

ids! { MESSAGES = "messages" }

fn main() {
    let _ = emit_elements(html! { li { "hi" } }).selector(MESAGES).mode(Mode::Append);
}
