//! What the chat tracker's phone matching costs per message, and the process's
//! memory, with the numbering plans keeping `--kept` compiled patterns (Canal
//! keeps [`canal_core::crm::PHONE_PATTERNS_KEPT`]; `phonenumber` on its own
//! keeps 100). The messages hold a digit run that changes from one message to
//! the next, as order numbers and ids do, on a channel with no default region
//! unless `--region` gives one: first the socket bench's (`v123_4567890`), then
//! runs of 7 to 12 digits.
//!
//! `cargo run --release -p canal-core --example phone_probe -- --kept 100`

use std::time::Instant;

/// The phone probe (see the module comment).
#[derive(clap::Parser)]
#[command(name = "phone_probe")]
struct Args {
    /// Compiled patterns kept.
    #[arg(long, default_value_t = canal_core::crm::PHONE_PATTERNS_KEPT)]
    kept: usize,
    /// The channel's default region (`ES`); none: runs are tried as international.
    #[arg(long)]
    region: Option<String>,
    /// Messages per workload.
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u32).range(1..))]
    messages: u32,
}

fn main() {
    let args: Args = clap::Parser::parse();
    let region = match args.region.as_deref().map(canal_core::crm::Region::parse) {
        None => None,
        Some(Some(region)) => Some(region),
        Some(None) => {
            eprintln!("phone probe: --region must be a country code the plans know (ES, RU)");
            std::process::exit(2);
        }
    };
    canal_core::crm::load_phone_plans(args.kept);
    println!(
        "{} patterns kept, region {:?}; memory at start {}",
        args.kept,
        region.map(|r| r.code().to_owned()),
        rss()
    );
    run("the bench's messages", args.messages, region, |i| {
        let run = 1_000_000 + (i * 7_919) % 9_000_000;
        format!("Message v{}_{run}: is it in stock?", i % 5_000)
    });
    for digits in 7..=12u32 {
        let first = 10u64.pow(digits - 1);
        run(
            &format!("{digits}-digit runs"),
            args.messages,
            region,
            |i| format!("order {} ok", first + (i * 7_919_993) % (9 * first)),
        );
    }
}

/// Scans `messages` texts made by `text`; prints the time per message and the
/// process's memory after.
fn run(
    name: &str,
    messages: u32,
    region: Option<canal_core::crm::Region>,
    text: impl Fn(u64) -> String,
) {
    let start = Instant::now();
    let mut found = 0;
    for i in 0..u64::from(messages) {
        found += canal_core::crm::find_in_text(&text(i), region).phones.len();
    }
    let each = start.elapsed() / messages;
    println!(
        "{name:>22}: {each:>10.1?} per message, {found:>5} numbers found; memory {}",
        rss()
    );
}

/// The process's resident memory (Linux), as the kernel reports it.
fn rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:").map(|v| v.trim().to_owned()))
        })
        .unwrap_or_else(|| "unknown".to_owned())
}
