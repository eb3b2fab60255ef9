// `data-bind:NAME__prop.P` sets the element's property `P` (camelCase) to the signal: a
// signal (data, from a user) bound to `innerHTML` or to a script's `text` ran in Chromium.
use nitro::prelude::*;

fn main() {
    let page = html! {
        @signals("msg")
        div data-bind:msg__prop.inner-h-t-m-l {}
        script data-bind:msg__prop.text {}
        iframe data-bind:msg__prop.srcdoc {}
        a data-bind:msg__prop.href {}
        p data-bind:msg__prop.onclick {}
        style data-json-signals {}
        input data-bind:msg__prop.value;
    };
    let _: String = page.render().into_string();
}
