//! `tizilim watch` as a process on a temporary site: every way an editor or a tool saves a
//! file is seen and published; a bad save publishes nothing and the watcher goes on; the
//! calendar alone rebuilds (with a clock the test controls).

mod common;

use std::fs;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};

use common::{eventually, snapshot, watch_events, watch_site, watch_status, Running};

fn start(root: &Path, out: &Path) -> Running {
    let running = Running::start(&[
        "watch",
        "--root",
        root.to_str().unwrap(),
        "--output-dir",
        out.to_str().unwrap(),
    ]);
    running.wait_for_line("built (start)", 0);
    running
}

/// Saves `content` as `events.csv` in one of the ways editors and tools do.
fn save(data: &Path, pattern: &str, content: &str) {
    let target = data.join("events.csv");
    match pattern {
        "truncate-and-write" => fs::write(&target, content).unwrap(),
        "in-place" => {
            let mut file = fs::OpenOptions::new().write(true).open(&target).unwrap();
            file.write_all(content.as_bytes()).unwrap();
            file.set_len(content.len() as u64).unwrap();
        }
        "temp-then-rename" => {
            // JetBrains; vim and Kate are alike with other names.
            let temp = data.join("events.csv___jb_tmp___");
            fs::write(&temp, content).unwrap();
            fs::rename(&temp, &target).unwrap();
        }
        "vim" => {
            fs::write(data.join(".events.csv.swp"), "swap").unwrap();
            fs::write(data.join("4913"), "").unwrap();
            fs::remove_file(data.join("4913")).unwrap();
            fs::rename(&target, data.join("events.csv~")).unwrap();
            fs::write(&target, content).unwrap();
            fs::remove_file(data.join("events.csv~")).unwrap();
            fs::remove_file(data.join(".events.csv.swp")).unwrap();
        }
        "delete-and-recreate" => {
            fs::remove_file(&target).unwrap();
            std::thread::sleep(std::time::Duration::from_millis(100));
            fs::write(&target, content).unwrap();
        }
        "replace-folder" => {
            // As rsync or a checkout of another branch does it: a new data/ moved in.
            let root = data.parent().unwrap();
            let fresh = root.join("data.new");
            common::copy_tree(data, &fresh);
            fs::write(fresh.join("events.csv"), content).unwrap();
            fs::rename(data, root.join("data.old")).unwrap();
            fs::rename(&fresh, data).unwrap();
            fs::remove_dir_all(root.join("data.old")).unwrap();
        }
        "slow-writer" => {
            // A copy over a slow link: small pieces for over a second.
            let mut file = fs::File::create(&target).unwrap();
            for chunk in content.as_bytes().chunks(content.len() / 8 + 1) {
                file.write_all(chunk).unwrap();
                file.flush().unwrap();
                std::thread::sleep(std::time::Duration::from_millis(150));
            }
        }
        "libreoffice" => {
            fs::write(data.join(".~lock.events.csv#"), "lock").unwrap();
            fs::write(&target, content).unwrap();
            fs::remove_file(data.join(".~lock.events.csv#")).unwrap();
        }
        other => panic!("no pattern {other}"),
    }
}

#[test]
fn every_way_of_saving_is_published() {
    let site = watch_site();
    let out = tempfile::tempdir().unwrap();
    let mut watcher = start(site.path(), out.path());
    assert_eq!(watch_status(out.path()).as_deref(), Some("valid"));
    let data = site.path().join("data");
    let patterns = [
        "truncate-and-write",
        "in-place",
        "temp-then-rename",
        "vim",
        "delete-and-recreate",
        "replace-folder",
        "slow-writer",
        "libreoffice",
    ];
    let mut revoked = false;
    for pattern in patterns {
        revoked = !revoked;
        let lines_before = watcher.line_count();
        save(&data, pattern, &watch_events(revoked));
        let expected = if revoked { "revoked" } else { "valid" };
        eventually(&format!("{pattern}: the page shows {expected}"), || {
            watch_status(out.path()).as_deref() == Some(expected)
        });
        // The log line comes once publishing is over.
        watcher.wait_for_line("built (", lines_before);
        assert!(watcher.is_running(), "{pattern}");
        let output = watcher.lines.lock().unwrap()[lines_before..].join("\n");
        assert!(
            !output.contains("build failed"),
            "{pattern} published a half-written file:\n{output}"
        );
    }
    // Scratch files alone trigger nothing.
    let lines_before = watcher.line_count();
    fs::write(data.join(".~lock.certificates.csv#"), "lock").unwrap();
    fs::write(data.join("events.csv.kate-swp"), "swap").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert_eq!(watcher.line_count(), lines_before, "{}", watcher.output());
}

