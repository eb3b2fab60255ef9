use nitro::prelude::*;

fn main() {
    let on = true;
    let _ = html! {
        @signals("open");
        div data-show=@if on { "$open" } @else { "!$open" } { }
    };
}
