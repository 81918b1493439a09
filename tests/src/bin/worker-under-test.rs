//! The worker process the end-to-end tests start and kill (`vigil-worker` itself, built in
//! this package so that tests can find it through `CARGO_BIN_EXE_worker-under-test`).

fn main() -> std::process::ExitCode {
    vigil_worker::main_from_env()
}
