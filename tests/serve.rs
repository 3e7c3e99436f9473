//! `tizilim serve` as a process: it serves only what is inside the output folder, with the
//! theme's 404 page, HEAD, ETags, live reload by Server-Sent Events, the last build error, many
//! clients at once, a reader who never sees a half-written file, and a clean stop on Ctrl-C.

mod common;

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{eventually, watch_events, watch_site, watch_status, Running};

struct Preview {
    running: Running,
    port: u16,
    _site: tempfile::TempDir,
    root: std::path::PathBuf,
    out: tempfile::TempDir,
}

fn start() -> Preview {
    let site = watch_site();
    let out = tempfile::tempdir().unwrap();
    let running = Running::start(&[
        "serve",
        "--root",
        site.path().to_str().unwrap(),
        "--port",
        "0",
        "--output-dir",
        out.path().to_str().unwrap(),
    ]);
    let line = running.wait_for_line("serving http://127.0.0.1:", 0);
    let text = running.lines.lock().unwrap()[line].clone();
    let port = text
        .split("127.0.0.1:")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    running.wait_for_line("built (start)", 0);
    Preview {
        running,
        port,
        root: site.path().to_owned(),
        _site: site,
        out,
    }
}

/// A raw HTTP/1.1 request (so that no client tidies the path); returns status, headers, body.
fn request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut text = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    stream.write_all(text.as_bytes()).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response");
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(n, v)| (n.to_ascii_lowercase(), v.to_owned()))
        .collect();
    (status, headers, response[split + 4..].to_vec())
}

