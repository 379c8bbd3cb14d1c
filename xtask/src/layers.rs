//! `cargo xtask layers`: the server's layers depend one way, shell -> store ->
//! core -> protocol, and inside the shell the services never see a request.
//! Fails on a dependency or an import against the grain, naming the file and
//! line. Run first by `cargo xtask test` (it takes milliseconds).
//!
//! Two checks per crate: its `Cargo.toml` `[dependencies]` must not list a crate
//! the layer may not use, and no line of its `src/` may name one (`name::...`,
//! `use name`, `extern crate name`) outside comments. A layer that is a module
//! tree (the services) has the second check only, on its directory.

use std::path::{Path, PathBuf};

use crate::util::{fail, Result};

/// A layer and what it may not use.
pub struct Layer {
    /// The crate's directory, from the workspace root.
    pub dir: &'static str,
    pub name: &'static str,
    /// Why, for the message.
    pub rule: &'static str,
    /// Crates (as named in Cargo.toml) it may not depend on; their identifiers are
    /// the same with `-` as `_`.
    pub denied: &'static [&'static str],
    /// A module tree inside a crate (its files are `dir/**.rs`, no manifest) rather
    /// than a crate (`dir/Cargo.toml`, `dir/src/**.rs`).
    pub module: bool,
}

pub const LAYERS: &[Layer] = &[
    Layer {
        dir: "protocol",
        name: "protocol",
        rule: "the wire crate is serde only, used by every side",
        denied: &[
            "canal-core",
            "canal-store",
            "canal-server",
            "axum",
            "sqlx",
            "tokio",
        ],
        module: false,
    },
    Layer {
        dir: "server/core",
        name: "core",
        rule: "the domain is pure: no HTTP, database or runtime; the store and the shell call it",
        denied: &[
            "canal-store",
            "canal-server",
            "axum",
            "sqlx",
            "tokio",
            "tower",
            "tower-http",
            "hyper",
            "reqwest",
        ],
        module: false,
    },
    Layer {
        dir: "server/store",
        name: "store",
        rule: "the store knows the database, not HTTP or the shell",
        denied: &[
            "canal-server",
            "axum",
            "tower",
            "tower-http",
            "hyper",
            "reqwest",
        ],
        module: false,
    },
    Layer {
        dir: "server",
        name: "shell",
        rule: "only the store names sqlx: add a Store method instead",
        denied: &["sqlx"],
        module: false,
    },
    Layer {
        dir: "server/src/services",
        name: "services",
        rule: "services take parsed values and never see a request: parse in the handler",
        denied: &["axum", "sqlx", "tower", "tower-http", "hyper"],
        module: true,
    },
];

/// One import against the grain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub file: PathBuf,
    pub line: usize,
    pub layer: &'static str,
    pub names: String,
    pub rule: &'static str,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: {} names `{}` ({})",
            self.file.display(),
            self.line,
            self.layer,
            self.names,
            self.rule
        )
    }
}

/// Every violation under `root`.
pub fn check(root: &Path) -> std::io::Result<Vec<Violation>> {
    let mut found = Vec::new();
    for layer in LAYERS {
        let dir = root.join(layer.dir);
        let manifest = dir.join("Cargo.toml");
        let text = if layer.module {
            String::new()
        } else {
            std::fs::read_to_string(&manifest)?
        };
        for (line, dep) in dependencies(&text) {
            if layer.denied.contains(&dep.as_str()) {
                found.push(Violation {
                    file: manifest.clone(),
                    line,
                    layer: layer.name,
                    names: dep,
                    rule: layer.rule,
                });
            }
        }
        let mut files = Vec::new();
        rust_files(
            &if layer.module { dir } else { dir.join("src") },
            &mut files,
        )?;
        files.sort();
        for file in files {
            let text = std::fs::read_to_string(&file)?;
            for (n, line) in text.lines().enumerate() {
                let code = code_of(line);
                for denied in layer.denied {
                    let ident = denied.replace('-', "_");
                    if names(&code, &ident) {
                        found.push(Violation {
                            file: file.clone(),
                            line: n + 1,
                            layer: layer.name,
                            names: ident,
                            rule: layer.rule,
                        });
                    }
                }
            }
        }
    }
    Ok(found)
}

/// The `[dependencies]` entries of a manifest (not dev- or build-), with lines.
fn dependencies(manifest: &str) -> Vec<(usize, String)> {
    let mut in_deps = false;
    let mut out = Vec::new();
    for (n, line) in manifest.lines().enumerate() {
        let line = line.trim();
        if line.starts_with('[') {
            in_deps = line == "[dependencies]";
            continue;
        }
        if !in_deps || line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(key) = line.split(['=', '.']).next() {
            out.push((n + 1, key.trim().trim_matches('"').to_owned()));
        }
    }
    out
}

