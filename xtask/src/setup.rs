//! `cargo xtask setup [--browser] [--postgres] [--dry-run]`: make sure the build and test tools are
//! present.

use crate::postgres;
use crate::util::{fail, Cmd, Ctx, Result};
use std::path::{Path, PathBuf};

/// Trunk builds the widget frame; pinned so every machine builds the same bytes.
pub const TRUNK_VERSION: &str = "0.21.14";
/// The wasm-opt (binaryen) version Trunk is told to use; Debian 12's `binaryen` package.
pub const WASM_OPT_VERSION: &str = "108";
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// axe-core, the accessibility rules the end-to-end tests run inside Chromium (`tests/tests/a11y.rs`);
/// installed from npm by `setup --browser` into [`NPM_PREFIX`], pinned by version and integrity.
pub const AXE_CORE_VERSION: &str = "4.14.1";
/// The registry's `dist.integrity` of axe-core [`AXE_CORE_VERSION`]; the install is refused
/// when npm reports anything else.
pub const AXE_CORE_INTEGRITY: &str =
    "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==";
/// Where npm packages for the tests go, relative to the repo root (`npm install --prefix`).
pub const NPM_PREFIX: &str = "target/npm";

/// `<repo>/target/npm/node_modules/axe-core/axe.min.js`: what the tests inject (env `AXE_CORE_JS`).
pub fn axe_core_js(root: &Path) -> PathBuf {
    axe_core_dir(root).join("axe.min.js")
}

fn axe_core_dir(root: &Path) -> PathBuf {
    root.join(NPM_PREFIX).join("node_modules").join("axe-core")
}

#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Also the browser and its driver (for end-to-end and widget tests).
    pub browser: bool,
    /// Also PostgreSQL's server binaries (for the tests' throw-away cluster).
    pub postgres: bool,
    /// Report what is missing and what would run; change nothing.
    pub dry_run: bool,
}

/// One thing to do to complete the setup.
#[derive(Debug)]
enum Action {
    RustupTarget,
    CargoInstall {
        krate: &'static str,
        version: String,
        locked: bool,
        /// Binaries that must report `version` afterwards.
        bins: &'static [&'static str],
        minutes: u32,
    },
    /// axe-core from npm into [`NPM_PREFIX`].
    NpmAxeCore,
}

impl Action {
    fn cmd(&self) -> Cmd {
        match self {
            Action::RustupTarget => Cmd::new("rustup", &["target", "add", WASM_TARGET]),
            Action::CargoInstall {
                krate,
                version,
                locked,
                ..
            } => {
                let cmd = Cmd::new("cargo", &["install", krate, "--version", version]);
                if *locked {
                    cmd.arg("--locked")
                } else {
                    cmd
                }
            }
            Action::NpmAxeCore => npm_axe_core_cmd(),
        }
    }
}

/// `npm install` of exactly axe-core [`AXE_CORE_VERSION`] (it has no dependencies) into
/// [`NPM_PREFIX`], leaving no package.json or lock file behind and running no scripts.
fn npm_axe_core_cmd() -> Cmd {
    Cmd::new(
        "npm",
        &[
            "install",
            "--no-save",
            "--no-package-lock",
            "--ignore-scripts",
            "--no-audit",
            "--no-fund",
            "--prefix",
            NPM_PREFIX,
        ],
    )
    .arg(format!("axe-core@{AXE_CORE_VERSION}"))
}

