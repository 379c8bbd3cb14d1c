//! `cargo xtask`: the developer commands of Canal. Run `cargo xtask help`.

mod bench;
mod compress;
mod imports;
mod layers;
mod leftovers;
mod pipeline;
mod postgres;
mod setup;
mod sockets;
mod util;

use util::{fail, Cmd, Ctx, Result};

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  setup [--browser] [--postgres] [--dry-run]
        install what is missing: the wasm32 target, trunk, wasm-bindgen-cli, wasm-opt
        (binaryen); --browser adds chromium and chromium-driver, and axe-core (pinned,
        from npm into target/npm/, for the accessibility tests); --postgres adds
        PostgreSQL (Debian's postgresql, for the tests' throw-away cluster); --dry-run
        only reports (and exits non-zero when something is missing)
  build-widget
        setup, then build the widget frame into dist/ (trunk build --release)
  build-console
        setup, then build the agents' console into dist/console/ and the full one
        (with the admin pages) into dist/console/admin/ (trunk build --release --config
        console/Trunk.toml, then console/admin/Trunk.toml); build-widget empties dist/,
        so run it first
  run [--addr ADDR] [--database-url URL] [ARGS...]
        setup, build-widget, build-console, then start the server with a demo channel:
        cargo run --release -p canal-server --bin canal -- serve --demo ...
        (defaults: --dist <repo>/dist, --database-url sqlite://<repo>/data/canal.db;
        --database-url postgres://USER:PASS@HOST/DB runs Canal on an existing
        PostgreSQL; other ARGS go to `canal serve`)
  test
        everything CI checks: setup --browser --postgres, build-widget, build-console,
        cargo test (with a throw-away PostgreSQL cluster's URL, see `pg`),
        widget and console tests in Chromium, size budgets, rustfmt, clippy; stops at
        the first failure
  layers
        check that the server's layers depend one way (shell -> store -> core ->
        protocol): no crate lists or imports one it may not use
  pg
        start the throw-away PostgreSQL cluster the tests use (installing PostgreSQL
        from Debian when missing; target/pg/dev/, a free port on 127.0.0.1), print its
        URL, and stop it on Ctrl+C; for running single tests by hand:
        CANAL_TEST_POSTGRES_URL=<URL> cargo test -p canal-server --test api NAME
  shorten-imports [DIR]
        shorten the wasm-bindgen import names of the Trunk build in DIR (default:
        $TRUNK_STAGING_DIR); Trunk runs it after each widget and console build
        (Trunk.toml, console/Trunk.toml, console/admin/Trunk.toml)
  bench [--no-build] [NAME [NUMBER...]...]
        build-widget and build-console (unless --no-build), then the benches (all, or
        those named) against their budgets; fails when a figure is over budget. Numbers
        after a name are its arguments (`bench sockets 10000 1000`: N sockets, RATE
        messages/s). Benches: ";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let ctx = Ctx::new();
    let result = dispatch(&ctx, &args);
    if let Err(err) = result {
        eprintln!();
        eprintln!("error: {}", err.message);
        if let Some(hint) = err.hint.filter(|h| !h.is_empty()) {
            eprintln!("  next: {hint}");
        }
        eprintln!("(after {})", util::mmss(ctx.elapsed()));
        std::process::exit(1);
    }
}

fn usage() -> String {
    let names: Vec<&str> = bench::BENCHES.iter().map(|b| b.name).collect();
    format!("{USAGE}{}\n", names.join(", "))
}

