//! Polygram for Rust: a safe, runtime-agnostic async API over the Polygram C
//! library (a Telegram client with a Go MTProto core).
//!
//! ```no_run
//! use polygram::{Client, Config, Event, Filter};
//! # fn main() -> polygram::Result<()> { pollster::block_on(async {
//! let client = Client::new(Config::new(12345, "api hash"))?;
//! client.sign_in_bot("123:token").await?;
//! client.start_updates(false).await?;
//! let mut events = client.events_filtered(Filter::new_messages().incoming());
//! while let Some(Event::NewMessage(m)) = events.next().await {
//!     client.send_message(m.chat_id, &format!("echo: {}", m.text)).await?;
//! }
//! # Ok(()) }) }
//! ```
//!
//! Requests are sent when a method is called and completed by the library's
//! event thread through std wakers: any executor drives the futures (tests
//! use `pollster`). See docs/rust.md for the design.
#![warn(missing_docs)]

mod bots;
mod client;
mod emulator;
mod error;
mod events;
mod ffi;
mod files;
mod markup;
mod methods;
mod types;
mod value;

pub use bots::{
    ButtonRef, CallbackAnswer, ClickResult, InlineAnswerOptions, InlineArticle, InlineResult, InlineResults,
};
pub use client::{Client, Config, Pending, Progress, ProgressHook, Session, Transfer};
pub use emulator::{EmuUser, Emulator};
pub use error::{rpc_error_info, rpc_errors, status_name, Error, Result, RpcErrorInfo};
pub use events::{
    Album, CallbackQuery, ChatAction, ChatActionKind, Event, EventKind, Events, Filter, InlineQuery, MessageRead, Next,
    UserUpdate,
};
pub use ffi::{abi_version, layer, msgpack_to_tl, stats, tl_to_msgpack, version};
pub use files::{AlbumItem, AlbumOptions, FileIdInfo, FileIds, MediaKind};
pub use markup::{Button, ButtonKind, KeyboardOptions, Markup, ReplyButton, ReplyButtonKind, MAX_CALLBACK_DATA};
pub use methods::{
    DialogIter, DialogOptions, EditOptions, HistoryOptions, MessageIter, MessageIterOptions, ParticipantFilter,
    ParticipantIter, ParticipantsOptions, SendOptions,
};
/// The raw C API declarations.
pub use polygram_sys as sys;
/// The msgpack value crate used for raw calls.
pub use rmpv;
pub use types::{
    marked_id, Dialog, Message, Participant, PeerRef, QrCode, ResolvedPeer, SendFile, SentCode, State, User,
};
pub use value::{from_msgpack, map, to_msgpack, Value};