/// Removes axe-core and npm's record of it from [`NPM_PREFIX`] (nothing else lives there).
fn clear_axe_core(root: &Path) -> std::io::Result<()> {
    let modules = root.join(NPM_PREFIX).join("node_modules");
    for result in [
        std::fs::remove_dir_all(modules.join("axe-core")),
        std::fs::remove_file(modules.join(".package-lock.json")),
    ] {
        match result {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

/// The version of axe-core installed under `root`, if its package.json and axe.min.js are there.
fn installed_axe_core(root: &Path) -> Option<String> {
    let dir = axe_core_dir(root);
    if !dir.join("axe.min.js").is_file() {
        return None;
    }
    let manifest = std::fs::read_to_string(dir.join("package.json")).ok()?;
    json_string_field(&manifest, "version")
}

/// The integrity npm recorded for the axe-core it installed (`node_modules/.package-lock.json`).
fn installed_axe_core_integrity(root: &Path) -> Option<String> {
    let lock = root
        .join(NPM_PREFIX)
        .join("node_modules")
        .join(".package-lock.json");
    let text = std::fs::read_to_string(lock).ok()?;
    let entry = &text[text.find("\"node_modules/axe-core\"")?..];
    json_string_field(entry, "integrity")
}

/// The first `"key": "value"` string value in a JSON text (enough for npm's own files, whose
/// first `version` is the package's).
pub fn json_string_field(json: &str, key: &str) -> Option<String> {
    let quoted_key = format!("\"{key}\"");
    let mut rest = json;
    while let Some(pos) = rest.find(&quoted_key) {
        rest = &rest[pos + quoted_key.len()..];
        if let Some(value) = rest.trim_start().strip_prefix(':') {
            if let Some(v) = quoted(value.trim_start()) {
                return Some(v);
            }
        }
    }
    None
}

pub fn setup(ctx: &Ctx, opts: Options) -> Result {
    let what = match (opts.browser, opts.postgres) {
        (false, false) => "checking build tools",
        (true, false) => "checking build and browser tools",
        (false, true) => "checking build tools and PostgreSQL",
        (true, true) => "checking build and browser tools and PostgreSQL",
    };
    ctx.step(&format!(
        "{what}{}",
        if opts.dry_run { " (dry run)" } else { "" }
    ));

    let mut actions = Vec::new();
    let mut apt_packages: Vec<&str> = Vec::new();

    // The wasm target.
    match ctx.capture("rustup", &["target", "list", "--installed"]) {
        None => {
            return Err(fail(
                "`rustup target list --installed` did not run",
                "install rustup (https://rustup.rs), then rerun: cargo xtask setup",
            ))
        }
        Some(list) if list.lines().any(|l| l.trim() == WASM_TARGET) => {
            ctx.note(&format!("ok      rust target {WASM_TARGET}"));
        }
        Some(_) => {
            ctx.note(&format!("missing rust target {WASM_TARGET}"));
            actions.push(Action::RustupTarget);
        }
    }

    // wasm-bindgen-cli, at exactly the version the workspace pins for the wasm-bindgen crate.
    let wbg_version = pinned_wasm_bindgen(ctx)?;
    let mut wbg_bins: &'static [&'static str] = &["wasm-bindgen"];
    if opts.browser {
        wbg_bins = &["wasm-bindgen", "wasm-bindgen-test-runner"];
    }
    if check_versions(ctx, wbg_bins, &wbg_version) {
        actions.push(Action::CargoInstall {
            krate: "wasm-bindgen-cli",
            version: wbg_version.clone(),
            locked: false,
            bins: &["wasm-bindgen", "wasm-bindgen-test-runner"],
            minutes: 8,
        });
    }

    // Trunk.
    if check_versions(ctx, &["trunk"], TRUNK_VERSION) {
        actions.push(Action::CargoInstall {
            krate: "trunk",
            version: TRUNK_VERSION.to_string(),
            locked: true,
            bins: &["trunk"],
            minutes: 15,
        });
    }

    // wasm-opt from Debian's binaryen.
    match ctx.capture("wasm-opt", &["--version"]) {
        None => {
            ctx.note("missing wasm-opt (Debian package binaryen)");
            apt_packages.push("binaryen");
        }
        Some(out) => match parse_tool_version(&out) {
            Some(v) if v == WASM_OPT_VERSION => ctx.note(&format!("ok      wasm-opt {v}")),
            found => ctx.note(&format!(
                "warning wasm-opt reports version {} but Trunk is set up for {WASM_OPT_VERSION}; \
                 if `trunk build` fails on wasm-opt, install binaryen {WASM_OPT_VERSION} \
                 (Debian 12: apt-get install binaryen)",
                found.as_deref().unwrap_or("?")
            )),
        },
    }

    if opts.browser {
        for (path, package) in [(CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")] {
            if Path::new(path).is_file() {
                ctx.note(&format!("ok      {path}"));
            } else {
                ctx.note(&format!("missing {path} (Debian package {package})"));
                apt_packages.push(package);
            }
        }
        let integrity = installed_axe_core_integrity(&ctx.root);
        match installed_axe_core(&ctx.root) {
            Some(v)
                if v == AXE_CORE_VERSION && integrity.as_deref() == Some(AXE_CORE_INTEGRITY) =>
            {
                ctx.note(&format!("ok      axe-core {v} ({NPM_PREFIX})"))
            }
            found => {
                match found {
                    Some(v) if v == AXE_CORE_VERSION => ctx.note(&format!(
                        "wrong   axe-core {v} in {NPM_PREFIX} has integrity {} (want \
                         {AXE_CORE_INTEGRITY}); reinstalling",
                        integrity.as_deref().unwrap_or("(not recorded)")
                    )),
                    Some(v) => ctx.note(&format!(
                        "wrong   axe-core {v} in {NPM_PREFIX} (want {AXE_CORE_VERSION})"
                    )),
                    None => ctx.note(&format!(
                        "missing axe-core {AXE_CORE_VERSION} (npm, into {NPM_PREFIX})"
                    )),
                }
                if ctx.capture("npm", &["--version"]).is_none() {
                    ctx.note("missing npm (Debian package npm)");
                    apt_packages.push("npm");
                }
                actions.push(Action::NpmAxeCore);
            }
        }
    }

    if opts.postgres && postgres::check(ctx).is_none() {
        apt_packages.push(postgres::DEBIAN_PACKAGE);
    }

    let flag = flags(opts);
    let apt = apt_commands(&apt_packages);
    if actions.is_empty() && apt.is_empty() {
        ctx.note("everything is installed");
        return Ok(());
    }

    if opts.dry_run {
        let planned = apt.iter().cloned().chain(actions.iter().map(Action::cmd));
        for cmd in planned {
            ctx.note(&format!("would run: {cmd}"));
        }
        return Err(fail(
            "some tools are missing (dry run: nothing was installed)",
            format!("run: cargo xtask setup{flag}"),
        ));
    }

    // apt first: it is quick, and without root we stop before the long cargo installs.
    if !apt.is_empty() {
        install_debian_packages(ctx, &apt_packages, &format!("cargo xtask setup{flag}"))?;
        if apt_packages.contains(&"binaryen") && ctx.capture("wasm-opt", &["--version"]).is_none() {
            return Err(fail(
                "binaryen is installed but `wasm-opt --version` still does not run",
                "check `which -a wasm-opt` for a broken copy earlier on PATH, \
                 then rerun: cargo xtask setup",
            ));
        }
        for path in [CHROMIUM, CHROMEDRIVER] {
            if opts.browser && !Path::new(path).is_file() {
                return Err(fail(
                    format!("{path} is still missing after installing chromium chromium-driver"),
                    "Canal's tests expect Debian's chromium and chromium-driver at /usr/bin; \
                     install them there, then rerun: cargo xtask setup --browser",
                ));
            }
        }
        if apt_packages.contains(&postgres::DEBIAN_PACKAGE) {
            postgres::after_install(ctx)?;
        }
    }

    for action in &actions {
        let cmd = action.cmd();
        match action {
            Action::RustupTarget => {
                ctx.step(&format!("adding the wasm target ({cmd})"));
                ctx.run(
                    &cmd,
                    &format!("check rustup's output above, then run: {cmd}"),
                )?;
            }
            Action::CargoInstall {
                krate,
                version,
                bins,
                minutes,
                ..
            } => {
                ctx.step(&format!(
                    "installing {krate} {version} ({cmd}); this takes about {minutes} min on 2 cores"
                ));
                ctx.run(
                    &cmd,
                    &format!("check cargo's output above, then run: {cmd}"),
                )?;
                for bin in *bins {
                    let found = tool_version(ctx, bin);
                    if found.as_deref() != Some(version.as_str()) {
                        let location = ctx
                            .which(bin)
                            .map(|p| p.display().to_string())
                            .unwrap_or_else(|| "not on PATH".to_string());
                        return Err(fail(
                            format!(
                                "after installing, `{bin} --version` reports {} ({location}), \
                                 expected {version}",
                                found.as_deref().unwrap_or("nothing")
                            ),
                            "put ~/.cargo/bin first on PATH or remove the other copy, \
                             then rerun: cargo xtask setup",
                        ));
                    }
                }
            }
            Action::NpmAxeCore => {
                ctx.step(&format!(
                    "installing axe-core {AXE_CORE_VERSION} from npm ({cmd}); a few seconds"
                ));
                // A copy of another version or other bytes goes first, so npm cannot call
                // it up to date.
                clear_axe_core(&ctx.root).map_err(|e| {
                    fail(
                        format!("cannot remove the old axe-core in {NPM_PREFIX}: {e}"),
                        format!(
                            "remove {NPM_PREFIX} by hand, then rerun: cargo xtask setup --browser"
                        ),
                    )
                })?;
                ctx.run(
                    &cmd,
                    &format!(
                        "check npm's output above (is the npm registry reachable? \
                         `npm config get registry`), then run: {cmd}\n      \
                         or rerun: cargo xtask setup --browser"
                    ),
                )?;
                check_axe_core(ctx)?;
            }
        }
    }
    ctx.step("setup complete");
    Ok(())
}

/// After `npm install`: the pinned version, with the pinned integrity, and axe.min.js.
fn check_axe_core(ctx: &Ctx) -> Result {
    let remove = format!("remove {NPM_PREFIX} and rerun: cargo xtask setup --browser");
    match installed_axe_core(&ctx.root) {
        Some(v) if v == AXE_CORE_VERSION => {}
        found => {
            return Err(fail(
                format!(
                    "after npm install, {} holds axe-core {} (expected {AXE_CORE_VERSION} with \
                     axe.min.js)",
                    axe_core_dir(&ctx.root).display(),
                    found.as_deref().unwrap_or("nothing")
                ),
                remove,
            ))
        }
    }
    match installed_axe_core_integrity(&ctx.root) {
        Some(i) if i == AXE_CORE_INTEGRITY => {
            ctx.note(&format!(
                "ok      axe-core {AXE_CORE_VERSION} at {}",
                axe_core_js(&ctx.root).display()
            ));
            Ok(())
        }
        found => Err(fail(
            format!(
                "npm installed axe-core {AXE_CORE_VERSION} with integrity {} but Canal pins {}",
                found.as_deref().unwrap_or("(not recorded)"),
                AXE_CORE_INTEGRITY
            ),
            format!(
                "the registry (`npm config get registry`) served other bytes than the pinned \
                 release; use the public registry or a faithful mirror, then {remove}"
            ),
        )),
    }
}

/// Reports each binary; true when any of them is missing or at another version.
fn check_versions(ctx: &Ctx, bins: &[&str], wanted: &str) -> bool {
    let mut needed = false;
    for bin in bins {
        match tool_version(ctx, bin) {
            Some(v) if v == wanted => ctx.note(&format!("ok      {bin} {v}")),
            Some(v) => {
                ctx.note(&format!("wrong   {bin} {v} (want {wanted})"));
                needed = true;
            }
            None => {
                ctx.note(&format!("missing {bin} (want {wanted})"));
                needed = true;
            }
        }
    }
    needed
}

fn tool_version(ctx: &Ctx, bin: &str) -> Option<String> {
    parse_tool_version(&ctx.capture(bin, &["--version"])?)
}

pub fn is_root(ctx: &Ctx) -> bool {
    ctx.capture("id", &["-u"])
        .is_some_and(|out| out.trim() == "0")
}

/// The `cargo xtask setup` flags that give `opts`, for "rerun" hints.
fn flags(opts: Options) -> String {
    let mut flags = String::new();
    if opts.browser {
        flags += " --browser";
    }
    if opts.postgres {
        flags += " --postgres";
    }
    flags
}

/// Only PostgreSQL's server binaries, installed from Debian when missing (`cargo xtask pg`).
pub fn setup_postgres(ctx: &Ctx) -> Result<postgres::Installed> {
    ctx.step("checking PostgreSQL");
    if let Some(found) = postgres::check(ctx) {
        return Ok(found);
    }
    install_debian_packages(ctx, &[postgres::DEBIAN_PACKAGE], "cargo xtask pg")?;
    postgres::after_install(ctx)
}

/// Runs the apt commands for `packages` as root (`rerun`: what to run afterwards), or fails
/// with the commands to run by hand.
fn install_debian_packages(ctx: &Ctx, packages: &[&str], rerun: &str) -> Result {
    let apt = apt_commands(packages);
    let root = is_root(ctx);
    let sudo = if root { "" } else { "sudo " };
    let manual = apt
        .iter()
        .map(|c| format!("{sudo}{c}"))
        .collect::<Vec<_>>()
        .join(" && ");
    if !root {
        return Err(fail(
            format!("missing Debian packages: {}", packages.join(" ")),
            format!("run: {manual}\n      then rerun: {rerun}"),
        ));
    }
    if ctx.which("apt-get").is_none() {
        return Err(fail(
            format!(
                "missing packages {} and no apt-get here",
                packages.join(" ")
            ),
            format!(
                "install them with your system's package manager (wasm-opt must be binaryen \
                 version 108; PostgreSQL's binaries are looked for in {}/<version>/bin), then \
                 rerun: {rerun}",
                postgres::LIB_DIR
            ),
        ));
    }
    for cmd in &apt {
        ctx.step(&format!("installing Debian packages ({cmd})"));
        ctx.run(
            cmd,
            &format!("check the apt output above, fix it, then run: {manual}"),
        )?;
    }
    Ok(())
}

/// `apt-get update` once, then one install of every missing package.
fn apt_commands(packages: &[&str]) -> Vec<Cmd> {
    if packages.is_empty() {
        return Vec::new();
    }
    let install = packages.iter().fold(
        Cmd::new("apt-get", &["install", "-y"]).env("DEBIAN_FRONTEND", "noninteractive"),
        |cmd, p| cmd.arg(*p),
    );
    vec![
        Cmd::new("apt-get", &["update"]).env("DEBIAN_FRONTEND", "noninteractive"),
        install,
    ]
}

fn pinned_wasm_bindgen(ctx: &Ctx) -> Result<String> {
    let manifest = ctx.root.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).map_err(|e| {
        fail(
            format!("cannot read {}: {e}", manifest.display()),
            "run cargo xtask from a checkout of the Canal workspace",
        )
    })?;
    pinned_version(&text, "wasm-bindgen").map_err(|e| {
        fail(
            format!("{}: {e}", manifest.display()),
            "pin it exactly in [workspace.dependencies], e.g. wasm-bindgen = \"=0.2.130\" \
             (wasm-bindgen-cli must match the crate to the patch version)",
        )
    })
}

/// The exact version `name` is pinned to in `[workspace.dependencies]` of a Cargo.toml:
/// `name = "=X.Y.Z"` or `name = { version = "=X.Y.Z", ... }` gives `X.Y.Z`.
pub fn pinned_version(cargo_toml: &str, name: &str) -> std::result::Result<String, String> {
    let mut in_section = false;
    for line in cargo_toml.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.starts_with('[') {
            in_section = line == "[workspace.dependencies]";
            continue;
        }
        if !in_section {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        if key.trim().trim_matches('"') != name {
            continue;
        }
        let value = value.trim();
        let requirement = if value.starts_with('{') {
            inline_table_version(value)
        } else {
            quoted(value)
        }
        .ok_or_else(|| format!("cannot read the version of {name}: `{value}`"))?;
        return match requirement.strip_prefix('=') {
            Some(v) if !v.trim().is_empty() => Ok(v.trim().to_string()),
            _ => Err(format!(
                "{name} is \"{requirement}\", not an exact pin like \"=0.2.130\""
            )),
        };
    }
    Err(format!("no {name} in [workspace.dependencies]"))
}

/// `"abc" ...` -> `abc`.
fn quoted(s: &str) -> Option<String> {
    let rest = s.strip_prefix('"')?;
    Some(rest[..rest.find('"')?].to_string())
}

/// `{ version = "=1", features = [...] }` -> `=1`.
fn inline_table_version(s: &str) -> Option<String> {
    let inner = s.trim_start_matches('{');
    let mut rest = inner;
    while let Some(pos) = rest.find("version") {
        let before_ok = pos == 0 || matches!(rest.as_bytes()[pos - 1], b' ' | b',' | b'{');
        let after = rest[pos + "version".len()..].trim_start();
        if before_ok {
            if let Some(value) = after.strip_prefix('=') {
                return quoted(value.trim_start());
            }
        }
        rest = &rest[pos + "version".len()..];
    }
    None
}

/// The version in a tool's `--version` output: the first word of the first line that looks
/// like a version number (`trunk 0.21.14`, `wasm-bindgen 0.2.130 (abc)`, `wasm-opt version 108`).
pub fn parse_tool_version(output: &str) -> Option<String> {
    let line = output.lines().find(|l| !l.trim().is_empty())?;
    line.split_whitespace()
        .map(|w| w.trim_matches(|c| c == '(' || c == ')' || c == ','))
        .map(|w| w.strip_prefix('v').unwrap_or(w))
        .find(|w| {
            w.starts_with(|c: char| c.is_ascii_digit())
                && w.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '+')
        })
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_versions_from_tool_output() {
        assert_eq!(
            parse_tool_version("trunk 0.21.14\n").as_deref(),
            Some("0.21.14")
        );
        assert_eq!(
            parse_tool_version("wasm-bindgen 0.2.130\n").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(
            parse_tool_version("wasm-bindgen 0.2.130 (3a7a4e7c1)\n").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(
            parse_tool_version("wasm-opt version 108\n").as_deref(),
            Some("108")
        );
        assert_eq!(
            parse_tool_version("wasm-opt version 116 (version_116)").as_deref(),
            Some("116")
        );
        assert_eq!(
            parse_tool_version("\ntrunk v0.22.0-beta.1").as_deref(),
            Some("0.22.0-beta.1")
        );
        assert_eq!(parse_tool_version(""), None);
        assert_eq!(parse_tool_version("error: no such command"), None);
    }

    const MANIFEST: &str = r#"
[workspace]
members = ["xtask"]

[dependencies]
wasm-bindgen = "=0.1.0"

[workspace.dependencies]
serde = { version = "1", features = ["derive"] }
wasm-bindgen-futures = "0.4"
wasm-bindgen = "=0.2.130" # must match wasm-bindgen-cli
wasm-bindgen-test = "0.3"

[profile.release]
opt-level = 3
"#;

    #[test]
    fn reads_the_pinned_version_from_the_workspace() {
        assert_eq!(
            pinned_version(MANIFEST, "wasm-bindgen").as_deref(),
            Ok("0.2.130")
        );
    }

    #[test]
    fn reads_the_repo_manifest() {
        let text = include_str!("../../Cargo.toml");
        let v = pinned_version(text, "wasm-bindgen").expect("wasm-bindgen pinned");
        assert!(v.starts_with("0.2."), "{v}");
    }

    #[test]
    fn reads_inline_tables() {
        let toml = "[workspace.dependencies]\n\
                    wasm-bindgen = { default-features = false, version = \"= 0.2.99\" }\n";
        assert_eq!(
            pinned_version(toml, "wasm-bindgen").as_deref(),
            Ok("0.2.99")
        );
    }

    #[test]
    fn rejects_missing_and_loose_pins() {
        let loose = "[workspace.dependencies]\nwasm-bindgen = \"0.2\"\n";
        assert!(pinned_version(loose, "wasm-bindgen")
            .expect_err("loose pin")
            .contains("not an exact pin"));
        let other_section = "[dependencies]\nwasm-bindgen = \"=0.2.130\"\n";
        assert!(pinned_version(other_section, "wasm-bindgen").is_err());
    }

    #[test]
    fn reads_string_fields_of_npm_json() {
        let manifest = r#"{
  "name": "axe-core",
  "description": "Accessibility engine",
  "version": "4.14.1",
  "devDependencies": { "x": { "version": "9" } }
}"#;
        assert_eq!(
            json_string_field(manifest, "version").as_deref(),
            Some("4.14.1")
        );
        assert_eq!(
            json_string_field(manifest, "name").as_deref(),
            Some("axe-core")
        );
        assert_eq!(json_string_field(manifest, "license"), None);
        // A key that is itself a value is skipped for the real one.
        assert_eq!(
            json_string_field(r#"{"a": "version", "version":"1.2.3"}"#, "version").as_deref(),
            Some("1.2.3")
        );
    }

    #[test]
    fn axe_core_is_pinned_and_installed_under_target() {
        let cmd = npm_axe_core_cmd().to_string();
        assert_eq!(
            cmd,
            format!(
                "npm install --no-save --no-package-lock --ignore-scripts --no-audit --no-fund \
                 --prefix target/npm axe-core@{AXE_CORE_VERSION}"
            )
        );
        assert!(AXE_CORE_VERSION
            .split('.')
            .all(|p| p.parse::<u32>().is_ok()));
        assert!(AXE_CORE_INTEGRITY.starts_with("sha512-"));
        assert_eq!(
            axe_core_js(Path::new("/repo")),
            Path::new("/repo/target/npm/node_modules/axe-core/axe.min.js")
        );
    }

    #[test]
    fn finds_the_installed_axe_core_and_its_integrity() {
        let root = std::env::temp_dir().join(format!("xtask-axe-{}", std::process::id()));
        let dir = axe_core_dir(&root);
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join("package.json"), r#"{"version": "4.14.1"}"#).expect("write");
        // No axe.min.js yet: not installed.
        assert_eq!(installed_axe_core(&root), None);
        std::fs::write(dir.join("axe.min.js"), "/* axe */").expect("write");
        assert_eq!(installed_axe_core(&root).as_deref(), Some("4.14.1"));
        std::fs::write(
            dir.parent()
                .expect("node_modules")
                .join(".package-lock.json"),
            r#"{"lockfileVersion": 3, "packages": {"node_modules/axe-core": {"version": "4.14.1",
               "integrity": "sha512-abc"}}}"#,
        )
        .expect("write");
        assert_eq!(
            installed_axe_core_integrity(&root).as_deref(),
            Some("sha512-abc")
        );
        clear_axe_core(&root).expect("clear");
        assert_eq!(installed_axe_core(&root), None);
        assert_eq!(installed_axe_core_integrity(&root), None);
        clear_axe_core(&root).expect("clearing twice is fine");
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn apt_updates_once_then_installs_everything() {
        assert!(apt_commands(&[]).is_empty());
        let cmds: Vec<String> = apt_commands(&["binaryen", "chromium"])
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            cmds,
            [
                "DEBIAN_FRONTEND=noninteractive apt-get update",
                "DEBIAN_FRONTEND=noninteractive apt-get install -y binaryen chromium",
            ]
        );
    }
}
