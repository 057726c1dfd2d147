//! Retries: a throttling answer is retried and the case never sees it; a create whose answer is
//! lost (the connection drops after the cloud acted) is not re-sent blindly: the key pair is
//! looked up by name and removed first, so the retry makes neither a duplicate nor an orphan.

mod transport_support;

use std::sync::{Arc, Mutex};

use keypair_contract::emulator::accounts::{AccountSettings, Fault};
use keypair_contract::providers::tencent_api3::CVM;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use transport_support::*;

/// Reads one HTTP/1.1 message (headers and a Content-Length body); `None` at end of stream.
async fn read_message(stream: &mut TcpStream) -> Option<Vec<u8>> {
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

fn action_of(message: &[u8]) -> String {
    let text = String::from_utf8_lossy(message);
    text.lines().find_map(|l| l.strip_prefix("X-TC-Action: ").or_else(|| l.strip_prefix("x-tc-action: "))).unwrap_or("?").trim().to_string()
}

/// A proxy to `upstream` that forwards everything, but answers the first CreateKeyPair by
/// closing the connection after the upstream acted on it. Returns its URL and the actions seen.
async fn dropping_proxy(upstream: std::net::SocketAddr) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let dropped = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let log = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut client, _)) = listener.accept().await else { return };
            let (log, dropped) = (log.clone(), dropped.clone());
            tokio::spawn(async move {
                while let Some(request) = read_message(&mut client).await {
                    let action = action_of(&request);
                    log.lock().unwrap().push(action.clone());
                    let mut server = TcpStream::connect(upstream).await.unwrap();
                    server.write_all(&request).await.unwrap();
                    let Some(response) = read_message(&mut server).await else { return };
                    if action == "CreateKeyPair" && !dropped.swap(true, std::sync::atomic::Ordering::SeqCst) {
                        return; // the cloud made the key pair; the client never hears of it
                    }
                    if client.write_all(&response).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, seen)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lost_create_is_looked_up_and_undone_before_it_is_sent_again() {
    let emulator = start(false, AccountSettings::default()).await;
    let (proxy, seen) = dropping_proxy(emulator.addr).await;
    let mut env = credentials();
    env.retain(|(k, _)| k.starts_with("TENCENT"));
    let output = run_bin(args(&["run", "--target", &proxy, "--filter", "tencent-cvm/create-key-pair/example", "--jobs", "1"]), env).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    let seen = seen.lock().unwrap().clone();
    assert_eq!(&seen[..4], ["CreateKeyPair", "DescribeKeyPairs", "DeleteKeyPairs", "CreateKeyPair"], "{seen:?}");
    assert!(names(&emulator.base_url(), &CVM).await.is_empty(), "no orphan");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_throttled_request_is_retried_and_never_reaches_the_case() {
    let emulator = start(false, AccountSettings::default()).await;
    let account = emulator.emulator.accounts.get(SECRET_ID).unwrap();
    for _ in 0..2 {
        account.add_fault(Fault { api: "tencent-cvm".into(), action: "CreateKeyPair".into(), code: "RequestLimitExceeded".into() });
    }
    let mut env = credentials();
    env.retain(|(k, _)| k.starts_with("TENCENT"));
    let output =
        run_bin(args(&["run", "--target", &emulator.base_url(), "--filter", "tencent-cvm/create-key-pair/example", "--jobs", "1"]), env)
            .await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(account.faults().is_empty(), "both throttling answers were met and retried");
}
