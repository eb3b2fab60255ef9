//! Expressions compose: an `Expr` spliced into `expr!` as code (`{code}`), a route's action
//! spliced, expressions joined with `Expr::then`; what is not proved sealed is refused.

use nitro::prelude::*;

routes! {
    DELETE = DELETE "/todos/{id}",
    SAVE = POST "/notes",
}

#[test]
fn a_route_action_is_spliced_as_code() {
    let e = expr!("confirm({}) && {code}", "Delete?", DELETE.action(7));
    assert_eq!(
        e.as_str(),
        r"confirm((JSON.parse(String.fromCharCode(34,68,101,108,101,116,101,63,34)))) && (@delete('/todos/\x37'))"
    );
}

#[test]
fn spliced_exprs_nest_and_keep_their_values_as_data() {
    let hostile = "'); alert(1); ('";
    let inner = expr!("$name = {}", hostile);
    let outer = expr!("$busy || {code}", inner);
    let twice = expr!("{code} && {code}", outer, Expr::new("$count++"));
    assert_eq!(
        twice.as_str(),
        "($busy || ($name = (JSON.parse(String.fromCharCode(34,39,41,59,32,97,108,101,114,116,40,49,41,59,32,40,39,34))))) && ($count++)"
    );
    // In a template, the composed code is checked like any other `expr!`.
    let page = html! { @signals("busy", "name", "count") button data-on:click=(twice) { "go" } };
    assert!(page
        .render()
        .into_string()
        .contains("data-on:click=\"($busy || ($name ="));
}

#[test]
fn then_joins_statements() {
    let e = expr!("$saving = true")
        .then(SAVE.action())
        .then(Expr::new("$open = false"));
    assert_eq!(e.as_str(), "$saving = true; @post('/notes'); $open = false");
}

#[test]
fn what_is_not_proved_sealed_is_refused() {
    // Statements cannot stand where an expression goes.
    let statements = expr!("$a = 1; $b = 2");
    assert_eq!(expr!("{code}", statements).as_str(), "undefined");
    // `Expr::new` of code that is not plainly one expression: written as `undefined`.
    let slash = Expr::new("$a / 2");
    assert_eq!(expr!("1 + {code}", slash.clone()).as_str(), "1 + undefined");
    assert_eq!(slash.then(Expr::new("$b")).as_str(), "undefined; $b");
    // A `then` is statements: it can be joined again but not spliced.
    let joined = Expr::new("$a").then(Expr::new("$b"));
    assert_eq!(joined.clone().then(Expr::new("$c")).as_str(), "$a; $b; $c");
    assert_eq!(expr!("{code}", joined).as_str(), "undefined");
    // The same code proved by `expr!` is sealed.
    assert_eq!(
        expr!("1 + {code}", expr!("$a / 2")).as_str(),
        "1 + ($a / 2)"
    );
}

/// A hand-written `Render` that cuts the buffer below where the template around it started:
/// the template's size memory does not underflow (before: a panic in debug builds, a huge
/// reservation on the next render in release).
#[test]
fn a_render_that_cuts_the_buffer_does_not_break_the_template() {
    struct Cut;
    impl nitro::Render for Cut {
        fn render_to(&self, buf: &mut String) {
            buf.clear();
            buf.push('x');
        }
    }
    let t = || nitro::html! { div { "some text before" (Cut) } };
    let mut buf = String::from("a long prefix the template does not own");
    nitro::Render::render_to(&t(), &mut buf);
    assert_eq!(buf, "x</div>");
    assert_eq!(t().into_string(), "x</div>");
}