fn dispatch(ctx: &Ctx, args: &[String]) -> Result {
    let Some((command, rest)) = args.split_first() else {
        print!("{}", usage());
        return Ok(());
    };
    match command.as_str() {
        "setup" => {
            let mut opts = setup::Options::default();
            for arg in rest {
                match arg.as_str() {
                    "--browser" => opts.browser = true,
                    "--postgres" => opts.postgres = true,
                    "--dry-run" => opts.dry_run = true,
                    other => return Err(bad_arg("setup", other)),
                }
            }
            setup::setup(ctx, opts)
        }
        "build-widget" => {
            no_args("build-widget", rest)?;
            setup::setup(ctx, setup::Options::default())?;
            build_widget(ctx)
        }
        "build-console" => {
            no_args("build-console", rest)?;
            setup::setup(ctx, setup::Options::default())?;
            build_console(ctx)
        }
        "run" => run_server(ctx, rest),
        "pg" => {
            no_args("pg", rest)?;
            dev_postgres(ctx)
        }
        "test" => {
            no_args("test", rest)?;
            pipeline::test(ctx)
        }
        "layers" => {
            no_args("layers", rest)?;
            layers::run(&ctx.root)
        }
        "bench" => {
            let mut build = true;
            let mut names = Vec::new();
            for arg in rest {
                match arg.as_str() {
                    "--no-build" => build = false,
                    a if a.starts_with('-') => return Err(bad_arg("bench", a)),
                    name => names.push(name.to_string()),
                }
            }
            let benches = bench::select(&names)?;
            if build && benches.iter().any(|(b, _)| b.needs_dist) {
                setup::setup(ctx, setup::Options::default())?;
                build_widget(ctx)?;
                build_console(ctx)?;
            }
            bench::run(ctx, &benches)
        }
        "shorten-imports" => {
            let dir = match rest {
                [] => std::env::var_os("TRUNK_STAGING_DIR").map(std::path::PathBuf::from),
                [dir] => Some(std::path::PathBuf::from(dir)),
                [_, extra, ..] => return Err(bad_arg("shorten-imports", extra)),
            };
            let dir = dir.ok_or_else(|| {
                fail(
                    "shorten-imports needs a directory",
                    "pass it (cargo xtask shorten-imports dist), or let Trunk's post-build \
                     hook run it (it sets TRUNK_STAGING_DIR)",
                )
            })?;
            let done = imports::shorten_dir(&dir)?;
            ctx.note(&format!(
                "shortened {} import names in {} and {} ({} bytes less)",
                done.imports,
                done.wasm.display(),
                done.js.display(),
                util::thousands(done.saved_bytes as u64)
            ));
            Ok(())
        }
        "help" | "--help" | "-h" => {
            print!("{}", usage());
            Ok(())
        }
        other => Err(fail(
            format!("unknown command `{other}`"),
            "see: cargo xtask help",
        )),
    }
}

fn bad_arg(command: &str, arg: &str) -> util::Failure {
    fail(
        format!("unknown option `{arg}` for `{command}`"),
        "see: cargo xtask help",
    )
}

fn no_args(command: &str, rest: &[String]) -> Result {
    match rest.first() {
        Some(arg) => Err(bad_arg(command, arg)),
        None => Ok(()),
    }
}

/// `trunk build --release` in the repo root, writing dist/. Assumes setup ran.
pub fn build_widget(ctx: &Ctx) -> Result {
    for file in ["Trunk.toml", "index.html"] {
        if !ctx.root.join(file).is_file() {
            return Err(fail(
                format!("{file} is missing at the repo root"),
                "the widget frame build needs Trunk.toml and index.html (see the design's \
                 Layout); add them, then rerun: cargo xtask build-widget",
            ));
        }
    }
    fetch_crates(ctx, "cargo xtask build-widget")?;
    // Trunk checks crates.io for a newer version of itself unless told not to.
    let cmd = Cmd::new("trunk", &["build", "--release"]).env("TRUNK_SKIP_VERSION_CHECK", "true");
    ctx.step(&format!("building the widget frame ({cmd})"));
    ctx.run(
        &cmd,
        "read trunk's error above; if a tool is missing or at the wrong version run \
         `cargo xtask setup`, then rerun: cargo xtask build-widget",
    )?;
    let index = ctx.root.join("dist").join("index.html");
    if !index.is_file() {
        return Err(fail(
            format!("trunk succeeded but {} is missing", index.display()),
            "check Trunk.toml's dist setting (dist/ is where the server and the tests look)",
        ));
    }
    let dist = ctx.root.join("dist");
    let count = compress::dir(&dist, Some(&console_dist(ctx)))?;
    ctx.note(&format!(
        "wrote brotli and gzip copies of {count} files in dist/"
    ));
    Ok(())
}

/// Trunk builds offline (`cargo build --offline`), so download the crates first; this is a
/// no-op when they are cached.
fn fetch_crates(ctx: &Ctx, rerun: &str) -> Result {
    let fetch = Cmd::new("cargo", &["fetch"]);
    ctx.step(&format!("fetching crates ({fetch})"));
    ctx.run(
        &fetch,
        &format!("check the network or the crates.io mirror, then rerun: {rerun}"),
    )
}

/// Where the console's Trunk config lives, relative to the repo root.
pub const CONSOLE_TRUNK_TOML: &str = "console/Trunk.toml";

/// The console is compiled with Leptos's type-erased views, its `erase_components`
/// cfg: each component's view and each reactive closure in `view!` becomes one boxed,
/// dynamically dispatched type instead of a nest of generics monomorphised per call
/// site. The console does the same with fewer copies of the rendering code: -36 KB
/// brotli, for an allocation and a virtual call per reactive closure. The cfg must
/// reach every crate of the build (leptos, tachys, leptos_macro), so it is a rustflag
/// for the wasm target, set in the environment of the console's own builds only (the
/// Trunk build, its wasm tests and clippy); cargo appends it to .cargo/config.toml's
/// flags for that target and keeps these builds' artifacts apart from the widget's,
/// which is built without it.
pub const CONSOLE_RUSTFLAGS: (&str, &str) = (
    "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
    "--cfg erase_components",
);

