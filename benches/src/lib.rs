//! Fixtures shared by nitro's benchmarks: the classic template-benchmark inputs.

/// A `size`×`size` table of integers (*big-table*).
pub fn big_table(size: usize) -> Vec<Vec<usize>> {
    (0..size).map(|_| (0..size).collect()).collect()
}

/// One team of the *teams* scenario.
#[derive(Clone, Debug)]
pub struct Team {
    /// The team's name.
    pub name: String,
    /// Its score.
    pub score: u8,
}

/// The *teams* scenario: a year and four teams, the first one the champion.
pub fn teams() -> (u16, Vec<Team>) {
    let teams = [
        ("Jiangsu", 43),
        ("Beijing", 27),
        ("Guangzhou", 22),
        ("Shandong", 12),
    ]
    .into_iter()
    .map(|(name, score)| Team {
        name: name.into(),
        score,
    })
    .collect();
    (2015, teams)
}

/// An element patch of about 10 KB in 200 lines.
pub fn fragment_200_lines() -> String {
    (0..200)
        .map(|i| {
            format!("<li id=\"item-{i:03}\" class=\"row\">Item {i:03} with a little text</li>")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A one-line element patch of about 1 KB (the common case: `html!` output has no newlines).
pub fn fragment_one_line() -> String {
    (0..20)
        .map(|i| format!("<li id=\"m{i:02}\">message number {i:02} ok</li>"))
        .collect()
}

/// About 2 KB of signals.
pub fn signals_2kb() -> std::collections::BTreeMap<String, String> {
    (0..40)
        .map(|i| {
            (
                format!("field{i:02}"),
                format!("value number {i:02} for this field"),
            )
        })
        .collect()
}
