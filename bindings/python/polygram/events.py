"""Event builders for ``client.on(...)`` and the events handlers receive.

    @client.on(events.NewMessage(pattern=r"(?i)hello", incoming=True))
    async def handler(event):
        await event.reply("hi!")
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Dict, Iterable, List, Optional, Pattern, Union

from .tl import Message, TLObject, wrap

if TYPE_CHECKING:  # pragma: no cover
    from .client import Client

PatternLike = Union[str, Pattern[str], Callable[[str], Any], None]


class StopPropagation(Exception):
    """Raise inside a handler to stop the handlers after it for this event."""


def _peer_ref(raw: Dict[str, Any], marked: Optional[int]) -> Any:
    """A C API peer map ``{marked_id, access_hash}`` for ``marked`` from the
    users/chats an update carries, else the marked id itself."""
    if marked is None:
        return None
    if marked > 0:
        pool, want = raw.get("users") or [], marked
    elif marked > -1000000000000:
        return marked  # basic groups need no access hash
    else:
        pool, want = raw.get("chats") or [], -marked - 1000000000000
    for e in pool:
        if isinstance(e, dict) and e.get("id") == want and e.get("access_hash") is not None:
            return {"marked_id": marked, "access_hash": int(e["access_hash"])}
    return marked


class EventCommon:
    """What every event has: ``client``, ``raw`` (the update map), ``chat_id``."""

    def __init__(self, client: "Client", raw: Dict[str, Any]):
        self.client = client
        self.raw = raw
        self.chat_id: Optional[int] = raw.get("chat_id")

    async def get_chat(self) -> Optional[TLObject]:
        """The full chat (fetched: never silently None when it can be had)."""
        if self.chat_id is None:
            return None
        return await self.client.get_entity(self.chat_id)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.raw!r})"


class EventBuilder:
    """Base of the event filters; subclasses build their event or return None."""

    def __init__(self, chats: Optional[Iterable[int]] = None, func: Optional[Callable[[Any], Any]] = None):
        self.chats = set(chats) if chats is not None else None
        self.func = func

    def build(self, client: "Client", update: Dict[str, Any]) -> Optional[EventCommon]:  # pragma: no cover
        raise NotImplementedError

    def filter(self, event: EventCommon) -> bool:
        if self.chats is not None and event.chat_id not in self.chats:
            return False
        if self.func is not None and not self.func(event):
            return False
        return True


class NewMessage(EventBuilder):
    """A new message. ``incoming``/``outgoing`` select the direction, ``pattern``
    (regex string, compiled regex or callable) matches the text (the match is
    ``event.pattern_match``), ``from_users`` the senders, ``chats`` the chats."""

    update_type = "new_message"

    def __init__(self, chats: Optional[Iterable[int]] = None, *, incoming: Optional[bool] = None,
                 outgoing: Optional[bool] = None, from_users: Optional[Iterable[int]] = None,
                 pattern: PatternLike = None, func: Optional[Callable[[Any], Any]] = None):
        super().__init__(chats, func)
        if incoming is not None and outgoing is None:
            outgoing = not incoming
        elif outgoing is not None and incoming is None:
            incoming = not outgoing
        elif incoming is False and outgoing is False:
            raise ValueError("incoming=False and outgoing=False would match nothing")
        self.incoming = incoming
        self.outgoing = outgoing
        self.from_users = set(from_users) if from_users is not None else None
        if isinstance(pattern, str):
            self.pattern: Optional[Callable[[str], Any]] = re.compile(pattern).match
        elif isinstance(pattern, re.Pattern):
            self.pattern = pattern.match
        else:
            self.pattern = pattern

    class Event(EventCommon):
        """``message`` (a :class:`Message`), ``text``, ``sender_id``, ``out``,
        ``pattern_match``, and ``respond``/``reply``/``edit``/``delete``;
        other attributes are the message's."""

        def __init__(self, client: "Client", raw: Dict[str, Any]):
            super().__init__(client, raw)
            self.sender_id: Optional[int] = raw.get("sender_id")
            self.out: bool = bool(raw.get("out"))
            self.users: List[TLObject] = wrap(raw.get("users") or [], client)
            self.chats: List[TLObject] = wrap(raw.get("chats") or [], client)
            self.pattern_match: Any = None
            # The chat with its access hash from the update itself, so that
            # answering never depends on the session having cached the peer.
            self.input_chat: Any = _peer_ref(raw, self.chat_id)
            self.message: Message = Message(raw.get("message") or {}, client, self.input_chat)

        @property
        def text(self) -> str:
            return self.message.text

        raw_text = text

        @property
        def is_private(self) -> bool:
            return self.chat_id is not None and self.chat_id > 0

        async def respond(self, text: str = "", **kwargs: Any) -> Message:
            return await self.client.send_message(self.input_chat, text, **kwargs)

        async def reply(self, text: str = "", **kwargs: Any) -> Message:
            kwargs.setdefault("reply_to", self.message.id)
            return await self.respond(text, **kwargs)

        async def edit(self, text: str, **kwargs: Any) -> None:
            await self.message.edit(text, **kwargs)

        async def delete(self, revoke: bool = True) -> None:
            await self.message.delete(revoke)

        async def get_sender(self) -> Optional[TLObject]:
            if self.sender_id is None:
                return None
            for u in self.users:
                if u.get("id") == self.sender_id:
                    return u
            return await self.client.get_entity(_peer_ref(self.raw, self.sender_id))

        async def get_chat(self) -> Optional[TLObject]:
            if self.chat_id is None:
                return None
            return await self.client.get_entity(self.input_chat)

        def __getattr__(self, name: str) -> Any:
            if name.startswith("_"):
                raise AttributeError(name)
            return getattr(self.message, name)

    def build(self, client: "Client", update: Dict[str, Any]) -> Optional[EventCommon]:
        if update.get("type") != self.update_type:
            return None
        ev = self.Event(client, update)
        if self.incoming is not None or self.outgoing is not None:
            if ev.out and not self.outgoing:
                return None
            if not ev.out and not self.incoming:
                return None
        if self.from_users is not None and ev.sender_id not in self.from_users:
            return None
        if self.pattern is not None:
            m = self.pattern(ev.text)
            if not m:
                return None
            ev.pattern_match = m
        return ev if self.filter(ev) else None


