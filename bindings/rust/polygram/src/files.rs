//! Files beyond `send_file` and `download_media`: albums, byte ranges,
//! thumbnails, profile photos and Bot API file ids (docs/files.md).

use crate::client::{conv_data, conv_ids, conv_path, conv_size, Client, Transfer};
use crate::error::Result;
use crate::methods::{args, opt};
use crate::types::PeerRef;
use crate::value::{map, Fields, Value};
use std::path::{Path, PathBuf};

/// How a file of an album is sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MediaKind {
    /// Guessed by the core from the file.
    #[default]
    Auto,
    /// A document (file).
    Document,
    /// A compressed photo.
    Photo,
    /// A video.
    Video,
    /// Music.
    Audio,
    /// A voice note.
    Voice,
    /// A silent looping video (GIF-like).
    Animation,
    /// A round video note.
    VideoNote,
}

impl MediaKind {
    fn name(self) -> &'static str {
        match self {
            MediaKind::Auto => "",
            MediaKind::Document => "document",
            MediaKind::Photo => "photo",
            MediaKind::Video => "video",
            MediaKind::Audio => "audio",
            MediaKind::Voice => "voice",
            MediaKind::Animation => "animation",
            MediaKind::VideoNote => "video_note",
        }
    }
}

/// One file of an album (see [`Client::send_album`]).
#[derive(Debug, Clone, PartialEq)]
pub struct AlbumItem {
    entries: Vec<(String, Value)>,
}

impl AlbumItem {
    /// A file held in memory.
    pub fn bytes(data: impl Into<Vec<u8>>) -> AlbumItem {
        AlbumItem {
            entries: vec![("data".into(), Value::Binary(data.into()))],
        }
    }

    /// A file read by the library from a path.
    pub fn path(path: impl AsRef<Path>) -> AlbumItem {
        let p = path.as_ref().to_string_lossy().into_owned();
        AlbumItem {
            entries: vec![("path".into(), Value::from(p))],
        }
    }

    fn set(mut self, k: &str, v: Value) -> AlbumItem {
        self.entries.retain(|(key, _)| key != k);
        self.entries.push((k.to_owned(), v));
        self
    }

    /// How it is sent (the core guesses otherwise).
    pub fn kind(self, kind: MediaKind) -> AlbumItem {
        self.set("kind", Value::from(kind.name()))
    }

    /// Its caption.
    pub fn caption(self, caption: &str) -> AlbumItem {
        self.set("caption", Value::from(caption))
    }

    /// How the caption is formatted: "markdown" or "html".
    pub fn parse_mode(self, mode: &str) -> AlbumItem {
        self.set("parse_mode", Value::from(mode))
    }

    /// The file name (defaults to the path's base name).
    pub fn name(self, name: &str) -> AlbumItem {
        self.set("name", Value::from(name))
    }

    /// The MIME type (detected from the content or the name otherwise).
    pub fn mime_type(self, mime: &str) -> AlbumItem {
        self.set("mime_type", Value::from(mime))
    }

    fn to_value(&self) -> Value {
        map(self.entries.iter().cloned())
    }
}

/// Options of [`Client::send_album`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AlbumOptions {
    /// Reply to this message.
    pub reply_to: Option<i32>,
    /// Send without notification.
    pub silent: bool,
}

/// The Bot API ids of a message's media (see [`Client::file_ids`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileIds {
    /// The `file_id`: downloadable with [`Client::download_file_id`].
    pub file_id: String,
    /// The `file_unique_id`: the same file has the same one for every bot and user.
    pub file_unique_id: String,
}

/// What a Bot API `file_id` holds (see [`Client::decode_file_id`]).
#[derive(Debug, Clone, PartialEq)]
pub struct FileIdInfo {
    /// "photo", "document", "video", "voice", "profile_photo", ...
    pub kind: String,
    /// The DC storing the file.
    pub dc_id: i32,
    /// The file's id.
    pub id: i64,
    /// Its access hash.
    pub access_hash: i64,
    /// Its file reference.
    pub file_reference: Vec<u8>,
    /// The id's format version and sub-version.
    pub version: (i32, i32),
    /// The matching `file_unique_id`.
    pub file_unique_id: String,
    /// The whole answer (with `photo_size` for photo-like ids, `url` for web files).
    pub raw: Value,
}

fn path_value(p: &Path) -> Value {
    Value::from(p.to_string_lossy().into_owned())
}

impl Client {
    /// Sends 2 to 10 files as one album; returns the message ids in order.
    /// `.progress(hook)` reports the bytes of all the files together.
    pub fn send_album(
        &self,
        peer: impl Into<PeerRef>,
        items: impl IntoIterator<Item = AlbumItem>,
        o: AlbumOptions,
    ) -> Transfer<Vec<i32>> {
        let files: Vec<Value> = items.into_iter().map(|i| i.to_value()).collect();
        let a = args([
            ("peer", peer.into().to_value()),
            ("files", Value::Array(files)),
            ("reply_to", opt(o.reply_to)),
            ("silent", Value::from(o.silent)),
        ]);
        Transfer::new(self, "send_album", a, conv_ids)
    }

