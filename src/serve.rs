//! The preview server: the published output over HTTP (tiny_http) on 127.0.0.1 by default,
//! with live reload by Server-Sent Events and the last build error shown over every page.
//!
//! Paths are resolved strictly inside the output folder by [`crate::contain`]'s rule: plain
//! names, through real folders, no symbolic link followed.
//!
//! A slow or dead client costs only its own connection:
//! - every request is answered on a thread of its own, and files are streamed;
//! - every connection has a write timeout (set on the listening socket, which accepted
//!   sockets inherit), so a client that stops reading frees its thread;
//! - live reload's event streams, which stay open for as long as a page does, have a
//!   listener of their own, served by threads of tizilim's: tiny_http keeps one thread of its
//!   pool per open connection, and its pool can miscount a burst of connections that all
//!   stay open, leaving new ones waiting. Each page has a bounded queue that the watcher only
//!   puts events in, and a page that stops reading is dropped.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use crate::contain::Entry;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tiny_http::{Header, Method, Request, Response, Server};

/// Where the server's own endpoints live (no site path starts with `__`).
pub const ENDPOINT: &str = "/__tizilim/";

const LIVE_SCRIPT: &str = r#"// tizilim preview: reload on rebuild; show the last build error over the page.
(function () {
  "use strict";
  function overlay(text) {
    var el = document.getElementById("tizilim-build-error");
    if (!text) { if (el) { el.remove(); } return; }
    if (!el) {
      el = document.createElement("div");
      el.id = "tizilim-build-error";
      el.setAttribute("role", "alert");
      el.style.cssText = "position:fixed;left:0;right:0;bottom:0;max-height:60vh;overflow:auto;z-index:2147483647;" +
        "background:#2b0b0b;color:#fff;font:14px/1.45 ui-monospace,monospace;padding:12px 16px;white-space:pre-wrap;border-top:4px solid #e05252";
      document.body.appendChild(el);
    }
    el.textContent = "tizilim: the last build failed; this is the last good site.\n\n" + text;
  }
  // The event stream has a listener of its own (see src/serve.rs): its address is this
  // script's data-events attribute.
  var script = document.querySelector("script[data-events]");
  var events = new EventSource(script ? script.getAttribute("data-events") : "/__tizilim/events");
  events.addEventListener("reload", function () { window.location.reload(); });
  events.addEventListener("build-error", function (e) { overlay(JSON.parse(e.data)); });
  events.addEventListener("build-ok", function () { overlay(null); });
})();
"#;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {address}: {message}")]
    Bind { address: String, message: String },
}

/// Events queued for one live-reload client at most; a client that falls this far behind
/// (it stopped reading) is dropped.
const CLIENT_QUEUE: usize = 16;
/// Live-reload clients at most; one more is answered 503.
const MAX_CLIENTS: usize = 256;
/// Responses being sent at once at most (each on a thread of its own, so that a slow reader
/// holds only its own); one more is answered 503.
const MAX_RESPONSES: usize = 256;

/// The state live reload shares between the watcher and the server. Each connected page has
/// a thread of its own that writes its events from a bounded queue: the watcher only puts an
/// event in each queue, never waits for a client, and a client whose queue is full is dropped.
#[derive(Default)]
pub struct LiveReload {
    last_error: Mutex<Option<String>>,
    clients: Mutex<Vec<std::sync::mpsc::SyncSender<Arc<str>>>>,
}

impl LiveReload {
    /// A build succeeded: clear the error and reload every page.
    pub fn built(&self) {
        if let Ok(mut error) = self.last_error.lock() {
            *error = None;
        }
        self.broadcast("event: build-ok\ndata: {}\n\nevent: reload\ndata: {}\n\n");
    }

    /// A build failed: show `message` over every page until the next good build.
    pub fn failed(&self, message: &str) {
        if let Ok(mut error) = self.last_error.lock() {
            *error = Some(message.to_owned());
        }
        self.broadcast(&error_event(message));
    }

    pub fn last_error(&self) -> Option<String> {
        self.last_error.lock().ok().and_then(|e| e.clone())
    }

    /// The pages connected now.
    pub fn clients(&self) -> usize {
        self.clients.lock().map_or(0, |c| c.len())
    }

    /// Queues an event for every connected page, forgetting those that are gone or that
    /// stopped reading (nothing here waits for a client).
    fn broadcast(&self, event: &str) {
        let event: Arc<str> = Arc::from(event);
        if let Ok(mut clients) = self.clients.lock() {
            clients.retain(|client| client.try_send(event.clone()).is_ok());
        }
    }

