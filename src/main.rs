//! The `tizilim` command: parses the command line, calls the library, reports at the edge.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// A site is millions of small strings (cells, pages, paths): mimalloc allocates and frees
/// them markedly faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tizilim::register::{dates, Diagnostic, Severity};
use tizilim::watch::WatchEvent;

#[derive(Parser)]
#[command(
    name = "tizilim",
    version,
    about = "Publishes the register of accredited centers of recognition of professional qualifications"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate the register and build the site into the output folder.
    Build {
        /// The site root (holding config.toml, data/, content/, themes/).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Where to publish (default: ROOT/public). Only changed files are written.
        #[arg(long)]
        output_dir: Option<PathBuf>,
        /// Replace config.toml's base_url (e.g. https://example.kz/registry/).
        #[arg(long)]
        base_url: Option<String>,
        /// "Today" for every status (YYYY-MM-DD or DD.MM.YYYY); default: today in Asia/Almaty.
        #[arg(long, value_parser = parse_date_arg)]
        as_of: Option<NaiveDate>,
        /// The benchmark's comparable mode: only the home page, the A–Z list, a page per
        /// center and search (what `bench_build` has Hugo + Pagefind build). Not a site to
        /// publish: links to the pages left out lead nowhere.
        #[arg(long)]
        comparable: bool,
    },
    /// Build, then rebuild on every change of data, content, config or theme, and at each
    /// midnight in Asia/Almaty (statuses change by the calendar). No server.
    Watch {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Where to publish (default: ROOT/public).
        #[arg(long)]
        output_dir: Option<PathBuf>,
    },
    /// Build, watch, and serve the output with live reload.
    Serve {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The address to listen on (keep 127.0.0.1 unless the preview must be reachable).
        #[arg(long, default_value = "127.0.0.1")]
        interface: String,
        /// The port (0: any free port).
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Where to publish (default: ROOT/public).
        #[arg(long)]
        output_dir: Option<PathBuf>,
    },
    /// Validate the register, and the theme, templates and content of a site root (every
    /// problem is printed); exit 1 if there is any error. Nothing is written.
    Check {
        /// The site root (holding config.toml and data/).
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Print a center's or certificate's status on a date, from the register.
    Status {
        /// A BIN, or a certificate number (matched leniently: №, case, spaces, dashes,
        /// Latin/Cyrillic look-alike letters).
        id: String,
        /// The date (YYYY-MM-DD or DD.MM.YYYY); default: today in Asia/Almaty.
        #[arg(long, value_parser = parse_date_arg)]
        on: Option<NaiveDate>,
        /// Also say whether a certificate valid on that date covered this profession.
        #[arg(long)]
        profession: Option<String>,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
        /// The language of the answer's sentences (kk, ru, en); default: the site's.
        #[arg(long, value_parser = parse_lang_arg)]
        lang: Option<tizilim::register::Lang>,
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

fn parse_lang_arg(text: &str) -> Result<tizilim::register::Lang, String> {
    tizilim::register::Lang::ALL
        .into_iter()
        .find(|l| l.code() == text)
        .ok_or_else(|| format!("`{text}` is not a language (kk, ru or en)"))
}

fn parse_date_arg(text: &str) -> Result<NaiveDate, String> {
    dates::parse_date(text)
        .ok_or_else(|| format!("`{text}` is not a date (expected YYYY-MM-DD or DD.MM.YYYY)"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            root,
            output_dir,
            base_url,
            as_of,
            comparable,
        } => {
            let output_dir = output_dir.unwrap_or_else(|| root.join("public"));
            let options = tizilim::site::BuildOptions {
                base_url,
                as_of,
                comparable,
                progress: terminal_progress(),
                verify_kept: std::env::var_os("TIZILIM_VERIFY_KEPT").is_some(),
                ..Default::default()
            };
            build(&root, &output_dir, options)
        }
        Command::Check { root } => check(&root),
        Command::Watch { root, output_dir } => {
            let output_dir = output_dir.unwrap_or_else(|| root.join("public"));
            let mut options = tizilim::watch::WatchOptions::new(root, output_dir);
            options.progress = terminal_progress();
            watch(options, None)
        }
        Command::Serve {
            root,
            interface,
            port,
            output_dir,
        } => {
            let output_dir = output_dir.unwrap_or_else(|| root.join("public"));
            serve(root, output_dir, &interface, port)
        }
        Command::Status {
            id,
            on,
            profession,
            json,
            lang,
            root,
        } => status(&root, &id, on, profession.as_deref(), json, lang),
    }
}

/// Prints diagnostics to stderr, one per line, and a count.
fn print_diagnostics(diagnostics: &[Diagnostic]) {
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    for d in diagnostics {
        let _ = writeln!(err, "{d}");
    }
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diagnostics.len() - errors;
    if errors > 0 {
        let _ = writeln!(err, "{errors} error(s), {warnings} warning(s)");
    }
}

/// Reads the site root, printing every problem; `None` when it cannot be used.
fn read_site(root: &std::path::Path) -> Option<tizilim::Site> {
    match tizilim::read_site(root) {
        Ok(site) => {
            print_diagnostics(&site.checked.warnings);
            Some(site)
        }
        Err(tizilim::Error::Register(invalid)) => {
            print_diagnostics(&invalid.diagnostics);
            None
        }
        Err(e) => {
            eprintln!("{e}");
            None
        }
    }
}

fn build(
    root: &std::path::Path,
    output_dir: &std::path::Path,
    options: tizilim::site::BuildOptions,
) -> ExitCode {
    match tizilim::site::build(root, output_dir, &options) {
        Ok(report) => {
            print_diagnostics(&report.site.checked.warnings);
            let p = &report.published;
            println!(
                "built {} centers, {} certificates as of {}: {} pages, {} files ({} written, {} unchanged, {} not re-rendered, {} removed) into {} in {:.2?}",
                report.site.checked.registry.centers.len(),
                report.site.checked.registry.certificates.len(),
                report.as_of,
                p.html_pages,
                p.files,
                p.written.len(),
                p.unchanged,
                p.skipped,
                p.removed.len(),
                output_dir.display(),
                report.elapsed
            );
            // The process ends here: freeing a large register string by string would only
            // delay the exit (a tenth of a second at 100,000 centers).
            std::mem::forget(report);
            ExitCode::SUCCESS
        }
        Err(tizilim::site::BuildError::Site(tizilim::Error::Register(invalid))) => {
            print_diagnostics(&invalid.diagnostics);
            eprintln!(
                "nothing was published; {} is unchanged",
                output_dir.display()
            );
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("{e}");
            eprintln!(
                "nothing was published; {} is unchanged",
                output_dir.display()
            );
            ExitCode::from(1)
        }
    }
}

/// On a terminal, a line that shows how far rendering has got (and is cleared at the end).
fn terminal_progress() -> tizilim::site::Progress {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return tizilim::site::Progress::default();
    }
    tizilim::site::Progress::new(|done, total| {
        if done < total {
            eprint!(
                "\rrendering {:>3}% ({done}/{total} center and certificate pages)",
                done * 100 / total.max(1)
            );
        } else {
            eprint!("\r{:70}\r", "");
        }
    })
}

/// Stops the watcher and the server on Ctrl-C (and SIGTERM).
fn stop_flag() -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    if let Err(e) = ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst)) {
        eprintln!("cannot catch Ctrl-C ({e}); stop with a signal");
    }
    stop
}

