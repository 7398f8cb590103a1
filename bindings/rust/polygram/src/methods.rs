//! The friendly API: one async method per friendly call of the C API.

use crate::client::{conv_value, Client, Pending, Shared};
use crate::error::{Error, Result};
use crate::events::Next;
use crate::types::{Dialog, Message, PeerRef, QrCode, ResolvedPeer, SendFile, SentCode, State, User};
use crate::value::{map, req_i64, Fields, Value};
use futures_core::Stream;
use std::collections::VecDeque;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

fn args<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    map(pairs.into_iter().filter(|(_, v)| !v.is_nil()))
}

fn opt<T: Into<Value>>(v: Option<T>) -> Value {
    v.map_or(Value::Nil, Into::into)
}

fn messages(v: &Value) -> Vec<Message> {
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
        let entities = if o.entities.is_empty() {
            Value::Nil
        } else {
            Value::Array(o.entities)
        };
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
                ]),
            )
            .await?;
        Ok(req_i64(&v, "id")? as i32)
    }

    /// Edits a message's text.
    pub async fn edit_message(&self, peer: impl Into<PeerRef>, id: i32, text: &str) -> Result<()> {
        let a = args([
            ("peer", peer.into().to_value()),
            ("id", Value::from(id)),
            ("text", Value::from(text)),
        ]);
        self.call("edit_message", a).await.map(drop)
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
        MessageIter {
            shared: self.shared.clone(),
            peer: peer.into(),
            left: limit,
            offset_id: 0,
            page: VecDeque::new(),
            pending: None,
            done: limit == Some(0),
        }
    }

    /// The account's dialogs (`limit`: 0 for the core's default).
    pub async fn get_dialogs(&self, limit: i32) -> Result<Vec<Dialog>> {
        let v = self.call("get_dialogs", args([("limit", Value::from(limit))])).await?;
        Ok(v.list_of("dialogs").iter().map(Dialog::from_value).collect())
    }

    /// The account's dialogs as a stream (the core pages through them; the C
    /// API answers them in one result).
    pub fn iter_dialogs(&self, limit: i32) -> DialogIter {
        DialogIter {
            pending: Some(self.call("get_dialogs", args([("limit", Value::from(limit))]))),
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

    /// Sends a file; returns the message id.
    pub async fn send_file(&self, peer: impl Into<PeerRef>, file: SendFile) -> Result<i32> {
        let v = self.call("send_file", file.args(peer.into().to_value())).await?;
        Ok(req_i64(&v, "id")? as i32)
    }

    /// Downloads a message's media into memory.
    pub async fn download_media(&self, peer: impl Into<PeerRef>, message_id: i32) -> Result<Vec<u8>> {
        let a = args([
            ("peer", peer.into().to_value()),
            ("message_id", Value::from(message_id)),
        ]);
        let v = self.call("download_media", a).await?;
        match v.field("data") {
            Some(Value::Binary(b)) => Ok(b.clone()),
            _ => Err(Error::Decode(format!("download_media: no data in {v}"))),
        }
    }

    /// Downloads a message's media to a file (written 0600); returns its size.
    pub async fn download_media_to(
        &self,
        peer: impl Into<PeerRef>,
        message_id: i32,
        path: impl AsRef<Path>,
    ) -> Result<u64> {
        let a = args([
            ("peer", peer.into().to_value()),
            ("message_id", Value::from(message_id)),
            ("path", Value::from(path.as_ref().to_string_lossy().into_owned())),
        ]);
        let v = self.call("download_media", a).await?;
        Ok(req_i64(&v, "size")? as u64)
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

/// Page size of [`MessageIter`].
const PAGE: usize = 100;

/// A chat's messages as a [`Stream`], newest first (see [`Client::iter_messages`]).
pub struct MessageIter {
    shared: Arc<Shared>,
    peer: PeerRef,
    left: Option<usize>,
    offset_id: i32,
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
                let limit = self.left.map_or(PAGE, |l| l.min(PAGE));
                let o = HistoryOptions {
                    limit: limit as i32,
                    offset_id: self.offset_id,
                    ..Default::default()
                };
                self.pending = Some(history(&self.shared, &self.peer, &o));
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
                        Some(last) => self.offset_id = last.id,
                        None => self.done = true,
                    }
                    if page.len() < self.left.map_or(PAGE, |l| l.min(PAGE)) {
                        self.done = true;
                    }
                    self.page.extend(page);
                }
            }
        }
    }
}

/// The account's dialogs as a [`Stream`] (see [`Client::iter_dialogs`]).
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
        if let Some(p) = self.pending.as_mut() {
            let r = match Pin::new(p).poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(r) => r,
            };
            self.pending = None;
            match r {
                Err(e) => return Poll::Ready(Some(Err(e))),
                Ok(v) => {
                    let items: Vec<Dialog> = v.list_of("dialogs").iter().map(Dialog::from_value).collect();
                    self.items.extend(items);
                }
            }
        }
        Poll::Ready(self.items.pop_front().map(Ok))
    }
}
