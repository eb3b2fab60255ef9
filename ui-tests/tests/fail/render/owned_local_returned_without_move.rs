use nitro::prelude::*;

// A template borrows the non-`Copy` locals it names; returning it over a value the function
// owns needs `html! { move ... }`: each error notes the macro
// `html_borrows_this_local__write_html_move_to_take_it`.
fn layout(body: impl Render, title: String) -> impl Render {
    html! { main { h1 { (title) } (body) } }
}

fn main() {
    let _ = layout(html! { "x" }, "t".into());
}
