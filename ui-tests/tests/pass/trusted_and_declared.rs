// The forms that take the place of what issue 22 refuses.
use nitro::prelude::*;
use nitro::routes::Segment;
use nitro::TrustedUrl;

ids! { COMMENT = "comment" }
routes! { ROOM = GET "/rooms/{room}" }

const WIDGET: TrustedUrl = TrustedUrl::new("https://cdn.example.com/widget.js");

fn main() {
    let from_config = TrustedUrl::from_config(String::from("/static/app.css"));
    let _ = html! {
        script src=(WIDGET) {}
        link rel="stylesheet" href=(from_config);
        li id=(COMMENT.with(7)) {}
        li id=(DynId::new(format!("c-{}", 8))) {}
        li data-attr:id=(COMMENT) {}
    };
    let room = Segment::new(String::from("lobby")).unwrap();
    let _: String = ROOM.path(&room);
    let _: Expr = ROOM.action(room);
    let _: Expr = expr!("$name.replace(/\"/g, '') + {}", "v");
}