/// The console's two Trunk builds, in order: the agents' console (dist/console/), then
/// the full one with the admin pages inside it (dist/console/admin/), since each
/// Trunk build replaces its whole dist folder.
pub const CONSOLE_BUILDS: [(&str, &str, &str); 2] = [
    ("the agents' console", CONSOLE_TRUNK_TOML, ""),
    ("the full console", "console/admin/Trunk.toml", "admin"),
];

/// `trunk build --release` of each of [`CONSOLE_BUILDS`], writing dist/console/ and
/// dist/console/admin/. Assumes setup ran. The widget's build empties dist/ (console
/// included), so this runs after it.
pub fn build_console(ctx: &Ctx) -> Result {
    for (_, config, _) in CONSOLE_BUILDS {
        let html = std::path::Path::new(config).with_file_name("index.html");
        for file in [std::path::Path::new(config), html.as_path()] {
            if !ctx.root.join(file).is_file() {
                return Err(fail(
                    format!("{} is missing", file.display()),
                    "the console build needs console/Trunk.toml, console/admin/Trunk.toml \
                     and their index.html (see the design's Layout); restore them, then \
                     rerun: cargo xtask build-console",
                ));
            }
        }
    }
    fetch_crates(ctx, "cargo xtask build-console")?;
    for (what, config, sub) in CONSOLE_BUILDS {
        let cmd = Cmd::new("trunk", &["build", "--release", "--config", config])
            .env(CONSOLE_RUSTFLAGS.0, CONSOLE_RUSTFLAGS.1)
            .env("TRUNK_SKIP_VERSION_CHECK", "true");
        ctx.step(&format!("building {what} ({cmd})"));
        ctx.run(
            &cmd,
            "read trunk's error above; if a tool is missing or at the wrong version run \
             `cargo xtask setup`; if it says a file in dist/console/.stage vanished, another \
             widget build emptied dist/ meanwhile: rerun: cargo xtask build-console",
        )?;
        let index = console_dist(ctx).join(sub).join("index.html");
        if !index.is_file() {
            return Err(fail(
                format!("trunk succeeded but {} is missing", index.display()),
                format!(
                    "check the dist setting in {config} (dist/console/ is where the server \
                     serves /console/ from)"
                ),
            ));
        }
    }
    let count = compress::dir(&console_dist(ctx), None)?;
    ctx.note(&format!(
        "wrote brotli and gzip copies of {count} files in dist/console/"
    ));
    Ok(())
}

/// dist/console/: the console's build, served under /console/.
pub fn console_dist(ctx: &Ctx) -> std::path::PathBuf {
    ctx.root.join("dist").join("console")
}

/// `cargo xtask pg`: the tests' cluster, running until Ctrl+C.
fn dev_postgres(ctx: &Ctx) -> Result {
    let pg = setup::setup_postgres(ctx)?;
    postgres::catch_interrupts()?;
    ctx.step("starting a throw-away PostgreSQL cluster");
    let mut cluster = postgres::Cluster::start(ctx, &pg, "dev")?;
    println!();
    println!("{}={}", postgres::URL_ENV, cluster.url());
    println!();
    ctx.note("for single tests, in another terminal:");
    ctx.note(&format!("export {}='{}'", postgres::URL_ENV, cluster.url()));
    ctx.note("cargo test -p canal-server --test api NAME");
    ctx.note(&format!("psql '{}'", cluster.url()));
    ctx.step("running; Ctrl+C stops it");
    cluster.wait_for_interrupt()?;
    let took = cluster.stop()?;
    ctx.step(&format!(
        "stopped the PostgreSQL cluster ({:.1} s)",
        took.as_secs_f64()
    ));
    Ok(())
}

/// Options `canal serve` gets unless the user gave them (on the command line or by env).
struct ServeDefault {
    flag: &'static str,
    env: &'static str,
    value: String,
}

/// Whether the user's arguments hold `flag` (`--flag value` or `--flag=value`).
fn given(user: &[String], flag: &str) -> bool {
    user.iter()
        .any(|a| a == flag || a.starts_with(&format!("{flag}=")))
}

/// The arguments after `canal`: `serve`, our defaults the user did not override, then theirs.
fn serve_args(
    user: &[String],
    defaults: &[ServeDefault],
    has_env: impl Fn(&str) -> bool,
) -> Vec<String> {
    let given = |flag: &str| given(user, flag);
    let mut args = vec!["serve".to_string()];
    if !given("--demo") {
        args.push("--demo".to_string());
    }
    for d in defaults {
        if !given(d.flag) && !has_env(d.env) {
            args.push(d.flag.to_string());
            args.push(d.value.clone());
        }
    }
    args.extend(user.iter().cloned());
    args
}

