//! Events: updates, auth and connection states, logs, as a [`Stream`].

use crate::bots::{CallbackAnswer, InlineAnswerOptions, InlineArticle};
use crate::client::{lock, Client};
use crate::error::Result;
use crate::methods::EditOptions;
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
    /// Messages were read: the account's (`outbox` false) or the other side's (`outbox` true).
    MessageRead(MessageRead),
    /// A service message: users joining, leaving, added or removed, a new title or photo, a pin.
    ChatAction(ChatAction),
    /// A user is typing (or recording, uploading...) in a chat, or went online or offline.
    UserUpdate(UserUpdate),
    /// Media sent together (one `grouped_id`), delivered once instead of one
    /// [`Event::NewMessage`] each.
    Album(Album),
    /// A user pressed a callback button of the bot's message (bots only).
    CallbackQuery(CallbackQuery),
    /// A user typed an inline query for the bot (bots only).
    InlineQuery(InlineQuery),
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
    /// [`Event::MessageRead`]
    MessageRead,
    /// [`Event::ChatAction`]
    ChatAction,
    /// [`Event::UserUpdate`]
    UserUpdate,
    /// [`Event::Album`]
    Album,
    /// [`Event::CallbackQuery`]
    CallbackQuery,
    /// [`Event::InlineQuery`]
    InlineQuery,
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
            (sys::POLYGRAM_EVENT_UPDATE, "message_read") => Event::MessageRead(MessageRead {
                chat_id: v.i64_of("chat_id"),
                max_id: v.i32_of("max_id"),
                outbox: v.bool_of("outbox"),
                still_unread: v.i32_of("still_unread"),
            }),
            (sys::POLYGRAM_EVENT_UPDATE, "chat_action") => Event::ChatAction(ChatAction::from_map(v)),
            (sys::POLYGRAM_EVENT_UPDATE, "user_update") => Event::UserUpdate(UserUpdate {
                user_id: v.i64_of("user_id"),
                chat_id: v.i64_of("chat_id"),
                action: v.str_of("action"),
                online: v.bool_of("online"),
                last_seen: v.i64_of("last_seen"),
                status: v.field("status").cloned(),
            }),
            (sys::POLYGRAM_EVENT_UPDATE, "album") => Event::Album(Album::from_map(&v)),
            (sys::POLYGRAM_EVENT_UPDATE, "callback_query") => Event::CallbackQuery(CallbackQuery::from_map(v)),
            (sys::POLYGRAM_EVENT_UPDATE, "inline_query") => Event::InlineQuery(InlineQuery {
                query_id: v.i64_of("query_id"),
                user_id: v.i64_of("user_id"),
                query: v.str_of("query"),
                offset: v.str_of("offset"),
                peer_type: v.str_of("peer_type"),
                users: v.list_of("users"),
            }),
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
            Event::MessageRead(_) => EventKind::MessageRead,
            Event::ChatAction(_) => EventKind::ChatAction,
            Event::UserUpdate(_) => EventKind::UserUpdate,
            Event::Album(_) => EventKind::Album,
            Event::CallbackQuery(_) => EventKind::CallbackQuery,
            Event::InlineQuery(_) => EventKind::InlineQuery,
        }
    }

    /// The chat (marked id) the event happened in, for events in one chat.
    pub fn chat_id(&self) -> Option<i64> {
        match self {
            Event::NewMessage(m) | Event::MessageEdited(m) => Some(m.chat_id),
            Event::MessageRead(r) => Some(r.chat_id),
            Event::ChatAction(a) => Some(a.chat_id),
            Event::UserUpdate(u) if u.chat_id != 0 => Some(u.chat_id),
            Event::Album(a) => Some(a.chat_id),
            Event::CallbackQuery(q) if q.chat_id != 0 => Some(q.chat_id),
            _ => None,
        }
    }

    /// Whether the account sent it, for messages and albums.
    pub fn out(&self) -> Option<bool> {
        match self {
            Event::NewMessage(m) | Event::MessageEdited(m) => Some(m.out),
            Event::Album(a) => Some(a.out),
            _ => None,
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

/// Messages read up to `max_id` (see [`Event::MessageRead`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRead {
    /// The chat (marked id).
    pub chat_id: i64,
    /// Read up to this message id.
    pub max_id: i32,
    /// True: the other side read the account's messages (a read receipt);
    /// false: the account read incoming ones (in another session).
    pub outbox: bool,
    /// Incoming messages still unread (inbox only).
    pub still_unread: i32,
}

/// What a [`ChatAction`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChatActionKind {
    /// The chat or channel was created (`title` is set).
    Created,
    /// Users joined by themselves (or by link).
    Joined,
    /// The sender added users.
    Added,
    /// The sender left.
    Left,
    /// The sender removed a user.
    Kicked,
    /// The title changed (`title` is the new one).
    Title,
    /// The photo changed.
    Photo,
    /// The photo was removed.
    PhotoRemoved,
    /// A message was pinned (`pinned_id`).
    Pinned,
    /// Any other service message (see the `action` of `message`).
    Other,
}

