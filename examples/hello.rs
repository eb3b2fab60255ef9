//! Renders a small component and prints it. Run with `cargo run --example hello`.

use nitro::prelude::*;

ids! { TODO = "todo", TODOS = "todos" }

struct Todo {
    id: u32,
    text: String,
    done: bool,
}

fn todo_item(t: &Todo) -> impl IdentifiedElements + '_ {
    html! {
        li #(TODO.with(t.id)) .done[t.done] {
            input type="checkbox" checked[t.done]
                data-on:change=(expr!("@post('/todos/toggle/{}')", t.id));
            span { (t.text) }
        }
    }
}

fn page<'a>(title: &'a str, todos: &'a [Todo]) -> impl Render + 'a {
    html! {
        !DOCTYPE
        html lang="en" {
            head { meta charset="utf-8"; title { (title) } }
            body data-signals=(serde_json::json!({ "filter": "" })) {
                h1 { (title) }
                @if todos.is_empty() {
                    p.empty { "Nothing to do." }
                } @else {
                    ul #(TODOS) { @for t in todos { (todo_item(t)) } }
                }
                p { (todos.iter().filter(|t| t.done).count()) " of " (todos.len()) " done" }
            }
        }
    }
}

fn main() {
    let todos = vec![
        Todo {
            id: 1,
            text: "Write <html!>".into(),
            done: true,
        },
        Todo {
            id: 2,
            text: "Ship \"nitro\"".into(),
            done: false,
        },
    ];
    println!("{}", page("My todos", &todos).render());
}
