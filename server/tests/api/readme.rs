//! The README's `sh` examples that call the API with `curl` run as written, in
//! order, against a fresh demo server (`canal serve --demo`, what `cargo xtask run`
//! starts), with `CANAL_ADMIN_TOKEN` set. Only the address is the test's own.
//! Every request must succeed: `curl` runs with `--fail-with-body`, so an answer of
//! 4xx or 5xx fails the script, which runs under `set -euo pipefail`.

use std::path::Path;
use std::process::Stdio;

const README: &str = include_str!("../../../README.md");
const TOKEN: &str = "canal_admin_readme-test";

/// The `sh` code blocks of a Markdown text that call `curl`, in order.
fn curl_examples(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```sh") => current = Some(String::new()),
            (Some(block), "```") => {
                if block.contains("curl ") {
                    blocks.push(std::mem::take(block));
                }
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

/// A directory holding `curl` that runs the real one with `--fail-with-body`.
fn failing_curl(dir: &Path) -> String {
    let real = ["/usr/bin/curl", "/bin/curl", "/usr/local/bin/curl"]
        .into_iter()
        .find(|p| Path::new(p).is_file())
        .expect("curl is installed (Debian: apt-get install curl)");
    assert!(
        ["/usr/bin/jq", "/bin/jq", "/usr/local/bin/jq"]
            .iter()
            .any(|p| Path::new(p).is_file()),
        "jq is installed (Debian: apt-get install jq): the README's examples use it"
    );
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("bin dir");
    let wrapper = bin.join("curl");
    std::fs::write(
        &wrapper,
        format!("#!/bin/sh\nexec {real} --fail-with-body \"$@\"\n"),
    )
    .expect("write wrapper");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

#[test]
fn the_readme_has_its_curl_examples() {
    let blocks = curl_examples(README);
    assert!(blocks.len() >= 6, "{blocks:#?}");
    assert!(blocks.iter().all(|b| b.contains("http://127.0.0.1:8080/")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readmes_curl_examples_run_as_written_against_a_fresh_demo_server() {
    let dir = tempfile::tempdir().expect("dir");
    let db = crate::helpers::TestDb::new(dir.path()).await;
    let url = db.url.clone();
    let (_server, addr) = crate::durability::start_with(&url, &["--admin-token", TOKEN]).await;
    let script = curl_examples(README)
        .iter()
        .enumerate()
        .map(|(n, block)| format!("echo '--- example {}'\n{block}", n + 1))
        .collect::<Vec<_>>()
        .join("\n")
        .replace("127.0.0.1:8080", &addr);
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).expect("work dir");
    let output = tokio::process::Command::new("bash")
        .arg("-c")
        .arg(format!("set -euo pipefail\n{script}"))
        .current_dir(&work)
        .env("PATH", failing_curl(dir.path()))
        .env("CANAL_ADMIN_TOKEN", TOKEN)
        .stdin(Stdio::null())
        .output()
        .await
        .expect("run bash");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the README's examples failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    // What they did is there: the themed snippet, the export with the consent, the
    // conversations, the hours, the routing and the CRM contact.
    assert!(stdout.contains("data-color=\"#0b7a3b\""), "{stdout}");
    let csv = std::fs::read_to_string(work.join("consents.csv")).expect("the export");
    assert_eq!(csv.lines().count(), 2, "a header and the consent: {csv}");
    let http = reqwest::Client::new();
    let admin = |path: &str| {
        http.get(format!("http://{addr}/api/v1/admin{path}"))
            .bearer_auth(TOKEN)
            .send()
    };
    let hours: serde_json::Value = admin("/channels/demo/hours")
        .await
        .expect("hours")
        .json()
        .await
        .expect("json");
    assert_eq!(hours["hours"]["time_zone"], "Europe/Madrid", "{hours}");
    let routing: serde_json::Value = admin("/channels/demo/routing")
        .await
        .expect("routing")
        .json()
        .await
        .expect("json");
    assert_eq!(routing["mode"], "all");
    assert_eq!(
        routing["queue"].as_array().map(Vec::len),
        Some(2),
        "{routing}"
    );
    let conversations: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM conversations")
        .fetch_one(db.pool())
        .await
        .expect("count");
    // The website chat and the CRM example's messenger chat, whose customer the
    // CRM keeps.
    assert_eq!(conversations, 2);
    let contacts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM crm_contacts")
        .fetch_one(db.pool())
        .await
        .expect("count");
    assert_eq!(contacts, 1);
}
