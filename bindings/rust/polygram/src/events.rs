//! Events: updates, auth and connection states, logs, as a [`Stream`].

use crate::client::lock;
use crate::types::{Message, QrCode};
use crate::value::{Fields, Value};
use futures_core::Stream;
use polygram_sys as sys;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// One event of a client.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// A new message in any chat (incoming or sent from another session).
    NewMessage(Message),
    /// A message was edited.
    MessageEdited(Message),
    /// Messages were deleted (`channel_id` is 0 outside channels).
    MessageDeleted {
        /// The ids of the deleted messages.
        ids: Vec<i32>,
        /// The channel they were in, or 0.
        channel_id: i64,
    },
    /// An update without a dedicated event: its TL map with the users and chats it mentions.
    Raw {
        /// The TL `Update` map.
        update: Value,
        /// TL `User` maps.
        users: Vec<Value>,
        /// TL `Chat` maps.
        chats: Vec<Value>,
    },
    /// Every pushed updates object, before gap recovery (with `raw_updates` in the config).
    RawUpdates {
        /// The DC that pushed it.
        dc: i32,
        /// The TL `Updates` map.
        updates: Value,
    },
    /// The login state changed ("wait_phone", "wait_code", "wait_password",
    /// "wait_registration", "wait_qr" (with a QR code), "ready").
    AuthState {
        /// The state.
        state: String,
        /// For "wait_qr": the URL to show and its expiry.
        qr: Option<QrCode>,
    },
    /// The connection state ("connecting", "connected", "disconnected", "closed").
    ConnectionState(String),
    /// A log record of the core.
    Log {
        /// "debug", "info", "warn" or "error".
        level: String,
        /// The message.
        message: String,
        /// Unix time in milliseconds.
        time: i64,
        /// Key/value attributes.
        attrs: Vec<(String, String)>,
    },
    /// Events were dropped because the consumer was slow (`count` since the last such event).
    Dropped {
        /// Dropped since the previous `Dropped` event.
        count: u64,
        /// Dropped since the client (or the stream) began.
        total: u64,
    },
    /// An event of a kind this crate does not know yet.
    Other(Value),
}

/// The kind of an [`Event`], for filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventKind {
    /// [`Event::NewMessage`]
    NewMessage,
    /// [`Event::MessageEdited`]
    MessageEdited,
    /// [`Event::MessageDeleted`]
    MessageDeleted,
    /// [`Event::Raw`]
    Raw,
    /// [`Event::RawUpdates`]
    RawUpdates,
    /// [`Event::AuthState`]
    AuthState,
    /// [`Event::ConnectionState`]
    ConnectionState,
    /// [`Event::Log`]
    Log,
    /// [`Event::Dropped`]
    Dropped,
    /// [`Event::Other`]
    Other,
}

