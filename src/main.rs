//! The `mcu` binary: everything lives in the library; this only hands over the process exit code.

fn main() -> std::process::ExitCode {
    mcu::cli::main()
}