impl ChatActionKind {
    fn parse(s: &str) -> ChatActionKind {
        match s {
            "created" => ChatActionKind::Created,
            "joined" => ChatActionKind::Joined,
            "added" => ChatActionKind::Added,
            "left" => ChatActionKind::Left,
            "kicked" => ChatActionKind::Kicked,
            "title" => ChatActionKind::Title,
            "photo" => ChatActionKind::Photo,
            "photo_removed" => ChatActionKind::PhotoRemoved,
            "pinned" => ChatActionKind::Pinned,
            _ => ChatActionKind::Other,
        }
    }
}

/// A service message (see [`Event::ChatAction`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ChatAction {
    /// What happened.
    pub kind: ChatActionKind,
    /// The chat (marked id).
    pub chat_id: i64,
    /// Who did it (marked id).
    pub sender_id: i64,
    /// The users who joined, were added, left or were removed.
    pub user_ids: Vec<i64>,
    /// The new title ([`ChatActionKind::Title`], [`ChatActionKind::Created`]).
    pub title: String,
    /// The pinned message ([`ChatActionKind::Pinned`]).
    pub pinned_id: i32,
    /// The `messageService` TL map (its `action` says what happened).
    pub message: Value,
    /// TL `User` maps mentioned.
    pub users: Vec<Value>,
    /// TL `Chat` maps mentioned.
    pub chats: Vec<Value>,
}

impl ChatAction {
    fn from_map(v: Value) -> ChatAction {
        ChatAction {
            kind: ChatActionKind::parse(&v.str_of("kind")),
            chat_id: v.i64_of("chat_id"),
            sender_id: v.i64_of("sender_id"),
            user_ids: v.list_of("user_ids").iter().filter_map(Value::as_i64).collect(),
            title: v.str_of("title"),
            pinned_id: v.i32_of("pinned_id"),
            message: v.field("message").cloned().unwrap_or(Value::Nil),
            users: v.list_of("users"),
            chats: v.list_of("chats"),
        }
    }
}

/// What a user is doing (see [`Event::UserUpdate`]).
#[derive(Debug, Clone, PartialEq)]
pub struct UserUpdate {
    /// The user (marked id).
    pub user_id: i64,
    /// Where they are typing (0 for a status change).
    pub chat_id: i64,
    /// The chat action in snake case ("typing", "cancel", "record_video",
    /// "upload_photo", ...); empty for a status change.
    pub action: String,
    /// For a status change: whether the user is online now.
    pub online: bool,
    /// For a status change: when the user was last online (or, when online,
    /// until when the status holds), unix time.
    pub last_seen: i64,
    /// For a status change: the `UserStatus` TL map.
    pub status: Option<Value>,
}

impl UserUpdate {
    /// Whether this is the "typing" action.
    pub fn is_typing(&self) -> bool {
        self.action == "typing"
    }

    /// Whether this is a status change (online/offline), not a chat action.
    pub fn is_status(&self) -> bool {
        self.status.is_some()
    }
}

/// Media sent together (see [`Event::Album`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Album {
    /// The chat (marked id).
    pub chat_id: i64,
    /// The sender (marked id).
    pub sender_id: i64,
    /// The `grouped_id` the messages share.
    pub grouped_id: i64,
    /// Whether the account sent it.
    pub out: bool,
    /// The messages, in id order.
    pub messages: Vec<Message>,
    /// TL `User` maps mentioned.
    pub users: Vec<Value>,
    /// TL `Chat` maps mentioned.
    pub chats: Vec<Value>,
}

impl Album {
    fn from_map(v: &Value) -> Album {
        let (chat_id, sender_id, out) = (v.i64_of("chat_id"), v.i64_of("sender_id"), v.bool_of("out"));
        let messages = v
            .list_of("messages")
            .into_iter()
            .map(|m| {
                let mut m = Message::from_tl(m);
                (m.chat_id, m.sender_id, m.out) = (chat_id, sender_id, out);
                m
            })
            .collect();
        Album {
            chat_id,
            sender_id,
            grouped_id: v.i64_of("grouped_id"),
            out,
            messages,
            users: v.list_of("users"),
            chats: v.list_of("chats"),
        }
    }
}