fn get(port: u16, path: &str) -> (u16, Vec<(String, String)>, Vec<u8>) {
    request(port, "GET", path, &[])
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn it_serves_the_site_and_nothing_outside_it() {
    let preview = start();
    let port = preview.port;
    let (status, headers, body) = get(port, "/");
    assert_eq!(status, 200);
    assert_eq!(
        header(&headers, "content-type"),
        Some("text/html; charset=utf-8")
    );
    let html = String::from_utf8(body).unwrap();
    assert!(html.contains("<html lang=\"kk\">"));
    assert!(html.contains("<script src=\"/__tizilim/live.js\" data-events=\"http://127.0.0.1:"));
    assert!(html.contains("/\"></script></body>"));
    // Links are built for where it is served.
    assert!(html.contains(&format!(
        "<link rel=\"canonical\" href=\"http://127.0.0.1:{port}/\">"
    )));
    assert_eq!(get(port, "/ru/centers/190540001230/").0, 200);
    let (status, headers, _) = get(port, "/ru/centers/190540001230");
    assert_eq!(
        (status, header(&headers, "location")),
        (301, Some("/ru/centers/190540001230/"))
    );
    assert_eq!(
        header(&get(port, "/style.css").1, "content-type"),
        Some("text/css; charset=utf-8")
    );
    assert_eq!(
        header(&get(port, "/data/register.json").1, "content-type"),
        Some("application/json")
    );

    // Escapes, raw, encoded, double-encoded, with backslashes, NUL, and a symbolic link out.
    let secret = tempfile::tempdir().unwrap();
    fs::write(secret.path().join("secret.txt"), "құпия").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(secret.path(), preview.out.path().join("leak")).unwrap();
    let root_name = preview
        .root
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    for attack in [
        "/../../../../etc/passwd".to_owned(),
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd".to_owned(),
        "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd".to_owned(),
        "/%252e%252e/%252e%252e/etc/passwd".to_owned(),
        "/..%5c..%5c..%5cetc%5cpasswd".to_owned(),
        "/..\\..\\..\\etc\\passwd".to_owned(),
        "/%00".to_owned(),
        "/index.html%00.css".to_owned(),
        "/leak/secret.txt".to_owned(),
        "/./../data/events.csv".to_owned(),
        format!("/../{root_name}/data/events.csv"),
        "//etc/passwd".to_owned(),
    ] {
        let (status, _, body) = get(port, &attack);
        let body = String::from_utf8_lossy(&body);
        assert_eq!(status, 404, "{attack}");
        assert!(
            !body.contains("root:")
                && !body.contains("құпия")
                && !body.contains("certificate,date"),
            "{attack}"
        );
        assert!(
            body.contains("Бет табылмады"),
            "{attack}: the theme's 404 page"
        );
    }
    // A folder named in Kazakh, asked for without its `/`: redirected, percent-encoded.
    fs::create_dir_all(preview.out.path().join("орталық")).unwrap();
    fs::write(
        preview.out.path().join("орталық/index.html"),
        "<p>Орталық</p>",
    )
    .unwrap();
    let encoded = "/%D0%BE%D1%80%D1%82%D0%B0%D0%BB%D1%8B%D2%9B";
    let (status, headers, _) = get(port, encoded);
    assert_eq!(
        (status, header(&headers, "location")),
        (301, Some(format!("{encoded}/").as_str()))
    );
    assert_eq!(get(port, &format!("{encoded}/")).0, 200);
    // A raw UTF-8 request line is refused by the HTTP layer, and the server goes on.
    let mut raw = TcpStream::connect(("127.0.0.1", port)).unwrap();
    raw.write_all("GET /орталық HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".as_bytes())
        .unwrap();
    let mut ignored = Vec::new();
    let _ = raw.read_to_end(&mut ignored);
    assert_eq!(get(port, "/").0, 200);
    let (status, _, body) = get(port, "/no/such/page/");
    assert_eq!(status, 404);
    assert!(String::from_utf8_lossy(&body).contains("<h1>Бет табылмады</h1>"));
    assert_eq!(
        request(port, "POST", "/", &[("Content-Length", "0")]).0,
        405
    );
}

#[test]
fn head_etags_and_many_clients() {
    let preview = start();
    let port = preview.port;
    let (status, headers, body) = get(port, "/certificates/watch-1/");
    assert_eq!(status, 200);
    let (head_status, head_headers, head_body) =
        request(port, "HEAD", "/certificates/watch-1/", &[]);
    assert_eq!(head_status, 200);
    assert!(head_body.is_empty());
    assert_eq!(
        header(&head_headers, "content-length").map(|l| l.parse::<usize>().unwrap()),
        Some(body.len())
    );
    let etag = header(&headers, "etag").unwrap().to_owned();
    assert_eq!(header(&head_headers, "etag"), Some(etag.as_str()));
    let (status, _, body) = request(
        port,
        "GET",
        "/certificates/watch-1/",
        &[("If-None-Match", &etag)],
    );
    assert_eq!((status, body.len()), (304, 0));
    assert_eq!(
        request(
            port,
            "GET",
            "/certificates/watch-1/",
            &[("If-None-Match", "\"other\"")]
        )
        .0,
        200
    );

    // A slow client (connected, sending nothing) does not hold up the others.
    let _slow = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let pages = [
        "/",
        "/centers/",
        "/ru/certificates/kz-ud-0003/",
        "/en/changes/",
        "/style.css",
        "/data/centers.csv",
    ];
    let handles: Vec<_> = (0..100)
        .map(|i| {
            let path = pages[i % pages.len()];
            std::thread::spawn(move || get(port, path).0)
        })
        .collect();
    let statuses: Vec<u16> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert!(statuses.iter().all(|&s| s == 200), "{statuses:?}");
}

/// Reads server-sent events until one named `name` arrives; returns its data.
fn next_event(reader: &mut BufReader<TcpStream>, name: &str) -> String {
    let mut event = String::new();
    loop {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "the event stream closed"
        );
        let line = line.trim_end();
        if let Some(value) = line.strip_prefix("event: ") {
            event = value.to_owned();
        } else if let Some(data) = line.strip_prefix("data: ") {
            if event == name {
                return data.to_owned();
            }
        }
    }
}

