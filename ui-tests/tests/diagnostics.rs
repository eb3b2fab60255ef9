//! The compile errors issue 24 graded D/F, each with the message it gives now
//! (`diagnostics/*.stderr`). Blessed like `ui.rs`: `TRYBUILD=overwrite cargo test -p
//! nitro-ui-tests --test diagnostics` on the one installed stable toolchain.

#[rustversion::attr(not(stable(1.95)), ignore = "stderr is blessed on rustc 1.95 stable")]
#[test]
fn diagnostics() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/diagnostics/*.rs");
}
