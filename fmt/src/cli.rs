//! The command line of `nitro-fmt` and `cargo nitro-fmt`.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "\
Formats the html! templates of nitro in Rust source files.

usage: nitro-fmt [--check] [PATH...]
       cargo nitro-fmt [--check] [PATH...]

  PATH      a .rs file, or a directory: every .rs file below it (target/ and hidden
            directories skipped). No PATH: stdin to stdout (for editors); for
            `cargo nitro-fmt`, the current directory.
  --check   change nothing; print the files that would change and exit 1 if any.

Run it after rustfmt. Only whitespace inside html! changes.";

/// Runs the command line `args` (without the program name); `cargo` says whether it was
/// started as `cargo nitro-fmt` (whose first argument, `nitro-fmt`, cargo adds).
pub fn main(args: Vec<String>, cargo: bool) -> ExitCode {
    let mut args = args.into_iter().peekable();
    if cargo && args.peek().map(String::as_str) == Some("nitro-fmt") {
        args.next();
    }
    let mut check = false;
    let mut paths = Vec::new();
    for a in args {
        match a.as_str() {
            "--check" => check = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            s if s.starts_with('-') => {
                eprintln!("nitro-fmt: unknown option `{s}`\n\n{USAGE}");
                return ExitCode::from(2);
            }
            _ => paths.push(PathBuf::from(a)),
        }
    }
    if paths.is_empty() {
        if cargo {
            paths.push(PathBuf::from("."));
        } else {
            return stdin(check);
        }
    }
    let mut files = Vec::new();
    for p in &paths {
        if let Err(e) = collect(p, &mut files) {
            eprintln!("nitro-fmt: {}: {e}", p.display());
            return ExitCode::FAILURE;
        }
    }
    let mut failed = false;
    for f in files {
        match file(&f, check) {
            Ok(changed) => {
                if changed && check {
                    println!("{}", f.display());
                    failed = true;
                }
            }
            Err(e) => {
                eprintln!("nitro-fmt: {}: {e}", f.display());
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn stdin(check: bool) -> ExitCode {
    let mut src = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut src) {
        eprintln!("nitro-fmt: stdin: {e}");
        return ExitCode::FAILURE;
    }
    match format(&src, "<stdin>") {
        Ok(text) if check => {
            if text != src {
                println!("<stdin>");
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Ok(text) => {
            let _ = std::io::stdout().write_all(text.as_bytes());
            ExitCode::SUCCESS
        }
        Err(e) => {
            // An editor gets its text back unchanged.
            eprintln!("nitro-fmt: <stdin>: {e}");
            if !check {
                let _ = std::io::stdout().write_all(src.as_bytes());
            }
            ExitCode::FAILURE
        }
    }
}

/// Formats one file; whether it changed (or would, with `check`).
fn file(path: &Path, check: bool) -> Result<bool, String> {
    let src = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let text = format(&src, &path.display().to_string())?;
    if text == src {
        return Ok(false);
    }
    if !check {
        std::fs::write(path, text).map_err(|e| e.to_string())?;
    }
    Ok(true)
}

fn format(src: &str, name: &str) -> Result<String, String> {
    let out = crate::format_source(src).map_err(|e| {
        let at = e.span().start();
        format!("{}:{}: not valid Rust: {e}", at.line, at.column + 1)
    })?;
    for s in &out.skipped {
        eprintln!(
            "nitro-fmt: {name}:{}: template left as it was: {}",
            s.line, s.reason
        );
    }
    Ok(out.text)
}

/// `path` if it is a file, else every `.rs` file below it, sorted.
fn collect(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if !path.is_dir() {
        std::fs::metadata(path)?;
        out.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<_> = std::fs::read_dir(path)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        let name = e.file_name();
        let name = name.to_string_lossy();
        if p.is_dir() {
            if name != "target" && !name.starts_with('.') {
                collect(&p, out)?;
            }
        } else if name.ends_with(".rs") {
            out.push(p);
        }
    }
    Ok(())
}
