//! `cargo xtask test`: every check CI runs, in order, stopping at the first failure.

use crate::bench;
use crate::leftovers;
use crate::postgres::{self, Cluster};
use crate::setup::{self, CHROMEDRIVER, CHROMIUM, WASM_TARGET};
use crate::util::{check_status, fail, mmss, Cmd, Ctx, Failure, Result};
use crate::CONSOLE_RUSTFLAGS;
use std::io::{Read, Write};
use std::process::Stdio;
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

enum Work {
    Layers,
    Setup,
    BuildWidget,
    BuildConsole,
    /// Starts the throw-away PostgreSQL cluster the test steps after it get the URL of.
    StartPostgres,
    /// Stops it (on failure or interrupt its guard does).
    StopPostgres,
    /// `cargo test`: output is copied through and its `test result:` lines are counted.
    Tests(Cmd),
    Sizes,
    Command(Cmd),
}

struct Step {
    name: &'static str,
    /// How to rerun just this step.
    rerun: String,
    work: Work,
}

pub struct StepResult {
    pub name: String,
    pub took: Duration,
    pub ok: bool,
}

/// Totals of cargo test's `test result:` lines.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Counts {
    pub passed: u64,
    pub failed: u64,
    pub ignored: u64,
    /// How many result lines were seen.
    pub results: u64,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.ignored += other.ignored;
        self.results += other.results;
    }
}

/// The wasm-bindgen tests of a front-end crate, in headless Chromium.
fn wasm_tests(package: &str) -> Cmd {
    Cmd::new(
        "cargo",
        &[
            "test",
            "-p",
            package,
            "--target",
            WASM_TARGET,
            "--profile",
            "wasm-test",
        ],
    )
    .env("CHROMEDRIVER", CHROMEDRIVER)
    .env("WASM_BINDGEN_TEST_TIMEOUT", "120")
}

