//! Reply markup: the buttons under a message and custom keyboards, built as
//! the TL maps the library takes (`replyInlineMarkup`, `replyKeyboardMarkup`,
//! `replyKeyboardForceReply`, `replyKeyboardHide`) and read back from
//! received messages.
//!
//! Layer 229 shapes: an inline row is `keyboardInlineButtonRow{buttons}` of
//! `keyboardInlineButton{text, type: inlineButtonType*}`; a keyboard row is
//! `keyboardButtonRow{buttons}` of `keyboardButton{text, type: buttonType*}`.
//! The core checks a markup before sending it (callback data of 1 to 64
//! bytes, `http(s)://` or `tg://` URLs, a text on every button) and names the
//! bad button's row and column.

use crate::error::{Error, Result};
use crate::value::{map, Fields, Value};

/// The most callback data Telegram accepts, in bytes.
pub const MAX_CALLBACK_DATA: usize = 64;

fn tl(name: &str, fields: impl IntoIterator<Item = (&'static str, Value)>) -> Value {
    let mut m = vec![("_", Value::from(name))];
    m.extend(fields);
    map(m)
}

/// What an inline button does.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ButtonKind {
    /// Sends this data (1 to 64 bytes) to the bot as a callback query.
    Callback(Vec<u8>),
    /// Opens a link.
    Url(String),
    /// Starts an inline query of the bot with this query, in this chat
    /// (`same_peer`) or in a chat the user picks.
    SwitchInline {
        /// The query typed for the user.
        query: String,
        /// Stay in the current chat.
        same_peer: bool,
    },
    /// Copies a text to the clipboard.
    Copy(String),
    /// Opens a web app.
    WebView(String),
    /// Any other `inlineButtonType*` (its TL map).
    Other(Value),
}

/// An inline button: shown under a message (see [`Markup::inline`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Button {
    /// The label.
    pub text: String,
    /// What pressing it does.
    pub kind: ButtonKind,
}

impl Button {
    /// A button sending `data` to the bot as a callback query.
    pub fn callback(text: &str, data: impl Into<Vec<u8>>) -> Button {
        Button {
            text: text.to_owned(),
            kind: ButtonKind::Callback(data.into()),
        }
    }

    /// A button opening a link (`http(s)://` or `tg://`).
    pub fn url(text: &str, url: &str) -> Button {
        Button {
            text: text.to_owned(),
            kind: ButtonKind::Url(url.to_owned()),
        }
    }

    /// A button starting an inline query of the bot; `same_peer` keeps it in
    /// the current chat.
    pub fn switch_inline(text: &str, query: &str, same_peer: bool) -> Button {
        Button {
            text: text.to_owned(),
            kind: ButtonKind::SwitchInline {
                query: query.to_owned(),
                same_peer,
            },
        }
    }

    /// A button copying `copy_text` to the clipboard.
    pub fn copy(text: &str, copy_text: &str) -> Button {
        Button {
            text: text.to_owned(),
            kind: ButtonKind::Copy(copy_text.to_owned()),
        }
    }

    /// A button opening a web app at `url`.
    pub fn web_view(text: &str, url: &str) -> Button {
        Button {
            text: text.to_owned(),
            kind: ButtonKind::WebView(url.to_owned()),
        }
    }

    /// The callback data, for a callback button.
    pub fn data(&self) -> Option<&[u8]> {
        match &self.kind {
            ButtonKind::Callback(d) => Some(d),
            _ => None,
        }
    }

    /// The `keyboardInlineButton` TL map.
    pub fn to_value(&self) -> Value {
        let ty = match &self.kind {
            ButtonKind::Callback(d) => tl("inlineButtonTypeCallback", [("data", Value::Binary(d.clone()))]),
            ButtonKind::Url(u) => tl("inlineButtonTypeUrl", [("url", Value::from(u.as_str()))]),
            ButtonKind::SwitchInline { query, same_peer } => tl(
                "inlineButtonTypeSwitchInline",
                [
                    ("query", Value::from(query.as_str())),
                    ("same_peer", Value::from(*same_peer)),
                ],
            ),
            ButtonKind::Copy(t) => tl("inlineButtonTypeCopy", [("copy_text", Value::from(t.as_str()))]),
            ButtonKind::WebView(u) => tl("inlineButtonTypeWebView", [("url", Value::from(u.as_str()))]),
            ButtonKind::Other(v) => v.clone(),
        };
        tl(
            "keyboardInlineButton",
            [("text", Value::from(self.text.as_str())), ("type", ty)],
        )
    }

