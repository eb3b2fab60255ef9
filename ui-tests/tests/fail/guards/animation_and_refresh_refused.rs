// SVG animations can set any attribute of another element (an `href` to `javascript:`), and
// `<meta http-equiv=refresh>` navigates the page: their values are never taken from Rust.
use nitro::prelude::*;

fn main() {
    let s = String::from("javascript:alert(1)");
    let page = html! {
        svg { a { set attributeName="href" to=(s) {} animate attributeName=(s) values="x" {} } }
        meta http-equiv="refresh" content=(s);
        meta http-equiv=(s) content="0";
    };
    let _: String = page.render().into_string();
    through_data_attr(String::new());
}

// The same through `data-attr`, from Rust or computed in the browser.
fn through_data_attr(s: String) {
    let page = html! {
        @signals("v")
        svg { a { set attributeName="href" data-attr:to=(s) {} animate data-attr:values="$v" {} } }
    };
    let _: String = page.render().into_string();
}