    /// Whether one more page may connect.
    fn has_room(&self) -> bool {
        self.clients() < MAX_CLIENTS
    }

    /// Serves a connected page its events, on a thread of its own.
    fn add(&self, mut client: Box<dyn Write + Send>) {
        // (The pages are on another port of the same host: another origin.)
        let mut hello = String::from("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nAccess-Control-Allow-Origin: *\r\nConnection: keep-alive\r\n\r\nretry: 1000\n\n");
        if let Some(error) = self.last_error() {
            hello.push_str(&error_event(&error));
        }
        let (queue, events) = std::sync::mpsc::sync_channel::<Arc<str>>(CLIENT_QUEUE);
        if let Ok(mut clients) = self.clients.lock() {
            clients.push(queue);
        }
        std::thread::spawn(move || {
            let mut send = |text: &str| {
                client
                    .write_all(text.as_bytes())
                    .and_then(|()| client.flush())
                    .is_ok()
            };
            if !send(&hello) {
                return;
            }
            // Ends when the client is gone (a write fails) or dropped (the queue closes).
            while let Ok(event) = events.recv() {
                if !send(&event) {
                    return;
                }
            }
        });
    }
}

/// Reads the request of an event-stream connection (its head, at most 8 KiB, within the idle
/// time) and hands the connection to `live` (or answers 503 when it is full).
fn open_event_stream(mut stream: std::net::TcpStream, live: &LiveReload) {
    use std::io::Read;
    let timeouts = stream
        .set_nonblocking(false)
        .and_then(|()| stream.set_read_timeout(Some(IDLE_CONNECTION)))
        .and_then(|()| stream.set_write_timeout(Some(STALLED_WRITE)));
    if timeouts.is_err() {
        return;
    }
    let mut head = Vec::with_capacity(512);
    let mut byte = [0u8; 512];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&byte[..n]),
        }
        if head.len() > 8192 {
            return;
        }
    }
    if !live.has_room() {
        let _ = stream.write_all(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 5\r\nConnection: close\r\n\r\nbusy\n");
        return;
    }
    live.add(Box::new(stream));
}

fn error_event(message: &str) -> String {
    let data = serde_json::to_string(message).unwrap_or_default();
    format!("event: build-error\ndata: {data}\n\n")
}

/// What a request path names in the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    File(PathBuf),
    /// A folder asked for without its final `/`: where to redirect.
    Redirect(String),
    NotFound,
}

/// Resolves the path of a request URL (without its query) inside `root` (canonical), by
/// [`crate::contain`]'s rule: plain names, through real folders, to a real file.
pub fn resolve(root: &Path, url_path: &str) -> Resolved {
    let Some(decoded) = decode_path(url_path) else {
        return Resolved::NotFound;
    };
    // tizilim's own bookkeeping (manifest, staging) is not part of the site.
    if decoded.split('/').any(|s| s.starts_with(".tizilim")) {
        return Resolved::NotFound;
    }
    let Some(path) = crate::contain::join(root, &decoded) else {
        return Resolved::NotFound;
    };
    if !crate::contain::through_real_folders(root, &path) {
        return Resolved::NotFound;
    }
    match crate::contain::entry(&path) {
        Entry::Folder => {
            if !decoded.ends_with('/') {
                // (`//centers` names the same folder: the redirect names it with single
                // slashes, so that it is never read as another host.)
                let segments: Vec<&str> = decoded.split('/').filter(|s| !s.is_empty()).collect();
                return Resolved::Redirect(format!("/{}/", segments.join("/")));
            }
            let index = path.join("index.html");
            match crate::contain::entry(&index) {
                Entry::File => Resolved::File(index),
                _ => Resolved::NotFound,
            }
        }
        Entry::File => Resolved::File(path),
        Entry::Missing | Entry::Other => Resolved::NotFound,
    }
}

/// Percent-decodes a URL path once; `None` for anything that could step out of a folder
/// or confuse one: encoded `/`, `\` or NUL, a raw `\` or NUL, or bytes that are not UTF-8.
fn decode_path(path: &str) -> Option<String> {
    if !path.starts_with('/') || path.contains('\\') || path.contains('\0') {
        return None;
    }
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = path.get(i + 1..i + 3)?;
            let byte = u8::from_str_radix(hex, 16).ok()?;
            if matches!(byte, b'/' | b'\\' | 0) {
                return None;
            }
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// A response header. Values are ASCII here: fixed texts, hashes, and paths made ASCII by
/// [`ascii_path`].
fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap_or_else(|()| {
        Header::from_bytes(name.as_bytes(), &b""[..]).expect("an empty header value is valid")
    })
}