fn now() -> String {
    chrono::Local::now().format("%H:%M:%S").to_string()
}

/// One line per rebuild; every problem of a failed one, as `check` prints them.
fn log_watch_event(event: &WatchEvent, output_dir: &std::path::Path) {
    match event {
        WatchEvent::Built { trigger, report } => {
            let p = &report.published;
            println!(
                "[{}] built ({trigger}) as of {}: {} written, {} unchanged, {} not re-rendered, {} removed in {:.0?}",
                now(),
                report.as_of,
                p.written.len(),
                p.unchanged,
                p.skipped,
                p.removed.len(),
                report.elapsed
            );
            print_diagnostics(&report.site.checked.warnings);
        }
        WatchEvent::Failed { trigger, error } => {
            match error {
                tizilim::site::BuildError::Site(tizilim::Error::Register(invalid)) => {
                    print_diagnostics(&invalid.diagnostics)
                }
                other => eprintln!("{other}"),
            }
            eprintln!(
                "[{}] build failed ({trigger}); nothing was published, {} keeps the last good site; still watching",
                now(),
                output_dir.display()
            );
        }
        WatchEvent::Superseded { trigger } => println!(
            "[{}] {trigger} changed again while it was being built: nothing was published; building again once it holds still",
            now()
        ),
        WatchEvent::WatchError(message) => eprintln!("[{}] watching: {message}", now()),
    }
}