    /// Downloads `len` bytes of a message's media from `offset`, into memory
    /// (the core aligns the requests as Telegram wants and trims the extra).
    pub fn download_range(
        &self,
        peer: impl Into<PeerRef>,
        message_id: i32,
        offset: u64,
        len: u64,
    ) -> Transfer<Vec<u8>> {
        let a = args([
            ("peer", peer.into().to_value()),
            ("message_id", Value::from(message_id)),
            ("offset", Value::from(offset)),
            ("limit", Value::from(len)),
        ]);
        Transfer::new(self, "download_range", a, conv_data)
    }

    /// Downloads a byte range of a message's media to a file (`len`: `None`
    /// to the end); returns the bytes written.
    pub fn download_range_to(
        &self,
        peer: impl Into<PeerRef>,
        message_id: i32,
        offset: u64,
        len: Option<u64>,
        path: impl AsRef<Path>,
    ) -> Transfer<u64> {
        let a = args([
            ("peer", peer.into().to_value()),
            ("message_id", Value::from(message_id)),
            ("offset", Value::from(offset)),
            ("limit", len.map_or(Value::from(-1), Value::from)),
            ("path", path_value(path.as_ref())),
        ]);
        Transfer::new(self, "download_range", a, conv_size)
    }

    /// Downloads a thumbnail of a message's photo or document into memory
    /// (`thumb`: a size type such as "s" or "m"; "": the largest photo size).
    pub fn download_thumbnail(&self, peer: impl Into<PeerRef>, message_id: i32, thumb: &str) -> Transfer<Vec<u8>> {
        let a = args([
            ("peer", peer.into().to_value()),
            ("message_id", Value::from(message_id)),
            ("thumb", Value::from(thumb)),
        ]);
        Transfer::new(self, "download_thumbnail", a, conv_data)
    }

    /// Downloads the profile photo of a user, group or channel into memory
    /// (`big`: the full size, else the small one).
    pub fn download_profile_photo(&self, peer: impl Into<PeerRef>, big: bool) -> Transfer<Vec<u8>> {
        let a = args([("peer", peer.into().to_value()), ("big", Value::from(big))]);
        Transfer::new(self, "download_profile_photo", a, conv_data)
    }

    /// Downloads a profile photo to `path` (a file, or a directory where it is
    /// named `profile_<id>.jpg`); returns the file written.
    pub fn download_profile_photo_to(
        &self,
        peer: impl Into<PeerRef>,
        big: bool,
        path: impl AsRef<Path>,
    ) -> Transfer<PathBuf> {
        let a = args([
            ("peer", peer.into().to_value()),
            ("big", Value::from(big)),
            ("path", path_value(path.as_ref())),
        ]);
        Transfer::new(self, "download_profile_photo", a, conv_path)
    }

    /// Downloads a file by its Bot API `file_id` into memory.
    pub fn download_file_id(&self, file_id: &str) -> Transfer<Vec<u8>> {
        Transfer::new(
            self,
            "download_file_id",
            args([("file_id", Value::from(file_id))]),
            conv_data,
        )
    }

    /// Downloads a file by its Bot API `file_id` to a path; returns its size.
    pub fn download_file_id_to(&self, file_id: &str, path: impl AsRef<Path>) -> Transfer<u64> {
        let a = args([("file_id", Value::from(file_id)), ("path", path_value(path.as_ref()))]);
        Transfer::new(self, "download_file_id", a, conv_size)
    }

    /// The Bot API `file_id` and `file_unique_id` of a message's media.
    pub async fn file_ids(&self, peer: impl Into<PeerRef>, message_id: i32) -> Result<FileIds> {
        let a = args([
            ("peer", peer.into().to_value()),
            ("message_id", Value::from(message_id)),
        ]);
        let v = self.call("file_ids", a).await?;
        Ok(FileIds {
            file_id: v.str_of("file_id"),
            file_unique_id: v.str_of("file_unique_id"),
        })
    }

    /// Decodes a Bot API `file_id` without the network; a malformed id is
    /// [`crate::Error::InvalidArgument`].
    pub async fn decode_file_id(&self, file_id: &str) -> Result<FileIdInfo> {
        let v = self
            .call("decode_file_id", args([("file_id", Value::from(file_id))]))
            .await?;
        let file_reference = match v.field("file_reference") {
            Some(Value::Binary(b)) => b.clone(),
            _ => Vec::new(),
        };
        Ok(FileIdInfo {
            kind: v.str_of("type"),
            dc_id: v.i32_of("dc_id"),
            id: v.i64_of("id"),
            access_hash: v.i64_of("access_hash"),
            file_reference,
            version: (v.i32_of("version"), v.i32_of("sub_version")),
            file_unique_id: v.str_of("file_unique_id"),
            raw: v,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn album_items_are_maps_of_the_c_api() {
        let v = AlbumItem::bytes(vec![1u8, 2])
            .kind(MediaKind::Photo)
            .caption("**a**")
            .parse_mode("markdown")
            .caption("b")
            .to_value();
        assert_eq!(v["data"], Value::Binary(vec![1, 2]));
        assert_eq!(v["kind"].as_str(), Some("photo"));
        assert_eq!(
            v["caption"].as_str(),
            Some("b"),
            "a later setting replaces an earlier one"
        );
        assert_eq!(v.as_map().unwrap().len(), 4);
        assert_eq!(
            AlbumItem::path("/x/y.png").to_value()["path"].as_str(),
            Some("/x/y.png")
        );
    }
}
