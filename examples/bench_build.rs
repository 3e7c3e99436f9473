//! The site build benchmark: for each N, a synthetic site root is built by the `tizilim`
//! binary (release) into tmpfs and onto disk; it prints one table: full build time and peak
//! memory (from `/usr/bin/time -v`), files and bytes written, and the time and files written
//! of a second build with nothing changed. Not a test.
//!
//! `cargo build --release && cargo run --release --example bench_build -- --centers 1000,10000`

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use clap::Parser;

#[derive(Parser)]
struct Args {
    #[arg(long, value_delimiter = ',', default_value = "1000,10000")]
    centers: Vec<usize>,
    /// Where the tmpfs output goes.
    #[arg(long, default_value = "/dev/shm")]
    tmpfs: PathBuf,
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from)
        .into_iter()
        .filter_map(Result::ok)
    {
        let target = to.join(entry.path().strip_prefix(from).expect("inside"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("a folder");
        } else {
            std::fs::copy(entry.path(), &target).expect("a copy");
        }
    }
}

/// Runs a build; returns (seconds, peak MiB, the summary line).
fn build(binary: &Path, root: &Path, out: &Path) -> (f64, f64, String) {
    let started = Instant::now();
    let output = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(binary)
        .args(["build", "--as-of", "2026-11-25", "--root"])
        .arg(root)
        .arg("--output-dir")
        .arg(out)
        .output()
        .expect("the build runs");
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let rss_kb: f64 = stderr
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(f64::NAN);
    (
        seconds,
        rss_kb / 1024.0,
        String::from_utf8_lossy(&output.stdout).trim().to_owned(),
    )
}

fn written(summary: &str) -> String {
    summary
        .split('(')
        .nth(1)
        .and_then(|s| s.split(" written").next())
        .unwrap_or("?")
        .to_owned()
}

fn main() {
    let args = Args::parse();
    let repository = Path::new(env!("CARGO_MANIFEST_DIR"));
    let binary = repository.join("target/release/tizilim");
    assert!(
        binary.exists(),
        "build the release binary first: cargo build --release"
    );
    println!(
        "machine: {} cores; full default mode (three languages)",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "{:>8} {:>7} | {:>9} {:>9} {:>9} {:>9} | {:>9} {:>9}",
        "centers", "output", "build s", "peak MiB", "files", "MiB", "no-op s", "written"
    );
    for n in args.centers {
        let site = tempfile::tempdir().expect("a folder");
        std::fs::copy(
            repository.join("config.toml"),
            site.path().join("config.toml"),
        )
        .expect("config");
        copy_tree(&repository.join("themes"), &site.path().join("themes"));
        copy_tree(&repository.join("content"), &site.path().join("content"));
        tizilim::register::write::write_csv_tables(
            &tizilim::synth::generate(n, 1),
            &site.path().join("data"),
        )
        .expect("data");
        let disk = tempfile::tempdir().expect("a folder");
        let tmpfs = tempfile::tempdir_in(&args.tmpfs).expect("a tmpfs folder");
        for (label, out) in [("tmpfs", tmpfs.path()), ("disk", disk.path())] {
            let (seconds, mib, summary) = build(&binary, site.path(), out);
            let (files, bytes) = walkdir::WalkDir::new(out)
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file())
                .fold((0usize, 0u64), |(n, b), e| {
                    (n + 1, b + e.metadata().map_or(0, |m| m.len()))
                });
            let (again, _, second) = build(&binary, site.path(), out);
            println!(
                "{:>8} {:>7} | {:>9.2} {:>9.0} {:>9} {:>9.0} | {:>9.2} {:>9}",
                n,
                label,
                seconds,
                mib,
                files,
                bytes as f64 / 1048576.0,
                again,
                written(&second)
            );
            if summary.is_empty() {
                eprintln!("the build printed nothing");
            }
        }
    }
}
