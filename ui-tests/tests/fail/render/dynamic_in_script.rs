use nitro::prelude::*;

fn main() {
    let user_code = String::from("alert(1)");
    let page = html! {
        script { (user_code) }
    };
    let _: String = page.render().into_string();
}
