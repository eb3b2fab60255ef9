use nitro::prelude::*;

fn main() {
    let page = html! {
        @signals("email");
        input data-bind:email="email";
    };
    let _: String = page.render().into_string();
}