    /// A button from its `keyboardInlineButton` TL map.
    pub fn from_value(v: &Value) -> Button {
        let ty = v.field("type").cloned().unwrap_or(Value::Nil);
        let kind = match ty.str_of("_").as_str() {
            "inlineButtonTypeCallback" => ButtonKind::Callback(match ty.field("data") {
                Some(Value::Binary(b)) => b.clone(),
                Some(Value::String(s)) => s.as_bytes().to_vec(),
                _ => Vec::new(),
            }),
            "inlineButtonTypeUrl" => ButtonKind::Url(ty.str_of("url")),
            "inlineButtonTypeSwitchInline" => ButtonKind::SwitchInline {
                query: ty.str_of("query"),
                same_peer: ty.bool_of("same_peer"),
            },
            "inlineButtonTypeCopy" => ButtonKind::Copy(ty.str_of("copy_text")),
            "inlineButtonTypeWebView" => ButtonKind::WebView(ty.str_of("url")),
            _ => ButtonKind::Other(ty),
        };
        Button {
            text: v.str_of("text"),
            kind,
        }
    }
}

/// What a reply keyboard button sends.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ReplyButtonKind {
    /// Its text, as a message.
    Text,
    /// The user's phone number.
    RequestPhone,
    /// The user's location.
    RequestLocation,
    /// Opens a web app.
    WebView(String),
    /// Any other `buttonType*` (its TL map).
    Other(Value),
}

/// A button of a custom reply keyboard (see [`Markup::keyboard`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ReplyButton {
    /// The label (and the text sent, for [`ReplyButtonKind::Text`]).
    pub text: String,
    /// What pressing it sends.
    pub kind: ReplyButtonKind,
}

impl ReplyButton {
    /// A button sending its text.
    pub fn text(text: &str) -> ReplyButton {
        ReplyButton {
            text: text.to_owned(),
            kind: ReplyButtonKind::Text,
        }
    }

    /// A button sharing the user's phone number.
    pub fn request_phone(text: &str) -> ReplyButton {
        ReplyButton {
            text: text.to_owned(),
            kind: ReplyButtonKind::RequestPhone,
        }
    }

    /// A button sharing the user's location.
    pub fn request_location(text: &str) -> ReplyButton {
        ReplyButton {
            text: text.to_owned(),
            kind: ReplyButtonKind::RequestLocation,
        }
    }

    /// The `keyboardButton` TL map.
    pub fn to_value(&self) -> Value {
        let ty = match &self.kind {
            ReplyButtonKind::Text => tl("buttonTypeDefault", []),
            ReplyButtonKind::RequestPhone => tl("buttonTypeRequestPhone", []),
            ReplyButtonKind::RequestLocation => tl("buttonTypeRequestGeoLocation", []),
            ReplyButtonKind::WebView(u) => tl("buttonTypeSimpleWebView", [("url", Value::from(u.as_str()))]),
            ReplyButtonKind::Other(v) => v.clone(),
        };
        tl(
            "keyboardButton",
            [("text", Value::from(self.text.as_str())), ("type", ty)],
        )
    }

    fn from_value(v: &Value) -> ReplyButton {
        let ty = v.field("type").cloned().unwrap_or(Value::Nil);
        let kind = match ty.str_of("_").as_str() {
            "buttonTypeDefault" => ReplyButtonKind::Text,
            "buttonTypeRequestPhone" => ReplyButtonKind::RequestPhone,
            "buttonTypeRequestGeoLocation" => ReplyButtonKind::RequestLocation,
            "buttonTypeSimpleWebView" => ReplyButtonKind::WebView(ty.str_of("url")),
            _ => ReplyButtonKind::Other(ty),
        };
        ReplyButton {
            text: v.str_of("text"),
            kind,
        }
    }
}

/// Options of a custom reply keyboard.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyboardOptions {
    /// Fit the keyboard to its buttons.
    pub resize: bool,
    /// Hide it after one press.
    pub single_use: bool,
    /// Show it only to the users mentioned or replied to.
    pub selective: bool,
    /// Keep it shown when the regular keyboard is opened.
    pub persistent: bool,
    /// Shown in the input field.
    pub placeholder: Option<String>,
}

/// The reply markup of a message: what `SendOptions::buttons` and
/// `EditOptions::buttons` take, and what [`crate::Message::markup`] reads.
///
/// ```
/// use polygram::{Button, Markup};
/// let kb = Markup::inline([
///     vec![Button::callback("Yes", "yes"), Button::callback("No", "no")],
///     vec![Button::url("Docs", "https://example.org")],
/// ]);
/// assert_eq!(kb.to_value()["_"].as_str(), Some("replyInlineMarkup"));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Markup {
    /// Buttons under the message (`replyInlineMarkup`).
    Inline(Vec<Vec<Button>>),
    /// A custom keyboard replacing the user's (`replyKeyboardMarkup`).
    Keyboard {
        /// Rows of buttons.
        rows: Vec<Vec<ReplyButton>>,
        /// How it is shown.
        options: KeyboardOptions,
    },
    /// Opens a reply to the message in the user's app (`replyKeyboardForceReply`).
    ForceReply {
        /// Shown in the input field.
        placeholder: Option<String>,
        /// Only for the users mentioned or replied to.
        selective: bool,
    },
    /// Removes a custom keyboard sent earlier (`replyKeyboardHide`).
    Hide {
        /// Only for the users mentioned or replied to.
        selective: bool,
    },
}

