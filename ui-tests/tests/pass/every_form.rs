use nitro::prelude::*;

ids! { ITEM = "item" }

fn item(i: u32) -> impl Render {
    html! { li #(ITEM.with(i)) { (i) } }
}

fn main() {
    let opt = Some("x");
    let page = html! {
        @signals("step");
        !DOCTYPE
        html {
            body data-signals:count="0" {
                button data-on:click__debounce.200ms.leading__prevent="$count++" { "+" }
                input type="number" data-bind:step;
                span data-text="$count" { "0" }
                ul { @for i in 0..3 { (item(i)) } }
                @if let Some(v) = opt { p title=(v) { (v) } } @else { p { "none" } }
                @match opt { Some(_) => b { "some" }, None => {} }
                p "data-testid"="x" .a.b[true] {}
                script { (Json(&[1, 2])) }
            }
        }
    };
    let _: String = page.render().into_string();
}
