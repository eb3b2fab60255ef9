//! `nitro-fmt [--check] [PATH...]`: see the crate docs.

fn main() -> std::process::ExitCode {
    nitro_fmt::cli::main(std::env::args().skip(1).collect(), false)
}
