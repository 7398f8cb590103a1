//! The friendly API: one async method per friendly call of the C API.

use crate::client::{conv_data, conv_id, conv_size, conv_value, Client, Pending, Shared, Transfer};
use crate::error::{Error, Result};
use crate::events::Next;
use crate::markup::Markup;
use crate::types::{Dialog, Message, Participant, PeerRef, QrCode, ResolvedPeer, SendFile, SentCode, State, User};
use crate::value::{map, req_i64, Fields, Value};
use futures_core::Stream;
use std::collections::VecDeque;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// An argument map without its nil entries (absent arguments take the library's defaults).
pub(crate) fn args<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    map(pairs.into_iter().filter(|(_, v)| !v.is_nil()))
}

pub(crate) fn opt<T: Into<Value>>(v: Option<T>) -> Value {
    v.map_or(Value::Nil, Into::into)
}

/// The `entities` and `buttons` arguments of a message call, the buttons
/// checked first (nil when there are none).
pub(crate) fn formatting(entities: Vec<Value>, buttons: &Option<Markup>) -> Result<(Value, Value)> {
    if let Some(m) = buttons {
        m.check()?;
    }
    let entities = if entities.is_empty() {
        Value::Nil
    } else {
        Value::Array(entities)
    };
    Ok((entities, buttons.as_ref().map_or(Value::Nil, Markup::to_value)))
}

pub(crate) fn messages(v: &Value) -> Vec<Message> {
    v.list_of("messages").into_iter().map(Message::from_tl).collect()
}

/// Options of [`Client::get_history`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryOptions {
    /// Messages to return (0: the core's default page).
    pub limit: i32,
    /// Only messages older than this id.
    pub offset_id: i32,
    /// Only messages with an id above this.
    pub min_id: i32,
    /// Only messages with an id below this.
    pub max_id: i32,
    /// Only messages containing this text.
    pub search: Option<String>,
}

/// Options of [`Client::send_message_with`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SendOptions {
    /// Reply to this message.
    pub reply_to: Option<i32>,
    /// Send without notification.
    pub silent: bool,
    /// Do not show a link preview.
    pub no_webpage: bool,
    /// "markdown" or "html".
    pub parse_mode: Option<String>,
    /// Explicit formatting: TL `messageEntity*` maps.
    pub entities: Vec<Value>,
    /// Buttons under the message or a custom keyboard.
    pub buttons: Option<Markup>,
    /// Schedule the message for this Unix time: Telegram keeps it and sends
    /// it then; the id returned is the scheduled message's (see
    /// [`Client::get_scheduled_messages`]).
    pub schedule: Option<i64>,
}

/// Options of [`Client::edit_message_with`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EditOptions {
    /// "markdown" or "html".
    pub parse_mode: Option<String>,
    /// Explicit formatting: TL `messageEntity*` maps.
    pub entities: Vec<Value>,
    /// Do not show a link preview.
    pub no_webpage: bool,
    /// New buttons (with an empty text, only the buttons change).
    pub buttons: Option<Markup>,
}

/// What [`Client::iter_messages_with`] walks through. The default is every
/// message of the chat, newest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MessageIterOptions {
    /// At most this many messages (`None`: all).
    pub limit: Option<usize>,
    /// Start below this message id (with `reverse`: above it).
    pub offset_id: i32,
    /// Start before this Unix time (with `reverse`: at it).
    pub offset_date: i64,
    /// Only ids above this (exclusive).
    pub min_id: i32,
    /// Only ids below this (exclusive).
    pub max_id: i32,
    /// Only messages containing this text.
    pub search: Option<String>,
    /// Only messages sent by this user.
    pub from_user: Option<PeerRef>,
    /// Only pinned messages.
    pub pinned: bool,
    /// Oldest first.
    pub reverse: bool,
    /// Messages per request (1 to 100; 0: 100).
    pub page_size: usize,
}

/// Options of [`Client::iter_dialogs_with`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DialogOptions {
    /// At most this many dialogs (`None`: all).
    pub limit: Option<usize>,
    /// The archive (folder 1) instead of the main list.
    pub archived: bool,
    /// Leave pinned dialogs out.
    pub exclude_pinned: bool,
    /// Dialogs per request of the core (0: its default).
    pub page_size: usize,
}

