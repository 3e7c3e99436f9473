//! The preview server: the published output over HTTP (tiny_http) on 127.0.0.1 by default,
//! with live reload by Server-Sent Events and the last build error shown over every page.
//!
//! Paths are resolved strictly inside the output folder: no `..` or `.` segments, no
//! percent-encoded slashes, backslashes or NUL, and nothing whose real path (symbolic links
//! followed) leaves the folder.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
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
  var events = new EventSource("/__tizilim/events");
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

/// The state live reload shares between the watcher and the server.
#[derive(Default)]
pub struct LiveReload {
    last_error: Mutex<Option<String>>,
    clients: Mutex<Vec<Box<dyn Write + Send>>>,
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

    /// Sends an event to every connected page, forgetting those that are gone.
    fn broadcast(&self, event: &str) {
        if let Ok(mut clients) = self.clients.lock() {
            clients.retain_mut(|client| {
                client
                    .write_all(event.as_bytes())
                    .and_then(|()| client.flush())
                    .is_ok()
            });
        }
    }

    fn add(&self, mut client: Box<dyn Write + Send>) {
        let mut hello = String::from("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: keep-alive\r\n\r\nretry: 1000\n\n");
        if let Some(error) = self.last_error() {
            hello.push_str(&error_event(&error));
        }
        if client
            .write_all(hello.as_bytes())
            .and_then(|()| client.flush())
            .is_ok()
        {
            if let Ok(mut clients) = self.clients.lock() {
                clients.push(client);
            }
        }
    }
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

/// Resolves the path of a request URL (without its query) inside `root` (canonical).
pub fn resolve(root: &Path, url_path: &str) -> Resolved {
    let Some(decoded) = decode_path(url_path) else {
        return Resolved::NotFound;
    };
    let mut path = root.to_owned();
    for segment in decoded.split('/').filter(|s| !s.is_empty()) {
        // tizilim's own bookkeeping (manifest, staging) is not part of the site.
        if segment == "."
            || segment == ".."
            || segment.starts_with(".tizilim")
            || Path::new(segment)
                .components()
                .any(|c| !matches!(c, Component::Normal(_)))
        {
            return Resolved::NotFound;
        }
        path.push(segment);
    }
    let Ok(real) = path.canonicalize() else {
        return Resolved::NotFound;
    };
    if !real.starts_with(root) {
        return Resolved::NotFound; // a symbolic link that leads out of the folder
    }
    if real.is_dir() {
        if !decoded.ends_with('/') {
            return Resolved::Redirect(format!("{url_path}/"));
        }
        let index = real.join("index.html");
        return match index.canonicalize() {
            Ok(index) if index.starts_with(root) && index.is_file() => Resolved::File(index),
            _ => Resolved::NotFound,
        };
    }
    if real.is_file() {
        Resolved::File(real)
    } else {
        Resolved::NotFound
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

/// A path with every byte outside printable ASCII percent-encoded (for a `Location` header).
fn ascii_path(path: &str) -> String {
    path.bytes()
        .map(|b| {
            if b.is_ascii_graphic() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Adds the live-reload script to an HTML page.
fn with_live_script(mut html: Vec<u8>) -> Vec<u8> {
    let tag = b"<script src=\"/__tizilim/live.js\"></script>";
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

/// The preview server.
pub struct PreviewServer {
    server: Arc<Server>,
    pub address: SocketAddr,
    root: PathBuf,
    pub live: Arc<LiveReload>,
}

impl PreviewServer {
    /// Listens on `interface:port` (port 0: any free port) for the output folder `root`.
    pub fn bind(interface: &str, port: u16, root: &Path) -> Result<PreviewServer, ServeError> {
        let address = format!("{interface}:{port}");
        let server = Server::http(&address).map_err(|e| ServeError::Bind {
            address: address.clone(),
            message: e.to_string(),
        })?;
        let address = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| ServeError::Bind {
                address,
                message: "not an IP address".to_owned(),
            })?;
        std::fs::create_dir_all(root).ok();
        Ok(PreviewServer {
            server: Arc::new(server),
            address,
            root: root.canonicalize().unwrap_or_else(|_| root.to_owned()),
            live: Arc::new(LiveReload::default()),
        })
    }

    /// The base URL of the site as served.
    pub fn url(&self) -> String {
        format!("http://{}/", self.address)
    }

    /// Serves with `workers` threads until `stop` is set.
    pub fn run(&self, workers: usize, stop: &AtomicBool) {
        std::thread::scope(|scope| {
            for _ in 0..workers.max(1) {
                scope.spawn(|| {
                    while !stop.load(Ordering::SeqCst) {
                        match self.server.recv_timeout(Duration::from_millis(250)) {
                            Ok(Some(request)) => {
                                // A bug met by one request must not take a worker away.
                                let handled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.handle(request)));
                                if handled.is_err() {
                                    eprintln!("a request failed inside the preview server; it goes on serving");
                                }
                            }
                            Ok(None) => {}
                            Err(_) => break,
                        }
                    }
                });
            }
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
                "events" => self.live.add(request.into_writer()),
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

    fn file(&self, request: Request, file: &Path) {
        let Ok(mut bytes) = std::fs::read(file) else {
            self.not_found(request);
            return;
        };
        let kind = content_type(file);
        if kind.starts_with("text/html") {
            bytes = with_live_script(bytes);
        }
        let etag = format!("\"{}\"", crate::site::render::content_hash(&bytes));
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
        let response = if fresh {
            let mut response = Response::empty(304);
            for h in common {
                response.add_header(h);
            }
            let _ = request.respond(response);
            return;
        } else {
            let mut response = Response::from_data(bytes).with_header(header("Content-Type", kind));
            for h in common {
                response.add_header(h);
            }
            response
        };
        let _ = request.respond(response);
    }

    fn not_found(&self, request: Request) {
        let page = std::fs::read(self.root.join("404.html"))
            .map(with_live_script)
            .unwrap_or_else(|_| b"404 Not Found\n".to_vec());
        let response = Response::from_data(page)
            .with_status_code(404)
            .with_header(header("Content-Type", "text/html; charset=utf-8"));
        let _ = request.respond(response);
    }

    /// Wakes the workers so that `run` returns once `stop` is set.
    pub fn unblock(&self) {
        self.server.unblock();
    }
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
        let page = with_live_script(b"<html><body><p>x</p></BODY></html>".to_vec());
        assert_eq!(
            String::from_utf8(page).unwrap(),
            "<html><body><p>x</p><script src=\"/__tizilim/live.js\"></script></BODY></html>"
        );
    }
}
