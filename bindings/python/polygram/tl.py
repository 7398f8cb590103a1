"""Objects with attribute access over the msgpack maps the library returns."""
from __future__ import annotations

import datetime
import keyword
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, List, Optional, Union

if TYPE_CHECKING:  # pragma: no cover
    from .client import Client

Peer = Union[int, str, Dict[str, Any], "TLObject"]

# Set by polygram.raw: the typed class of a TL name (or None).
_class_for: Optional[Callable[[str], Any]] = None


def wrap(value: Any, client: Optional["Client"] = None) -> Any:
    """Wraps maps (recursively, inside lists too) as TLObject / Message."""
    if isinstance(value, TLObject):
        return value
    if isinstance(value, dict):
        name = value.get("_")
        if name in ("message", "messageService"):
            return Message(value, client)
        if name is not None and _class_for is not None:
            cls = _class_for(name)
            if cls is not None:
                return cls._from_dict(value, client)
        return TLObject(value, client)
    if isinstance(value, list):
        return [wrap(v, client) for v in value]
    return value


def unwrap(value: Any) -> Any:
    """The plain msgpack form (dicts and lists) of a value."""
    if isinstance(value, TLObject):
        return value.to_dict()
    if isinstance(value, dict):
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [unwrap(v) for v in value]
    return value


def marked_id(peer: Any) -> Optional[int]:
    """The Bot-API style id of a TL Peer map (user id, -chat id, -100...channel id)."""
    if isinstance(peer, TLObject):
        peer = peer.to_dict()
    if not isinstance(peer, dict):
        return peer if isinstance(peer, int) else None
    if "user_id" in peer:
        return int(peer["user_id"])
    if "chat_id" in peer:
        return -int(peer["chat_id"])
    if "channel_id" in peer:
        return -(1000000000000 + int(peer["channel_id"]))
    return None


class TLObject:
    """A TL object (or any result map): ``obj.field`` or ``obj["field"]``.

    ``obj.tl_name`` is the schema name (the map's ``"_"``) or None; absent
    fields read as None, as for optional fields in Telethon.
    """

    __slots__ = ("_d", "_client")

    def __init__(self, data: Dict[str, Any], client: Optional["Client"] = None):
        self._d = data
        self._client = client

    @property
    def tl_name(self) -> Optional[str]:
        return self._d.get("_")

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name.endswith("_") and keyword.iskeyword(name[:-1]):
            name = name[:-1]  # from_ reads the field "from"
        return wrap(self._d.get(name), self._client)

    def __getitem__(self, key: str) -> Any:
        return wrap(self._d[key], self._client)

    def __contains__(self, key: object) -> bool:
        return key in self._d

    def __iter__(self) -> Iterator[str]:
        return iter(self._d)

    def get(self, key: str, default: Any = None) -> Any:
        return wrap(self._d.get(key, default), self._client)

    def keys(self) -> Any:
        return self._d.keys()

    def to_dict(self) -> Dict[str, Any]:
        """The msgpack form: a dict with the TL name under ``"_"``."""
        return unwrap(self._d)

    def stringify(self) -> str:
        """A readable, indented rendering of the whole object."""
        from .raw import stringify
        return stringify(self._d)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, TLObject):
            return self.to_dict() == other.to_dict()
        if isinstance(other, dict):
            return self.to_dict() == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._d!r})"


def _utc(ts: Any) -> Optional[datetime.datetime]:
    if not isinstance(ts, int) or isinstance(ts, bool) or ts <= 0:
        return None
    return datetime.datetime.fromtimestamp(ts, tz=datetime.timezone.utc)