/// Clippy on wasm32 for a front-end crate (what it is built for).
fn wasm_clippy(package: &str) -> Cmd {
    Cmd::new(
        "cargo",
        &[
            "clippy",
            "-p",
            package,
            "--target",
            WASM_TARGET,
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    )
}

fn steps(ctx: &Ctx) -> Vec<Step> {
    let dist = ctx.root.join("dist").display().to_string();
    // The widget's and the console's logic tests run natively too; their browser tests
    // are the wasm steps.
    let native = Cmd::new("cargo", &["test", "--workspace"])
        .env("CANAL_DIST", dist)
        .env("CHROMEDRIVER", CHROMEDRIVER)
        .env("CHROMIUM", CHROMIUM)
        .env(
            "AXE_CORE_JS",
            setup::axe_core_js(&ctx.root).display().to_string(),
        );
    // The same server API tests (and the SIGKILL durability test) on PostgreSQL: each
    // test makes its own database on the throw-away cluster.
    let api_postgres = Cmd::new("cargo", &["test", "-p", "canal-server", "--test", "api"])
        .env("CANAL_TEST_STORE", "postgres");
    let wasm = wasm_tests("canal-widget");
    // The console's wasm steps compile it as it ships (see CONSOLE_RUSTFLAGS).
    let wasm_console = wasm_tests("canal-console").env(CONSOLE_RUSTFLAGS.0, CONSOLE_RUSTFLAGS.1);
    // The stand-in for wasm-streams (patches/, see the root Cargo.toml) against real JS
    // streams; its tests only exist on wasm32.
    let wasm_streams = wasm_tests("wasm-streams");
    let fmt = Cmd::new("cargo", &["fmt", "--all", "--", "--check"]);
    // The front ends are checked on wasm32, the target they are built for.
    let clippy = Cmd::new(
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--exclude",
            "canal-widget",
            "--exclude",
            "canal-console",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    );
    let clippy_wasm = wasm_clippy("canal-widget");
    let clippy_console = wasm_clippy("canal-console").env(CONSOLE_RUSTFLAGS.0, CONSOLE_RUSTFLAGS.1);
    let clippy_streams = wasm_clippy("wasm-streams");
    vec![
        // Seconds, not minutes: a formatting slip fails before the long steps.
        Step {
            name: "rustfmt",
            rerun: format!("{fmt}   (fix with: cargo fmt --all)"),
            work: Work::Command(fmt),
        },
        Step {
            name: "layers",
            rerun: "cargo xtask layers".into(),
            work: Work::Layers,
        },
        Step {
            name: "setup --browser --postgres",
            rerun: "cargo xtask setup --browser --postgres".into(),
            work: Work::Setup,
        },
        Step {
            name: "build-widget",
            rerun: "cargo xtask build-widget".into(),
            work: Work::BuildWidget,
        },
        // After the widget: its build empties dist/.
        Step {
            name: "build-console",
            rerun: "cargo xtask build-console".into(),
            work: Work::BuildConsole,
        },
        Step {
            name: "PostgreSQL test cluster",
            rerun: "cargo xtask pg".into(),
            work: Work::StartPostgres,
        },
        Step {
            name: "tests (server, protocol, widget and console logic, e2e, xtask)",
            rerun: with_postgres(&native),
            work: Work::Tests(native),
        },
        Step {
            name: "server API tests on PostgreSQL",
            rerun: with_postgres(&api_postgres),
            work: Work::Tests(api_postgres),
        },
        Step {
            name: "widget tests (wasm, Chromium)",
            rerun: with_postgres(&wasm),
            work: Work::Tests(wasm),
        },
        Step {
            name: "console tests (wasm, Chromium)",
            rerun: with_postgres(&wasm_console),
            work: Work::Tests(wasm_console),
        },
        Step {
            name: "wasm-streams stand-in tests (wasm, Chromium)",
            rerun: with_postgres(&wasm_streams),
            work: Work::Tests(wasm_streams),
        },
        Step {
            name: "stop the PostgreSQL cluster",
            rerun: "cargo xtask test".into(),
            work: Work::StopPostgres,
        },
        Step {
            name: "size budgets",
            rerun: "cargo xtask bench --no-build sizes".into(),
            work: Work::Sizes,
        },
        Step {
            name: "clippy",
            rerun: clippy.to_string(),
            work: Work::Command(clippy),
        },
        Step {
            name: "clippy (widget, wasm)",
            rerun: clippy_wasm.to_string(),
            work: Work::Command(clippy_wasm),
        },
        Step {
            name: "clippy (console, wasm)",
            rerun: clippy_console.to_string(),
            work: Work::Command(clippy_console),
        },
        Step {
            name: "clippy (wasm-streams stand-in, wasm)",
            rerun: clippy_streams.to_string(),
            work: Work::Command(clippy_streams),
        },
    ]
}

/// How to rerun a test step by hand: it needs a cluster's URL.
fn with_postgres(cmd: &Cmd) -> String {
    format!(
        "cargo xtask pg   (in another terminal), then with the {} it prints:\n      {cmd}",
        postgres::URL_ENV
    )
}

pub fn test(ctx: &Ctx) -> Result {
    let steps = steps(ctx);
    let run = leftovers::run_id();
    let n = steps.len();
    let mut results: Vec<StepResult> = Vec::new();
    let mut counts = Counts::default();
    let mut test_steps_counted = true;
    // Dropped on every way out of here (a failed step, an error, a panic): that stops it.
    let mut cluster: Option<Cluster> = None;

    for (i, step) in steps.iter().enumerate() {
        if postgres::interrupted() {
            return Err(fail("interrupted", "rerun when ready: cargo xtask test"));
        }
        let detail = match &step.work {
            Work::Tests(cmd) | Work::Command(cmd) => format!(" ({cmd})"),
            _ => String::new(),
        };
        ctx.step(&format!("[{}/{n}] {}{detail}", i + 1, step.name));
        let started = Instant::now();
        let outcome = match &step.work {
            Work::Layers => crate::layers::run(&ctx.root),
            Work::Setup => setup::setup(
                ctx,
                setup::Options {
                    browser: true,
                    postgres: true,
                    dry_run: false,
                },
            ),
            Work::BuildWidget => crate::build_widget(ctx),
            Work::BuildConsole => crate::build_console(ctx),
            Work::StartPostgres => start_postgres(ctx).map(|c| cluster = Some(c)),
            Work::StopPostgres => match cluster.take() {
                Some(mut c) => c.stop().map(drop),
                None => Ok(()),
            },
            Work::Sizes => bench::select(&["sizes".to_string()]).and_then(|b| bench::run(ctx, &b)),
            Work::Command(cmd) => ctx.run(cmd, ""),
            Work::Tests(cmd) => {
                let cmd = match &cluster {
                    Some(c) => cmd.clone().env(postgres::URL_ENV, c.url()),
                    None => cmd.clone(),
                };
                let (outcome, c) = run_counting(ctx, &cmd, &run);
                if c.results == 0 {
                    test_steps_counted = false;
                }
                counts.add(c);
                outcome
                    .and_then(|()| some_tests_ran(c))
                    .and_then(|()| no_leftovers(&cmd, &run))
            }
        };
        results.push(StepResult {
            name: step.name.to_string(),
            took: started.elapsed(),
            ok: outcome.is_ok(),
        });
        if let Err(err) = outcome {
            println!();
            print!("{}", summary(&results, ctx.elapsed()));
            if counts.results > 0 {
                println!(
                    "so far: {} passed, {} failed, {} ignored",
                    counts.passed, counts.failed, counts.ignored
                );
            }
            return Err(Failure {
                message: format!("step {}/{n} `{}` failed: {}", i + 1, step.name, err.message),
                hint: Some(format!(
                    "{}rerun just this step: {}\n      then everything: cargo xtask test",
                    err.hint
                        .filter(|h| !h.is_empty())
                        .map(|h| format!("{h}\n      "))
                        .unwrap_or_default(),
                    step.rerun
                )),
            });
        }
    }

    println!();
    print!("{}", summary(&results, ctx.elapsed()));
    if test_steps_counted {
        println!(
            "{} passed, {} failed, {} ignored (summed over {} `test result:` lines)",
            counts.passed, counts.failed, counts.ignored, counts.results
        );
    }
    ctx.step("all checks passed");
    Ok(())
}

/// PostgreSQL installed by the setup step; a fresh cluster whose URL the test steps get.
fn start_postgres(ctx: &Ctx) -> Result<Cluster> {
    let pg = postgres::check(ctx).ok_or_else(|| {
        fail(
            "PostgreSQL is missing after the setup step",
            "run: cargo xtask setup --postgres",
        )
    })?;
    postgres::catch_interrupts()?;
    Cluster::start(ctx, &pg, "test")
}

/// A step that expects tests fails when none ran (a filter, a harness or target
/// change can make `cargo test` succeed while running nothing).
pub fn some_tests_ran(counts: Counts) -> Result {
    if counts.passed + counts.failed > 0 {
        Ok(())
    } else {
        Err(fail(
            format!(
                "no test ran ({} `test result:` lines, {} ignored)",
                counts.results, counts.ignored
            ),
            "a step that runs tests must run at least one: check the command's target and filters",
        ))
    }
}

/// Fails when a process started by the step (marked with this run's id) still runs
/// after it: a browser, driver or server a test did not stop. Those are killed.
fn no_leftovers(cmd: &Cmd, run: &str) -> Result {
    let left = leftovers::reap(run, leftovers::GRACE);
    if left.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = left
        .iter()
        .map(|l| format!("{} (pid {})", l.name, l.pid))
        .collect();
    Err(Failure {
        message: format!(
            "`{cmd}` left {} process(es) running: {} (killed now)",
            left.len(),
            names.join(", ")
        ),
        hint: Some(
            "a test started a browser or server it did not stop; each must end what it \
             starts (tests/src/lib.rs: Browser kills its process group on drop)"
                .into(),
        ),
    })
}

/// Runs cargo test with its stdout copied to ours as it comes, counting `test result:` lines.
/// Its processes carry this run's mark (see [`leftovers`]).
fn run_counting(ctx: &Ctx, cmd: &Cmd, run: &str) -> (Result, Counts) {
    let counts = Arc::new(Mutex::new(Counts::default()));
    let mut command = ctx.command(cmd);
    command.env(leftovers::MARK, run);
    let mut child = match command.stdout(Stdio::piped()).spawn() {
        Ok(c) => c,
        Err(e) => return (check_status(cmd, Err(e), ""), Counts::default()),
    };
    let (done_tx, done_rx) = mpsc::channel();
    if let Some(mut stdout) = child.stdout.take() {
        let counts = Arc::clone(&counts);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            let mut line = Vec::new();
            let mut out = std::io::stdout();
            loop {
                let n = match stdout.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                let _ = out.write_all(&buf[..n]);
                let _ = out.flush();
                for &b in &buf[..n] {
                    if b == b'\n' {
                        if let Some(c) = parse_result_line(&String::from_utf8_lossy(&line)) {
                            if let Ok(mut total) = counts.lock() {
                                total.add(c);
                            }
                        }
                        line.clear();
                    } else {
                        line.push(b);
                    }
                }
            }
            let _ = done_tx.send(());
        });
    }
    let status = child.wait();
    // The pipe closes when the last process holding it exits; a test that leaks a server keeps
    // it open, so do not wait for that forever.
    if done_rx.recv_timeout(Duration::from_secs(10)).is_err() {
        println!(
            "warning: something started by `{}` still holds its output open after it exited \
             (a leaked server or browser?)",
            cmd
        );
    }
    let counts = counts.lock().map(|c| *c).unwrap_or_default();
    (check_status(cmd, status, ""), counts)
}

