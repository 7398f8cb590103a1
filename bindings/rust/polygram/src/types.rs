//! Typed views of the msgpack maps the friendly methods return. Each keeps
//! the full map in `raw` for fields without an accessor.

use crate::markup::{Button, Markup};
use crate::value::{map, Fields, Value};

/// The marked id of a TL `Peer` map (`peerUser` → id, `peerChat` → -id,
/// `peerChannel` → -1000000000000 - id); 0 for anything else.
pub fn marked_id(peer: &Value) -> i64 {
    match peer.field("_").and_then(Value::as_str) {
        Some("peerUser") => peer.i64_of("user_id"),
        Some("peerChat") => -peer.i64_of("chat_id"),
        Some("peerChannel") => -1_000_000_000_000 - peer.i64_of("channel_id"),
        _ => 0,
    }
}

/// A peer as a request names it: a marked id, a string ("me", "@username",
/// "t.me/name", "+phone" of a contact, a marked id as text) or a peer
/// resolved earlier.
#[derive(Debug, Clone, PartialEq)]
pub enum PeerRef {
    /// A marked id: user id, -chat id, -100… channel id.
    Id(i64),
    /// Anything the core resolves from text.
    Name(String),
    /// A peer returned by [`crate::Client::resolve_peer`].
    Resolved(ResolvedPeer),
}

impl PeerRef {
    pub(crate) fn to_value(&self) -> Value {
        match self {
            PeerRef::Id(i) => Value::from(*i),
            PeerRef::Name(s) => Value::from(s.as_str()),
            PeerRef::Resolved(p) => map([
                ("marked_id", Value::from(p.marked_id)),
                ("access_hash", Value::from(p.access_hash)),
            ]),
        }
    }
}

impl From<i64> for PeerRef {
    fn from(i: i64) -> Self {
        PeerRef::Id(i)
    }
}
impl From<&str> for PeerRef {
    fn from(s: &str) -> Self {
        PeerRef::Name(s.to_owned())
    }
}
impl From<String> for PeerRef {
    fn from(s: String) -> Self {
        PeerRef::Name(s)
    }
}
impl From<&String> for PeerRef {
    fn from(s: &String) -> Self {
        PeerRef::Name(s.clone())
    }
}
impl From<ResolvedPeer> for PeerRef {
    fn from(p: ResolvedPeer) -> Self {
        PeerRef::Resolved(p)
    }
}
impl From<&ResolvedPeer> for PeerRef {
    fn from(p: &ResolvedPeer) -> Self {
        PeerRef::Resolved(p.clone())
    }
}
impl From<&User> for PeerRef {
    fn from(u: &User) -> Self {
        PeerRef::Id(u.id)
    }
}

/// A resolved peer (`resolve_peer`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResolvedPeer {
    /// The bare id.
    pub id: i64,
    /// The marked id (user id, -chat id, -100… channel id).
    pub marked_id: i64,
    /// "user", "chat" or "channel".
    pub kind: String,
    /// The access hash.
    pub access_hash: i64,
    /// The username, if any.
    pub username: String,
    /// The display name.
    pub name: String,
    /// The phone, if known.
    pub phone: String,
    /// Whether it is a bot.
    pub bot: bool,
}

impl ResolvedPeer {
    pub(crate) fn from_value(v: &Value) -> Self {
        ResolvedPeer {
            id: v.i64_of("id"),
            marked_id: v.i64_of("marked_id"),
            kind: v.str_of("kind"),
            access_hash: v.i64_of("access_hash"),
            username: v.str_of("username"),
            name: v.str_of("name"),
            phone: v.str_of("phone"),
            bot: v.bool_of("bot"),
        }
    }
}

/// A user (a TL `user` map).
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    /// The user id.
    pub id: i64,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Username, without "@".
    pub username: String,
    /// Phone number, if visible.
    pub phone: String,
    /// Whether this is a bot.
    pub bot: bool,
    /// The whole TL map.
    pub raw: Value,
}

impl User {
    pub(crate) fn from_value(v: Value) -> Self {
        User {
            id: v.i64_of("id"),
            first_name: v.str_of("first_name"),
            last_name: v.str_of("last_name"),
            username: v.str_of("username"),
            phone: v.str_of("phone"),
            bot: v.bool_of("bot"),
            raw: v,
        }
    }
}

