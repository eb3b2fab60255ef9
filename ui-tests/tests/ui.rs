//! Every compile error `html!` promises, with its exact message (`fail/**`), and forms that must
//! keep compiling (`pass/`). The `.stderr` files are blessed on the one installed stable
//! toolchain (`TRYBUILD=overwrite cargo test -p nitro-ui-tests`); other compilers word
//! messages differently, so the check only runs on the blessed version.

#[rustversion::attr(not(stable(1.95)), ignore = "stderr is blessed on rustc 1.95 stable")]
#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/fail/*/*.rs");
    t.pass("tests/pass/*.rs");
}