#[test]
fn a_bad_save_publishes_nothing_and_the_fix_is_published() {
    let site = watch_site();
    let out = tempfile::tempdir().unwrap();
    let mut watcher = start(site.path(), out.path());
    let before = snapshot(out.path());
    let data = site.path().join("data");
    let lines = watcher.line_count();
    // A half-finished edit: a revocation with a date that does not exist.
    fs::write(
        data.join("events.csv"),
        watch_events(true).replace("2024-06-01", "31.06.2024"),
    )
    .unwrap();
    let failed = watcher.wait_for_line("build failed", lines);
    let output = watcher.output();
    assert!(
        output.contains("data/events.csv:6: date: `31.06.2024` is not a date"),
        "{output}"
    );
    assert!(failed > lines);
    assert!(watcher.is_running());
    assert_eq!(snapshot(out.path()), before, "nothing was published");
    // A broken template is reported too, and the site stays.
    fs::write(
        site.path().join("themes/default/templates/center.html"),
        "{% extends \"base.html\" %}{% block content %}{{ nothing.here }}",
    )
    .unwrap();
    let lines = watcher.line_count();
    watcher.wait_for_line("build failed", lines);
    assert_eq!(snapshot(out.path()), before);
    fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/center.html"),
        site.path().join("themes/default/templates/center.html"),
    )
    .unwrap();
    // The fix is published.
    fs::write(data.join("events.csv"), watch_events(true)).unwrap();
    eventually("the fixed revocation is published", || {
        watch_status(out.path()).as_deref() == Some("revoked")
    });
    assert!(watcher.is_running());
}

/// The status on a certificate's page, if the page is there.
fn status_of(out: &Path, slug: &str) -> Option<String> {
    let page = fs::read_to_string(out.join(format!("certificates/{slug}/index.html"))).ok()?;
    let start = page.find("data-status=\"")? + 13;
    let end = start + page[start..].find('"')?;
    Some(page[start..end].to_owned())
}

/// A file saved in two steps (the header and the first rows written and closed, the rest
/// appended 100 ms later, as an export that appends does) is published only whole: the
/// termination of ІР-6 in the second half is never missing from the public site.
#[test]
fn a_save_in_two_steps_is_never_published_half_written() {
    let site = watch_site();
    let out = tempfile::tempdir().unwrap();
    let watcher = start(site.path(), out.path());
    let data = site.path().join("data");
    assert_eq!(status_of(out.path(), "ir-6").as_deref(), Some("terminated"));
    let mut revoked = false;
    for attempt in 0..6 {
        revoked = !revoked;
        let full = watch_events(revoked);
        let lines: Vec<&str> = full.split_inclusive('\n').collect();
        // The header, KZ-ҰД-0003's revocation and resumption; then QB/5, ІР-6 and WATCH-1.
        let (first, rest) = lines.split_at(3);
        let lines_before = watcher.line_count();
        fs::write(data.join("events.csv"), first.concat()).unwrap();
        let started = std::time::Instant::now();
        let mut seen = Vec::new();
        let mut appended = false;
        let expected = if revoked { "revoked" } else { "valid" };
        loop {
            if !appended && started.elapsed() >= std::time::Duration::from_millis(100) {
                let mut file = fs::OpenOptions::new()
                    .append(true)
                    .open(data.join("events.csv"))
                    .unwrap();
                file.write_all(rest.concat().as_bytes()).unwrap();
                appended = true;
            }
            let state = (status_of(out.path(), "ir-6"), watch_status(out.path()));
            if seen.last() != Some(&state) {
                seen.push(state.clone());
            }
            if appended && state.1.as_deref() == Some(expected) {
                break;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(30),
                "{attempt}: never published: {seen:?}\n{}",
                watcher.output()
            );
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        assert!(
            seen.iter()
                .all(|(ir6, _)| ir6.as_deref() == Some("terminated")),
            "{attempt}: a half-written events.csv was published: {seen:?}\n{}",
            watcher.output()
        );
        watcher.wait_for_line("built (", lines_before);
        assert!(
            !watcher.output().contains("build failed"),
            "{}",
            watcher.output()
        );
    }
}

/// A clock the test moves.
struct TestClock(Mutex<chrono::NaiveDate>);

impl tizilim::watch::Clock for TestClock {
    fn today(&self) -> chrono::NaiveDate {
        *self.0.lock().unwrap()
    }
}

/// Runs the library's watcher in a thread: each event as a line on the receiver; set the flag
/// to stop it.
fn watch_in_thread(
    options: tizilim::watch::WatchOptions,
    clock: Arc<dyn tizilim::watch::Clock>,
) -> (
    mpsc::Receiver<String>,
    Arc<AtomicBool>,
    std::thread::JoinHandle<()>,
) {
    let stop = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::channel();
    let watcher = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut on_event = |event: tizilim::watch::WatchEvent| {
                let line = match event {
                    tizilim::watch::WatchEvent::Built { trigger, .. } => format!("built {trigger}"),
                    tizilim::watch::WatchEvent::Failed { trigger, error } => {
                        format!("failed {trigger}: {error}")
                    }
                    tizilim::watch::WatchEvent::Superseded { trigger } => {
                        format!("superseded {trigger}")
                    }
                    tizilim::watch::WatchEvent::WatchError(e) => format!("watch error {e}"),
                };
                let _ = tx.send(line);
            };
            tizilim::watch::watch(&options, clock.as_ref(), &stop, &mut on_event).unwrap();
        })
    };
    (rx, stop, watcher)
}

