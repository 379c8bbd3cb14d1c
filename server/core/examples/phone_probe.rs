//! What the chat tracker's phone matching costs per message, with the numbering
//! plans' cache of compiled patterns at `phonenumber`'s own size (100) and at
//! Canal's ([`canal_core::crm::PHONE_PATTERNS_KEPT`]): messages holding a
//! 7-digit run that changes from one message to the next, as order numbers and
//! ids do (and as the socket bench's messages do).
//!
//! `cargo run --release -p canal-core --example phone_probe`

use std::time::Instant;

fn main() {
    canal_core::crm::load_phone_plans();
    let cache = phonenumber::metadata::DATABASE.cache();
    for kept in [100, canal_core::crm::PHONE_PATTERNS_KEPT] {
        match cache.lock() {
            Ok(mut cache) => *cache = regex_cache::RegexCache::new(kept),
            Err(_) => {
                eprintln!("phone probe: the patterns' cache is poisoned; run it again");
                std::process::exit(1);
            }
        }
        let messages = 20_000u64;
        for round in 1..=2 {
            let start = Instant::now();
            let mut found = 0;
            for i in 0..messages {
                let run = 1_000_000 + (i * 7_919 + round) % 9_000_000;
                let text = format!("Message v{}_{run}: is it in stock?", i % 5_000);
                found += canal_core::crm::find_in_text(&text, None).phones.len();
            }
            let each = start.elapsed() / messages as u32;
            println!("{kept:>5} patterns kept, round {round}: {each:?} per message ({found} numbers found)");
        }
    }
}