/// The port of the event stream of the server on `port`: where `/__tizilim/events` redirects
/// (a listener of its own).
fn events_port(port: u16) -> u16 {
    let (status, headers, _) = get(port, "/__tizilim/events");
    assert_eq!(status, 307);
    header(&headers, "location")
        .unwrap()
        .trim_start_matches("http://127.0.0.1:")
        .trim_end_matches('/')
        .parse()
        .unwrap()
}

fn events(port: u16) -> BufReader<TcpStream> {
    let events_port = events_port(port);
    let mut stream = TcpStream::connect(("127.0.0.1", events_port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    stream
        .write_all(b"GET /__tizilim/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();
    let mut reader = BufReader::new(stream);
    let mut status = String::new();
    reader.read_line(&mut status).unwrap();
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    reader
}

#[test]
fn live_reload_and_the_last_error() {
    let mut preview = start();
    let port = preview.port;
    let data = preview.root.join("data");
    let mut stream = events(port);
    fs::write(data.join("events.csv"), watch_events(true)).unwrap();
    next_event(&mut stream, "reload");
    assert_eq!(watch_status(preview.out.path()).as_deref(), Some("revoked"));

    // A bad save: the error goes to every page, and the site stays.
    fs::write(
        data.join("events.csv"),
        "certificate,date,action\nWATCH-1,2024-06-01,отозван\n",
    )
    .unwrap();
    let error: String = serde_json::from_str(&next_event(&mut stream, "build-error")).unwrap();
    assert!(
        error.contains("data/events.csv:2: action: `отозван` is not an action"),
        "{error}"
    );
    let (_, _, body) = get(port, "/__tizilim/error");
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["error"].as_str(), Some(error.as_str()));
    assert_eq!(get(port, "/certificates/watch-1/").0, 200);
    // A page opened now learns of the error at once.
    let mut late = events(port);
    assert!(next_event(&mut late, "build-error").contains("отозван"));
    assert!(preview.running.is_running());
    // The fix clears it.
    fs::write(data.join("events.csv"), watch_events(false)).unwrap();
    next_event(&mut stream, "build-ok");
    next_event(&mut stream, "reload");
    eventually("the fix is published", || {
        watch_status(preview.out.path()).as_deref() == Some("valid")
    });
    let (_, _, body) = get(port, "/__tizilim/error");
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&body).unwrap()["error"],
        serde_json::Value::Null
    );
}

#[test]
fn readers_never_see_a_missing_empty_or_truncated_file() {
    let preview = start();
    let port = preview.port;
    let out = preview.out.path().to_owned();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = [
        "/certificates/watch-1/",
        "/centers/190540001230/",
        "/",
        "/changes/",
    ]
    .into_iter()
    .map(|path| {
        let (stop, out) = (stop.clone(), out.clone());
        std::thread::spawn(move || {
            let mut reads = 0;
            let file = out.join(path.trim_start_matches('/')).join("index.html");
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let (status, _, body) = get(port, path);
                assert_eq!(status, 200, "{path}");
                let body = String::from_utf8(body).unwrap();
                assert!(
                    body.trim_end().ends_with("</html>"),
                    "{path} over HTTP was cut short"
                );
                let disk =
                    fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
                assert!(
                    disk.trim_end().ends_with("</html>"),
                    "{} was cut short",
                    file.display()
                );
                reads += 1;
            }
            reads
        })
    })
    .collect();
    let data = preview.root.join("data");
    let mut revoked = false;
    for _ in 0..6 {
        revoked = !revoked;
        fs::write(data.join("events.csv"), watch_events(revoked)).unwrap();
        let expected = if revoked { "revoked" } else { "valid" };
        eventually("a rebuild", || {
            watch_status(&out).as_deref() == Some(expected)
        });
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for reader in readers {
        assert!(reader.join().unwrap() > 5);
    }
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_it_cleanly() {
    let mut preview = start();
    let pid = preview.running.child.id().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = preview.running.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still running after Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    preview.running.wait_for_line("stopped", 0);
}

/// Links planted inside the output are never followed, a redirect never leaves the origin,
/// and an unknown page under a language's folder gets that language's 404 page.
#[test]
fn planted_links_scheme_relative_redirects_and_each_language_404() {
    let preview = start();
    let port = preview.port;
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("SECRET.txt"), "құпия").unwrap();
    #[cfg(unix)]
    {
        let en = preview.out.path().join("en");
        fs::remove_file(en.join("404.html")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("SECRET.txt"), en.join("404.html")).unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("SECRET.txt"),
            preview.out.path().join("robots.txt.link"),
        )
        .unwrap();
        for path in [
            "/en/nothing",
            "/en/404.html",
            "/robots.txt.link",
            "/../SECRET.txt",
        ] {
            let (status, _, body) = get(port, path);
            assert_eq!(status, 404, "{path}");
            assert!(!String::from_utf8_lossy(&body).contains("құпия"), "{path}");
        }
    }
    for (path, location) in [
        ("//centers", "/centers/"),
        ("///centers", "/centers/"),
        ("//ru//centers", "/ru/centers/"),
    ] {
        let (status, headers, _) = get(port, path);
        assert_eq!(
            (status, header(&headers, "location")),
            (301, Some(location)),
            "{path}"
        );
    }
    for (path, heading) in [
        ("/ru/no/such/page/", "<h1>Страница не найдена</h1>"),
        ("/no/such/page/", "<h1>Бет табылмады</h1>"),
        ("/ruble/", "<h1>Бет табылмады</h1>"),
    ] {
        let (status, _, body) = get(port, path);
        assert_eq!(status, 404, "{path}");
        assert!(String::from_utf8_lossy(&body).contains(heading), "{path}");
    }
}