/// A file closed after writing, or renamed into place, is rebuilt without the debounce and
/// the wait for its size to settle (here an hour, so that nothing else could rebuild); a file
/// still open for writing is waited for.
#[test]
fn a_whole_file_is_rebuilt_at_once_and_an_open_one_is_waited_for() {
    let site = watch_site();
    let out = tempfile::tempdir().unwrap();
    let mut options =
        tizilim::watch::WatchOptions::new(site.path().to_owned(), out.path().to_owned());
    options.debounce = std::time::Duration::from_secs(3600);
    let clock = Arc::new(TestClock(Mutex::new(common::date("2026-11-26"))));
    let (rx, stop, watcher) = watch_in_thread(options, clock);
    let wait = std::time::Duration::from_secs(60);
    assert_eq!(rx.recv_timeout(wait).unwrap(), "built start");
    assert_eq!(watch_status(out.path()).as_deref(), Some("valid"));
    let data = site.path().join("data");
    for (pattern, revoked) in [("truncate-and-write", true), ("temp-then-rename", false)] {
        save(&data, pattern, &watch_events(revoked));
        assert_eq!(
            rx.recv_timeout(wait).unwrap(),
            "built data/events.csv",
            "{pattern}"
        );
        let expected = if revoked { "revoked" } else { "valid" };
        assert_eq!(
            watch_status(out.path()).as_deref(),
            Some(expected),
            "{pattern}"
        );
    }
    // Written and still open: no rebuild until it is closed.
    let mut file = fs::File::create(data.join("events.csv")).unwrap();
    file.write_all(watch_events(true).as_bytes()).unwrap();
    file.flush().unwrap();
    assert_eq!(
        rx.recv_timeout(std::time::Duration::from_secs(1)),
        Err(mpsc::RecvTimeoutError::Timeout)
    );
    assert_eq!(watch_status(out.path()).as_deref(), Some("valid"));
    drop(file);
    assert_eq!(rx.recv_timeout(wait).unwrap(), "built data/events.csv");
    assert_eq!(watch_status(out.path()).as_deref(), Some("revoked"));
    stop.store(true, Ordering::SeqCst);
    watcher.join().unwrap();
}

#[test]
fn the_calendar_alone_rebuilds_when_a_certificate_expires() {
    let site = common::temp_site_with_theme("valid-csv");
    let out = tempfile::tempdir().unwrap();
    // QB/5 is valid until 2026-05-20 (explicit); on 2024-06-01 it is valid, revoked from 2025-06-01.
    let clock = Arc::new(TestClock(Mutex::new(common::date("2025-05-31"))));
    let mut options =
        tizilim::watch::WatchOptions::new(site.path().to_owned(), out.path().to_owned());
    options.tick = std::time::Duration::from_millis(50);
    let (rx, stop, watcher) = watch_in_thread(options, clock.clone());
    let status = || {
        let page = fs::read_to_string(out.path().join("certificates/qb-5/index.html")).unwrap();
        let start = page.find("data-status=\"").unwrap() + 13;
        page[start..start + page[start..].find('"').unwrap()].to_owned()
    };
    let wait = std::time::Duration::from_secs(60);
    assert_eq!(rx.recv_timeout(wait).unwrap(), "built start");
    assert_eq!(status(), "valid");
    *clock.0.lock().unwrap() = common::date("2025-06-01");
    assert_eq!(rx.recv_timeout(wait).unwrap(), "built new day 2025-06-01");
    assert_eq!(status(), "revoked");
    *clock.0.lock().unwrap() = common::date("2026-05-21");
    assert_eq!(rx.recv_timeout(wait).unwrap(), "built new day 2026-05-21");
    assert_eq!(status(), "expired");
    stop.store(true, Ordering::SeqCst);
    watcher.join().unwrap();
}