/// A press of a callback button (see [`Event::CallbackQuery`]); answer it
/// with [`CallbackQuery::answer`] (the user's app shows a spinner until then).
#[derive(Debug, Clone, PartialEq)]
pub struct CallbackQuery {
    /// The query id to answer.
    pub query_id: i64,
    /// The user who pressed the button.
    pub user_id: i64,
    /// The chat of the message (marked id; 0 for a message sent through inline mode).
    pub chat_id: i64,
    /// The message's id as the bot sees it.
    pub msg_id: i32,
    /// For a message sent through inline mode: its `InputBotInlineMessageID` TL map.
    pub inline_message_id: Option<Value>,
    /// The button's callback data.
    pub data: Vec<u8>,
    /// Identifies the chat the message was sent to, the same for every user.
    pub chat_instance: i64,
    /// Set for game buttons.
    pub game_short_name: String,
    /// TL `User` maps mentioned.
    pub users: Vec<Value>,
    /// TL `Chat` maps mentioned.
    pub chats: Vec<Value>,
}

impl CallbackQuery {
    fn from_map(v: Value) -> CallbackQuery {
        let data = match v.field("data") {
            Some(Value::Binary(b)) => b.clone(),
            Some(Value::String(s)) => s.as_bytes().to_vec(),
            _ => Vec::new(),
        };
        CallbackQuery {
            query_id: v.i64_of("query_id"),
            user_id: v.i64_of("user_id"),
            chat_id: v.i64_of("chat_id"),
            msg_id: v.i32_of("msg_id"),
            inline_message_id: v.field("inline_message_id").cloned(),
            data,
            chat_instance: v.i64_of("chat_instance"),
            game_short_name: v.str_of("game_short_name"),
            users: v.list_of("users"),
            chats: v.list_of("chats"),
        }
    }

    /// The callback data as text, when it is UTF-8.
    pub fn data_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.data).ok()
    }

    /// Answers the query through `client` (the bot's):
    /// `q.answer(&bot, CallbackAnswer::text("done")).await?`.
    pub async fn answer(&self, client: &Client, answer: CallbackAnswer) -> Result<()> {
        client.answer_callback_query(self.query_id, answer).await
    }

    /// Edits the message whose button was pressed through `client` (the
    /// bot's): text, formatting and buttons as [`Client::edit_message_with`];
    /// a message sent through inline mode by its inline message id
    /// ([`Client::edit_inline_message`]).
    pub async fn edit(&self, client: &Client, text: &str, o: EditOptions) -> Result<()> {
        match &self.inline_message_id {
            Some(id) => client.edit_inline_message(id, text, o).await,
            None => client.edit_message_with(self.chat_id, self.msg_id, text, o).await,
        }
    }
}

/// An inline query (see [`Event::InlineQuery`]); answer it with [`InlineQuery::answer`].
#[derive(Debug, Clone, PartialEq)]
pub struct InlineQuery {
    /// The query id to answer.
    pub query_id: i64,
    /// The user typing.
    pub user_id: i64,
    /// The text after the bot's username.
    pub query: String,
    /// The `next_offset` of the previous answer when the user scrolls for more.
    pub offset: String,
    /// Where it is typed: "pm", "bot_pm", "same_bot_pm", "chat", "megagroup",
    /// "broadcast", or "" when unknown.
    pub peer_type: String,
    /// TL `User` maps mentioned.
    pub users: Vec<Value>,
}

impl InlineQuery {
    /// Answers the query through `client` (the bot's) with articles.
    pub async fn answer(
        &self,
        client: &Client,
        results: Vec<InlineArticle>,
        options: InlineAnswerOptions,
    ) -> Result<()> {
        client.answer_inline_query(self.query_id, results, options).await
    }
}

type Predicate = Arc<dyn Fn(&Event) -> bool + Send + Sync>;

