use nitro::prelude::*;

// A template over a value the function just built, returned without `move`: rustc's E0597
// at the borrow, noting that it originates in the macro named
// `html_borrows_this_local__write_html_move_to_take_it` (the hint; `html!`'s docs also carry
// the error codes as aliases, and their note says `move`).
fn list() -> impl Render {
    let items = vec!["granite", "basalt"];
    html! { ul { @for i in &items { li { (i) } } } }
}

fn main() {
    let _ = list();
}
