//! A small real HTTP/1.1 server on 127.0.0.1 for the read-back tests. It
//! serves fixed routes, stops by itself after `LIFETIME`, and never talks
//! to anything but loopback.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const LIFETIME: Duration = Duration::from_secs(120);

pub struct Server {
    pub base: String,
    pub hits: Arc<AtomicUsize>,
}

pub const TOKEN: &str = "expected-token-value";

pub fn pins_body(digest_api_eu: &str) -> String {
    format!(
        r#"{{"runtime_image_pins": [
  {{"template": "api", "region": "eu", "image_digest": "sha256:{digest_api_eu}"}},
  {{"template": "api", "region": "us", "image_digest": "sha256:{}"}},
  {{"template": "dup", "region": "eu", "image_digest": "sha256:{digest_api_eu}"}},
  {{"template": "dup", "region": "eu", "image_digest": "sha256:{digest_api_eu}"}},
  {{"template": "bad", "region": "eu", "image_digest": "sha256:NOTHEX"}},
  {{"template": "num", "region": "eu", "image_digest": 5}},
  {{"template": "nofield", "region": "eu"}}
], "not_rows": {{"a": 1}}}}"#,
        "b".repeat(64)
    )
}

/// Starts the server; `token` is the bearer token /pins requires.
pub fn start(token: String, digest: String) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    std::thread::spawn(move || {
        let until = Instant::now() + LIFETIME;
        while Instant::now() < until {
            match listener.accept() {
                Ok((stream, _)) => {
                    let (token, digest, h) = (token.clone(), digest.clone(), h.clone());
                    std::thread::spawn(move || {
                        let _ = serve(stream, &token, &digest, &h);
                    });
                }
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    });
    Server { base, hits }
}

fn respond(s: &mut TcpStream, status: &str, extra: &str, body: &[u8]) -> std::io::Result<()> {
    write!(s, "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n", body.len())?;
    s.write_all(body)
}

fn serve(stream: TcpStream, token: &str, digest: &str, hits: &AtomicUsize) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut auth = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        if let Some(v) = line.strip_prefix("Authorization: ").or_else(|| line.strip_prefix("authorization: ")) {
            auth = v.trim().to_string();
        }
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let path = path.split('?').next().unwrap_or("/");
    let n = hits.fetch_add(1, Ordering::SeqCst);
    let mut s = stream;
    match path {
        "/pins" => {
            if auth != format!("Bearer {token}") {
                return respond(&mut s, "401 Unauthorized", "", b"{\"error\": \"unauthorized\"}");
            }
            respond(&mut s, "200 OK", "Content-Type: application/json\r\n", pins_body(digest).as_bytes())
        }
        // Echoes the Authorization header: the token must still never leak.
        "/status/403" => respond(&mut s, "403 Forbidden", "", format!("forbidden for {auth}\n<b>no</b>").as_bytes()),
        // Echoes half of it, behind enough text that a cut falls inside it.
        "/status/403-cut" => {
            let half = &auth[..auth.len() / 2 + auth.len() % 2];
            let body = format!("{}{half}", "x".repeat(180));
            respond(&mut s, "403 Forbidden", "", body.as_bytes())
        }
        // Echoes it with its white space folded, as many servers log it.
        "/status/403-folded" => {
            let folded = auth.split_whitespace().collect::<Vec<_>>().join(" ");
            respond(&mut s, "403 Forbidden", "", format!("denied: {folded}").as_bytes())
        }
        // Puts the token where the digest belongs: a malformed digest whose
        // text the message quotes.
        "/field-echo" => {
            let token = auth.strip_prefix("Bearer ").unwrap_or(&auth);
            let body = serde_json::json!({"rows": [{"k": "v", "image_digest": format!("sha256:{token}")}]});
            respond(&mut s, "200 OK", "", body.to_string().as_bytes())
        }
        "/status/500" => respond(&mut s, "500 Internal Server Error", "", b"boom"),
        "/flaky" => {
            if n % 2 == 0 {
                respond(&mut s, "503 Service Unavailable", "", b"try later")
            } else {
                respond(&mut s, "200 OK", "", pins_body(digest).as_bytes())
            }
        }
        "/redirect" => respond(&mut s, "302 Found", "Location: /pins?sig=abc\r\n", b""),
        "/html" => respond(&mut s, "200 OK", "Content-Type: text/html\r\n", b"<html><body>pins</body></html>"),
        "/truncated" => {
            write!(s, "HTTP/1.1 200 OK\r\nContent-Length: 500\r\nConnection: close\r\n\r\n")?;
            s.write_all(b"{\"runtime_image_pins\": [{\"template\"")?;
            s.flush()
        }
        "/slow" => {
            write!(s, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n")?;
            for _ in 0..60 {
                s.write_all(b" ")?;
                s.flush()?;
                std::thread::sleep(Duration::from_millis(100));
            }
            Ok(())
        }
        "/huge" => {
            let size = 17usize << 20;
            write!(s, "HTTP/1.1 200 OK\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n")?;
            let chunk = vec![b' '; 1 << 20];
            for _ in 0..17 {
                s.write_all(&chunk)?;
            }
            Ok(())
        }
        "/endless" => {
            write!(s, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")?;
            let chunk = vec![b'['; 65536];
            let until = Instant::now() + Duration::from_secs(20);
            while Instant::now() < until {
                write!(s, "{:x}\r\n", chunk.len())?;
                s.write_all(&chunk)?;
                s.write_all(b"\r\n")?;
            }
            Ok(())
        }
        _ => respond(&mut s, "404 Not Found", "", b"no such route"),
    }
}
