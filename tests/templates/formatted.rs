//! `nitro-fmt` changes no rendered byte: the same templates written unformatted (`before`,
//! which `#[rustfmt::skip]` keeps as it is from both rustfmt and nitro-fmt) and as nitro-fmt
//! writes them (`after`; `fmt/tests/render_pairs.rs` checks that formatting `before` gives
//! exactly `after`) render the same bytes.

#[rustfmt::skip]
mod before {
    use nitro::prelude::*;

    pub fn page(title: &str, items: &[(u32, &str)], admin: bool) -> String {
        let t = html!{ !DOCTYPE html lang="en"{head{meta charset="utf-8";title{(title)}}
        body   .page.wide  #main-body   data-signals:count="0" {
            // a comment inside the template
            h1 .title[admin] title = "it's" {(title) " & co"}
            ul{ @for (n, (id, name)) in items.iter().enumerate() {
                li .odd[n % 2 == 1] "data-index"=(id) {  /* block comment */ (name) ; } } }
            @if items.is_empty() { p{"none"} } @else if admin { p { "admin" } span { "!" } } @else { "" }
            @match items.len() { 0 => "zero", 1 => { em{"one"} } _ => strong { "many" }, }
            @let total: u32 = items.iter().map(|(id, _)| id).sum();
            p title=[Some("t")] hidden[!admin] class={ "c-" (total) } { "total " (total) }
            input type="checkbox" checked?[admin] ;
            button data-on:click__debounce.500ms="$count++" { (format!(
                "{} items",
                items.len()
            )) }
        } } };
        t.render().into_string()
    }

    pub fn small(x: i32) -> String {
        let t = html!(span.a.b{(x)}  ; br; "tail";;);
        t.render().into_string()
    }
}

mod after {
    use nitro::prelude::*;

    pub fn page(title: &str, items: &[(u32, &str)], admin: bool) -> String {
        let t = html! {
            !DOCTYPE
            html lang="en" {
                head { meta charset="utf-8"; title { (title) } }
                body.page.wide #main-body data-signals:count="0" {
                    // a comment inside the template
                    h1.title[admin] title="it's" { (title) " & co" }
                    ul {
                        @for (n, (id, name)) in items.iter().enumerate() {
                            li.odd[n % 2 == 1] "data-index"=(id) {
                                /* block comment */
                                (name) ;
                            }
                        }
                    }
                    @if items.is_empty() {
                        p { "none" }
                    } @else if admin {
                        p { "admin" }
                        span { "!" }
                    } @else {
                        ""
                    }
                    @match items.len() {
                        0 => "zero",
                        1 => { em { "one" } }
                        _ => strong { "many" },
                    }
                    @let total: u32 = items.iter().map(|(id, _)| id).sum();
                    p title=[Some("t")] hidden[!admin] class={ "c-" (total) } { "total " (total) }
                    input type="checkbox" checked?[admin];
                    button data-on:click__debounce.500ms="$count++" {
                        (format!(
                            "{} items",
                            items.len()
                        ))
                    }
                }
            }
        };
        t.render().into_string()
    }

    pub fn small(x: i32) -> String {
        let t = html!(span.a.b { (x) } ; br; "tail";;);
        t.render().into_string()
    }
}

#[test]
fn formatted_templates_render_the_same_bytes() {
    for (items, admin) in [
        (&[][..], false),
        (&[(1, "a<b"), (2, "it's")][..], true),
        (&[(7, "x")][..], false),
    ] {
        let b = before::page("T & t", items, admin);
        assert!(b.contains("<!DOCTYPE html>"), "{b}");
        assert_eq!(b, after::page("T & t", items, admin));
    }
    assert_eq!(before::small(3), after::small(3));
    assert_eq!(before::small(3), r#"<span class="a b">3</span><br>tail"#);
}
