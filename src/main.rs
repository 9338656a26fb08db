//! The `digicoop` binary: a thin shell over [`digicoop::commands::main`].

fn main() -> std::process::ExitCode {
    digicoop::commands::main()
}