/// Which members [`Client::get_participants`] lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ParticipantFilter {
    /// Everyone, most recent first.
    #[default]
    Recent,
    /// Administrators (and the creator).
    Admins,
    /// Bots.
    Bots,
    /// Restricted members.
    Banned,
    /// Removed members.
    Kicked,
}

impl ParticipantFilter {
    fn name(self) -> &'static str {
        match self {
            ParticipantFilter::Recent => "recent",
            ParticipantFilter::Admins => "admins",
            ParticipantFilter::Bots => "bots",
            ParticipantFilter::Banned => "banned",
            ParticipantFilter::Kicked => "kicked",
        }
    }
}

/// Options of [`Client::get_participants`] and [`Client::iter_participants`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParticipantsOptions {
    /// Which members.
    pub filter: ParticipantFilter,
    /// Only members whose name or username contains this.
    pub search: Option<String>,
    /// At most this many (`None`: all; the core pages through them).
    pub limit: Option<usize>,
}

impl Client {
    /// Answers its argument without the network (measures the binding and the C boundary).
    pub async fn ping_local(&self, value: Value) -> Result<Value> {
        self.call("ping_local", value).await
    }

    /// The client's states, without the network.
    pub async fn get_state(&self) -> Result<State> {
        let v = self.call("get_state", Value::Map(vec![])).await?;
        Ok(State {
            main_dc: v.i32_of("main_dc"),
            auth_state: v.str_of("auth_state"),
            connection_state: v.str_of("connection_state"),
        })
    }

    /// Starts receiving updates ([`crate::Event`]s); with `catch_up`, missed ones are fetched first.
    pub async fn start_updates(&self, catch_up: bool) -> Result<()> {
        self.call("start_updates", args([("catch_up", Value::from(catch_up))]))
            .await?;
        Ok(())
    }

    /// The logged-in user.
    pub async fn get_me(&self) -> Result<User> {
        Ok(User::from_value(self.call("get_me", Value::Map(vec![])).await?))
    }

    /// The full TL map of a peer (`users.userFull` or `messages.chatFull`).
    pub async fn get_entity(&self, peer: impl Into<PeerRef>) -> Result<Value> {
        self.call("get_entity", args([("peer", peer.into().to_value())])).await
    }

    /// Resolves a peer (a username, "me", a marked id, ...).
    pub async fn resolve_peer(&self, peer: impl Into<PeerRef>) -> Result<ResolvedPeer> {
        let v = self
            .call("resolve_peer", args([("peer", peer.into().to_value())]))
            .await?;
        Ok(ResolvedPeer::from_value(&v))
    }

    /// Sends a text message; returns its id.
    pub async fn send_message(&self, peer: impl Into<PeerRef>, text: &str) -> Result<i32> {
        self.send_message_with(peer, text, SendOptions::default()).await
    }

    /// Sends a text message with options; returns its id.
    pub async fn send_message_with(&self, peer: impl Into<PeerRef>, text: &str, o: SendOptions) -> Result<i32> {
        let (entities, buttons) = formatting(o.entities, &o.buttons)?;
        let v = self
            .call(
                "send_message",
                args([
                    ("peer", peer.into().to_value()),
                    ("text", Value::from(text)),
                    ("reply_to", opt(o.reply_to)),
                    ("silent", Value::from(o.silent)),
                    ("no_webpage", Value::from(o.no_webpage)),
                    ("parse_mode", opt(o.parse_mode)),
                    ("entities", entities),
                    ("buttons", buttons),
                    ("schedule", opt(o.schedule)),
                ]),
            )
            .await?;
        Ok(req_i64(&v, "id")? as i32)
    }

    /// Edits a message's text.
    pub async fn edit_message(&self, peer: impl Into<PeerRef>, id: i32, text: &str) -> Result<()> {
        self.edit_message_with(peer, id, text, EditOptions::default()).await
    }