/// A live-reload client that never reads, while large build errors are broadcast, and slow
/// readers of a large file, cost only their own connections: the watcher goes on publishing
/// and every other request is answered.
#[test]
fn slow_and_dead_clients_cost_only_their_own_connection() {
    let preview = start();
    let port = preview.port;
    let data = preview.root.join("data");
    // Connected to the event stream, never reading, all at once.
    let stream_port = events_port(port);
    let mut dead: Vec<TcpStream> = (0..11)
        .map(|_| {
            let mut stream = TcpStream::connect(("127.0.0.1", stream_port)).unwrap();
            stream
                .write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                .unwrap();
            stream
        })
        .collect();
    // Eight readers of the largest file that read a byte now and then.
    let mut slow: Vec<TcpStream> = (0..8)
        .map(|_| {
            let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
            stream
                .write_all(b"GET /data/register.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                .unwrap();
            let mut byte = [0u8; 1];
            stream.read_exact(&mut byte).unwrap();
            stream
        })
        .collect();
    // Large build errors (every line of a long bad file), many times over.
    let bad: String = std::iter::once("certificate,date,action\n".to_owned())
        .chain((0..3000).map(|i| format!("WATCH-1,2024-06-01,отозван-{i}\n")))
        .collect();
    for round in 0..6 {
        let lines = preview.running.line_count();
        fs::write(data.join("events.csv"), &bad).unwrap();
        let started = std::time::Instant::now();
        preview.running.wait_for_line("build failed", lines);
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "round {round}: the watcher waited for a client"
        );
        let started = std::time::Instant::now();
        assert_eq!(get(port, "/").0, 200);
        assert!(started.elapsed() < Duration::from_secs(5), "round {round}");
    }
    fs::write(data.join("events.csv"), watch_events(true)).unwrap();
    eventually("the fix is published past the dead clients", || {
        watch_status(preview.out.path()).as_deref() == Some("revoked")
    });
    let handles: Vec<_> = (0..40)
        .map(|_| std::thread::spawn(move || get(port, "/centers/").0))
        .collect();
    assert!(handles.into_iter().all(|h| h.join().unwrap() == 200));
    // A live page still hears the next build.
    let mut stream = events(port);
    fs::write(data.join("events.csv"), watch_events(false)).unwrap();
    next_event(&mut stream, "reload");
    dead.clear();
    slow.clear();
}