fn rows<B>(rows: impl IntoIterator<Item = impl IntoIterator<Item = B>>) -> Vec<Vec<B>> {
    rows.into_iter().map(|r| r.into_iter().collect()).collect()
}

impl Markup {
    /// Inline buttons under the message, by rows.
    pub fn inline(r: impl IntoIterator<Item = impl IntoIterator<Item = Button>>) -> Markup {
        Markup::Inline(rows(r))
    }

    /// A custom keyboard, by rows, with default options.
    pub fn keyboard(r: impl IntoIterator<Item = impl IntoIterator<Item = ReplyButton>>) -> Markup {
        Markup::keyboard_with(KeyboardOptions::default(), r)
    }

    /// A custom keyboard with options.
    pub fn keyboard_with(
        options: KeyboardOptions,
        r: impl IntoIterator<Item = impl IntoIterator<Item = ReplyButton>>,
    ) -> Markup {
        Markup::Keyboard { rows: rows(r), options }
    }

    /// Makes the user's app open a reply, with an optional input placeholder.
    pub fn force_reply(placeholder: Option<&str>) -> Markup {
        Markup::ForceReply {
            placeholder: placeholder.map(str::to_owned),
            selective: false,
        }
    }

    /// Removes the custom keyboard.
    pub fn hide() -> Markup {
        Markup::Hide { selective: false }
    }

    /// The inline buttons, by rows (empty for other markups).
    pub fn buttons(&self) -> &[Vec<Button>] {
        match self {
            Markup::Inline(r) => r,
            _ => &[],
        }
    }

