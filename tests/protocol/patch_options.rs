//! Patch-elements options of Datastar 1.0.2 over real HTTP: `namespace` (inferred at compile
//! time for templates whose top-level elements are all `svg` or all `math`, settable
//! explicitly) and `viewTransitionSelector` (only with `useViewTransition`).

use crate::common;

use axum::{routing::get, Router};
use nitro::prelude::*;
use nitro::sse::Namespace;

fn chart() -> impl IdentifiedElements {
    html! { svg #chart width="50" height="50" { circle #c2 cx="5" cy="5" r="5" {} } }
}

fn formula() -> impl IdentifiedElements {
    html! { math #formula { mi #m1 { "x" } } }
}

#[test]
fn the_namespace_is_inferred_from_the_top_level_elements() {
    fn line(e: impl Event) -> String {
        e.encode().unwrap()
    }
    assert!(line(PatchElements::new(chart())).contains("data: namespace svg\n"));
    assert!(line(PatchElements::new(formula())).contains("data: namespace mathml\n"));
    // Two svg roots, whitespace between: still svg.
    let two = html! {
        svg #a {}
        " "
        svg #b {}
    };
    assert!(line(PatchElements::new(two)).contains("data: namespace svg\n"));
    // Mixed, HTML, or not known at compile time: html, which is not sent.
    let mixed = html! {
        svg #a {}
        div #b {}
    };
    let div = html! { div #a { svg {} } };
    let spliced = html! { (chart()) };
    for e in [
        PatchElements::new(mixed).encode(),
        PatchElements::new(div).encode(),
    ] {
        assert!(!e.unwrap().contains("namespace"));
    }
    assert!(!line(PatchElements::new(spliced)).contains("namespace"));
    // Through a reference, too; and explicit settings win.
    let c = chart();
    assert!(line(PatchElements::new(&c)).contains("data: namespace svg\n"));
    assert!(!line(PatchElements::new(&c).namespace(Namespace::Html)).contains("namespace"));
}

#[tokio::test]
async fn namespace_and_view_transition_selector_over_http() {
    let app = Router::new().route(
        "/patch",
        get(|| async {
            Events::new()
                .with(PatchElements::new(chart()))
                .with(
                    PatchElements::at(
                        Selector::css("#vis"),
                        Mode::Append,
                        PreEscaped("<circle r=\"5\"></circle>"),
                    )
                    .namespace(Namespace::Svg)
                    .use_view_transition(true)
                    .view_transition_selector(Selector::css("#vis")),
                )
                .with(
                    PatchElements::new(PreEscaped("<p id=\"p\">x</p>"))
                        .view_transition_selector(Selector::css("#main")),
                )
        }),
    );
    let base = common::base_url(app).await;
    let body = reqwest::get(format!("{base}/patch"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let events: Vec<&str> = body.split("\n\n").filter(|e| !e.is_empty()).collect();
    assert_eq!(events.len(), 3, "{body}");
    assert!(
        events[0].contains("\ndata: namespace svg\ndata: elements <svg"),
        "{body}"
    );
    assert!(
        events[1].ends_with(
            "data: selector #vis\ndata: mode append\ndata: useViewTransition true\n\
             data: viewTransitionSelector #vis\ndata: namespace svg\n\
             data: elements <circle r=\"5\"></circle>"
        ),
        "{body}"
    );
    // Without useViewTransition the selector is not sent.
    assert_eq!(
        events[2],
        "event: datastar-patch-elements\ndata: elements <p id=\"p\">x</p>"
    );
}
