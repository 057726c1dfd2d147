//! The body budget's accounting, driven frame by frame without a socket (a served request's body
//! is hyper's, which only a connection makes), and the allocator setting that gives finished
//! bodies' memory back; and that a server stops with its handle. The limits end to end are
//! `tests/suite/emulator_limits.rs`'s.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::task::{Context, Poll, Waker};

use hyper::body::{Body as _, SizeHint};

use super::*;

/// A body that hands out its frames one a poll, then ends, with the size hint it is given.
struct Frames {
    frames: VecDeque<Bytes>,
    hint: SizeHint,
}

impl Frames {
    fn of(lengths: &[usize]) -> Self {
        Self { frames: lengths.iter().map(|&n| Bytes::from(vec![b'x'; n])).collect(), hint: SizeHint::default() }
    }
}

impl hyper::body::Body for Frames {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.frames.pop_front().map(|data| Ok(Frame::data(data))))
    }

    fn is_end_stream(&self) -> bool {
        self.frames.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        self.hint
    }
}

/// Polls `body` once: the length of the data frame it gave, `Ready(None)` at its end.
fn poll(body: &mut Budgeted<Frames>) -> Poll<Option<usize>> {
    let mut cx = Context::from_waker(Waker::noop());
    Pin::new(body).poll_frame(&mut cx).map(|frame| frame.map(|f| f.expect("infallible").into_data().expect("data").len()))
}

fn content_length(value: Option<&str>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Some(value) = value {
        headers.insert(axum::http::header::CONTENT_LENGTH, value.parse().expect("header value"));
    }
    headers
}

fn available(budget: &BodyBudget) -> usize {
    budget.permits.available_permits()
}

#[test]
fn a_request_prepays_its_content_length_up_to_16_mib_and_the_whole_budget() {
    let budget = BodyBudget::new(128 << 20);
    assert_eq!(budget.prepay(&content_length(Some("300"))), 300);
    assert_eq!(budget.prepay(&content_length(Some("20971520"))), 16 << 20, "20 MiB reserves the 16 MiB cap");
    assert_eq!(budget.prepay(&content_length(Some("18446744073709551615"))), 16 << 20);
    assert_eq!(budget.prepay(&content_length(None)), 0, "chunked bodies pay as they go");
    assert_eq!(budget.prepay(&content_length(Some("12ab"))), 0);
    assert_eq!(BodyBudget::new(1000).prepay(&content_length(Some("5000"))), 1000, "never more than the budget");
    assert_eq!(BodyBudget::new(0).total, 1, "a budget of nothing would hold every body forever");
}

#[tokio::test]
async fn a_prepaid_body_is_charged_only_for_what_it_reads_beyond_its_declared_length() {
    let budget = BodyBudget::new(1000);
    let (mut body, held) = budget.admit(&content_length(Some("300")), Frames::of(&[100, 200, 50])).await;
    assert_eq!(available(&budget), 700, "the declared length is reserved before any of it is read");
    assert_eq!(poll(&mut body), Poll::Ready(Some(100)));
    assert_eq!(poll(&mut body), Poll::Ready(Some(200)));
    assert_eq!(available(&budget), 700, "bytes within the declared length are paid already");
    assert_eq!(poll(&mut body), Poll::Ready(Some(50)));
    assert_eq!(available(&budget), 650, "bytes beyond it are paid as they come");
    assert_eq!(poll(&mut body), Poll::Ready(None));

    drop(body);
    assert_eq!(available(&budget), 650, "the handler may still hold the bytes it read");
    drop(held);
    assert_eq!(available(&budget), 1000, "all of it comes back once the request is answered");
}

#[tokio::test]
async fn a_body_of_unknown_length_waits_for_the_budget_another_request_holds() {
    let budget = BodyBudget::new(100);
    let (other_body, other) = budget.admit(&content_length(Some("60")), Frames::of(&[])).await;
    let (mut body, held) = budget.admit(&content_length(None), Frames::of(&[30, 30])).await;
    assert_eq!(available(&budget), 40);

    assert_eq!(poll(&mut body), Poll::Ready(Some(30)));
    assert_eq!(available(&budget), 10);
    assert!(!body.is_end_stream(), "a frame is still to come");
    assert_eq!(poll(&mut body), Poll::Pending, "30 more bytes do not fit in the 10 left");
    assert!(!body.is_end_stream(), "the frame waiting for its budget is still to come");

    drop((other_body, other));
    assert_eq!(poll(&mut body), Poll::Ready(Some(30)), "the frame goes on once the other request is gone");
    assert_eq!(available(&budget), 40);
    assert!(body.is_end_stream());
    assert_eq!(poll(&mut body), Poll::Ready(None));

    drop((body, held));
    assert_eq!(available(&budget), 100);
}

#[tokio::test]
async fn a_frame_larger_than_the_whole_budget_takes_all_of_it_instead_of_waiting_forever() {
    let budget = BodyBudget::new(100);
    let (mut body, _held) = budget.admit(&content_length(None), Frames::of(&[500])).await;
    assert_eq!(poll(&mut body), Poll::Ready(Some(500)));
    assert_eq!(available(&budget), 0);
}

#[tokio::test]
async fn the_size_hint_is_the_inner_bodys() {
    let budget = BodyBudget::new(100);
    let inner = Frames { hint: SizeHint::with_exact(42), ..Frames::of(&[42]) };
    let (body, _held) = budget.admit(&content_length(Some("42")), inner).await;
    assert_eq!(body.size_hint().exact(), Some(42), "hyper and axum size their buffers by it");
}

/// glibc rounds a block it maps on its own up to whole pages, so its usable size exceeds the
/// request by most of a page; a block carved from a heap exceeds it by a word or two.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn mapped_on_its_own(block: &[u8]) -> bool {
    // SAFETY: `block` is a live allocation from the system allocator, which is glibc's malloc here.
    let usable = unsafe { libc::malloc_usable_size(block.as_ptr() as *mut libc::c_void) };
    usable - block.len() >= 2048
}

#[test]
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn freed_large_blocks_are_mapped_on_their_own_so_that_they_go_back_to_the_system() {
    return_freed_memory();
    // Without a fixed threshold, freeing a mapped 8 MiB block raises glibc's to 8 MiB, and later
    // large bodies would be carved from the heap and stay resident once freed. (4 MiB, not just
    // over the threshold: glibc maps a block only when no free chunk and not the heap's top can
    // hold it, and the top may keep up to the 1 MiB trim threshold.)
    drop(std::hint::black_box(vec![1u8; 8 << 20]));
    let large = std::hint::black_box(vec![1u8; 4 << 20]);
    assert!(mapped_on_its_own(&large), "a 4 MiB block is above the 256 KiB threshold");
    // Enough blocks under the threshold to outgrow any free space, so that glibc must decide
    // between growing the heap and mapping them.
    let small: Vec<Vec<u8>> = (0..32).map(|_| std::hint::black_box(vec![1u8; 200 << 10])).collect();
    assert!(small.iter().all(|block| !mapped_on_its_own(block)), "200 KiB blocks are below it");
}

#[tokio::test]
async fn dropping_an_emulators_handle_stops_its_server() {
    let handle = crate::emulator::start_for_tests().await.expect("the emulator starts");
    let addr = handle.addr;
    assert!(tokio::net::TcpStream::connect(addr).await.is_ok(), "the emulator accepts");
    drop(handle);
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("still accepting connections 1 s after the handle was dropped");
}