    /// Edits a message's text, formatting and buttons.
    pub async fn edit_message_with(&self, peer: impl Into<PeerRef>, id: i32, text: &str, o: EditOptions) -> Result<()> {
        let (entities, buttons) = formatting(o.entities, &o.buttons)?;
        let a = args([
            ("peer", peer.into().to_value()),
            ("id", Value::from(id)),
            ("text", Value::from(text)),
            ("parse_mode", opt(o.parse_mode)),
            ("entities", entities),
            ("no_webpage", Value::from(o.no_webpage)),
            ("buttons", buttons),
        ]);
        self.call("edit_message", a).await.map(drop)
    }

    /// Pins a message (`silent`: without notifying the members).
    pub async fn pin_message(&self, peer: impl Into<PeerRef>, id: i32, silent: bool) -> Result<()> {
        let a = args([
            ("peer", peer.into().to_value()),
            ("id", Value::from(id)),
            ("silent", Value::from(silent)),
        ]);
        self.call("pin_message", a).await.map(drop)
    }

    /// Unpins a message.
    pub async fn unpin_message(&self, peer: impl Into<PeerRef>, id: i32) -> Result<()> {
        let a = args([("peer", peer.into().to_value()), ("id", Value::from(id))]);
        self.call("unpin_message", a).await.map(drop)
    }

    /// Unpins every message of a chat.
    pub async fn unpin_all_messages(&self, peer: impl Into<PeerRef>) -> Result<()> {
        self.call("unpin_all_messages", args([("peer", peer.into().to_value())]))
            .await
            .map(drop)
    }

    /// The pinned messages of a chat, newest first.
    pub async fn get_pinned_messages(&self, peer: impl Into<PeerRef>) -> Result<Vec<Message>> {
        let v = self
            .call("get_pinned_messages", args([("peer", peer.into().to_value())]))
            .await?;
        Ok(messages(&v))
    }

    /// The messages scheduled in a chat (see [`SendOptions::schedule`]).
    pub async fn get_scheduled_messages(&self, peer: impl Into<PeerRef>) -> Result<Vec<Message>> {
        let v = self
            .call("get_scheduled_messages", args([("peer", peer.into().to_value())]))
            .await?;
        Ok(messages(&v))
    }

    /// Sends scheduled messages now.
    pub async fn send_scheduled_now(&self, peer: impl Into<PeerRef>, ids: &[i32]) -> Result<()> {
        let a = args([("peer", peer.into().to_value()), ("ids", id_list(ids))]);
        self.call("send_scheduled_now", a).await.map(drop)
    }

    /// Deletes scheduled messages.
    pub async fn delete_scheduled_messages(&self, peer: impl Into<PeerRef>, ids: &[i32]) -> Result<()> {
        let a = args([("peer", peer.into().to_value()), ("ids", id_list(ids))]);
        self.call("delete_scheduled_messages", a).await.map(drop)
    }

    /// Moves a dialog to the archive (`archived`) or back to the main list.
    pub async fn archive_dialog(&self, peer: impl Into<PeerRef>, archived: bool) -> Result<()> {
        let a = args([("peer", peer.into().to_value()), ("archived", Value::from(archived))]);
        self.call("archive_dialog", a).await.map(drop)
    }

    /// The members of a group or channel (the core pages through them: up
    /// to 200 per request in supergroups and channels).
    pub async fn get_participants(&self, peer: impl Into<PeerRef>, o: ParticipantsOptions) -> Result<Vec<Participant>> {
        let v = participants(&self.shared, &peer.into(), &o).await?;
        Ok(v.list_of("participants").iter().map(Participant::from_value).collect())
    }

    /// The members of a group or channel as a [`Stream`].
    pub fn iter_participants(&self, peer: impl Into<PeerRef>, o: ParticipantsOptions) -> ParticipantIter {
        ParticipantIter {
            pending: Some(participants(&self.shared, &peer.into(), &o)),
            items: VecDeque::new(),
        }
    }

