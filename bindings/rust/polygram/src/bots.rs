//! Bots and buttons: answering callback and inline queries (bot side),
//! pressing buttons and using inline bots (user side).

use crate::client::Client;
use crate::error::{Error, Result};
use crate::markup::Markup;
use crate::methods::{args, formatting, opt, EditOptions};
use crate::types::{PeerRef, ResolvedPeer};
use crate::value::{map, req_i64, Fields, Value};
use std::time::Duration;

/// The answer to a callback query (see [`crate::CallbackQuery::answer`]).
/// The default answer shows nothing and just stops the spinner.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallbackAnswer {
    /// A notification shown to the user (at most 200 characters).
    pub message: Option<String>,
    /// Show `message` as an alert the user must close, not a toast.
    pub alert: bool,
    /// A URL the user's app opens (games, `t.me/bot?start=` links).
    pub url: Option<String>,
    /// How long the answer may be cached by the user's app.
    pub cache_time: Duration,
}

impl CallbackAnswer {
    /// A toast notification.
    pub fn text(message: &str) -> CallbackAnswer {
        CallbackAnswer {
            message: Some(message.to_owned()),
            ..Default::default()
        }
    }

    /// An alert the user must close.
    pub fn alert(message: &str) -> CallbackAnswer {
        CallbackAnswer {
            message: Some(message.to_owned()),
            alert: true,
            ..Default::default()
        }
    }
}

/// One article result of an inline query answer: a text message the user
/// can send (see [`crate::InlineQuery::answer`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InlineArticle {
    /// The result's id (unique in the answer).
    pub id: String,
    /// The title shown in the list.
    pub title: String,
    /// The description shown under the title.
    pub description: String,
    /// A URL attached to the result.
    pub url: String,
    /// The text of the message sent when the user picks it.
    pub text: String,
    /// "markdown" or "html" for `text` (plain otherwise).
    pub parse_mode: Option<String>,
    /// No link preview in the sent message.
    pub no_webpage: bool,
    /// Inline buttons under the sent message.
    pub buttons: Option<Markup>,
}

impl InlineArticle {
    /// An article with an id, a title and the text it sends.
    pub fn new(id: &str, title: &str, text: &str) -> InlineArticle {
        InlineArticle {
            id: id.to_owned(),
            title: title.to_owned(),
            text: text.to_owned(),
            ..Default::default()
        }
    }

    fn to_value(&self) -> Value {
        args([
            ("id", Value::from(self.id.as_str())),
            ("title", Value::from(self.title.as_str())),
            ("description", Value::from(self.description.as_str())),
            ("url", Value::from(self.url.as_str())),
            ("text", Value::from(self.text.as_str())),
            ("parse_mode", opt(self.parse_mode.clone())),
            ("no_webpage", Value::from(self.no_webpage)),
            ("buttons", self.buttons.as_ref().map_or(Value::Nil, Markup::to_value)),
        ])
    }
}

/// Options of an inline query answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InlineAnswerOptions {
    /// How long Telegram may cache the answer for this query.
    pub cache_time: Duration,
    /// Given back as the query's `offset` when the user scrolls for more.
    pub next_offset: String,
    /// Show the results as a gallery.
    pub gallery: bool,
    /// Cache the answer for this user only.
    pub private: bool,
}

/// One result of [`Client::inline_query`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineResult {
    /// Its id (give it to [`Client::send_inline_result`]).
    pub id: String,
    /// "article", "photo", ...
    pub kind: String,
    /// The title.
    pub title: String,
    /// The description.
    pub description: String,
    /// Its URL, if any.
    pub url: String,
    /// The text of the message it sends, if it is a text message.
    pub text: String,
}

/// The answer of an inline bot to [`Client::inline_query`].
#[derive(Debug, Clone, PartialEq)]
pub struct InlineResults {
    /// The query id (give it to [`Client::send_inline_result`]).
    pub query_id: i64,
    /// The bot that answered.
    pub bot: ResolvedPeer,
    /// The offset to ask for more results ("" when there are no more).
    pub next_offset: String,
    /// Show as a gallery.
    pub gallery: bool,
    /// The results.
    pub results: Vec<InlineResult>,
}

impl InlineResults {
    fn from_value(v: &Value) -> InlineResults {
        InlineResults {
            query_id: v.i64_of("query_id"),
            bot: v.field("bot").map(ResolvedPeer::from_value).unwrap_or_default(),
            next_offset: v.str_of("next_offset"),
            gallery: v.bool_of("gallery"),
            results: v
                .list_of("results")
                .iter()
                .map(|r| InlineResult {
                    id: r.str_of("id"),
                    kind: r.str_of("type"),
                    title: r.str_of("title"),
                    description: r.str_of("description"),
                    url: r.str_of("url"),
                    text: r.str_of("text"),
                })
                .collect(),
        }
    }
}