/// A message (a TL `message` map, with its chat and sender).
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The message id (per chat for channels, per account otherwise).
    pub id: i32,
    /// The chat's marked id.
    pub chat_id: i64,
    /// The sender's marked id (0 when unknown).
    pub sender_id: i64,
    /// Whether the account sent it.
    pub out: bool,
    /// The text (or a media caption).
    pub text: String,
    /// Unix time.
    pub date: i64,
    /// The message it replies to.
    pub reply_to: Option<i32>,
    /// Whether it has media (a photo, a document, ...).
    pub has_media: bool,
    /// The album it belongs to (the `grouped_id` its album shares).
    pub grouped_id: Option<i64>,
    /// The whole TL map.
    pub raw: Value,
}

impl Message {
    /// Its reply markup (buttons or a keyboard), if any.
    pub fn markup(&self) -> Option<Markup> {
        self.raw.field("reply_markup").and_then(Markup::from_value)
    }

    /// Its inline buttons by rows (empty when it has none); press one with
    /// [`crate::Client::click`].
    pub fn buttons(&self) -> Vec<Vec<Button>> {
        match self.markup() {
            Some(Markup::Inline(rows)) => rows,
            _ => Vec::new(),
        }
    }

    /// A message from its TL map.
    pub fn from_tl(v: Value) -> Self {
        let chat_id = v.field("peer_id").map(marked_id).unwrap_or(0);
        let out = v.bool_of("out");
        let sender_id = match v.field("from_id").map(marked_id) {
            Some(id) if id != 0 => id,
            _ if !out && chat_id > 0 => chat_id,
            _ => 0,
        };
        let reply_to = v
            .field("reply_to")
            .and_then(|r| r.field("reply_to_msg_id"))
            .and_then(Value::as_i64)
            .map(|i| i as i32);
        Message {
            id: v.i32_of("id"),
            chat_id,
            sender_id,
            out,
            text: v.str_of("message"),
            date: v.i64_of("date"),
            reply_to,
            has_media: v.field("media").is_some_and(|m| m.str_of("_") != "messageMediaEmpty"),
            grouped_id: v.field("grouped_id").and_then(Value::as_i64),
            raw: v,
        }
    }

    /// A message from a `new_message`/`message_edited` event map.
    pub(crate) fn from_event(ev: &Value) -> Self {
        let mut m = Message::from_tl(ev.field("message").cloned().unwrap_or(Value::Nil));
        m.chat_id = ev.i64_of("chat_id");
        m.sender_id = ev.i64_of("sender_id");
        m.out = ev.bool_of("out");
        m
    }
}

/// A dialog (`get_dialogs`).
#[derive(Debug, Clone, PartialEq)]
pub struct Dialog {
    /// The peer.
    pub peer: ResolvedPeer,
    /// Its display name.
    pub name: String,
    /// Unread messages.
    pub unread: i32,
    /// The id of the top message.
    pub top_id: i32,
    /// Whether it is pinned.
    pub pinned: bool,
    /// The top message, if any.
    pub message: Option<Message>,
    /// The folder: 0 the main list, 1 the archive.
    pub folder: i32,
}

/// A member of a group or channel (`get_participants`).
#[derive(Debug, Clone, PartialEq)]
pub struct Participant {
    /// The user's id.
    pub user_id: i64,
    /// The user, when known.
    pub user: Option<User>,
    /// Whether they created the chat.
    pub creator: bool,
    /// Whether they are an administrator.
    pub admin: bool,
    /// Whether they are restricted.
    pub banned: bool,
    /// Whether they were removed.
    pub kicked: bool,
    /// An administrator's custom title.
    pub rank: String,
    /// Who added them (0 when unknown).
    pub inviter_id: i64,
    /// When they joined (unix time).
    pub date: i64,
}

impl Participant {
    pub(crate) fn from_value(v: &Value) -> Self {
        Participant {
            user_id: v.i64_of("user_id"),
            user: v.field("user").cloned().map(User::from_value),
            creator: v.bool_of("creator"),
            admin: v.bool_of("admin"),
            banned: v.bool_of("banned"),
            kicked: v.bool_of("kicked"),
            rank: v.str_of("rank"),
            inviter_id: v.i64_of("inviter_id"),
            date: v.i64_of("date"),
        }
    }
}

impl Dialog {
    pub(crate) fn from_value(v: &Value) -> Self {
        Dialog {
            peer: v.field("peer").map(ResolvedPeer::from_value).unwrap_or_default(),
            name: v.str_of("name"),
            unread: v.i32_of("unread"),
            top_id: v.i32_of("top_id"),
            pinned: v.bool_of("pinned"),
            message: v.field("message").cloned().map(Message::from_tl),
            folder: v.i32_of("folder"),
        }
    }
}