class MessageEdited(NewMessage):
    """A message was edited (same filters as NewMessage)."""

    update_type = "message_edited"

    class Event(NewMessage.Event):
        pass


class MessageDeleted(EventBuilder):
    """Messages were deleted: ``deleted_ids``, ``channel_id`` (0 outside channels)."""

    class Event(EventCommon):
        def __init__(self, client: "Client", raw: Dict[str, Any]):
            super().__init__(client, raw)
            self.deleted_ids: List[int] = list(raw.get("ids") or [])
            self.deleted_id: Optional[int] = self.deleted_ids[0] if self.deleted_ids else None
            self.channel_id: int = int(raw.get("channel_id") or 0)

    def build(self, client: "Client", update: Dict[str, Any]) -> Optional[EventCommon]:
        if update.get("type") != "message_deleted":
            return None
        ev = self.Event(client, update)
        return ev if self.filter(ev) else None


class Raw(EventBuilder):
    """Every update map the library delivers (``types``: update "type" values,
    e.g. ``"raw"`` or ``"new_message"``, to narrow it). ``event.update`` is the
    map as a TLObject."""

    def __init__(self, types: Optional[Iterable[str]] = None, func: Optional[Callable[[Any], Any]] = None):
        super().__init__(None, func)
        self.types = set([types] if isinstance(types, str) else types) if types is not None else None

    class Event(EventCommon):
        def __init__(self, client: "Client", raw: Dict[str, Any]):
            super().__init__(client, raw)
            self.type: str = raw.get("type", "")
            self.update: TLObject = wrap(raw.get("update", raw), client)

    def build(self, client: "Client", update: Dict[str, Any]) -> Optional[EventCommon]:
        if self.types is not None and update.get("type") not in self.types:
            return None
        ev = self.Event(client, update)
        return ev if self.filter(ev) else None


Handler = Callable[[Any], Awaitable[Any]]

_REGISTERED = "_polygram_events"


def register(event: Union[EventBuilder, type, None] = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Marks a function as a handler of ``event`` without a client (Telethon's
    ``events.register``); ``client.add_event_handler(f)`` then uses it.
    Stacks: a function may be registered for several events."""
    builder = NewMessage() if event is None else (event() if isinstance(event, type) else event)

    def decorator(f: Callable[..., Any]) -> Callable[..., Any]:
        lst = getattr(f, _REGISTERED, None)
        if lst is None:
            lst = []
            setattr(f, _REGISTERED, lst)
        lst.append(builder)
        return f
    return decorator


def unregister(f: Callable[..., Any], event: Optional[type] = None) -> None:
    """Forgets ``register`` marks of ``f`` (of builder type ``event`` only, when given)."""
    lst = getattr(f, _REGISTERED, None)
    if lst is None:
        return
    lst[:] = [b for b in lst if event is not None and not isinstance(b, event)]
    if not lst:
        delattr(f, _REGISTERED)


def is_handler(f: Any) -> bool:
    """Whether ``f`` was marked with ``register``."""
    return bool(getattr(f, _REGISTERED, None))


def registered_events(f: Any) -> List[EventBuilder]:
    """The builders ``f`` was registered with (empty when none)."""
    return list(getattr(f, _REGISTERED, None) or [])


__all__ = ["EventBuilder", "EventCommon", "NewMessage", "MessageEdited", "MessageDeleted", "Raw", "StopPropagation",
           "register", "unregister", "is_handler"]