    /// Deletes messages (for everyone when `revoke`).
    pub async fn delete_messages(&self, peer: impl Into<PeerRef>, ids: &[i32], revoke: bool) -> Result<()> {
        let ids = Value::Array(ids.iter().map(|&i| Value::from(i)).collect());
        let a = args([
            ("peer", peer.into().to_value()),
            ("ids", ids),
            ("revoke", Value::from(revoke)),
        ]);
        self.call("delete_messages", a).await.map(drop)
    }

    /// Forwards messages; returns the new ids.
    pub async fn forward_messages(
        &self,
        from: impl Into<PeerRef>,
        ids: &[i32],
        to: impl Into<PeerRef>,
    ) -> Result<Vec<i32>> {
        let idv = Value::Array(ids.iter().map(|&i| Value::from(i)).collect());
        let a = args([
            ("from_peer", from.into().to_value()),
            ("ids", idv),
            ("to_peer", to.into().to_value()),
        ]);
        let v = self.call("forward_messages", a).await?;
        Ok(v.list_of("ids")
            .iter()
            .filter_map(Value::as_i64)
            .map(|i| i as i32)
            .collect())
    }

    /// Messages by id.
    pub async fn get_messages(&self, peer: impl Into<PeerRef>, ids: &[i32]) -> Result<Vec<Message>> {
        let idv = Value::Array(ids.iter().map(|&i| Value::from(i)).collect());
        let v = self
            .call("get_messages", args([("peer", peer.into().to_value()), ("ids", idv)]))
            .await?;
        Ok(messages(&v))
    }

    /// A page of a chat's history, newest first.
    pub async fn get_history(&self, peer: impl Into<PeerRef>, o: HistoryOptions) -> Result<Vec<Message>> {
        let v = history(&self.shared, &peer.into(), &o).await?;
        Ok(messages(&v))
    }

    /// Every message of a chat, newest first, fetched page by page (`limit`:
    /// at most this many; `None`: all).
    pub fn iter_messages(&self, peer: impl Into<PeerRef>, limit: Option<usize>) -> MessageIter {
        self.iter_messages_with(
            peer,
            MessageIterOptions {
                limit,
                ..Default::default()
            },
        )
    }

    /// A chat's messages as a [`Stream`], filtered and ordered by `o` (search,
    /// sender, id bounds, oldest first...), one request per page.
    pub fn iter_messages_with(&self, peer: impl Into<PeerRef>, o: MessageIterOptions) -> MessageIter {
        MessageIter {
            shared: self.shared.clone(),
            peer: peer.into(),
            left: o.limit,
            offset_id: None,
            done: o.limit == Some(0),
            opts: o,
            page: VecDeque::new(),
            pending: None,
        }
    }

    /// The account's dialogs (`limit`: 0 for the core's default).
    pub async fn get_dialogs(&self, limit: i32) -> Result<Vec<Dialog>> {
        let v = self.call("get_dialogs", args([("limit", Value::from(limit))])).await?;
        Ok(v.list_of("dialogs").iter().map(Dialog::from_value).collect())
    }

    /// The account's main dialogs as a stream (`limit`: at most this many;
    /// `None`: all).
    pub fn iter_dialogs(&self, limit: Option<usize>) -> DialogIter {
        self.iter_dialogs_with(DialogOptions {
            limit,
            ..Default::default()
        })
    }

    /// Dialogs as a stream, from the main list or the archive (the core pages
    /// through them; the C API answers them in one result).
    pub fn iter_dialogs_with(&self, o: DialogOptions) -> DialogIter {
        let a = args([
            (
                "limit",
                Value::from(o.limit.map_or(-1, |l| l.min(i32::MAX as usize) as i64)),
            ),
            ("archived", Value::from(o.archived)),
            ("exclude_pinned", Value::from(o.exclude_pinned)),
            ("page_size", Value::from(o.page_size as i64)),
        ]);
        DialogIter {
            pending: if o.limit == Some(0) {
                None
            } else {
                Some(self.shared.call("iter_dialogs", a, conv_value))
            },
            items: VecDeque::new(),
        }
    }

