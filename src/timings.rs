//! Phase timings for benchmarks and profiling: with `TIZILIM_TIMINGS` set, each phase of the
//! pipeline says on stderr how long it took, and the process's resident memory at its end
//! and at its peak so far.

use std::sync::Mutex;

/// The clock of one run of phases: [`Timings::phase`] says how long it took since the last
/// phase (or since [`Timings::from_env`]), when `TIZILIM_TIMINGS` is set.
pub struct Timings(Option<Mutex<std::time::Instant>>);

impl Timings {
    pub fn from_env() -> Timings {
        Timings(std::env::var_os("TIZILIM_TIMINGS").map(|_| Mutex::new(std::time::Instant::now())))
    }

    pub fn phase(&self, name: &str) {
        if let Some(last) = &self.0 {
            let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
            eprintln!(
                "timing: {name:<28} {:>8.3} s {}",
                last.elapsed().as_secs_f64(),
                memory()
            );
            *last = std::time::Instant::now();
        }
    }
}

/// `rss MiB (peak MiB)` of this process, from `/proc/self/status` (empty elsewhere).
fn memory() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let mib = |field: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(field))?;
        Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? / 1024)
    };
    match (mib("VmRSS:"), mib("VmHWM:")) {
        (Some(rss), Some(peak)) => format!("{rss:>6} MiB (peak {peak} MiB)"),
        _ => String::new(),
    }
}
