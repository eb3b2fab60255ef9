// Attributes that load or redirect code take a `TrustedUrl`, whatever the spelling.
use nitro::prelude::*;

fn main() {
    let url = String::from("https://evil.example/x.js");
    let _ = html! { script src=(url) {} };
    let _ = html! { SCRIPT SRC=(url) {} };
    let _ = html! { script "src"=(url) {} };
    let _ = html! { base href=(url); };
    let _ = html! { link rel="stylesheet" href=(url); };
    let _ = html! { object data=(url) {} };
    let _ = html! { embed src=(url); };
    let _ = html! { svg { script href=(url) {} } };
    let _ = html! { script src=[Some(&url)] {} };
    // `iframe src`, `a href` and `img src` stay URL attributes with the scheme guard.
    let _ = html! { iframe src=(url) {} a href=(url) {} img src=(url); };
}
