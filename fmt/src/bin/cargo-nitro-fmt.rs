//! `cargo nitro-fmt [--check] [PATH...]`: `nitro-fmt` as a cargo subcommand.

fn main() -> std::process::ExitCode {
    nitro_fmt::cli::main(std::env::args().skip(1).collect(), true)
}