/// A line without its string literals and its `//` comment (a rough lexer: enough
/// for `use` lines and paths; raw strings spanning lines are not special-cased).
fn code_of(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        match (in_string, c) {
            (true, '\\') => {
                chars.next();
            }
            (true, '"') => in_string = false,
            (true, _) => {}
            (false, '"') => {
                in_string = true;
                out.push_str("\"\"");
            }
            (false, '/') if chars.peek() == Some(&'/') => break,
            (false, c) => out.push(c),
        }
    }
    out
}

/// Whether a line of code names crate `ident`: `ident::`, `use ident`, or
/// `extern crate ident`, with `ident` a whole word.
fn names(code: &str, ident: &str) -> bool {
    let bytes = code.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut from = 0;
    while let Some(at) = code[from..].find(ident) {
        let start = from + at;
        let end = start + ident.len();
        from = end;
        if start > 0 && (word(bytes[start - 1]) || bytes[start - 1] == b':') {
            continue;
        }
        if end < bytes.len() && word(bytes[end]) {
            continue;
        }
        let before = code[..start].trim_end();
        if code[end..].starts_with("::")
            || before.ends_with("use")
            || before.ends_with("extern crate")
        {
            return true;
        }
    }
    false
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            rust_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// The check as a command: prints each violation, fails when there is one.
pub fn run(root: &Path) -> Result {
    let found = check(root).map_err(|e| {
        fail(
            format!("cannot read the crates to check: {e}"),
            "run from the repository",
        )
    })?;
    if found.is_empty() {
        println!(
            "layers ok: shell -> store -> core -> protocol, services without HTTP ({} layers checked)",
            LAYERS.len()
        );
        return Ok(());
    }
    for v in &found {
        println!("layers: {v}");
    }
    Err(fail(
        format!("{} import(s) against the layers", found.len()),
        "move the code to the layer that may use it (see DESIGN.md, Layout)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_finds_paths_and_uses_as_whole_words() {
        assert!(names("use sqlx::Row;", "sqlx"));
        assert!(names("    let x = sqlx::query(\"\");", "sqlx"));
        assert!(names("use tokio;", "tokio"));
        assert!(names("extern crate axum;", "axum"));
        assert!(!names("let sqlx_like = 1;", "sqlx"));
        assert!(!names("my_sqlx::x()", "sqlx"));
        assert!(!names("crate::tokio_thing::x", "tokio"));
        assert!(!names(&code_of("let s = \"sqlx::notice=warn\";"), "sqlx"));
        assert!(!names(&code_of("x(); // sqlx::query"), "sqlx"));
        assert!(names(
            &code_of("let s = \"a\\\"b\"; sqlx::query(s)"),
            "sqlx"
        ));
    }

    #[test]
    fn dependencies_are_read_from_the_dependencies_table_only() {
        let manifest = "[package]\nname = \"x\"\n\n[dependencies]\nserde.workspace = true\n\
                        sqlx = { workspace = true }\n# axum = 1\n\n[dev-dependencies]\ntokio = \"1\"\n";
        let deps: Vec<String> = dependencies(manifest).into_iter().map(|(_, d)| d).collect();
        assert_eq!(deps, ["serde", "sqlx"]);
    }

    /// The real workspace is within its layers; a wrong import added to a copy of
    /// the core is named with its file and line.
    #[test]
    fn the_workspace_passes_and_a_wrong_import_is_named() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("workspace root")
            .to_path_buf();
        let found = check(&root).expect("check");
        assert!(found.is_empty(), "{found:?}");

        let copy = std::env::temp_dir().join(format!("canal-layers-{}", std::process::id()));
        for layer in LAYERS.iter().filter(|l| !l.module) {
            let dir = copy.join(layer.dir);
            std::fs::create_dir_all(dir.join("src")).expect("dir");
            std::fs::copy(
                root.join(layer.dir).join("Cargo.toml"),
                dir.join("Cargo.toml"),
            )
            .expect("manifest");
        }
        std::fs::write(
            copy.join("server/core/src/lib.rs"),
            "//! core\npub mod x;\n",
        )
        .expect("lib");
        std::fs::write(
            copy.join("server/core/src/x.rs"),
            "// sqlx:: in a comment is fine\nuse sqlx::SqlitePool;\n",
        )
        .expect("bad file");
        let services = copy.join("server/src/services");
        std::fs::create_dir_all(&services).expect("services dir");
        std::fs::write(
            services.join("rate.rs"),
            "//! a service\nuse crate::error::AppError;\nuse axum::http::HeaderMap;\n",
        )
        .expect("bad service");
        let found = check(&copy).expect("check copy");
        let _ = std::fs::remove_dir_all(&copy);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].line, 2);
        assert!(found[0].file.ends_with("server/core/src/x.rs"));
        assert_eq!(found[0].names, "sqlx");
        assert!(found[0].to_string().contains("core names `sqlx`"));
        assert_eq!(found[1].line, 3);
        assert!(found[1].file.ends_with("server/src/services/rate.rs"));
        assert!(found[1].to_string().contains("services names `axum`"));
    }
}
