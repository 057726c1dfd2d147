//! The HTTP layer's timeouts and limits (emulator::server), over real loopback connections: a
//! client that sends nothing, or a byte at a time, is closed after its timeout; connections past
//! the cap wait; a served request still works with short timeouts.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use keypair_contract::emulator::{self, Emulator, EmulatorConfig, server::ServerSettings};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn start(server: ServerSettings) -> emulator::EmulatorHandle {
    let config = EmulatorConfig { control_api: true, server, ..EmulatorConfig::default() };
    emulator::start(Emulator::new(config).with_default_account(), SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap()
}

fn short() -> ServerSettings {
    ServerSettings {
        header_read_timeout: Duration::from_millis(400),
        request_timeout: Duration::from_millis(800),
        ..ServerSettings::default()
    }
}

/// Reads until the server closes the connection (or `limit` passes); returns what was read and
/// whether it closed.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> (String, bool) {
    let mut seen = Vec::new();
    let deadline = Instant::now() + limit;
    let mut buf = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&seen).into_owned(), true),
            Ok(Ok(n)) => seen.extend_from_slice(&buf[..n]),
            Err(_) => return (String::from_utf8_lossy(&seen).into_owned(), false),
        }
    }
}

#[tokio::test]
async fn an_idle_connection_is_closed_after_the_header_timeout() {
    let handle = start(short()).await;
    let mut stream = TcpStream::connect(handle.addr).await.unwrap();
    let started = Instant::now();
    let (_, closed) = read_until_closed(&mut stream, Duration::from_secs(5)).await;
    assert!(closed, "an idle connection stayed open");
    assert!(started.elapsed() >= Duration::from_millis(300), "closed before its timeout: {:?}", started.elapsed());
}

#[tokio::test]
async fn a_head_sent_a_byte_at_a_time_is_cut_off() {
    let handle = start(short()).await;
    let mut stream = TcpStream::connect(handle.addr).await.unwrap();
    let head = b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\r\n";
    let started = Instant::now();
    let mut closed = false;
    for byte in head {
        if stream.write_all(&[*byte]).await.is_err() {
            closed = true;
            break;
        }
        let mut buf = [0u8; 512];
        if let Ok(Ok(0) | Err(_)) = tokio::time::timeout(Duration::from_millis(100), stream.read(&mut buf)).await {
            closed = true;
            break;
        }
    }
    assert!(closed, "a trickled head was read to the end");
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
}

#[tokio::test]
async fn a_body_sent_a_byte_at_a_time_gets_408_and_is_closed() {
    let handle = start(short()).await;
    let mut stream = TcpStream::connect(handle.addr).await.unwrap();
    stream.write_all(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n").await.unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    let mut closed = false;
    for _ in 0..100 {
        if stream.write_all(b"{").await.is_err() {
            closed = true;
            break;
        }
        let mut buf = [0u8; 512];
        match tokio::time::timeout(Duration::from_millis(100), stream.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => {
                closed = true;
                break;
            }
            Ok(Ok(n)) => answer.extend_from_slice(&buf[..n]),
            Err(_) => {}
        }
    }
    if !closed {
        closed = read_until_closed(&mut stream, Duration::from_secs(2)).await.1;
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(closed, "a trickled body kept its connection");
    assert!(answer.starts_with("HTTP/1.1 408"), "answer: {answer:?}");
    assert!(started.elapsed() < Duration::from_secs(4), "took {:?}", started.elapsed());
}

#[tokio::test]
async fn connections_past_the_cap_wait_for_a_slot() {
    let handle = start(ServerSettings { max_connections: 1, ..short() }).await;
    let request = b"GET /_emulator/accounts HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    let mut first = TcpStream::connect(handle.addr).await.unwrap();
    let mut second = TcpStream::connect(handle.addr).await.unwrap();
    second.write_all(request).await.unwrap();
    // The first holds the only slot (idle) until its header timeout; the second is answered after.
    let started = Instant::now();
    let (answer, _) = read_until_closed(&mut second, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 "), "the waiting connection was never served: {answer:?}");
    assert!(started.elapsed() >= Duration::from_millis(250), "served while the only slot was taken");
    let (_, closed) = read_until_closed(&mut first, Duration::from_secs(1)).await;
    assert!(closed);
}

#[tokio::test]
async fn a_kept_alive_connection_is_served_then_closed_when_idle() {
    let handle = start(short()).await;
    let mut stream = TcpStream::connect(handle.addr).await.unwrap();
    for _ in 0..2 {
        stream.write_all(b"GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
        let mut buf = vec![0u8; 8192];
        let n = tokio::time::timeout(Duration::from_secs(2), stream.read(&mut buf)).await.unwrap().unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 404"));
    }
    // Then idle between requests: the keep-alive connection is closed after the header timeout.
    let (_, closed) = read_until_closed(&mut stream, Duration::from_secs(5)).await;
    assert!(closed, "an idle kept-alive connection stayed open");
}

#[tokio::test]
async fn bodies_past_the_memory_budget_wait_and_are_all_answered() {
    // A 1 MiB budget and six 700 KiB bodies at once: they cannot all be held, so some wait for
    // others to finish; every one is answered (the budget is returned after each request).
    let handle = start(ServerSettings { in_flight_body_bytes: 1024 * 1024, request_timeout: Duration::from_secs(20), ..short() }).await;
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let addr = handle.addr;
        tasks.push(tokio::spawn(async move {
            let body = vec![b' '; 700 * 1024];
            let mut stream = TcpStream::connect(addr).await.unwrap();
            let head = format!("POST /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n", body.len());
            stream.write_all(head.as_bytes()).await.unwrap();
            stream.write_all(&body).await.unwrap();
            read_until_closed(&mut stream, Duration::from_secs(20)).await.0
        }));
    }
    for task in tasks {
        let answer = task.await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 404"), "{answer:?}");
    }
}
