// `data-attr:src` on a script would set the URL code is loaded from in the browser; a dynamic
// `type` on a script decides whether and how its content runs.
use nitro::prelude::*;

fn main() {
    let url = "https://evil.example/x.js";
    let _ = html! { script data-attr:src=(url) {} };
    let _ = html! { link data-attr:href=(url); };
    let kind = "module";
    let _ = html! { script type=(kind) {} };
    // An import map decides where modules load from.
    let map = std::collections::BTreeMap::from([("imports", [("app", url)])]);
    let _ = html! { script type="importmap" { (Json(&map)) } };
}
