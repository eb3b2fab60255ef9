use nitro::prelude::*;

fn layout(body: impl Render, title: String) -> impl Render {
    html! { move main { h1 { (title) } (body) } }
}

fn card<'a>(title: &'a str, n: u32) -> impl Render + 'a {
    html! { div { (title) (n) } }
}

fn main() {
    let name = String::from("n");
    let items = vec![1, 2];
    let t = html! { (name) @for i in &items { (i) } (card(&name, 1)) };
    let _ = t.render();
    let _ = layout(t, name.clone()).render();
    drop((name, items));
}