/// A login code was sent (`send_code`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentCode {
    /// The phone, normalised.
    pub phone: String,
    /// The phone_code_hash to give to `sign_in`.
    pub hash: String,
    /// How the code was sent ("app", "sms", ...).
    pub kind: String,
    /// The code's length.
    pub length: i32,
    /// Seconds before another code can be asked.
    pub timeout: i64,
}

impl SentCode {
    pub(crate) fn from_value(v: &Value) -> Self {
        SentCode {
            phone: v.str_of("phone"),
            hash: v.str_of("hash"),
            kind: v.str_of("type"),
            length: v.i32_of("length"),
            timeout: v.i64_of("timeout"),
        }
    }
}

/// A QR login code to show (`tg://login?token=…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrCode {
    /// The URL to encode as a QR code.
    pub url: String,
    /// When it expires (unix time).
    pub expires: i64,
}

/// The client's states (`get_state`, answered without the network).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    /// The home DC.
    pub main_dc: i32,
    /// The auth state ("ready", "wait_phone", ...).
    pub auth_state: String,
    /// The connection state ("idle", "connected", ...).
    pub connection_state: String,
}

/// A file to send with [`crate::Client::send_file`].
#[derive(Debug, Clone, PartialEq)]
pub struct SendFile {
    source: Value,
    opts: Vec<(String, Value)>,
}

impl SendFile {
    /// Sends bytes held in memory.
    pub fn bytes(data: impl Into<Vec<u8>>) -> Self {
        SendFile {
            source: Value::Binary(data.into()),
            opts: Vec::new(),
        }
    }

    /// Sends a file from a path (read by the library).
    pub fn path(path: impl AsRef<std::path::Path>) -> Self {
        SendFile {
            source: Value::from(path.as_ref().to_string_lossy().into_owned()),
            opts: Vec::new(),
        }
    }

    fn opt(mut self, k: &str, v: Value) -> Self {
        self.opts.push((k.to_owned(), v));
        self
    }

    /// The file name shown (defaults to the path's base name).
    pub fn name(self, name: &str) -> Self {
        self.opt("name", Value::from(name))
    }

    /// A caption (markdown).
    pub fn caption(self, caption: &str) -> Self {
        self.opt("caption", Value::from(caption))
    }

    /// How the caption is formatted: "markdown" or "html" (plain text otherwise).
    pub fn parse_mode(self, mode: &str) -> Self {
        self.opt("parse_mode", Value::from(mode))
    }

    /// Explicit caption formatting: TL `messageEntity*` maps.
    pub fn entities(self, entities: Vec<Value>) -> Self {
        self.opt("entities", Value::Array(entities))
    }

    /// The MIME type (guessed from the name otherwise).
    pub fn mime_type(self, mime: &str) -> Self {
        self.opt("mime_type", Value::from(mime))
    }

    /// Send an image as a photo rather than a document.
    pub fn as_photo(self, yes: bool) -> Self {
        self.opt("as_photo", Value::from(yes))
    }

    /// Reply to a message.
    pub fn reply_to(self, id: i32) -> Self {
        self.opt("reply_to", Value::from(id))
    }

    pub(crate) fn args(&self, peer: Value) -> Value {
        let key = if matches!(self.source, Value::Binary(_)) {
            "data"
        } else {
            "path"
        };
        let mut m = vec![("peer".to_owned(), peer), (key.to_owned(), self.source.clone())];
        m.extend(self.opts.iter().cloned());
        map(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marked_ids_and_messages() {
        let p = |k: &str, f: &str, id: i64| map([("_", Value::from(k)), (f, Value::from(id))]);
        assert_eq!(marked_id(&p("peerUser", "user_id", 5)), 5);
        assert_eq!(marked_id(&p("peerChat", "chat_id", 5)), -5);
        assert_eq!(marked_id(&p("peerChannel", "channel_id", 5)), -1_000_000_000_005);
        let m = Message::from_tl(map([
            ("_", Value::from("message")),
            ("id", Value::from(3)),
            ("peer_id", p("peerUser", "user_id", 9)),
            ("message", Value::from("hi")),
            ("reply_to", map([("reply_to_msg_id", Value::from(2))])),
        ]));
        assert_eq!((m.id, m.chat_id, m.sender_id, m.out), (3, 9, 9, false));
        assert_eq!((m.text.as_str(), m.reply_to, m.has_media), ("hi", Some(2), false));
        let f = SendFile::bytes(vec![1, 2]).name("a.bin").args(Value::from("me"));
        assert_eq!(f["data"], Value::Binary(vec![1, 2]));
        assert_eq!(f["name"].as_str(), Some("a.bin"));
    }
}
