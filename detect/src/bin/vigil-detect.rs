//! `vigil-detect replay [--rule FILE.yml]... FILE...`: prints the alerts Vigil's built-in
//! rules (and the given rule files) raise on CloudTrail records: log files (gzipped or
//! not), JSON arrays of records, or JSON Lines. See `vigil_detect::replay`.

use std::process::ExitCode;

use vigil_detect::{Rule, builtin, replay};

const USAGE: &str = "usage: vigil-detect replay [--rule FILE.yml]... FILE...";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    if args.next().as_deref() != Some("replay") {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let mut rules: Vec<Rule> = builtin::all().to_vec();
    let mut files = Vec::new();
    while let Some(arg) = args.next() {
        if arg == "--rule" {
            let Some(path) = args.next() else {
                eprintln!("--rule needs a file\n{USAGE}");
                return ExitCode::from(2);
            };
            match std::fs::read_to_string(&path)
                .map_err(|e| e.to_string())
                .and_then(|y| Rule::compile(&y).map_err(|e| e.to_string()))
            {
                Ok(rule) => rules.push(rule),
                Err(e) => {
                    eprintln!("{path}: {e}");
                    return ExitCode::from(2);
                }
            }
        } else {
            files.push(arg);
        }
    }
    if files.is_empty() {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let (mut read, mut raised) = (0, 0);
    for path in &files {
        let records = match std::fs::read(path)
            .map_err(|e| e.to_string())
            .and_then(|b| replay::records(&b))
        {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{path}: {e}");
                return ExitCode::from(2);
            }
        };
        for hit in replay::replay(&rules, &records) {
            println!("{}", replay::describe(&hit, &records[hit.record]));
            raised += usize::from(hit.raises);
        }
        read += records.len();
    }
    println!(
        "{read} records, {raised} alerts (correlations need the account's history and are not replayed)"
    );
    ExitCode::SUCCESS
}