    /// Marks a chat as read up to `max_id` (0: everything).
    pub async fn send_read_acknowledge(&self, peer: impl Into<PeerRef>, max_id: i32) -> Result<()> {
        let a = args([("peer", peer.into().to_value()), ("max_id", Value::from(max_id))]);
        self.call("send_read_acknowledge", a).await.map(drop)
    }

    /// Shows (or cancels) the typing action in a chat.
    pub async fn typing(&self, peer: impl Into<PeerRef>, cancel: bool) -> Result<()> {
        let a = args([("peer", peer.into().to_value()), ("cancel", Value::from(cancel))]);
        self.call("typing", a).await.map(drop)
    }

    /// Sends a file; returns the message id. Add `.progress(hook)` before
    /// awaiting for upload progress.
    pub fn send_file(&self, peer: impl Into<PeerRef>, file: SendFile) -> Transfer<i32> {
        Transfer::new(self, "send_file", file.args(peer.into().to_value()), conv_id)
    }

    /// Downloads a message's media into memory.
    pub fn download_media(&self, peer: impl Into<PeerRef>, message_id: i32) -> Transfer<Vec<u8>> {
        let a = args([
            ("peer", peer.into().to_value()),
            ("message_id", Value::from(message_id)),
        ]);
        Transfer::new(self, "download_media", a, conv_data)
    }

    /// Downloads a message's media to a file (written 0600); returns its size.
    pub fn download_media_to(
        &self,
        peer: impl Into<PeerRef>,
        message_id: i32,
        path: impl AsRef<Path>,
    ) -> Transfer<u64> {
        let a = args([
            ("peer", peer.into().to_value()),
            ("message_id", Value::from(message_id)),
            ("path", Value::from(path.as_ref().to_string_lossy().into_owned())),
        ]);
        Transfer::new(self, "download_media", a, conv_size)
    }

    // --- logins -----------------------------------------------------------

    /// Whether the session is logged in.
    pub async fn is_authorized(&self) -> Result<bool> {
        Ok(self
            .call("is_authorized", Value::Map(vec![]))
            .await?
            .bool_of("authorized"))
    }

    /// Logs a bot in with its token.
    pub async fn sign_in_bot(&self, token: &str) -> Result<User> {
        let v = self.call("sign_in_bot", args([("token", Value::from(token))])).await?;
        Ok(User::from_value(v))
    }

    /// Asks Telegram to send a login code to `phone`.
    pub async fn send_code(&self, phone: &str) -> Result<SentCode> {
        let v = self.call("send_code", args([("phone", Value::from(phone))])).await?;
        Ok(SentCode::from_value(&v))
    }

    /// Signs in with the code received. Fails with [`Error::PasswordNeeded`]
    /// for 2FA accounts (then call [`Client::check_password`]) and
    /// [`Error::SignUpRequired`] for a new number ([`Client::sign_up`]).
    pub async fn sign_in(&self, code: &SentCode, received: &str) -> Result<User> {
        let a = args([
            ("phone", Value::from(code.phone.as_str())),
            ("hash", Value::from(code.hash.as_str())),
            ("code", Value::from(received)),
        ]);
        Ok(User::from_value(self.call("sign_in", a).await?))
    }

    /// A whole phone login: sends the code, asks `code` for it, and for a 2FA
    /// account asks `password` (given the hint) for the password.
    pub async fn login_phone(
        &self,
        phone: &str,
        code: impl FnOnce(&SentCode) -> String,
        password: impl FnOnce(&str) -> Option<String>,
    ) -> Result<User> {
        let sent = self.send_code(phone).await?;
        match self.sign_in(&sent, &code(&sent)).await {
            Err(Error::PasswordNeeded) => {
                let hint = self.password_hint().await?;
                match password(&hint) {
                    Some(pw) => self.check_password(&pw).await,
                    None => Err(Error::PasswordNeeded),
                }
            }
            other => other,
        }
    }

    /// Registers a new number after [`Error::SignUpRequired`].
    pub async fn sign_up(&self, code: &SentCode, first_name: &str, last_name: &str) -> Result<User> {
        let a = args([
            ("phone", Value::from(code.phone.as_str())),
            ("hash", Value::from(code.hash.as_str())),
            ("first_name", Value::from(first_name)),
            ("last_name", Value::from(last_name)),
        ]);
        Ok(User::from_value(self.call("sign_up", a).await?))
    }

