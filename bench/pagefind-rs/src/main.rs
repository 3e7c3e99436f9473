//! Indexes records (JSON: `[{url, content, language, meta, filters}]`) with Pagefind's Rust
//! API, writes the bundle, and prints one JSON line: `{"ms": …, "rss_kb": …}` (the time from
//! the first record to the written files, and this process's peak resident memory).
//!
//! `pagefind-bench RECORDS.json OUT-DIR`

use std::collections::BTreeMap;
use std::time::Instant;

use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;

#[derive(serde::Deserialize)]
struct Record {
    url: String,
    content: String,
    language: String,
    meta: BTreeMap<String, String>,
    filters: BTreeMap<String, Vec<String>>,
}

fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(records), Some(out)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: pagefind-bench RECORDS.json OUT-DIR");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(records).expect("the records file");
    let records: Vec<Record> = serde_json::from_str(&text).expect("records as JSON");
    drop(text);
    let started = Instant::now();
    let options = PagefindServiceConfig::builder().build();
    let mut index = PagefindIndex::new(Some(options)).expect("Pagefind's options");
    for r in records {
        index
            .add_custom_record(r.url, r.content, r.language, Some(r.meta), Some(r.filters), None)
            .await
            .expect("a record indexed");
    }
    index.write_files(Some(out.clone())).await.expect("the bundle written");
    println!(
        "{{\"ms\":{},\"rss_kb\":{}}}",
        started.elapsed().as_millis(),
        peak_rss_kb()
    );
}