fn run_server(ctx: &Ctx, rest: &[String]) -> Result {
    let user: &[String] = match rest.first() {
        Some(first) if first == "--" => &rest[1..],
        _ => rest,
    };
    setup::setup(ctx, setup::Options::default())?;
    build_widget(ctx)?;
    build_console(ctx)?;

    let data = ctx.root.join("data");
    let defaults = [
        ServeDefault {
            flag: "--dist",
            env: "CANAL_DIST",
            value: ctx.root.join("dist").display().to_string(),
        },
        ServeDefault {
            flag: "--database-url",
            env: "DATABASE_URL",
            value: format!("sqlite://{}", data.join("canal.db").display()),
        },
    ];
    let has_env = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    for d in &defaults {
        if has_env(d.env) {
            ctx.note(&format!("using {} from the environment", d.env));
        }
    }
    // The default SQLite database lives in <repo>/data/; a database given by flag or
    // environment (a PostgreSQL one, say) needs no such directory.
    if !given(user, "--database-url") && !has_env("DATABASE_URL") {
        std::fs::create_dir_all(&data).map_err(|e| {
            fail(
                format!("cannot create {}: {e}", data.display()),
                "make the repo writable, or pass --database-url",
            )
        })?;
    }
    let mut cmd = Cmd::new(
        "cargo",
        &[
            "run",
            "--release",
            "-p",
            "canal-server",
            "--bin",
            "canal",
            "--",
        ],
    );
    for arg in serve_args(user, &defaults, has_env) {
        cmd = cmd.arg(arg);
    }
    ctx.step(&format!("building and starting the server ({cmd})"));
    exec(ctx, &cmd)
}

/// Replaces this process with `cmd` (Unix), so signals and the exit code are the server's.
#[cfg(unix)]
fn exec(ctx: &Ctx, cmd: &Cmd) -> Result {
    use std::os::unix::process::CommandExt;
    let err = ctx.command(cmd).exec();
    Err(fail(
        format!("could not start `{cmd}`: {err}"),
        "is cargo on PATH? then rerun: cargo xtask run",
    ))
}

#[cfg(not(unix))]
fn exec(ctx: &Ctx, cmd: &Cmd) -> Result {
    match ctx.command(cmd).status() {
        Ok(status) => std::process::exit(status.code().unwrap_or(1)),
        Err(e) => Err(fail(
            format!("could not start `{cmd}`: {e}"),
            "is cargo on PATH? then rerun: cargo xtask run",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Vec<ServeDefault> {
        vec![
            ServeDefault {
                flag: "--dist",
                env: "CANAL_DIST",
                value: "/repo/dist".into(),
            },
            ServeDefault {
                flag: "--database-url",
                env: "DATABASE_URL",
                value: "sqlite:///repo/data/canal.db".into(),
            },
        ]
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn serve_gets_demo_and_defaults() {
        let args = serve_args(&strings(&["--addr", "0.0.0.0:9000"]), &defaults(), |_| {
            false
        });
        assert_eq!(
            args,
            strings(&[
                "serve",
                "--demo",
                "--dist",
                "/repo/dist",
                "--database-url",
                "sqlite:///repo/data/canal.db",
                "--addr",
                "0.0.0.0:9000",
            ])
        );
    }

    #[test]
    fn user_flags_and_env_win_over_defaults() {
        let args = serve_args(
            &strings(&["--demo", "--database-url=sqlite://x.db"]),
            &defaults(),
            |name| name == "CANAL_DIST",
        );
        assert_eq!(
            args,
            strings(&["serve", "--demo", "--database-url=sqlite://x.db"])
        );
    }

    #[test]
    fn a_postgres_url_replaces_the_sqlite_default() {
        let url = "postgres://canal:secret@db.example:5432/canal";
        for user in [
            strings(&["--database-url", url]),
            strings(&[&format!("--database-url={url}")]),
        ] {
            let args = serve_args(&user, &defaults(), |_| false);
            assert!(given(&user, "--database-url"));
            assert!(!args.iter().any(|a| a.starts_with("sqlite:")), "{args:?}");
            assert_eq!(
                args.iter().filter(|a| a.contains(url)).count(),
                1,
                "{args:?}"
            );
            assert_eq!(
                &args[..4],
                strings(&["serve", "--demo", "--dist", "/repo/dist"])
            );
        }
        assert!(!given(&strings(&["--database-url-x"]), "--database-url"));
    }
}
