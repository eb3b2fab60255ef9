//! `#[derive(Signals)]` at run time: partial patches are JSON merge patches, serde renames are
//! the names on the wire, and the same type reads signals back.

use nitro::prelude::*;
use nitro::signals::{Shape, SignalType};
use serde::{Deserialize, Serialize};

#[derive(Signals, Serialize, Deserialize, Default, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
struct Form {
    user_email: String,
    #[serde(rename = "age")]
    years: u8,
}

#[derive(Signals, Serialize, Deserialize, Default, Debug, PartialEq)]
struct Page {
    count: i64,
    form: Form,
    note: Option<String>,
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap()
}

#[test]
fn partial_patches_send_only_what_was_set() {
    assert_eq!(json(&Page::patch()), "{}");
    assert_eq!(json(&Page::patch().count(3)), r#"{"count":3}"#);
    assert_eq!(
        json(
            &Page::patch()
                .form(Form::patch().user_email("a@b"))
                .remove_note()
        ),
        r#"{"form":{"userEmail":"a@b"},"note":null}"#
    );
    assert_eq!(
        json(&Page::patch().note(Some("n".to_owned()))),
        r#"{"note":"n"}"#
    );
    let event = PatchSignals::new(&Page::patch().count(1)).encode().unwrap();
    assert_eq!(
        event,
        "event: datastar-patch-signals\ndata: signals {\"count\":1}\n\n"
    );
}

#[test]
fn shape_uses_serde_names() {
    let Shape::Object(fields) = <Page as SignalType>::SHAPE else {
        panic!()
    };
    let names: Vec<_> = fields.iter().map(|f| f.name).collect();
    assert_eq!(names, ["count", "form", "note"]);
    let Shape::Object(form) = fields[1].shape else {
        panic!()
    };
    let names: Vec<_> = form.iter().map(|f| f.name).collect();
    assert_eq!(names, ["userEmail", "age"]);
}

#[test]
fn the_whole_struct_round_trips_as_signals() {
    let page = Page {
        count: 2,
        form: Form {
            user_email: "x".into(),
            years: 30,
        },
        note: None,
    };
    let text = json(&page);
    assert_eq!(
        text,
        r#"{"count":2,"form":{"userEmail":"x","age":30},"note":null}"#
    );
    let back: Page = serde_json::from_str(&text).unwrap();
    assert_eq!(back, page);
}

ids! { COUNTER = "counter" }

#[test]
fn templates_check_and_render_declared_names() {
    let page = Page::default();
    let t = html! {
        @signals(Page);
        div #(COUNTER) data-signals=(&page) {
            span data-text="$count + $form.userEmail.length" {}
            input data-bind:form.age;
        }
    };
    assert_eq!(
        t.render().into_string(),
        r#"<div id="counter" data-signals="{&quot;count&quot;:0,&quot;form&quot;:{&quot;userEmail&quot;:&quot;&quot;,&quot;age&quot;:0},&quot;note&quot;:null}"><span data-text="$count + $form.userEmail.length"></span><input data-bind:form.age></div>"#
    );
}
