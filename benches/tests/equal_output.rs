//! Before any timing means anything: every engine renders the same bytes as nitro.

#[path = "../impls/render.rs"]
mod render;

#[test]
fn big_table_is_byte_equal_in_every_engine() {
    let table = nitro_benches::big_table(100);
    let ours = render::nitro_big_table(&table);
    assert!(ours.starts_with("<table><tr><td>0</td><td>1</td>"));
    for (name, f) in render::BIG_TABLE {
        assert_eq!(f(&table), ours, "{name} differs");
    }
    let mut buf = String::from("prefix:");
    render::nitro_big_table_into(&table, &mut buf);
    assert_eq!(buf, format!("prefix:{ours}"));
}

#[test]
fn teams_is_byte_equal_in_every_engine() {
    let (year, teams) = nitro_benches::teams();
    let ours = render::nitro_teams(year, &teams);
    assert_eq!(
        ours,
        "<html><head><title>2015</title></head><body><h1>CSL 2015</h1><ul><li class=\"champion\"><b>Jiangsu</b>: 43</li><li><b>Beijing</b>: 27</li><li><b>Guangzhou</b>: 22</li><li><b>Shandong</b>: 12</li></ul></body></html>"
    );
    for (name, f) in render::TEAMS {
        assert_eq!(f(year, &teams), ours, "{name} differs");
    }
}
