//! Templates written the way maud's book writes them: each construct a maud user brings along,
//! with the HTML it must render.

use nitro::prelude::*;

fn r(t: impl Render) -> String {
    t.render().into_string()
}

#[test]
fn let_in_a_group_ends_with_the_group() {
    let x = 2;
    assert_eq!(r(html! { { @let x = 1; (x) } (x) }), "12");
    // Nested groups shadow and restore in turn.
    assert_eq!(
        r(html! { @let y = "a"; (y) { @let y = "b"; (y) { @let y = "c"; (y) } (y) } (y) }),
        "abcba"
    );
}

#[test]
fn let_in_an_element_body_ends_with_the_element() {
    let x = 2;
    assert_eq!(r(html! { p { @let x = 1; (x) } (x) }), "<p>1</p>2");
}