impl EventKind {
    fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

impl Event {
    pub(crate) fn from_map(kind: i32, v: Value) -> Event {
        let ty = v.str_of("type");
        match (kind, ty.as_str()) {
            (sys::POLYGRAM_EVENT_UPDATE, "new_message") => Event::NewMessage(Message::from_event(&v)),
            (sys::POLYGRAM_EVENT_UPDATE, "message_edited") => Event::MessageEdited(Message::from_event(&v)),
            (sys::POLYGRAM_EVENT_UPDATE, "message_deleted") => Event::MessageDeleted {
                ids: v
                    .list_of("ids")
                    .iter()
                    .filter_map(Value::as_i64)
                    .map(|i| i as i32)
                    .collect(),
                channel_id: v.i64_of("channel_id"),
            },
            (sys::POLYGRAM_EVENT_UPDATE, "raw") => Event::Raw {
                update: v.field("update").cloned().unwrap_or(Value::Nil),
                users: v.list_of("users"),
                chats: v.list_of("chats"),
            },
            (sys::POLYGRAM_EVENT_UPDATE, "raw_updates") => Event::RawUpdates {
                dc: v.i32_of("dc"),
                updates: v.field("updates").cloned().unwrap_or(Value::Nil),
            },
            (sys::POLYGRAM_EVENT_AUTH_STATE, _) => {
                let state = v.str_of("state");
                let qr = v.field("url").and_then(Value::as_str).map(|u| QrCode {
                    url: u.to_owned(),
                    expires: v.i64_of("expires"),
                });
                Event::AuthState { state, qr }
            }
            (sys::POLYGRAM_EVENT_CONNECTION_STATE, _) => Event::ConnectionState(v.str_of("state")),
            (sys::POLYGRAM_EVENT_LOG, _) => Event::Log {
                level: v.str_of("level"),
                message: v.str_of("message"),
                time: v.i64_of("time"),
                attrs: v
                    .field("attrs")
                    .and_then(Value::as_map)
                    .map(|m| {
                        m.iter()
                            .map(|(k, v)| {
                                let val = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                                (k.as_str().unwrap_or_default().to_owned(), val)
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            },
            (sys::POLYGRAM_EVENT_DROPPED, _) => Event::Dropped {
                count: v.i64_of("count").max(0) as u64,
                total: v.i64_of("total").max(0) as u64,
            },
            _ => Event::Other(v),
        }
    }

    /// The kind of this event.
    pub fn kind(&self) -> EventKind {
        match self {
            Event::NewMessage(_) => EventKind::NewMessage,
            Event::MessageEdited(_) => EventKind::MessageEdited,
            Event::MessageDeleted { .. } => EventKind::MessageDeleted,
            Event::Raw { .. } => EventKind::Raw,
            Event::RawUpdates { .. } => EventKind::RawUpdates,
            Event::AuthState { .. } => EventKind::AuthState,
            Event::ConnectionState(_) => EventKind::ConnectionState,
            Event::Log { .. } => EventKind::Log,
            Event::Dropped { .. } => EventKind::Dropped,
            Event::Other(_) => EventKind::Other,
        }
    }

    /// The message of a [`Event::NewMessage`] or [`Event::MessageEdited`].
    pub fn message(&self) -> Option<&Message> {
        match self {
            Event::NewMessage(m) | Event::MessageEdited(m) => Some(m),
            _ => None,
        }
    }
}

type Predicate = Arc<dyn Fn(&Event) -> bool + Send + Sync>;

/// Which events a stream receives. Conditions combine with AND; conditions on
/// messages (direction, chats, text) only let message events through.
///
/// ```
/// use polygram::{EventKind, Filter};
/// let f = Filter::new_messages().incoming().text_starts_with("/start");
/// # let _ = (f, EventKind::NewMessage);
/// ```
#[derive(Clone, Default)]
pub struct Filter {
    kinds: u32,
    incoming: Option<bool>,
    chats: Option<Vec<i64>>,
    prefix: Option<String>,
    predicate: Option<Predicate>,
}

impl std::fmt::Debug for Filter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Filter")
            .field("kinds", &self.kinds)
            .field("incoming", &self.incoming)
            .field("chats", &self.chats)
            .field("prefix", &self.prefix)
            .field("predicate", &self.predicate.is_some())
            .finish()
    }
}

impl Filter {
    /// Every event.
    pub fn all() -> Filter {
        Filter::default()
    }

    /// Only events of these kinds.
    pub fn kinds(kinds: impl IntoIterator<Item = EventKind>) -> Filter {
        Filter {
            kinds: kinds.into_iter().fold(0, |acc, k| acc | k.bit()),
            ..Filter::default()
        }
    }

    /// Only new messages.
    pub fn new_messages() -> Filter {
        Filter::kinds([EventKind::NewMessage])
    }

    /// Only messages the account received (not sent).
    pub fn incoming(mut self) -> Filter {
        self.incoming = Some(true);
        self
    }

    /// Only messages the account sent.
    pub fn outgoing(mut self) -> Filter {
        self.incoming = Some(false);
        self
    }

    /// Only messages in these chats (marked ids).
    pub fn chats(mut self, chats: impl IntoIterator<Item = i64>) -> Filter {
        self.chats = Some(chats.into_iter().collect());
        self
    }

    /// Only messages whose text starts with `prefix`.
    pub fn text_starts_with(mut self, prefix: &str) -> Filter {
        self.prefix = Some(prefix.to_owned());
        self
    }

    /// Only events for which `f` returns true. It runs on the library's event
    /// thread as events arrive: keep it quick and non-blocking.
    pub fn predicate(mut self, f: impl Fn(&Event) -> bool + Send + Sync + 'static) -> Filter {
        self.predicate = Some(Arc::new(f));
        self
    }

    /// Whether an event passes.
    pub fn matches(&self, ev: &Event) -> bool {
        if self.kinds != 0 && self.kinds & ev.kind().bit() == 0 {
            return false;
        }
        let on_messages = self.incoming.is_some() || self.chats.is_some() || self.prefix.is_some();
        if on_messages {
            let Some(m) = ev.message() else { return false };
            if self.incoming.is_some_and(|inc| inc == m.out) {
                return false;
            }
            if self.chats.as_ref().is_some_and(|c| !c.contains(&m.chat_id)) {
                return false;
            }
            if self.prefix.as_ref().is_some_and(|p| !m.text.starts_with(p.as_str())) {
                return false;
            }
        }
        self.predicate.as_ref().is_none_or(|p| p(ev))
    }
}

/// Events a subscriber keeps before dropping the oldest.
const QUEUE_BOUND: usize = 10_000;

struct QueueState {
    items: VecDeque<Event>,
    waker: Option<Waker>,
    closed: bool,
    dropped: u64,
    dropped_total: u64,
}

/// One subscriber's queue, filled on the callback thread.
pub(crate) struct EventQueue {
    filter: Filter,
    state: Mutex<QueueState>,
    ready: Condvar,
}

impl EventQueue {
    pub(crate) fn new(filter: Filter) -> Self {
        EventQueue {
            filter,
            state: Mutex::new(QueueState {
                items: VecDeque::new(),
                waker: None,
                closed: false,
                dropped: 0,
                dropped_total: 0,
            }),
            ready: Condvar::new(),
        }
    }

    pub(crate) fn push(&self, ev: &Event) {
        if !self.filter.matches(ev) {
            return;
        }
        let waker = {
            let mut s = lock(&self.state);
            if s.closed {
                return;
            }
            if s.items.len() >= QUEUE_BOUND {
                s.items.pop_front();
                s.dropped += 1;
                s.dropped_total += 1;
            }
            s.items.push_back(ev.clone());
            s.waker.take()
        };
        self.ready.notify_all();
        if let Some(w) = waker {
            w.wake();
        }
    }

    pub(crate) fn close(&self) {
        let waker = {
            let mut s = lock(&self.state);
            s.closed = true;
            s.waker.take()
        };
        self.ready.notify_all();
        if let Some(w) = waker {
            w.wake();
        }
    }

    fn pop(s: &mut QueueState) -> Option<Event> {
        if s.dropped > 0 {
            let count = std::mem::take(&mut s.dropped);
            return Some(Event::Dropped {
                count,
                total: s.dropped_total,
            });
        }
        s.items.pop_front()
    }
}

/// A stream of a client's events (see [`crate::Client::events`]). It ends
/// (yields `None`) once the client is closed and the queued events are read.
/// A slow reader loses the oldest events beyond 10,000 and then reads an
/// [`Event::Dropped`] with the count.
pub struct Events {
    queue: Arc<EventQueue>,
}

impl std::fmt::Debug for Events {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Events").field("filter", &self.queue.filter).finish()
    }
}

impl Events {
    pub(crate) fn new(queue: Arc<EventQueue>) -> Self {
        Events { queue }
    }