    /// Completes a 2FA login (SRP: the password never leaves the process).
    pub async fn check_password(&self, password: &str) -> Result<User> {
        let v = self
            .call("check_password", args([("password", Value::from(password))]))
            .await?;
        Ok(User::from_value(v))
    }

    /// The 2FA password's hint.
    pub async fn password_hint(&self) -> Result<String> {
        Ok(self.call("password_hint", Value::Map(vec![])).await?.str_of("hint"))
    }

    /// Logs in by QR code: `on_qr` is called (on the library's event thread;
    /// keep it short) with each `tg://login` URL to show, until another
    /// logged-in session accepts one ([`Client::accept_qr_login`]).
    pub async fn qr_login(&self, on_qr: impl FnMut(QrCode) + Send + 'static) -> Result<User> {
        struct Unhook<'a>(&'a Client);
        impl Drop for Unhook<'_> {
            fn drop(&mut self) {
                self.0.set_qr_hook(None);
            }
        }
        self.set_qr_hook(Some(Box::new(on_qr)));
        let _unhook = Unhook(self);
        Ok(User::from_value(self.call("qr_login", Value::Map(vec![])).await?))
    }

    /// Accepts a QR login URL shown by another device (from a logged-in session).
    pub async fn accept_qr_login(&self, url: &str) -> Result<()> {
        self.call("accept_qr_login", args([("url", Value::from(url))]))
            .await
            .map(drop)
    }

    /// Logs out.
    pub async fn log_out(&self) -> Result<()> {
        self.call("log_out", Value::Map(vec![])).await.map(drop)
    }

    /// The session as a Polygram string session (see [`crate::Session::String`]).
    pub async fn export_session(&self) -> Result<String> {
        Ok(self.call("export_session", Value::Map(vec![])).await?.str_of("string"))
    }
}

fn history(shared: &Arc<Shared>, peer: &PeerRef, o: &HistoryOptions) -> Pending<Value> {
    let a = args([
        ("peer", peer.to_value()),
        ("limit", Value::from(o.limit)),
        ("offset_id", Value::from(o.offset_id)),
        ("min_id", Value::from(o.min_id)),
        ("max_id", Value::from(o.max_id)),
        ("search", opt(o.search.clone())),
    ]);
    shared.call("get_history", a, conv_value)
}

fn id_list(ids: &[i32]) -> Value {
    Value::Array(ids.iter().map(|&i| Value::from(i)).collect())
}

fn participants(shared: &Arc<Shared>, peer: &PeerRef, o: &ParticipantsOptions) -> Pending<Value> {
    let a = args([
        ("peer", peer.to_value()),
        ("filter", Value::from(o.filter.name())),
        ("search", opt(o.search.clone())),
        (
            "limit",
            Value::from(o.limit.map_or(0, |l| l.min(i32::MAX as usize) as i64)),
        ),
    ]);
    shared.call("get_participants", a, conv_value)
}

/// Largest page of [`MessageIter`] (Telegram's limit per request).
const PAGE: usize = 100;

/// A chat's messages as a [`Stream`] (see [`Client::iter_messages_with`]).
pub struct MessageIter {
    shared: Arc<Shared>,
    peer: PeerRef,
    opts: MessageIterOptions,
    left: Option<usize>,
    /// The last message yielded: the next page starts after it.
    offset_id: Option<i32>,
    page: VecDeque<Message>,
    pending: Option<Pending<Value>>,
    done: bool,
}