/// A path with every byte outside printable ASCII, and `?`, `#` and `%`, percent-encoded (for a
/// `Location` header).
fn ascii_path(path: &str) -> String {
    path.bytes()
        .map(|b| {
            if b.is_ascii_graphic() && !matches!(b, b'?' | b'#' | b'%') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Adds the live-reload script to an HTML page; `events` is the address of the event stream.
fn with_live_script(mut html: Vec<u8>, events: &str) -> Vec<u8> {
    let tag = format!("<script src=\"/__tizilim/live.js\" data-events=\"{events}\"></script>");
    let tag = tag.as_bytes();
    match html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
    {
        Some(at) => {
            html.splice(at..at, tag.iter().copied());
        }
        None => html.extend_from_slice(tag),
    }
    html
}

/// An event-stream connection that sends no request for this long is closed.
const IDLE_CONNECTION: Duration = Duration::from_secs(5);
/// A write to a client that reads nothing for this long fails (and the client is dropped).
const STALLED_WRITE: Duration = Duration::from_secs(10);

/// The preview server.
pub struct PreviewServer {
    server: Arc<Server>,
    pub address: SocketAddr,
    /// The listener of live reload's event streams.
    events: std::net::TcpListener,
    handler: Arc<Handler>,
    pub live: Arc<LiveReload>,
}

/// What answers a request: the output folder and live reload.
struct Handler {
    root: PathBuf,
    live: Arc<LiveReload>,
    /// The address of the event stream, for the pages' live-reload script.
    events_url: String,
    /// Responses being sent now.
    responding: std::sync::atomic::AtomicUsize,
}

impl PreviewServer {
    /// Listens on `interface:port` (port 0: any free port) for the output folder `root`, and
    /// on another free port of `interface` for live reload's event streams.
    pub fn bind(interface: &str, port: u16, root: &Path) -> Result<PreviewServer, ServeError> {
        let address = format!("{interface}:{port}");
        let bind_error = |address: &str, e: &dyn std::fmt::Display| ServeError::Bind {
            address: address.to_owned(),
            message: e.to_string(),
        };
        let listener =
            std::net::TcpListener::bind(&address).map_err(|e| bind_error(&address, &e))?;
        // Inherited by every accepted connection (Linux copies it from the listening
        // socket): a write to a client that reads nothing fails after this long. (Not a read
        // timeout: on a listening socket it would make tiny_http's `accept` fail, which ends
        // its accepting.)
        socket2::SockRef::from(&listener)
            .set_write_timeout(Some(STALLED_WRITE))
            .map_err(|e| bind_error(&address, &e))?;
        let address = listener
            .local_addr()
            .map_err(|e| bind_error(&address, &e))?;
        let server = Server::from_listener(listener, None)
            .map_err(|e| bind_error(&address.to_string(), &e))?;
        let events = std::net::TcpListener::bind((address.ip(), 0))
            .map_err(|e| bind_error(&format!("{}:0", address.ip()), &e))?;
        let events_url = format!(
            "http://{}/",
            events.local_addr().map_err(|e| bind_error("events", &e))?
        );
        std::fs::create_dir_all(root).ok();
        let live = Arc::new(LiveReload::default());
        Ok(PreviewServer {
            server: Arc::new(server),
            address,
            events,
            handler: Arc::new(Handler {
                root: root.canonicalize().unwrap_or_else(|_| root.to_owned()),
                live: live.clone(),
                events_url,
                responding: Default::default(),
            }),
            live,
        })
    }

    /// The base URL of the site as served.
    pub fn url(&self) -> String {
        format!("http://{}/", self.address)
    }

    /// Accepts requests on `workers` threads until `stop` is set. Each request is answered
    /// on a thread of its own, so that a slow reader (or one that never reads) holds only
    /// its own connection.
    pub fn run(&self, workers: usize, stop: &AtomicBool) {
        std::thread::scope(|scope| {
            for _ in 0..workers.max(1) {
                scope.spawn(|| {
                    while !stop.load(Ordering::SeqCst) {
                        match self.server.recv_timeout(Duration::from_millis(250)) {
                            Ok(Some(request)) => Handler::dispatch(&self.handler, request),
                            Ok(None) => {}
                            Err(_) => break,
                        }
                    }
                });
            }
            scope.spawn(|| self.accept_event_streams(stop));
            // Comments keep idle event streams open through proxies, and find closed ones.
            scope.spawn(|| {
                let mut ticks = 0u32;
                while !stop.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(250));
                    ticks += 1;
                    if ticks.is_multiple_of(60) {
                        self.live.broadcast(": keep-alive\n\n");
                    }
                }
            });
        });
    }

    /// The address of live reload's event stream.
    pub fn events_url(&self) -> &str {
        &self.handler.events_url
    }

    /// Takes live reload's event streams until `stop` is set: each connection's request is
    /// read (any path), then the connection is handed to [`LiveReload`], which writes its
    /// events on a thread of its own.
    fn accept_event_streams(&self, stop: &AtomicBool) {
        if self.events.set_nonblocking(true).is_err() {
            return;
        }
        while !stop.load(Ordering::SeqCst) {
            match self.events.accept() {
                Ok((stream, _)) => {
                    let live = self.live.clone();
                    std::thread::spawn(move || open_event_stream(stream, &live));
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }

    /// Wakes the workers so that `run` returns once `stop` is set.
    pub fn unblock(&self) {
        self.server.unblock();
    }
}

impl Handler {
    /// Answers `request` on a thread of its own (or 503 when too many are being answered).
    fn dispatch(handler: &Arc<Handler>, request: Request) {
        if handler.responding.fetch_add(1, Ordering::SeqCst) >= MAX_RESPONSES {
            handler.responding.fetch_sub(1, Ordering::SeqCst);
            let _ = request.respond(Response::from_string("busy\n").with_status_code(503));
            return;
        }
        let spawned = std::thread::Builder::new().spawn({
            let handler = handler.clone();
            move || {
                // A bug met by one request must not take the server down.
                let handled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    handler.handle(request)
                }));
                if handled.is_err() {
                    eprintln!("a request failed inside the preview server; it goes on serving");
                }
                handler.responding.fetch_sub(1, Ordering::SeqCst);
            }
        });
        if spawned.is_err() {
            handler.responding.fetch_sub(1, Ordering::SeqCst);
        }
    }

    fn handle(&self, request: Request) {
        let url = request.url().to_owned();
        let path = url.split(['?', '#']).next().unwrap_or("/").to_owned();
        let method = request.method().clone();
        if !matches!(method, Method::Get | Method::Head) {
            let response = Response::from_string("only GET and HEAD\n")
                .with_status_code(405)
                .with_header(header("Allow", "GET, HEAD"));
            let _ = request.respond(response);
            return;
        }
        if let Some(endpoint) = path.strip_prefix(ENDPOINT) {
            match endpoint {
                // The event stream is served by a listener of its own (see the module's
                // documentation).
                "events" => {
                    let response = Response::empty(307)
                        .with_header(header("Location", &self.events_url))
                        .with_header(header("Access-Control-Allow-Origin", "*"));
                    let _ = request.respond(response);
                }
                "live.js" => {
                    let response = Response::from_string(LIVE_SCRIPT)
                        .with_header(header("Content-Type", "text/javascript; charset=utf-8"));
                    let _ = request.respond(response);
                }
                "error" => {
                    let body = serde_json::json!({ "error": self.live.last_error() }).to_string();
                    let _ = request.respond(
                        Response::from_string(body)
                            .with_header(header("Content-Type", "application/json")),
                    );
                }
                _ => self.not_found(request),
            }
            return;
        }
        match resolve(&self.root, &path) {
            Resolved::File(file) => self.file(request, &file),
            Resolved::Redirect(location) => {
                let response =
                    Response::empty(301).with_header(header("Location", &ascii_path(&location)));
                let _ = request.respond(response);
            }
            Resolved::NotFound => self.not_found(request),
        }
    }

    /// Sends a file: an HTML page read whole (the live-reload script goes in it), anything
    /// else streamed from the file. The ETag is made from the file's stamp (length, time of
    /// the last write, inode), not from reading it.
    fn file(&self, request: Request, file: &Path) {
        let Ok(opened) = std::fs::File::open(file) else {
            self.not_found(request);
            return;
        };
        let Ok(meta) = opened.metadata() else {
            self.not_found(request);
            return;
        };
        let kind = content_type(file);
        let etag = etag_of(&meta, kind.starts_with("text/html"));
        let fresh = request
            .headers()
            .iter()
            .filter(|h| h.field.equiv("If-None-Match"))
            .any(|h| {
                h.value
                    .as_str()
                    .split(',')
                    .any(|tag| tag.trim() == etag || tag.trim() == "*")
            });
        let common = [header("ETag", &etag), header("Cache-Control", "no-cache")];
        if fresh {
            let mut response = Response::empty(304);
            for h in common {
                response.add_header(h);
            }
            let _ = request.respond(response);
            return;
        }
        if kind.starts_with("text/html") {
            let mut bytes = Vec::with_capacity(meta.len() as usize + 64);
            if std::io::Read::read_to_end(&mut &opened, &mut bytes).is_err() {
                self.not_found(request);
                return;
            }
            let mut response = Response::from_data(with_live_script(bytes, &self.events_url))
                .with_header(header("Content-Type", kind));
            for h in common {
                response.add_header(h);
            }
            let _ = request.respond(response);
            return;
        }
        let mut response = Response::from_file(opened).with_header(header("Content-Type", kind));
        for h in common {
            response.add_header(h);
        }
        let _ = request.respond(response);
    }

    /// The 404 page of the language of `path`: the `404.html` of the path's first folder if
    /// it has one (`/ru/…` → `/ru/404.html`), else the site's.
    fn not_found(&self, request: Request) {
        let path = request.url().split(['?', '#']).next().unwrap_or("/");
        let first = decode_path(path)
            .and_then(|p| p.split('/').find(|s| !s.is_empty()).map(str::to_owned))
            .unwrap_or_default();
        let own = (!first.is_empty()).then(|| format!("/{first}/404.html"));
        let page = own
            .iter()
            .map(String::as_str)
            .chain(["/404.html"])
            .find_map(|candidate| match resolve(&self.root, candidate) {
                Resolved::File(file) => std::fs::read(file).ok(),
                _ => None,
            })
            .map(|page| with_live_script(page, &self.events_url))
            .unwrap_or_else(|| b"404 Not Found\n".to_vec());
        let response = Response::from_data(page)
            .with_status_code(404)
            .with_header(header("Content-Type", "text/html; charset=utf-8"));
        let _ = request.respond(response);
    }
}

/// The ETag of a file from its stamp (a write changes the length or the time, a rename over
/// it the inode); a page's differs from the file's, since the live script is added to it.
fn etag_of(meta: &std::fs::Metadata, page: bool) -> String {
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(meta);
    #[cfg(not(unix))]
    let inode = 0u64;
    let written = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    format!(
        "\"{:x}-{:x}-{inode:x}{}\"",
        meta.len(),
        written,
        if page { "-p" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("centers/190540001230")).unwrap();
        std::fs::write(root.join("centers/190540001230/index.html"), "Әділет").unwrap();
        std::fs::write(root.join("орталық.txt"), "ok").unwrap();
        std::fs::write(root.join(".tizilim-published"), "index.html").unwrap();
        std::fs::create_dir_all(root.join(".tizilim-staging/centers")).unwrap();
        std::fs::write(root.join(".tizilim-staging/centers/x.html"), "draft").unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), "secret").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(outside.path(), root.join("link")).unwrap();

        assert_eq!(
            resolve(&root, "/centers/190540001230/"),
            Resolved::File(root.join("centers/190540001230/index.html"))
        );
        assert_eq!(
            resolve(&root, "/centers/190540001230"),
            Resolved::Redirect("/centers/190540001230/".into())
        );
        assert_eq!(
            resolve(&root, "/%D0%BE%D1%80%D1%82%D0%B0%D0%BB%D1%8B%D2%9B.txt"),
            Resolved::File(root.join("орталық.txt"))
        );
        for bad in [
            "/../secret.txt",
            "/centers/../../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2E%2E%2Fsecret.txt",
            "/centers%2f..%2f..%2fsecret.txt",
            "/%252e%252e/secret.txt",
            "/..%5csecret.txt",
            "/..\\secret.txt",
            "/%00",
            "/index.html%00.txt",
            "/link/secret.txt",
            "/./centers/",
            "/%C0%AE%C0%AE/secret.txt",
            "relative",
            "/nothing-here",
            "/.tizilim-published",
            "/.tizilim-staging/centers/x.html",
            "/%2etizilim-published",
        ] {
            assert_eq!(resolve(&root, bad), Resolved::NotFound, "{bad}");
        }
    }

    #[test]
    fn redirects_name_ascii_locations() {
        assert_eq!(
            ascii_path("/орталық dir/"),
            "/%D0%BE%D1%80%D1%82%D0%B0%D0%BB%D1%8B%D2%9B%20dir/"
        );
        assert_eq!(header("Location", "/a/").value.as_str(), "/a/");
    }

    #[test]
    fn the_live_script_goes_before_the_end_of_the_body() {
        let page = with_live_script(
            b"<html><body><p>x</p></BODY></html>".to_vec(),
            "http://127.0.0.1:9/",
        );
        assert_eq!(
            String::from_utf8(page).unwrap(),
            "<html><body><p>x</p><script src=\"/__tizilim/live.js\" data-events=\"http://127.0.0.1:9/\"></script></BODY></html>"
        );
    }
}
