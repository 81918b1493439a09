//! `vigil-worker`: runs background jobs until SIGTERM or SIGINT.

fn main() -> std::process::ExitCode {
    vigil_worker::main_from_env()
}