/// Which button of a message [`Client::click`] presses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ButtonRef {
    /// The first button with this text.
    Text(String),
    /// The callback button with this data.
    Data(Vec<u8>),
    /// The button at this row and column (from 0).
    At(usize, usize),
}

/// What pressing a button gave (see [`Client::click`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ClickResult {
    /// A callback button: the bot's answer.
    Answer {
        /// The button's text.
        text: String,
        /// The bot's answer.
        answer: CallbackAnswer,
    },
    /// A URL button: the link (nothing was sent).
    Url {
        /// The button's text.
        text: String,
        /// The link.
        url: String,
    },
    /// A switch-inline button: its query, and the bot's results when it keeps the chat.
    SwitchInline {
        /// The button's text.
        text: String,
        /// The query.
        query: String,
        /// Whether it stays in the current chat.
        same_peer: bool,
        /// The bot.
        bot: ResolvedPeer,
        /// The bot's results (for `same_peer` buttons).
        results: Option<Box<InlineResults>>,
    },
    /// Any other button: its text.
    Pressed {
        /// The button's text.
        text: String,
    },
}

impl ClickResult {
    fn from_value(v: &Value) -> ClickResult {
        let text = v.str_of("text");
        if let Some(a) = v.field("answer") {
            let answer = CallbackAnswer {
                message: a.field("message").and_then(Value::as_str).map(str::to_owned),
                alert: a.bool_of("alert"),
                url: a
                    .field("url")
                    .and_then(Value::as_str)
                    .filter(|u| !u.is_empty())
                    .map(str::to_owned),
                cache_time: Duration::from_secs(a.i64_of("cache_time").max(0) as u64),
            };
            return ClickResult::Answer { text, answer };
        }
        if let Some(url) = v.field("url").and_then(Value::as_str) {
            return ClickResult::Url {
                text,
                url: url.to_owned(),
            };
        }
        if let Some(si) = v.field("switch_inline") {
            return ClickResult::SwitchInline {
                text,
                query: si.str_of("query"),
                same_peer: si.bool_of("same_peer"),
                bot: si.field("bot").map(ResolvedPeer::from_value).unwrap_or_default(),
                results: si.field("results").map(|r| Box::new(InlineResults::from_value(r))),
            };
        }
        ClickResult::Pressed { text }
    }

    /// The pressed button's text.
    pub fn text(&self) -> &str {
        match self {
            ClickResult::Answer { text, .. }
            | ClickResult::Url { text, .. }
            | ClickResult::SwitchInline { text, .. }
            | ClickResult::Pressed { text } => text,
        }
    }
}

fn secs(d: Duration) -> Value {
    Value::from(d.as_secs_f64())
}

impl Client {
    /// Answers a callback query by id (bots; see [`crate::CallbackQuery::answer`]).
    pub async fn answer_callback_query(&self, query_id: i64, a: CallbackAnswer) -> Result<()> {
        let a = args([
            ("query_id", Value::from(query_id)),
            ("message", opt(a.message)),
            ("alert", Value::from(a.alert)),
            ("url", opt(a.url)),
            ("cache_time", secs(a.cache_time)),
        ]);
        self.call("answer_callback_query", a).await.map(drop)
    }

    /// As a bot, edits a message sent through its inline mode, named by the
    /// id its callback queries carry ([`crate::CallbackQuery::inline_message_id`]);
    /// the bot need not be in that chat. `text` may be empty when only
    /// `o.buttons` change. [`crate::CallbackQuery::edit`] calls this for such
    /// messages.
    pub async fn edit_inline_message(&self, inline_message_id: &Value, text: &str, o: EditOptions) -> Result<()> {
        let kind = inline_message_id.str_of("_");
        if kind != "inputBotInlineMessageID" && kind != "inputBotInlineMessageID64" {
            return Err(Error::InvalidArgument(format!(
                "edit_inline_message: the inline message id must be the inputBotInlineMessageID(64) map a callback \
                 query carries, got {inline_message_id}"
            )));
        }
        let (entities, buttons) = formatting(o.entities, &o.buttons)?;
        let a = args([
            ("inline_message_id", inline_message_id.clone()),
            ("text", if text.is_empty() { Value::Nil } else { Value::from(text) }),
            ("parse_mode", opt(o.parse_mode)),
            ("entities", entities),
            ("no_webpage", Value::from(o.no_webpage)),
            ("buttons", buttons),
        ]);
        self.call("edit_inline_message", a).await.map(drop)
    }

