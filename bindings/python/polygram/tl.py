"""Objects with attribute access over the msgpack maps the library returns."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Optional, Union

if TYPE_CHECKING:  # pragma: no cover
    from .client import Client

Peer = Union[int, str, Dict[str, Any], "TLObject"]


def wrap(value: Any, client: Optional["Client"] = None) -> Any:
    """Wraps maps (recursively, inside lists too) as TLObject / Message."""
    if isinstance(value, TLObject):
        return value
    if isinstance(value, dict):
        if value.get("_") in ("message", "messageService"):
            return Message(value, client)
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
        return unwrap(self._d)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, TLObject):
            return self.to_dict() == other.to_dict()
        if isinstance(other, dict):
            return self.to_dict() == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._d!r})"


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
    def out(self) -> bool:
        return bool(self._d.get("out"))

    @property
    def chat_id(self) -> Optional[int]:
        cid = marked_id(self._d.get("peer_id"))
        if cid is None and isinstance(self._chat, int):
            return self._chat
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

    async def download_media(self, file: Optional[str] = None) -> Union[bytes, str]:
        return await self._client.download_media(self, file)  # type: ignore[union-attr]

    async def get_chat(self) -> TLObject:
        return await self._client.get_entity(self._where())  # type: ignore[union-attr]

    async def get_sender(self) -> Optional[TLObject]:
        sid = self.sender_id
        if sid is None or self._client is None:
            return None
        return await self._client.get_entity(sid)