class File:
    """What Telethon calls ``message.file``: the media of a message as a file
    (``name``, ``size``, ``mime_type``, ``ext``, ``width``/``height``,
    ``duration``, ``id``), read from the message's document or photo."""

    __slots__ = ("media",)

    def __init__(self, media: Dict[str, Any]):
        self.media = media

    @property
    def _doc(self) -> Dict[str, Any]:
        d = self.media.get("document")
        return d if isinstance(d, dict) else {}

    @property
    def _photo(self) -> Dict[str, Any]:
        p = self.media.get("photo")
        return p if isinstance(p, dict) else {}

    def _attr(self, *names: str) -> Optional[Dict[str, Any]]:
        for a in self._doc.get("attributes") or []:
            if isinstance(a, dict) and a.get("_") in names:
                return a
        return None

    def _largest_size(self) -> Dict[str, Any]:
        best: Dict[str, Any] = {}
        for s in self._photo.get("sizes") or []:
            if not isinstance(s, dict):
                continue
            size = s.get("size") or max(s.get("sizes") or [0])
            if s.get("w", 0) * s.get("h", 0) >= best.get("w", 0) * best.get("h", 0):
                best = dict(s, size=size)
        return best

    @property
    def id(self) -> Optional[int]:
        return (self._doc or self._photo).get("id")

    @property
    def is_photo(self) -> bool:
        return bool(self._photo)

    @property
    def name(self) -> Optional[str]:
        a = self._attr("documentAttributeFilename")
        return a.get("file_name") if a else None

    @property
    def mime_type(self) -> Optional[str]:
        if self._photo:
            return "image/jpeg"
        return self._doc.get("mime_type")

    mime = mime_type

    @property
    def ext(self) -> str:
        import mimetypes
        import os
        if self.name and os.path.splitext(self.name)[1]:
            return os.path.splitext(self.name)[1]
        return (mimetypes.guess_extension(self.mime_type or "") or "") if self.mime_type else ""

    @property
    def size(self) -> Optional[int]:
        if self._photo:
            return self._largest_size().get("size")
        return self._doc.get("size")

    @property
    def width(self) -> Optional[int]:
        if self._photo:
            return self._largest_size().get("w")
        a = self._attr("documentAttributeImageSize", "documentAttributeVideo")
        return a.get("w") if a else None

    @property
    def height(self) -> Optional[int]:
        if self._photo:
            return self._largest_size().get("h")
        a = self._attr("documentAttributeImageSize", "documentAttributeVideo")
        return a.get("h") if a else None

    @property
    def dimensions(self) -> Optional[tuple]:
        w, h = self.width, self.height
        return (w, h) if w is not None and h is not None else None

    @property
    def duration(self) -> Optional[float]:
        a = self._attr("documentAttributeVideo", "documentAttributeAudio")
        return a.get("duration") if a else None

    def __repr__(self) -> str:
        return (f"File(name={self.name!r}, size={self.size!r}, mime_type={self.mime_type!r}, "
                f"dimensions={self.dimensions!r}, duration={self.duration!r})")


