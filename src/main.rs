//! The `digicoop` binary: a thin shell over [`digicoop::commands::main`].

// Building the in-memory store at start-up is thousands of small allocations; mimalloc
// makes a cold `digicoop run` markedly faster than the system allocator (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    digicoop::commands::main()
}
