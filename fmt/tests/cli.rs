//! The two binaries: `--check` lists and fails, a run rewrites, stdin goes to stdout, and
//! `cargo nitro-fmt` accepts the `nitro-fmt` argument cargo adds.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

const UNFORMATTED: &str = "fn f() {\n    html!{ ul { li{\"a\"} li{\"b\"} } }\n}\n";
const FORMATTED: &str =
    "fn f() {\n    html! {\n        ul {\n            li { \"a\" }\n            li { \"b\" }\n        }\n    }\n}\n";

fn temp_tree(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nitro-fmt-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src/deep")).unwrap();
    std::fs::create_dir_all(dir.join("target")).unwrap();
    std::fs::write(dir.join("src/deep/page.rs"), UNFORMATTED).unwrap();
    std::fs::write(dir.join("src/done.rs"), FORMATTED).unwrap();
    std::fs::write(dir.join("target/skipped.rs"), UNFORMATTED).unwrap();
    std::fs::write(dir.join("src/notes.txt"), UNFORMATTED).unwrap();
    dir
}

#[test]
fn check_then_format_a_directory() {
    let dir = temp_tree("dir");
    let bin = env!("CARGO_BIN_EXE_nitro-fmt");
    let out = Command::new(bin).arg("--check").arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let listed = String::from_utf8(out.stdout).unwrap();
    assert_eq!(listed.lines().count(), 1, "{listed}");
    assert!(listed.trim_end().ends_with("src/deep/page.rs"), "{listed}");
    assert_eq!(
        std::fs::read_to_string(dir.join("src/deep/page.rs")).unwrap(),
        UNFORMATTED,
        "--check changed a file"
    );

    let out = Command::new(bin).arg(&dir).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        std::fs::read_to_string(dir.join("src/deep/page.rs")).unwrap(),
        FORMATTED
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("target/skipped.rs")).unwrap(),
        UNFORMATTED
    );
    let out = Command::new(bin).arg("--check").arg(&dir).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn stdin_to_stdout() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nitro-fmt"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(UNFORMATTED.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), FORMATTED);
}

#[test]
fn invalid_rust_is_reported() {
    let dir = std::env::temp_dir().join(format!("nitro-fmt-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.rs");
    std::fs::write(&file, "fn f( {").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_nitro-fmt"))
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not valid Rust"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn as_a_cargo_subcommand() {
    let dir = temp_tree("cargo");
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-nitro-fmt"))
        .args(["nitro-fmt", "--check"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let listed = String::from_utf8(out.stdout).unwrap();
    assert!(
        listed.contains("page.rs") && !listed.contains("skipped.rs"),
        "{listed}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
