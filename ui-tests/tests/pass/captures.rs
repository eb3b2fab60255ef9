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
    macro_arguments();
    rebound_names();
}

// A macro argument that is not a comma list (`vec![x; n]`), a pattern with a guard
// (`matches!`), and tokens that read as no Rust (a macro of one's own): the locals they name
// are borrowed, so they can be used after the template.
macro_rules! pair {
    ({ $a:expr => $b:expr }) => {
        format!("{}={}", $a, $b)
    };
}

fn macro_arguments() {
    let s = String::from("s");
    let opt = Some(String::from("abc"));
    let limit = 2usize;
    let key = String::from("k");
    let t = html! {
        p { (vec![s.clone(); 2].len()) }
        p { (matches!(&opt, Some(v) if v.len() > limit)) }
        p { (pair!({ key => s })) }
    };
    let _ = t.render();
    drop((s, opt, key));
}

// A name bound again by `@if let` or `@for` inside the template: the outer one is borrowed
// where it is read, so it can be used after the template.
fn rebound_names() {
    let name = String::from("outer");
    let other = Some(String::from("inner"));
    let t = html! {
        @if let Some(name) = &other { b { (name) } }
        i { (name) }
        @for name in ["a", "b"] { u { (name) } }
        @match &other { Some(name) => { s { (name) } } None => {} }
    };
    let _ = t.render();
    drop((name, other));
}
