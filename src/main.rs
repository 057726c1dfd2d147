//! `keypair-contract`: parse the command line, call into the library, return the exit code.

use std::process::ExitCode;

use clap::Parser;
use keypair_contract::cli::{Cli, Command};
use keypair_contract::{commands, report};

/// mimalloc, not glibc's malloc: after the emulator had stored tens of thousands of keys, glibc's
/// free lists were fragmented and each later request spent ≈ 10 % of its CPU in `_int_malloc`
/// (DescribeKeyPairs on an empty account fell from ≈ 50 to 70–90 µs of CPU per request; BENCHMARKS.md,
/// "The allocator"). Only the binary: the library leaves the choice to whoever embeds it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_e` indices (mimalloc v3, include/mimalloc.h); the Rust bindings name
/// neither of these two. mimalloc keeps retired options in the enum as `mi_option_deprecated_*` so
/// that the numbers stay put; still, check them against the header (libmimalloc-sys's
/// c_src/mimalloc/v3) when upgrading libmimalloc-sys.
const MI_OPTION_ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Memory freed is given back to the system at once rather than after a delay, and arenas are
/// committed as they are used: with mimalloc's defaults, 200 held 9 MiB bodies left 170 MiB
/// resident after their connections closed; with these, ≈ 25 MiB (`bench --only bodies`).
/// On Linux this runs from `.preinit_array`, before any constructor (mimalloc's own included) and
/// so before the first arena is reserved, which is when the commit option is read.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".preinit_array")]
static RETURN_FREED_MEMORY_PROMPTLY: extern "C" fn() = return_freed_memory_promptly;

extern "C" fn return_freed_memory_promptly() {
    // SAFETY: mi_option_set only stores an option's value; it is safe to call at any time.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0);
        libmimalloc_sys::mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, 0);
    }
}

fn main() -> ExitCode {
    #[cfg(not(target_os = "linux"))]
    return_freed_memory_promptly();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(report::EXIT_USAGE);
        }
    };
    let code = runtime.block_on(async {
        match cli.command {
            Command::Run(args) => commands::run(args).await,
            Command::Serve(args) => commands::serve(args).await,
            Command::Coverage(args) => commands::coverage(args),
            Command::Sweep(args) => commands::sweep(args).await,
            Command::Bench(args) => commands::bench(args).await,
        }
    });
    ExitCode::from(code)
}
