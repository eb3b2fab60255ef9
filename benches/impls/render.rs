//! The *big-table* and *teams* templates in every engine, each a function returning a `String`.
//! Included by `benches/render.rs` and `tests/equal_output.rs`.

use nitro_benches::Team;

pub fn nitro_big_table(table: &[Vec<usize>]) -> String {
    use nitro::prelude::*;
    html! { table { @for row in table { tr { @for col in row { td { (col) } } } } } }
        .render()
        .into_string()
}

pub fn nitro_big_table_into(table: &[Vec<usize>], buf: &mut String) {
    use nitro::prelude::*;
    html! { table { @for row in table { tr { @for col in row { td { (col) } } } } } }.render_to(buf)
}

pub fn nitro_teams(year: u16, teams: &[Team]) -> String {
    use nitro::prelude::*;
    html! {
        html {
            head { title { (year) } }
            body {
                h1 { "CSL " (year) }
                ul {
                    @for (i, team) in teams.iter().enumerate() {
                        li.champion[i == 0] { b { (team.name) } ": " (team.score) }
                    }
                }
            }
        }
    }
    .render()
    .into_string()
}

pub fn maud_big_table(table: &[Vec<usize>]) -> String {
    maud::html! { table { @for row in table { tr { @for col in row { td { (col) } } } } } }
        .into_string()
}

pub fn maud_teams(year: u16, teams: &[Team]) -> String {
    // maud writes `class=""` for a toggled-off class, so the champion is an `@if` here.
    maud::html! {
        html {
            head { title { (year) } }
            body {
                h1 { "CSL " (year) }
                ul {
                    @for (i, team) in teams.iter().enumerate() {
                        @if i == 0 {
                            li.champion { b { (team.name) } ": " (team.score) }
                        } @else {
                            li { b { (team.name) } ": " (team.score) }
                        }
                    }
                }
            }
        }
    }
    .into_string()
}

pub fn hypertext_big_table(table: &[Vec<usize>]) -> String {
    use hypertext::prelude::*;
    maud! { table { @for row in table { tr { @for col in row { td { (col) } } } } } }
        .render()
        .into_inner()
}

pub fn hypertext_teams(year: u16, teams: &[Team]) -> String {
    use hypertext::prelude::*;
    maud! {
        html {
            head { title { (year) } }
            body {
                h1 { "CSL " (year) }
                ul {
                    @for (i, team) in teams.iter().enumerate() {
                        @if i == 0 {
                            li.champion { b { (team.name) } ": " (team.score) }
                        } @else {
                            li { b { (team.name) } ": " (team.score) }
                        }
                    }
                }
            }
        }
    }
    .render()
    .into_inner()
}

#[derive(sailfish::TemplateOnce)]
#[template(path = "big-table.stpl")]
struct SailfishBigTable<'a> {
    table: &'a [Vec<usize>],
}

pub fn sailfish_big_table(table: &[Vec<usize>]) -> String {
    use sailfish::TemplateOnce;
    SailfishBigTable { table }.render_once().unwrap()
}

#[derive(sailfish::TemplateOnce)]
#[template(path = "teams.stpl")]
struct SailfishTeams<'a> {
    year: u16,
    teams: &'a [Team],
}

pub fn sailfish_teams(year: u16, teams: &[Team]) -> String {
    use sailfish::TemplateOnce;
    SailfishTeams { year, teams }.render_once().unwrap()
}

#[derive(askama::Template)]
#[template(
    source = "<table>{% for row in table %}<tr>{% for col in row %}<td>{{ col }}</td>{% endfor %}</tr>{% endfor %}</table>",
    ext = "html"
)]
struct AskamaBigTable<'a> {
    table: &'a [Vec<usize>],
}

pub fn askama_big_table(table: &[Vec<usize>]) -> String {
    askama::Template::render(&AskamaBigTable { table }).unwrap()
}

#[derive(askama::Template)]
#[template(
    source = "<html><head><title>{{ year }}</title></head><body><h1>CSL {{ year }}</h1><ul>{% for team in teams %}<li{% if loop.first %} class=\"champion\"{% endif %}><b>{{ team.name }}</b>: {{ team.score }}</li>{% endfor %}</ul></body></html>",
    ext = "html"
)]
struct AskamaTeams<'a> {
    year: u16,
    teams: &'a [Team],
}

pub fn askama_teams(year: u16, teams: &[Team]) -> String {
    askama::Template::render(&AskamaTeams { year, teams }).unwrap()
}

/// Renders *big-table*.
pub type BigTableFn = fn(&[Vec<usize>]) -> String;
/// Renders *teams*.
pub type TeamsFn = fn(u16, &[Team]) -> String;

/// Every engine's big-table renderer, ours first.
pub const BIG_TABLE: &[(&str, BigTableFn)] = &[
    ("nitro", nitro_big_table),
    ("sailfish", sailfish_big_table),
    ("maud", maud_big_table),
    ("hypertext", hypertext_big_table),
    ("askama", askama_big_table),
];

/// Every engine's teams renderer, ours first.
pub const TEAMS: &[(&str, TeamsFn)] = &[
    ("nitro", nitro_teams),
    ("sailfish", sailfish_teams),
    ("maud", maud_teams),
    ("hypertext", hypertext_teams),
    ("askama", askama_teams),
];