    /// Answers an inline query by id with articles (bots; see [`crate::InlineQuery::answer`]).
    pub async fn answer_inline_query(
        &self,
        query_id: i64,
        results: Vec<InlineArticle>,
        o: InlineAnswerOptions,
    ) -> Result<()> {
        for r in &results {
            if let Some(m) = &r.buttons {
                m.check()?;
            }
        }
        let a = args([
            ("query_id", Value::from(query_id)),
            (
                "results",
                Value::Array(results.iter().map(InlineArticle::to_value).collect()),
            ),
            ("cache_time", secs(o.cache_time)),
            ("next_offset", Value::from(o.next_offset)),
            ("gallery", Value::from(o.gallery)),
            ("private", Value::from(o.private)),
        ]);
        self.call("answer_inline_query", a).await.map(drop)
    }

    /// Asks an inline bot for results to `query`, typed in chat `peer` (users).
    pub async fn inline_query(
        &self,
        bot: impl Into<PeerRef>,
        peer: impl Into<PeerRef>,
        query: &str,
        offset: &str,
    ) -> Result<InlineResults> {
        let a = args([
            ("bot", bot.into().to_value()),
            ("peer", peer.into().to_value()),
            ("query", Value::from(query)),
            ("offset", Value::from(offset)),
        ]);
        Ok(InlineResults::from_value(&self.call("inline_query", a).await?))
    }

    /// Sends the result `id` of an [`Client::inline_query`] answer to `peer`;
    /// returns the message id.
    pub async fn send_inline_result(
        &self,
        peer: impl Into<PeerRef>,
        results: &InlineResults,
        id: &str,
        reply_to: Option<i32>,
    ) -> Result<i32> {
        if !results.results.iter().any(|r| r.id == id) {
            return Err(Error::InvalidArgument(format!(
                "send_inline_result: no result {id:?} in the answer (its ids: {:?})",
                results.results.iter().map(|r| r.id.as_str()).collect::<Vec<_>>()
            )));
        }
        let a = args([
            ("peer", peer.into().to_value()),
            ("query_id", Value::from(results.query_id)),
            ("id", Value::from(id)),
            ("reply_to", opt(reply_to)),
        ]);
        Ok(req_i64(&self.call("send_inline_result", a).await?, "id")? as i32)
    }

    /// Presses a button of message `msg_id` in `peer` (users): a callback
    /// button asks the bot and returns its answer, a URL button returns the
    /// link, a switch-inline button its query (and the results when it
    /// keeps the chat). A missing button is an error naming it.
    pub async fn click(&self, peer: impl Into<PeerRef>, msg_id: i32, button: ButtonRef) -> Result<ClickResult> {
        let which = match button {
            ButtonRef::Text(t) => ("text", Value::from(t)),
            ButtonRef::Data(d) => ("data", Value::Binary(d)),
            ButtonRef::At(r, c) => {
                let a = map([
                    ("peer", peer.into().to_value()),
                    ("msg_id", Value::from(msg_id)),
                    ("row", Value::from(r as i64)),
                    ("col", Value::from(c as i64)),
                ]);
                return Ok(ClickResult::from_value(&self.call("click", a).await?));
            }
        };
        let a = map([("peer", peer.into().to_value()), ("msg_id", Value::from(msg_id)), which]);
        Ok(ClickResult::from_value(&self.call("click", a).await?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn click_answers_become_variants() {
        let a = ClickResult::from_value(&map([
            ("text", Value::from("Go")),
            (
                "answer",
                map([
                    ("message", Value::from("going")),
                    ("alert", Value::from(true)),
                    ("url", Value::from("")),
                    ("cache_time", Value::from(3)),
                ]),
            ),
        ]));
        assert_eq!(
            a,
            ClickResult::Answer {
                text: "Go".into(),
                answer: CallbackAnswer {
                    message: Some("going".into()),
                    alert: true,
                    url: None,
                    cache_time: Duration::from_secs(3),
                }
            }
        );
        let u = ClickResult::from_value(&map([("text", Value::from("W")), ("url", Value::from("https://x"))]));
        assert_eq!(u.text(), "W");
        assert!(matches!(u, ClickResult::Url { url, .. } if url == "https://x"));
        let art = InlineArticle {
            buttons: Some(Markup::inline([[crate::Button::callback("b", "d")]])),
            ..InlineArticle::new("r1", "T", "hello")
        }
        .to_value();
        assert_eq!(art["buttons"]["_"].as_str(), Some("replyInlineMarkup"));
        assert_eq!(art["id"].as_str(), Some("r1"));
        assert!(art.field("parse_mode").is_none(), "unset options are left out");
    }
}
