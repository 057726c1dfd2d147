//! A proxy in front of an emulator: it forwards every request, logs each one's action, and spoils
//! the first answers to one action after the upstream acted on them — the connection dropped (an
//! answer lost on the way) or an error put in its place (a cloud that acted and said it failed).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Reads one HTTP/1.1 message (headers and a Content-Length body); `None` at end of stream.
pub async fn read_message(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut data = Vec::new();
    let mut byte = [0u8; 1];
    while !data.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).await.ok()? == 0 {
            return None;
        }
        data.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&data).to_ascii_lowercase();
    let length: usize = head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse().ok()).unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).await.ok()?;
    data.extend(body);
    Some(data)
}

/// The action of an API 3.0 request (its `X-TC-Action` header) or of a legacy or RPC one (its
/// `Action` parameter, in the query or the form body); `?` for none (the run's reachability probe).
fn action_of(message: &[u8]) -> String {
    let text = String::from_utf8_lossy(message);
    let header = text.lines().find_map(|l| l.strip_prefix("X-TC-Action: ").or_else(|| l.strip_prefix("x-tc-action: ")));
    let parameter = || text.split(['?', '&', '\n', ' ']).find_map(|part| part.strip_prefix("Action="));
    header.or_else(parameter).unwrap_or("?").trim().to_string()
}

/// The host a request was sent to (its `Host` header, lowercased).
fn host_of(message: &[u8]) -> String {
    let text = String::from_utf8_lossy(message).to_ascii_lowercase();
    text.lines().find_map(|l| l.strip_prefix("host:")).unwrap_or("?").trim().to_string()
}

/// What becomes of the first answer to the spoiled action.
pub enum Spoil {
    /// Nothing: every answer goes back as it came (a proxy that only counts).
    Nothing,
    /// The connection closes: the client never hears that the cloud acted.
    Drop,
    /// This whole HTTP response goes back instead.
    Answer(String),
}

impl Spoil {
    /// A Tencent API 3.0 error answer (HTTP 200, the documented envelope) with `code`.
    pub fn tencent_error(code: &str) -> Spoil {
        Spoil::tencent_error_with_status("200 OK", code)
    }

    /// An HTML page (a gateway's or a captive portal's) with the HTTP status line `status`.
    pub fn html(status: &str, page: &str) -> Spoil {
        Spoil::Answer(format!("HTTP/1.1 {status}\r\ncontent-type: text/html\r\ncontent-length: {}\r\n\r\n{page}", page.len()))
    }

    /// The same envelope with another HTTP status line (`500 Internal Server Error`).
    pub fn tencent_error_with_status(status: &str, code: &str) -> Spoil {
        let body = format!(r#"{{"Response":{{"Error":{{"Code":"{code}","Message":"spoiled by the test proxy"}},"RequestId":"proxy"}}}}"#);
        Spoil::Answer(format!("HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}", body.len()))
    }
}

pub struct Proxy {
    pub url: String,
    /// (host, action) of every request, in order.
    seen: Arc<Mutex<Vec<(String, String)>>>,
}

impl Proxy {
    /// A proxy to `upstream` that spoils the first answer to `action` as `spoil` says.
    pub async fn start(upstream: SocketAddr, action: &'static str, spoil: Spoil) -> Proxy {
        Proxy::spoiling(upstream, action, spoil, 1).await
    }

    /// A proxy to `upstream` that spoils the first `times` answers to `action` as `spoil` says.
    pub async fn spoiling(upstream: SocketAddr, action: &'static str, spoil: Spoil, times: usize) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
        let (log, spoil, spoiled) = (seen.clone(), Arc::new(spoil), Arc::new(AtomicUsize::new(0)));
        tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else { return };
                let (log, spoil, spoiled) = (log.clone(), spoil.clone(), spoiled.clone());
                tokio::spawn(async move {
                    while let Some(request) = read_message(&mut client).await {
                        let this = action_of(&request);
                        log.lock().unwrap().push((host_of(&request), this.clone()));
                        let mut server = TcpStream::connect(upstream).await.unwrap();
                        server.write_all(&request).await.unwrap();
                        let Some(mut response) = read_message(&mut server).await else { return };
                        if this == action && spoiled.fetch_add(1, Ordering::SeqCst) < times {
                            match &*spoil {
                                Spoil::Nothing => {}
                                Spoil::Drop => return,
                                Spoil::Answer(answer) => response = answer.clone().into_bytes(),
                            }
                        }
                        if client.write_all(&response).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        Proxy { url, seen }
    }

    /// The actions of the API requests it saw, in order (the reachability probe left out).
    pub fn actions(&self) -> Vec<String> {
        self.requests().into_iter().map(|(_, action)| action).collect()
    }

    /// The host and action of the API requests it saw, in order (the reachability probe left out).
    pub fn requests(&self) -> Vec<(String, String)> {
        self.seen.lock().unwrap().iter().filter(|(_, action)| action != "?").cloned().collect()
    }

    /// How many requests for `action` it saw.
    pub fn count(&self, action: &str) -> usize {
        self.actions().iter().filter(|seen| *seen == action).count()
    }
}
