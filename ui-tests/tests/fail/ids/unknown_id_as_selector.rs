use nitro::prelude::*;

ids! { MESSAGES = "messages" }

fn main() {
    let _ = PatchElements::at(MESAGES, Mode::Append, html! { li { "hi" } });
}
