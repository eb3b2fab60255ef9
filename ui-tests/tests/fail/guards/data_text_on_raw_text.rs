// `data-text` sets an element's text. An empty `<script>` was never started by the parser, so
// text set later starts it: the value runs (seen in Chromium with the real client). A
// `<style>`'s text is a style sheet.
use nitro::prelude::*;

fn main() {
    let s = String::from("alert(1)");
    let page = html! {
        @signals("code")
        script data-text=(s) {}
        SCRIPT data-text="$code" {}
        style data-text=(s) {}
        svg { script data-text=(s) {} }
        p data-text=(s) {}
    };
    let _: String = page.render().into_string();
}