impl MessageIter {
    /// The next message.
    // Like StreamExt::next, without depending on futures-util (an async fn, not Iterator::next).
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Next<'_, Self> {
        Next(self)
    }

    fn page_size(&self) -> usize {
        let page = match self.opts.page_size {
            0 => PAGE,
            n => n.min(PAGE),
        };
        self.left.map_or(page, |l| l.min(page))
    }

    fn request(&self) -> Pending<Value> {
        let o = &self.opts;
        let n = self.page_size() as i64;
        // The first page starts where the options say; later ones after the last message.
        let (offset_id, offset_date) = match self.offset_id {
            Some(id) => (id, 0),
            None => (o.offset_id, o.offset_date),
        };
        let a = args([
            ("peer", self.peer.to_value()),
            ("limit", Value::from(n)),
            ("page_size", Value::from(n)),
            ("offset_id", Value::from(offset_id)),
            ("offset_date", Value::from(offset_date)),
            ("min_id", Value::from(o.min_id)),
            ("max_id", Value::from(o.max_id)),
            ("search", opt(o.search.clone())),
            ("from_user", o.from_user.as_ref().map_or(Value::Nil, PeerRef::to_value)),
            ("pinned", Value::from(o.pinned)),
            ("reverse", Value::from(o.reverse)),
        ]);
        self.shared.call("iter_messages", a, conv_value)
    }
}

impl Stream for MessageIter {
    type Item = Result<Message>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Message>>> {
        loop {
            if self.left == Some(0) {
                return Poll::Ready(None);
            }
            if let Some(m) = self.page.pop_front() {
                if let Some(l) = self.left.as_mut() {
                    *l -= 1;
                }
                return Poll::Ready(Some(Ok(m)));
            }
            if self.done {
                return Poll::Ready(None);
            }
            if self.pending.is_none() {
                let p = self.request();
                self.pending = Some(p);
            }
            let p = self.pending.as_mut().expect("pending page");
            let v = match Pin::new(p).poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(r) => r,
            };
            self.pending = None;
            match v {
                Err(e) => {
                    self.done = true;
                    return Poll::Ready(Some(Err(e)));
                }
                Ok(v) => {
                    let page = messages(&v);
                    match page.last() {
                        Some(last) => self.offset_id = Some(last.id),
                        None => self.done = true,
                    }
                    if page.len() < self.page_size() {
                        self.done = true;
                    }
                    self.page.extend(page);
                }
            }
        }
    }
}

/// Items of one answer as a [`Stream`]: the C API answers a whole list at
/// once (the core pages underneath).
fn poll_list<T>(
    pending: &mut Option<Pending<Value>>,
    items: &mut VecDeque<T>,
    cx: &mut Context<'_>,
    read: impl FnOnce(&Value) -> Vec<T>,
) -> Poll<Option<Result<T>>> {
    if let Some(p) = pending.as_mut() {
        let r = match Pin::new(p).poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(r) => r,
        };
        *pending = None;
        match r {
            Err(e) => return Poll::Ready(Some(Err(e))),
            Ok(v) => items.extend(read(&v)),
        }
    }
    Poll::Ready(items.pop_front().map(Ok))
}

/// Dialogs as a [`Stream`] (see [`Client::iter_dialogs_with`]).
pub struct DialogIter {
    pending: Option<Pending<Value>>,
    items: VecDeque<Dialog>,
}

impl DialogIter {
    /// The next dialog.
    // Like StreamExt::next, without depending on futures-util (an async fn, not Iterator::next).
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Next<'_, Self> {
        Next(self)
    }
}

impl Stream for DialogIter {
    type Item = Result<Dialog>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Dialog>>> {
        let this = &mut *self;
        poll_list(&mut this.pending, &mut this.items, cx, |v| {
            v.list_of("dialogs").iter().map(Dialog::from_value).collect()
        })
    }
}

/// Members of a group or channel as a [`Stream`] (see [`Client::iter_participants`]).
pub struct ParticipantIter {
    pending: Option<Pending<Value>>,
    items: VecDeque<Participant>,
}

impl ParticipantIter {
    /// The next member.
    // Like StreamExt::next, without depending on futures-util (an async fn, not Iterator::next).
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Next<'_, Self> {
        Next(self)
    }
}

impl Stream for ParticipantIter {
    type Item = Result<Participant>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Participant>>> {
        let this = &mut *self;
        poll_list(&mut this.pending, &mut this.items, cx, |v| {
            v.list_of("participants").iter().map(Participant::from_value).collect()
        })
    }
}