class Message(TLObject):
    """A message, with Telethon-style helpers bound to the client that got it."""

    __slots__ = ("_chat",)

    def __init__(self, data: Dict[str, Any], client: Optional["Client"] = None, chat: Optional[Peer] = None):
        super().__init__(data, client)
        self._chat = chat

    @property
    def text(self) -> str:
        return self._d.get("message") or ""

    raw_text = text

    @property
    def client(self) -> Optional["Client"]:
        return self._client

    @property
    def date(self) -> Optional[datetime.datetime]:
        """When it was sent, as an aware UTC datetime."""
        return _utc(self._d.get("date"))

    @property
    def edit_date(self) -> Optional[datetime.datetime]:
        return _utc(self._d.get("edit_date"))

    @property
    def file(self) -> Optional[File]:
        """The media as a :class:`File` (None without a document or photo)."""
        media = self._d.get("media")
        if isinstance(media, dict) and (isinstance(media.get("document"), dict) or
                                        isinstance(media.get("photo"), dict)):
            return File(media)
        return None

    @property
    def photo(self) -> Any:
        media = self._d.get("media")
        return wrap(media.get("photo"), self._client) if isinstance(media, dict) else None

    @property
    def document(self) -> Any:
        media = self._d.get("media")
        return wrap(media.get("document"), self._client) if isinstance(media, dict) else None

    @property
    def is_private(self) -> bool:
        cid = self.chat_id
        return cid is not None and cid > 0

    @property
    def out(self) -> bool:
        return bool(self._d.get("out"))

    @property
    def chat_id(self) -> Optional[int]:
        cid = marked_id(self._d.get("peer_id"))
        if cid is None and isinstance(self._chat, int):
            return self._chat
        if cid is None and isinstance(self._chat, dict) and "marked_id" in self._chat:
            return int(self._chat["marked_id"])
        return cid

    @property
    def sender_id(self) -> Optional[int]:
        sid = marked_id(self._d.get("from_id"))
        if sid is None:
            # In a private chat the peer is the other side.
            peer = self._d.get("peer_id")
            if isinstance(peer, dict) and "user_id" in peer and not self._d.get("out"):
                return int(peer["user_id"])
        return sid

    @property
    def is_reply(self) -> bool:
        return bool(self._d.get("reply_to"))

    @property
    def reply_to_msg_id(self) -> Optional[int]:
        r = self._d.get("reply_to")
        return r.get("reply_to_msg_id") if isinstance(r, dict) else None

    @property
    def media(self) -> Any:
        return wrap(self._d.get("media"), self._client)

    def _where(self) -> Peer:
        if self._client is None:
            raise RuntimeError("this message is not bound to a client")
        if isinstance(self._chat, dict) and "marked_id" in self._chat:
            return self._chat  # with its access hash (from the update)
        cid = self.chat_id
        if cid is None:
            if self._chat is None:
                raise RuntimeError("the chat of this message is unknown")
            return self._chat
        return cid

    async def respond(self, text: str = "", **kwargs: Any) -> "Message":
        """Sends a message to the same chat."""
        return await self._client.send_message(self._where(), text, **kwargs)  # type: ignore[union-attr]

    async def reply(self, text: str = "", **kwargs: Any) -> "Message":
        """Replies to this message."""
        kwargs.setdefault("reply_to", self._d.get("id"))
        return await self.respond(text, **kwargs)

    async def edit(self, text: str, **kwargs: Any) -> None:
        await self._client.edit_message(self._where(), self._d["id"], text, **kwargs)  # type: ignore[union-attr]

    async def delete(self, revoke: bool = True) -> None:
        await self._client.delete_messages(self._where(), [self._d["id"]], revoke=revoke)  # type: ignore[union-attr]

    async def forward_to(self, entity: Peer) -> List[int]:
        return await self._client.forward_messages(entity, [self._d["id"]], self._where())  # type: ignore[union-attr]

    async def download_media(self, file: Any = None, *, thumb: Union[int, str, None] = None,
                             progress_callback: Optional[Callable[[int, int], Any]] = None) -> Union[bytes, str]:
        """Downloads the media: to the path ``file`` (a directory gets the
        file's own name) and returns the path, or into memory (returns bytes).
        ``thumb``: a thumbnail instead (a size type or an index, 0 the smallest)."""
        return await self._client.download_media(self, file, thumb=thumb,  # type: ignore[union-attr]
                                                 progress_callback=progress_callback)

    async def get_chat(self) -> TLObject:
        return await self._client.get_entity(self._where())  # type: ignore[union-attr]

    @property
    def reply_markup(self) -> Any:
        return wrap(self._d.get("reply_markup"), self._client)

    @property
    def buttons(self) -> Optional[List[Any]]:
        """The rows of buttons (:class:`~polygram.buttons.MessageButton`), or
        None when the message has none."""
        from .buttons import message_buttons
        return message_buttons(self, self._d.get("reply_markup"))

    @property
    def button_count(self) -> int:
        return sum(len(r) for r in self.buttons or [])

    @property
    def grouped_id(self) -> Optional[int]:
        """The album this message belongs to (None outside albums)."""
        return self._d.get("grouped_id")

    @property
    def pinned(self) -> bool:
        return bool(self._d.get("pinned"))

    @property
    def via_bot_id(self) -> Optional[int]:
        return self._d.get("via_bot_id")

    async def click(self, i: Optional[int] = None, j: Optional[int] = None, *, text: Optional[str] = None,
                    data: Union[bytes, str, None] = None) -> Any:
        """Presses an inline button: ``click(i)`` the i-th counted over all
        rows, ``click(i, j)`` row i column j, or by ``text`` / ``data``
        (the first button when nothing is given). See ``Client.click`` for
        what it returns."""
        return await self._client.click(self._where(), self, i, j, text=text, data=data)  # type: ignore[union-attr]

    async def pin(self, *, notify: bool = False) -> None:
        await self._client.pin_message(self._where(), self, notify=notify)  # type: ignore[union-attr]

    async def unpin(self) -> None:
        await self._client.unpin_message(self._where(), self)  # type: ignore[union-attr]

    async def get_file_ids(self) -> Any:
        """``(file_id, file_unique_id)`` of the media, Bot API style."""
        return await self._client.get_file_ids(self)  # type: ignore[union-attr]

    async def get_sender(self) -> Optional[TLObject]:
        sid = self.sender_id
        if sid is None or self._client is None:
            return None
        if isinstance(self._chat, dict) and self._chat.get("marked_id") == sid:
            return await self._client.get_entity(self._chat)
        return await self._client.get_entity(sid)