/// `test result: ok. 3 passed; 0 failed; 1 ignored; ...` -> counts (ANSI colours ignored).
pub fn parse_result_line(line: &str) -> Option<Counts> {
    let line = strip_ansi(line);
    let rest = line.trim().strip_prefix("test result:")?;
    let mut counts = Counts {
        results: 1,
        ..Counts::default()
    };
    for part in rest.split(';') {
        let mut words = part.split_whitespace().rev();
        let (Some(label), Some(number)) = (words.next(), words.next()) else {
            continue;
        };
        let Ok(number) = number.parse::<u64>() else {
            continue;
        };
        match label {
            "passed" => counts.passed = number,
            "failed" => counts.failed = number,
            "ignored" => counts.ignored = number,
            _ => {}
        }
    }
    Some(counts)
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ params final-byte
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The table printed at the end: each step's time and result, then the wall time.
pub fn summary(results: &[StepResult], total: Duration) -> String {
    let width = results
        .iter()
        .map(|r| r.name.len())
        .max()
        .unwrap_or(0)
        .max("total".len());
    let mut out = format!("{:<width$}  {:>6}  result\n", "step", "time");
    for r in results {
        out += &format!(
            "{:<width$}  {:>6}  {}\n",
            r.name,
            mmss(r.took),
            if r.ok { "ok" } else { "FAILED" }
        );
    }
    out += &format!("{:<width$}  {:>6}\n", "total", mmss(total));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_cargo_test_result_lines() {
        let c = parse_result_line(
            "test result: ok. 12 passed; 0 failed; 3 ignored; 0 measured; 0 filtered out; \
             finished in 0.52s",
        );
        assert_eq!(
            c,
            Some(Counts {
                passed: 12,
                failed: 0,
                ignored: 3,
                results: 1
            })
        );
        let failed = parse_result_line("test result: FAILED. 1 passed; 2 failed; 0 ignored")
            .expect("parsed");
        assert_eq!((failed.passed, failed.failed), (1, 2));
        let coloured = parse_result_line("test result: \u{1b}[32mok\u{1b}[0m. 4 passed; 0 failed")
            .expect("parsed");
        assert_eq!(coloured.passed, 4);
        assert_eq!(parse_result_line("running 3 tests"), None);
        assert_eq!(parse_result_line("test foo ... ok"), None);
    }

    #[test]
    fn a_test_step_that_ran_no_test_fails() {
        let none =
            parse_result_line("test result: ok. 0 passed; 0 failed; 0 ignored").expect("parsed");
        assert!(some_tests_ran(none).is_err());
        assert!(
            some_tests_ran(Counts::default()).is_err(),
            "no result line at all"
        );
        let only_ignored =
            parse_result_line("test result: ok. 0 passed; 0 failed; 4 ignored").expect("parsed");
        assert!(some_tests_ran(only_ignored).is_err());
        let mut ran = none;
        ran.add(parse_result_line("test result: ok. 3 passed; 0 failed").expect("parsed"));
        assert!(some_tests_ran(ran).is_ok());
    }

    #[test]
    fn the_console_is_built_after_the_widget_and_checked_on_wasm() {
        let steps = steps(&Ctx::new());
        let at = |name: &str| {
            steps
                .iter()
                .position(|s| s.name == name)
                .unwrap_or_else(|| panic!("no step {name}"))
        };
        // The widget's build empties dist/; the native tests serve dist/console/.
        assert!(at("build-widget") < at("build-console"));
        // Every test step runs while the PostgreSQL cluster does; nothing else does.
        let tests: Vec<usize> = (0..steps.len())
            .filter(|&i| matches!(steps[i].work, Work::Tests(_)))
            .collect();
        assert!(tests.len() >= 4);
        assert!(tests
            .iter()
            .all(|&i| at("PostgreSQL test cluster") < i && i < at("stop the PostgreSQL cluster")));
        assert_eq!(at("PostgreSQL test cluster") + 1, tests[0]);
        assert_eq!(
            at("stop the PostgreSQL cluster"),
            tests[tests.len() - 1] + 1
        );
        assert!(steps[tests[0]].rerun.contains("cargo xtask pg"));
        assert!(
            at("build-console")
                < at("tests (server, protocol, widget and console logic, e2e, xtask)")
        );
        let command = |name: &str| match &steps[at(name)].work {
            Work::Command(cmd) | Work::Tests(cmd) => cmd.to_string(),
            _ => String::new(),
        };
        assert!(command("clippy").contains("--exclude canal-console"));
        // The accessibility tests get the axe-core that `setup --browser` installed.
        let native = command("tests (server, protocol, widget and console logic, e2e, xtask)");
        assert!(
            native.contains("AXE_CORE_JS=/")
                && native.contains("/target/npm/node_modules/axe-core/axe.min.js"),
            "{native}"
        );
        assert!(command("clippy (console, wasm)").contains("-p canal-console --target wasm32"));
        assert!(command("console tests (wasm, Chromium)")
            .contains("test -p canal-console --target wasm32-unknown-unknown --profile wasm-test"));
        assert!(command("wasm-streams stand-in tests (wasm, Chromium)")
            .contains("test -p wasm-streams --target wasm32-unknown-unknown --profile wasm-test"));
    }

    #[test]
    fn formats_the_summary() {
        let results = [
            StepResult {
                name: "build-widget".into(),
                took: Duration::from_secs(75),
                ok: true,
            },
            StepResult {
                name: "rustfmt".into(),
                took: Duration::from_secs(1),
                ok: false,
            },
        ];
        assert_eq!(
            summary(&results, Duration::from_secs(80)),
            "\
step            time  result
build-widget   01:15  ok
rustfmt        00:01  FAILED
total          01:20
"
        );
    }
}
