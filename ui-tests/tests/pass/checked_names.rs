use nitro::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Signals, Serialize, Deserialize, Default)]
struct Form {
    email: String,
    #[serde(rename = "fullName")]
    name: String,
}

#[derive(Signals, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Page {
    count: i64,
    step_size: i64,
    form: Form,
    tags: Vec<String>,
    extra: std::collections::HashMap<String, String>,
    #[serde(skip)]
    #[allow(dead_code)]
    cache: String,
}

ids! { COUNTER = "counter", ROW = "row" }

fn counter(p: &Page) -> impl IdentifiedElements + '_ {
    html! {
        @signals(Page, "clientOnly");
        div #(COUNTER) data-signals=(p) data-computed:double="$count * 2" {
            span data-text="$count + $stepSize + $double" {}
            span data-text="$form.email.trim() + $form.fullName" {}
            span data-show="$tags.length > 0 && $extra.anything" {}
            input data-bind:step-size;
            input data-bind="form.email";
            p data-text="`${$clientOnly}`" {}
            @for i in 0..3u32 { p #(ROW.with(i)) {} }
        }
    }
}

fn main() {
    let p = Page::default();
    let _ = Events::new()
        .with(PatchElements::new(counter(&p)))
        .with(PatchSignals::new(&Page::patch().count(3).step_size(2).form(Form::patch().email("a@b"))))
        .with(PatchSignals::new(&Page::patch().remove_tags()))
        .with(PatchElements::at(COUNTER, Mode::Append, html! { li { "x" } }))
        .with(PatchElements::remove(ROW.with(1)));
}
