//! Scatter-gather: how replies are collected, as a stream or all at once.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::{Stream, StreamExt};

use super::{Reply, RequestError, RequestErrorKind, Requester, WhatFailed};
use crate::operation::Operation;

/// How long a scatter-gather request waits after the last reply for another, by default. On a
/// healthy lattice receivers answer within milliseconds of each other, so a request ends about
/// this long after the last one answered instead of at its deadline.
pub const DEFAULT_QUIET: Duration = Duration::from_millis(500);

/// How a scatter-gather request collects its replies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GatherOptions {
    deadline: Duration,
    expected: Option<usize>,
    quiet: Option<Duration>,
}

impl Default for GatherOptions {
    /// Collect for at most 5 s, as the official client does, but finish [`DEFAULT_QUIET`] after
    /// the last reply.
    fn default() -> Self {
        Self {
            deadline: Duration::from_secs(5),
            expected: None,
            quiet: Some(DEFAULT_QUIET),
        }
    }
}

impl GatherOptions {
    /// Collect for at most 5 s, finishing [`DEFAULT_QUIET`] after the last reply.
    pub fn new() -> Self {
        Self::default()
    }

    /// Collect until the deadline whatever comes, as the official client does.
    pub fn without_quiet(mut self) -> Self {
        self.quiet = None;
        self
    }

    /// The same, with a deadline no later than `left` from now.
    pub(super) fn capped(mut self, left: Duration) -> Self {
        self.deadline = self.deadline.min(left);
        self
    }

    /// The longest the request collects replies.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Finish as soon as this many replies (decodable or not) arrived.
    pub fn expected(mut self, replies: usize) -> Self {
        self.expected = Some(replies);
        self
    }

    /// Finish when no new reply arrived for this long after the last one. Before the first reply
    /// only the deadline counts, so a slow network does not end the request empty.
    pub fn quiet(mut self, period: Duration) -> Self {
        self.quiet = Some(period);
        self
    }
}

/// A reply that could not be decoded, kept as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undecodable {
    /// The reply as received.
    pub payload: Bytes,
    /// Why it could not be decoded.
    pub error: String,
}

/// Why a scatter-gather request stopped collecting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// The deadline passed.
    Deadline,
    /// The expected number of replies arrived.
    Expected,
    /// No reply came for the quiet period.
    Quiet,
}

/// The replies of a scatter-gather request.
#[derive(Debug, Clone, PartialEq)]
pub struct Gathered<T> {
    /// Every decodable reply, in arrival order (refusals included: each says why), with its
    /// bytes.
    pub replies: Vec<Reply<T>>,
    /// Every reply that could not be decoded: collection goes on past them.
    pub undecodable: Vec<Undecodable>,
    /// Why collection stopped.
    pub finish: Finish,
}

/// The replies of a scatter-gather request as they arrive; see [`Requester::gather_stream`].
/// [`Self::finish`] says why it ended, once it has.
pub struct ReplyStream<T> {
    inner: Pin<Box<dyn Stream<Item = Result<Reply<T>, RequestError>> + Send>>,
    finish: Arc<Mutex<Option<Finish>>>,
}

impl<T> ReplyStream<T> {
    /// Why the stream ended; `None` while it goes on, or if it ended for lack of any receiver
    /// or because the connection closed.
    pub fn finish(&self) -> Option<Finish> {
        *self.finish.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<T> std::fmt::Debug for ReplyStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplyStream")
            .field("finish", &self.finish())
            .finish_non_exhaustive()
    }
}

impl<T> Stream for ReplyStream<T> {
    type Item = Result<Reply<T>, RequestError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

/// Where a stream of replies stands.
struct State {
    requester: Requester,
    subject: String,
    replies: async_nats::Subscriber,
    gather: GatherOptions,
    deadline: tokio::time::Instant,
    received: usize,
    finish: Arc<Mutex<Option<Finish>>>,
    over: bool,
}

impl State {
    fn end(&mut self, finish: Option<Finish>) {
        *self.finish.lock().unwrap_or_else(|e| e.into_inner()) = finish;
        self.over = true;
    }
}

/// The replies arriving on `replies` (the inbox of a request just sent on `subject`), decoded.
pub(super) fn stream<O: Operation>(
    requester: Requester,
    subject: String,
    replies: async_nats::Subscriber,
    gather: GatherOptions,
) -> ReplyStream<O::Reply>
where
    O::Reply: Send + 'static,
{
    let finish = Arc::new(Mutex::new(None));
    let state = State {
        requester,
        subject,
        replies,
        gather,
        deadline: tokio::time::Instant::now() + gather.deadline,
        received: 0,
        finish: finish.clone(),
        over: false,
    };
    let inner = futures::stream::unfold(state, |mut state| async move {
        while !state.over {
            if state.gather.expected.is_some_and(|n| state.received >= n) {
                state.end(Some(Finish::Expected));
                break;
            }
            let quiet_until = match state.gather.quiet {
                Some(q) if state.received > 0 => {
                    (tokio::time::Instant::now() + q).min(state.deadline)
                }
                _ => state.deadline,
            };
            match tokio::time::timeout_at(quiet_until, state.replies.next()).await {
                Err(_) if quiet_until < state.deadline => state.end(Some(Finish::Quiet)),
                Err(_) => state.end(Some(Finish::Deadline)),
                Ok(None) => state.end(None),
                Ok(Some(msg)) => {
                    if msg.status == Some(async_nats::StatusCode::NO_RESPONDERS) {
                        if state.received == 0 {
                            state.end(None);
                            let e =
                                RequestError::new(RequestErrorKind::NoResponders, &state.subject);
                            return Some((Err(e), state));
                        }
                        continue;
                    }
                    state.received += 1;
                    let reply = state.requester.decode_reply::<O>(&state.subject, msg);
                    return Some((reply, state));
                }
            }
        }
        let _ = state.replies.unsubscribe().await;
        None
    });
    ReplyStream {
        inner: Box::pin(inner),
        finish,
    }
}

/// Every reply of the stream: decoded ones, and undecodable ones kept aside.
pub(super) async fn collect<T>(mut stream: ReplyStream<T>) -> Result<Gathered<T>, RequestError> {
    let mut out = Gathered {
        replies: Vec::new(),
        undecodable: Vec::new(),
        finish: Finish::Deadline,
    };
    while let Some(item) = stream.next().await {
        match item {
            Ok(reply) => out.replies.push(reply),
            Err(e) if e.kind() == RequestErrorKind::NoResponders => return Err(e),
            Err(e) => {
                // Kept as received, with why it is not a reply.
                let error = match e.kind() {
                    RequestErrorKind::InvalidReply => WhatFailed(&e).to_string(),
                    _ => e.source.as_ref().map(|s| s.to_string()).unwrap_or_default(),
                };
                let payload = e.payload.unwrap_or_default();
                out.undecodable.push(Undecodable { payload, error })
            }
        }
    }
    out.finish = stream.finish().unwrap_or(Finish::Deadline);
    Ok(out)
}