    /// The next event, or `None` once the client is closed.
    // Like StreamExt::next, without depending on futures-util (an async fn, not Iterator::next).
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Next<'_, Events> {
        Next(self)
    }

    /// Blocks the calling thread for the next event, up to `timeout`:
    /// `Ok(Some(ev))`, `Ok(None)` when the stream ended, `Err(Error::Timeout)`.
    pub fn next_blocking(&mut self, timeout: Duration) -> crate::Result<Option<Event>> {
        let deadline = Instant::now() + timeout;
        let mut s = lock(&self.queue.state);
        loop {
            if let Some(ev) = EventQueue::pop(&mut s) {
                return Ok(Some(ev));
            }
            if s.closed {
                return Ok(None);
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(crate::Error::Timeout);
            }
            s = self
                .queue
                .ready
                .wait_timeout(s, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Events queued and not yet read.
    pub fn len(&self) -> usize {
        lock(&self.queue.state).items.len()
    }

    /// Whether no event is queued.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Stream for Events {
    type Item = Event;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        let mut s = lock(&self.queue.state);
        if let Some(ev) = EventQueue::pop(&mut s) {
            return Poll::Ready(Some(ev));
        }
        if s.closed {
            return Poll::Ready(None);
        }
        match &s.waker {
            Some(w) if w.will_wake(cx.waker()) => {}
            _ => s.waker = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}

/// The future of a stream's next item (what `StreamExt::next` gives, without
/// depending on `futures-util`).
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct Next<'a, S>(pub(crate) &'a mut S);

impl<S: Stream + Unpin> Future for Next<'_, S> {
    type Output = Option<S::Item>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut *self.0).poll_next(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::map;

    fn msg_event(out: bool, chat: i64, text: &str) -> Event {
        Event::from_map(
            sys::POLYGRAM_EVENT_UPDATE,
            map([
                ("type", Value::from("new_message")),
                ("chat_id", Value::from(chat)),
                ("sender_id", Value::from(chat)),
                ("out", Value::from(out)),
                (
                    "message",
                    map([
                        ("_", Value::from("message")),
                        ("id", Value::from(7)),
                        ("message", Value::from(text)),
                    ]),
                ),
            ]),
        )
    }

    #[test]
    fn filters_select_messages() {
        let ev = msg_event(false, 42, "/start now");
        assert_eq!(ev.kind(), EventKind::NewMessage);
        assert_eq!(ev.message().unwrap().text, "/start now");
        assert!(Filter::all().matches(&ev));
        assert!(Filter::new_messages()
            .incoming()
            .chats([42])
            .text_starts_with("/start")
            .matches(&ev));
        assert!(!Filter::new_messages().outgoing().matches(&ev));
        assert!(!Filter::all().chats([1]).matches(&ev));
        assert!(!Filter::kinds([EventKind::MessageEdited]).matches(&ev));
        assert!(!Filter::all()
            .predicate(|e| e.message().is_some_and(|m| m.id == 8))
            .matches(&ev));
        let state = Event::from_map(
            sys::POLYGRAM_EVENT_CONNECTION_STATE,
            map([("state", Value::from("connected"))]),
        );
        assert_eq!(state, Event::ConnectionState("connected".into()));
        assert!(!Filter::all().incoming().matches(&state));
    }

    #[test]
    fn event_maps_become_variants() {
        let qr = Event::from_map(
            sys::POLYGRAM_EVENT_AUTH_STATE,
            map([
                ("type", Value::from("auth_state")),
                ("state", Value::from("wait_qr")),
                ("url", Value::from("tg://login?token=x")),
                ("expires", Value::from(99)),
            ]),
        );
        let want = QrCode {
            url: "tg://login?token=x".into(),
            expires: 99,
        };
        assert_eq!(
            qr,
            Event::AuthState {
                state: "wait_qr".into(),
                qr: Some(want)
            }
        );
        let log = Event::from_map(
            sys::POLYGRAM_EVENT_LOG,
            map([
                ("level", Value::from("warn")),
                ("message", Value::from("m")),
                ("time", Value::from(5)),
                ("attrs", map([("dc", Value::from("2"))])),
            ]),
        );
        let attrs = vec![("dc".to_owned(), "2".to_owned())];
        assert_eq!(
            log,
            Event::Log {
                level: "warn".into(),
                message: "m".into(),
                time: 5,
                attrs
            }
        );
        let dropped = Event::from_map(
            sys::POLYGRAM_EVENT_DROPPED,
            map([("count", Value::from(3)), ("total", Value::from(9))]),
        );
        assert_eq!(dropped, Event::Dropped { count: 3, total: 9 });
        let del = Event::from_map(
            sys::POLYGRAM_EVENT_UPDATE,
            map([
                ("type", Value::from("message_deleted")),
                ("ids", Value::Array(vec![Value::from(4)])),
            ]),
        );
        assert_eq!(
            del,
            Event::MessageDeleted {
                ids: vec![4],
                channel_id: 0
            }
        );
        let raw = Event::from_map(
            sys::POLYGRAM_EVENT_UPDATE,
            map([
                ("type", Value::from("raw")),
                ("update", map([("_", Value::from("updateUserTyping"))])),
            ]),
        );
        assert_eq!(raw.kind(), EventKind::Raw);
        let odd = Event::from_map(sys::POLYGRAM_EVENT_UPDATE, map([("type", Value::from("future_kind"))]));
        assert_eq!(odd.kind(), EventKind::Other);
    }

    #[test]
    fn queue_bounds_and_reports_drops() {
        let q = Arc::new(EventQueue::new(Filter::all()));
        let mut events = Events::new(q.clone());
        for i in 0..QUEUE_BOUND + 5 {
            q.push(&msg_event(false, i as i64, "x"));
        }
        let first = events.next_blocking(Duration::from_millis(10)).unwrap();
        assert_eq!(first, Some(Event::Dropped { count: 5, total: 5 }));
        let m = events.next_blocking(Duration::from_millis(10)).unwrap().unwrap();
        assert_eq!(m.message().unwrap().chat_id, 5);
        q.close();
        assert_eq!(events.len(), QUEUE_BOUND - 1);
        assert_eq!(events.next_blocking(Duration::ZERO).err(), None);
    }
}