/// The text a failed build shows over the preview's pages.
fn failure_text(error: &tizilim::site::BuildError) -> String {
    match error {
        tizilim::site::BuildError::Site(tizilim::Error::Register(invalid)) => invalid
            .diagnostics
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n"),
        other => other.to_string(),
    }
}

fn watch(
    options: tizilim::watch::WatchOptions,
    live: Option<Arc<tizilim::serve::LiveReload>>,
) -> ExitCode {
    watch_until(options, live, stop_flag())
}

fn watch_until(
    options: tizilim::watch::WatchOptions,
    live: Option<Arc<tizilim::serve::LiveReload>>,
    stop: Arc<AtomicBool>,
) -> ExitCode {
    println!("watching {} (Ctrl-C to stop)", options.root.display());
    let output_dir = options.output_dir.clone();
    let mut on_event = |event: WatchEvent| {
        log_watch_event(&event, &output_dir);
        if let Some(live) = &live {
            match &event {
                WatchEvent::Built { .. } => live.built(),
                WatchEvent::Failed { error, .. } => live.failed(&failure_text(error)),
                WatchEvent::Superseded { .. } | WatchEvent::WatchError(_) => {}
            }
        }
    };
    match tizilim::watch::watch(&options, &tizilim::watch::SystemClock, &stop, &mut on_event) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cannot watch {}: {e}", options.root.display());
            ExitCode::from(1)
        }
    }
}

fn serve(root: PathBuf, output_dir: PathBuf, interface: &str, port: u16) -> ExitCode {
    let server = match tizilim::serve::PreviewServer::bind(interface, port, &output_dir) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    let stop = stop_flag();
    let mut options = tizilim::watch::WatchOptions::new(root, output_dir);
    options.base_url = Some(server.url());
    options.progress = terminal_progress();
    let live = server.live.clone();
    let watch_stop = stop.clone();
    let watcher = std::thread::spawn(move || watch_until(options, Some(live), watch_stop));
    println!("serving {} (Ctrl-C to stop)", server.url());
    let workers = std::thread::available_parallelism()
        .map_or(4, |n| n.get() * 4)
        .clamp(4, 32);
    server.run(workers, &stop);
    server.unblock();
    let code = watcher.join().unwrap_or(ExitCode::from(1));
    println!("stopped");
    code
}

fn check(root: &std::path::Path) -> ExitCode {
    let started = Instant::now();
    let Some(site) = read_site(root) else {
        return ExitCode::from(1);
    };
    let r = &site.checked.registry;
    println!(
        "register OK: {} regions, {} professions, {} centers, {} certificates, {} scope rows, {} events; {} warning(s) ({:.0?})",
        r.regions.len(),
        r.professions.len(),
        r.centers.len(),
        r.certificates.len(),
        r.scope_count(),
        r.event_count(),
        site.checked.warnings.len(),
        started.elapsed()
    );
    // A site root (with config.toml): its theme, templates and content too, by rendering the
    // whole site in memory (nothing is written).
    if root.join("config.toml").is_file() {
        let started = Instant::now();
        match tizilim::site::check(root, &site, &tizilim::site::BuildOptions::default()) {
            Ok(checked) => println!(
                "site OK: theme `{}`, {} pages, {} files ({:.0?})",
                site.config.theme,
                checked.html_pages,
                checked.files,
                started.elapsed()
            ),
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(1);
            }
        }
    }
    ExitCode::SUCCESS
}

fn status(
    root: &std::path::Path,
    id: &str,
    on: Option<NaiveDate>,
    profession: Option<&str>,
    json: bool,
    lang: Option<tizilim::register::Lang>,
) -> ExitCode {
    let Some(site) = read_site(root) else {
        return ExitCode::from(1);
    };
    let today = dates::today_in_kazakhstan();
    let on = on.unwrap_or(today);
    let lang = lang.unwrap_or(site.config.default_language);
    match tizilim::answer::answer(&site.checked.registry, id, on, profession) {
        Ok(mut answer) => {
            // The verification page's sentences, from the site's theme (when it has one).
            if let Ok(theme) = tizilim::site::theme::load_theme(root, &site.config.theme) {
                tizilim::answer::explain(
                    &mut answer,
                    &site.checked.registry,
                    &theme.strings[&lang],
                    today,
                    lang,
                );
            }
            if json {
                match serde_json::to_string_pretty(&answer) {
                    Ok(text) => println!("{text}"),
                    Err(e) => {
                        eprintln!("cannot write the answer as JSON: {e}");
                        return ExitCode::from(1);
                    }
                }
            } else {
                print!("{}", answer.to_text(lang));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
    }
}
