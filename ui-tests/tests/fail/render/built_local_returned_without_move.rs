use nitro::prelude::*;

// A template over a value the function just built, returned without `move`: rustc's help
// inserts `move` at the start of the template.
fn list() -> impl Render {
    let items = vec!["granite", "basalt"];
    html! { ul { @for i in &items { li { (i) } } } }
}

fn main() {
    let _ = list();
}
