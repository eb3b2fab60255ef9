//! Datastar attribute keys, modifiers and expressions render exactly, and spliced values are
//! JSON-encoded rather than pasted as code.

use nitro::prelude::*;
use serde::Serialize;

fn r(t: impl Render) -> String {
    t.render().into_string()
}

#[test]
fn keys_and_modifiers_render_as_written() {
    assert_eq!(
        r(html! { button data-on:click__debounce.500ms="@post('/inc')" { "+" } }),
        r#"<button data-on:click__debounce.500ms="@post('/inc')">+</button>"#
    );
    assert_eq!(
        r(html! {
            @signals("k");
            div data-on:keydown__window__throttle.1s.noleading="$k = evt.key" {}
        }),
        r#"<div data-on:keydown__window__throttle.1s.noleading="$k = evt.key"></div>"#
    );
    assert_eq!(
        r(html! { @signals("email"); input data-bind:email; }),
        r#"<input data-bind:email>"#
    );
    assert_eq!(
        r(html! { @signals("email"); input data-bind="email"; }),
        r#"<input data-bind="email">"#
    );
    assert_eq!(
        r(html! { div data-signals:form.name="'x'" {} }),
        r#"<div data-signals:form.name="'x'"></div>"#
    );
    // Literal code whose result becomes a URL or CSS is wrapped in the guard an `Expr` gets
    // there: the result (a signal's value) is data.
    let escaped = |js: &str| {
        let mut out = String::new();
        nitro::escape::attribute(js, &mut out);
        out
    };
    let url_guard = escaped(nitro::__private::URL_GUARD_JS);
    let css_guard = escaped(nitro::__private::CSS_GUARD_JS);
    assert_eq!(
        r(html! { @signals("url"); a data-attr:href="$url" {} }),
        format!(r#"<a data-attr:href="{url_guard}$url)"></a>"#)
    );
    assert_eq!(
        r(html! { @signals("on", "c"); p data-class:active="$on" data-style:color="$c" {} }),
        format!(r#"<p data-class:active="$on" data-style:color="{css_guard}$c)"></p>"#)
    );
    assert_eq!(
        r(html! {
            @signals("a", "b");
            p data-computed:total="$a + $b" data-indicator:loading data-ref:el {}
        }),
        r#"<p data-computed:total="$a + $b" data-indicator:loading data-ref:el></p>"#
    );
    assert_eq!(
        r(html! {
            @signals("x", "y", "z");
            p data-show="$x" data-text="$y" data-effect="$z = 1" data-init="@get('/s')" {}
        }),
        r#"<p data-show="$x" data-text="$y" data-effect="$z = 1" data-init="@get('/s')"></p>"#
    );
    assert_eq!(
        r(html! {
            @signals("t");
            div data-on-intersect__once__half="@get('/more')"
                data-on-interval__duration.2s.leading="$t++" {}
        }),
        r#"<div data-on-intersect__once__half="@get('/more')" data-on-interval__duration.2s.leading="$t++"></div>"#
    );
    assert_eq!(
        r(html! { div data-ignore data-ignore-morph data-preserve-attr="open class" {} }),
        r#"<div data-ignore data-ignore-morph data-preserve-attr="open class"></div>"#
    );
    assert_eq!(
        r(html! { pre data-json-signals__terse {} }),
        r#"<pre data-json-signals__terse></pre>"#
    );
    assert_eq!(
        r(html! {
            div data-on-signal-patch="console.log(patch)"
                data-on-signal-patch-filter="{include: /^x/}" {}
        }),
        r#"<div data-on-signal-patch="console.log(patch)" data-on-signal-patch-filter="{include: /^x/}"></div>"#
    );
    assert_eq!(
        r(html! { div data-signals:user-name__case.kebab__ifmissing="1" {} }),
        r#"<div data-signals:user-name__case.kebab__ifmissing="1"></div>"#
    );
}

#[derive(Serialize)]
struct Counter {
    count: i64,
    label: String,
}

#[test]
fn spliced_values_are_json_then_attribute_escaped() {
    let c = Counter {
        count: 3,
        label: "it's \"x\" </div>".into(),
    };
    assert_eq!(
        r(html! { div data-signals=(&c) {} }),
        r#"<div data-signals="{&quot;count&quot;:3,&quot;label&quot;:&quot;it\u0027s \u0022x\u0022 \u003c\u002fdiv\u003e&quot;}"></div>"#
    );
    // User input in an expression attribute is a JS string literal, never code.
    let evil = "'); alert(1); ('";
    assert_eq!(
        r(html! { p data-text=(evil) {} }),
        r#"<p data-text="&quot;\u0027)\u003b alert(1)\u003b (\u0027&quot;"></p>"#
    );
    assert_eq!(
        r(html! { p data-show=(true) data-class:on=(false) {} }),
        r#"<p data-show="true" data-class:on="false"></p>"#
    );
    let opt: Option<i32> = Some(4);
    assert_eq!(
        r(html! { p data-signals:n=[opt] {} }),
        r#"<p data-signals:n="4"></p>"#
    );
}

#[test]
fn expr_values_are_code_with_escaped_values() {
    let id = "7'); x('";
    let e = expr!("@delete('/todos/{}')", id);
    assert_eq!(
        r(html! { button data-on:click=(e) { "x" } }),
        r#"<button data-on:click="@delete(&#x27;/todos/\x37\x27\x29\x3b\x20\x78\x28\x27&#x27;)">x</button>"#
    );
    let e = expr!("@delete('/todos/{}')", id);
    let e = &e;
    let by_ref = r(html! { button data-on:click=(e) { "x" } });
    assert_eq!(by_ref, r(html! { button data-on:click=(&e) { "x" } }));
    assert!(by_ref.contains("@delete(&#x27;/todos/\\x37"), "{by_ref}");
}