/// Which events a stream receives. Conditions combine with AND. A direction
/// lets through messages and albums only, a chat list events in one chat
/// (messages, albums, chat actions, read receipts, typing, callback queries),
/// a text prefix messages only.
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
        if let Some(inc) = self.incoming {
            if ev.out() != Some(!inc) {
                return false;
            }
        }
        if let Some(chats) = &self.chats {
            if !ev.chat_id().is_some_and(|c| chats.contains(&c)) {
                return false;
            }
        }
        if let Some(p) = &self.prefix {
            if !ev.message().is_some_and(|m| m.text.starts_with(p.as_str())) {
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
    fn newer_event_kinds_become_typed_variants() {
        let up = |fields: Vec<(&str, Value)>| Event::from_map(sys::POLYGRAM_EVENT_UPDATE, map(fields));
        let read = up(vec![
            ("type", Value::from("message_read")),
            ("chat_id", Value::from(5)),
            ("max_id", Value::from(9)),
            ("outbox", Value::from(true)),
            ("still_unread", Value::from(0)),
        ]);
        assert_eq!(
            read,
            Event::MessageRead(MessageRead {
                chat_id: 5,
                max_id: 9,
                outbox: true,
                still_unread: 0
            })
        );
        let action = up(vec![
            ("type", Value::from("chat_action")),
            ("kind", Value::from("joined")),
            ("chat_id", Value::from(-100)),
            ("sender_id", Value::from(7)),
            ("user_ids", Value::Array(vec![Value::from(7)])),
            ("title", Value::from("")),
            ("message", map([("_", Value::from("messageService"))])),
        ]);
        let Event::ChatAction(a) = &action else {
            panic!("{action:?}")
        };
        assert_eq!(
            (a.kind, a.chat_id, a.user_ids.as_slice()),
            (ChatActionKind::Joined, -100, &[7][..])
        );
        let odd = up(vec![
            ("type", Value::from("chat_action")),
            ("kind", Value::from("new_kind")),
        ]);
        assert!(matches!(
            odd,
            Event::ChatAction(ChatAction {
                kind: ChatActionKind::Other,
                ..
            })
        ));
        let typing = up(vec![
            ("type", Value::from("user_update")),
            ("user_id", Value::from(3)),
            ("chat_id", Value::from(3)),
            ("action", Value::from("typing")),
        ]);
        let Event::UserUpdate(u) = &typing else { panic!() };
        assert!(u.is_typing() && !u.is_status());
        let status = up(vec![
            ("type", Value::from("user_update")),
            ("user_id", Value::from(3)),
            ("online", Value::from(true)),
            ("last_seen", Value::from(1000)),
            ("status", map([("_", Value::from("userStatusOnline"))])),
        ]);
        let Event::UserUpdate(s) = &status else { panic!() };
        assert!(s.is_status() && s.online && s.last_seen == 1000);
        assert_eq!(status.chat_id(), None, "a status change is in no chat");
        let album = up(vec![
            ("type", Value::from("album")),
            ("chat_id", Value::from(4)),
            ("sender_id", Value::from(4)),
            ("grouped_id", Value::from(77)),
            ("out", Value::from(false)),
            (
                "messages",
                Value::Array(vec![
                    map([
                        ("_", Value::from("message")),
                        ("id", Value::from(1)),
                        ("grouped_id", Value::from(77)),
                    ]),
                    map([
                        ("_", Value::from("message")),
                        ("id", Value::from(2)),
                        ("grouped_id", Value::from(77)),
                    ]),
                ]),
            ),
        ]);
        let Event::Album(al) = &album else { panic!() };
        assert_eq!(
            al.messages.iter().map(|m| (m.id, m.chat_id)).collect::<Vec<_>>(),
            [(1, 4), (2, 4)]
        );
        assert_eq!(al.messages[1].grouped_id, Some(77));
        let cb = up(vec![
            ("type", Value::from("callback_query")),
            ("query_id", Value::from(11)),
            ("user_id", Value::from(4)),
            ("chat_id", Value::from(4)),
            ("msg_id", Value::from(8)),
            ("data", Value::Binary(b"go".to_vec())),
        ]);
        let Event::CallbackQuery(q) = &cb else { panic!() };
        assert_eq!((q.query_id, q.msg_id, q.data_str()), (11, 8, Some("go")));
        let iq = up(vec![
            ("type", Value::from("inline_query")),
            ("query_id", Value::from(12)),
            ("query", Value::from("hey")),
            ("peer_type", Value::from("pm")),
        ]);
        let Event::InlineQuery(i) = &iq else { panic!() };
        assert_eq!((i.query_id, i.query.as_str(), i.peer_type.as_str()), (12, "hey", "pm"));

        // Chat filters reach every event in a chat; directions only messages and albums.
        let in4 = Filter::all().chats([4]);
        assert!(in4.matches(&album) && in4.matches(&cb) && !in4.matches(&read) && !in4.matches(&iq));
        assert!(Filter::all().incoming().matches(&album) && !Filter::all().incoming().matches(&cb));
        assert!(Filter::kinds([EventKind::CallbackQuery]).matches(&cb));
        assert!(!Filter::all().text_starts_with("g").matches(&cb));
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
