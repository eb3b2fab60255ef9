use nitro::prelude::*;

struct User {
    name: String,
}

fn main() {
    let user = User { name: "a".into() };
    let page = html! {
        p { (user) }
    };
    let _: String = page.render().into_string();
    let _ = user.name;
}
