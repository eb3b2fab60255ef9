// `data-attr:KEY` ends in `setAttribute(KEY, value)`: a Datastar attribute set that way is
// compiled by the client like one in the page, so its value (data until then) would run. The
// same holds for a value computed in the browser (`data-attr:KEY="$signal"`), so a key's rules
// apply to literal code too.
use nitro::prelude::*;

fn main() {
    let s = String::from("alert(1)");
    let page = html! {
        @signals("msg")
        div data-attr:data-init=(s) {}
        div data-attr:data-on-intersect=(s) {}
        div data-attr:data-text=(expr!("1")) {}
        div data-attr:data-init="$msg" {}
        button data-attr:onclick="$msg" {}
        script data-attr:src="$msg" {}
        iframe data-attr:srcdoc="$msg" {}
        div data-attr:data-x=(s) data-attr:title="$msg" {}
    };
    let _: String = page.render().into_string();
    object_forms();
}

// The object forms compute names and values in the browser: refused like an `Expr` there.
fn object_forms() {
    let page = html! {
        @signals("msg", "link", "css")
        div data-attr="{'data-init': $msg}" {}
        a data-attr="{href: $link}" {}
        p data-style="{backgroundImage: $css}" {}
    };
    let _: String = page.render().into_string();
}