    /// Checks the buttons as Telegram would, so a bad one fails before
    /// anything is sent: every button needs a text, callback data is 1 to 64
    /// bytes, links start with `http://`, `https://` or `tg://`. The error
    /// names the button's row and column (from 0). The methods taking a
    /// markup call it.
    pub fn check(&self) -> Result<()> {
        let bad = |r: usize, c: usize, text: &str, why: String| {
            Err(Error::InvalidArgument(format!(
                "button {text:?} (row {r}, column {c}): {why}"
            )))
        };
        match self {
            Markup::Inline(rows) => {
                for (r, row) in rows.iter().enumerate() {
                    for (c, b) in row.iter().enumerate() {
                        if b.text.trim().is_empty() {
                            return bad(r, c, &b.text, "a button needs a text".into());
                        }
                        match &b.kind {
                            ButtonKind::Callback(d) if d.is_empty() || d.len() > MAX_CALLBACK_DATA => {
                                let why =
                                    format!("callback data must be 1 to {MAX_CALLBACK_DATA} bytes, not {}", d.len());
                                return bad(r, c, &b.text, why);
                            }
                            ButtonKind::Url(u) => {
                                let l = u.to_ascii_lowercase();
                                if !["http://", "https://", "tg://"].iter().any(|p| l.starts_with(p)) {
                                    let why = format!("URL {u:?} must start with http://, https:// or tg://");
                                    return bad(r, c, &b.text, why);
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
            Markup::Keyboard { rows, .. } => {
                for (r, row) in rows.iter().enumerate() {
                    for (c, b) in row.iter().enumerate() {
                        if b.text.trim().is_empty() {
                            return bad(r, c, &b.text, "a button needs a text".into());
                        }
                    }
                }
            }
            Markup::ForceReply { .. } | Markup::Hide { .. } => {}
        }
        Ok(())
    }

    /// The TL `ReplyMarkup` map.
    pub fn to_value(&self) -> Value {
        match self {
            Markup::Inline(r) => {
                let rows = r
                    .iter()
                    .map(|row| {
                        let b = row.iter().map(Button::to_value).collect();
                        tl("keyboardInlineButtonRow", [("buttons", Value::Array(b))])
                    })
                    .collect();
                tl("replyInlineMarkup", [("rows", Value::Array(rows))])
            }
            Markup::Keyboard { rows, options: o } => {
                let rows = rows
                    .iter()
                    .map(|row| {
                        let b = row.iter().map(ReplyButton::to_value).collect();
                        tl("keyboardButtonRow", [("buttons", Value::Array(b))])
                    })
                    .collect();
                let mut f = vec![("rows", Value::Array(rows))];
                for (k, on) in [
                    ("resize", o.resize),
                    ("single_use", o.single_use),
                    ("selective", o.selective),
                    ("persistent", o.persistent),
                ] {
                    if on {
                        f.push((k, Value::from(true)));
                    }
                }
                if let Some(p) = &o.placeholder {
                    f.push(("placeholder", Value::from(p.as_str())));
                }
                tl("replyKeyboardMarkup", f)
            }
            Markup::ForceReply { placeholder, selective } => {
                let mut f = Vec::new();
                if *selective {
                    f.push(("selective", Value::from(true)));
                }
                if let Some(p) = placeholder {
                    f.push(("placeholder", Value::from(p.as_str())));
                }
                tl("replyKeyboardForceReply", f)
            }
            Markup::Hide { selective } => {
                let f = if *selective {
                    vec![("selective", Value::from(true))]
                } else {
                    Vec::new()
                };
                tl("replyKeyboardHide", f)
            }
        }
    }

    /// A markup from its TL map (`None` for anything else).
    pub fn from_value(v: &Value) -> Option<Markup> {
        let list = |v: &Value| {
            v.list_of("rows")
                .iter()
                .map(|r| r.list_of("buttons"))
                .collect::<Vec<_>>()
        };
        Some(match v.str_of("_").as_str() {
            "replyInlineMarkup" => Markup::Inline(
                list(v)
                    .iter()
                    .map(|r| r.iter().map(Button::from_value).collect())
                    .collect(),
            ),
            "replyKeyboardMarkup" => Markup::Keyboard {
                rows: list(v)
                    .iter()
                    .map(|r| r.iter().map(ReplyButton::from_value).collect())
                    .collect(),
                options: KeyboardOptions {
                    resize: v.bool_of("resize"),
                    single_use: v.bool_of("single_use"),
                    selective: v.bool_of("selective"),
                    persistent: v.bool_of("persistent"),
                    placeholder: v.field("placeholder").and_then(Value::as_str).map(str::to_owned),
                },
            },
            "replyKeyboardForceReply" => Markup::ForceReply {
                placeholder: v.field("placeholder").and_then(Value::as_str).map(str::to_owned),
                selective: v.bool_of("selective"),
            },
            "replyKeyboardHide" => Markup::Hide {
                selective: v.bool_of("selective"),
            },
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markups_become_layer_229_maps_and_back() {
        let kb = Markup::inline([
            vec![Button::callback("Go", "go"), Button::url("Web", "https://example.org")],
            vec![Button::switch_inline("Share", "q", true), Button::copy("Copy", "c")],
        ]);
        let v = kb.to_value();
        assert_eq!(v["_"].as_str(), Some("replyInlineMarkup"));
        let b = &v["rows"][0]["buttons"][0];
        assert_eq!(v["rows"][0]["_"].as_str(), Some("keyboardInlineButtonRow"));
        assert_eq!(b["_"].as_str(), Some("keyboardInlineButton"));
        assert_eq!(b["type"]["_"].as_str(), Some("inlineButtonTypeCallback"));
        assert_eq!(b["type"]["data"], Value::Binary(b"go".to_vec()));
        assert_eq!(
            v["rows"][0]["buttons"][1]["type"]["url"].as_str(),
            Some("https://example.org")
        );
        assert_eq!(Markup::from_value(&v), Some(kb.clone()));
        assert_eq!(kb.buttons()[0][0].data(), Some(&b"go"[..]));

        let reply = Markup::keyboard_with(
            KeyboardOptions {
                resize: true,
                placeholder: Some("pick".into()),
                ..Default::default()
            },
            [[ReplyButton::text("A"), ReplyButton::request_phone("Phone")]],
        );
        let v = reply.to_value();
        assert_eq!(v["_"].as_str(), Some("replyKeyboardMarkup"));
        assert_eq!(
            v["rows"][0]["buttons"][1]["type"]["_"].as_str(),
            Some("buttonTypeRequestPhone")
        );
        assert_eq!(v["resize"].as_bool(), Some(true));
        assert_eq!(Markup::from_value(&v), Some(reply));
        for m in [Markup::force_reply(Some("say")), Markup::hide()] {
            assert_eq!(Markup::from_value(&m.to_value()), Some(m.clone()));
        }
        assert_eq!(Markup::from_value(&Value::from(1)), None);
        assert_eq!(kb.check(), Ok(()));
        let big = Markup::inline([[Button::url("ok", "tg://x"), Button::callback("Big", vec![1u8; 65])]]);
        match big.check() {
            Err(Error::InvalidArgument(m)) => {
                assert!(m.contains("\"Big\" (row 0, column 1)") && m.contains("65"), "{m}")
            }
            other => panic!("{other:?}"),
        }
        assert!(Markup::inline([[Button::url("x", "ftp://a")]]).check().is_err());
        assert!(Markup::inline([[Button::callback(" ", "d")]]).check().is_err());
        assert!(Markup::keyboard([[ReplyButton::text("")]]).check().is_err());
        assert!(Markup::hide().buttons().is_empty());
    }
}
