"""Event builders for ``client.on(...)`` and the events handlers receive.

    @client.on(events.NewMessage(pattern=r"(?i)hello", incoming=True))
    async def handler(event):
        await event.reply("hi!")
"""
from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Dict, Iterable, Iterator, List, Optional, Pattern, Union

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


def _filter_direction(incoming: Optional[bool], outgoing: Optional[bool]) -> "tuple[Optional[bool], Optional[bool]]":
    if incoming is not None and outgoing is None:
        outgoing = not incoming
    elif outgoing is not None and incoming is None:
        incoming = not outgoing
    elif incoming is False and outgoing is False:
        raise ValueError("incoming=False and outgoing=False would match nothing")
    return incoming, outgoing


def _utc(ts: Any) -> Optional[datetime.datetime]:
    if not isinstance(ts, int) or isinstance(ts, bool) or ts <= 0:
        return None
    return datetime.datetime.fromtimestamp(ts, tz=datetime.timezone.utc)


class _ChatEvent(EventCommon):
    """An event about a chat: ``input_chat`` (with its access hash from the
    update), ``respond``, ``get_chat``, ``get_input_chat``."""

    def __init__(self, client: "Client", raw: Dict[str, Any]):
        super().__init__(client, raw)
        self.users: List[TLObject] = wrap(raw.get("users") or [], client)
        self.chats: List[TLObject] = wrap(raw.get("chats") or [], client)
        self.input_chat: Any = _peer_ref(raw, self.chat_id)

    @property
    def is_private(self) -> bool:
        return self.chat_id is not None and self.chat_id > 0

    @property
    def is_group(self) -> bool:
        return self.chat_id is not None and self.chat_id < 0

    async def get_input_chat(self) -> Any:
        return await self.client.get_input_entity(self.input_chat)

    async def get_chat(self) -> Optional[TLObject]:
        if not self.chat_id:
            return None
        return await self.client.get_entity(self.input_chat)

    async def respond(self, text: str = "", **kwargs: Any) -> Message:
        """Sends a message to the chat of the event."""
        return await self.client.send_message(self.input_chat, text, **kwargs)

    def _user(self, user_id: Optional[int]) -> Optional[TLObject]:
        for u in self.users:
            if u.get("id") == user_id:
                return u
        return None

    async def _fetch_user(self, user_id: Optional[int]) -> Optional[TLObject]:
        if not user_id:
            return None
        return self._user(user_id) or await self.client.get_entity(_peer_ref(self.raw, user_id))


class MessageRead(EventBuilder):
    """Messages were read. ``inbox=False`` (default, as in Telethon): your
    messages read by the other side; ``inbox=True``: the chat's incoming
    messages read by you in another session."""

    def __init__(self, chats: Optional[Iterable[int]] = None, *, inbox: bool = False,
                 func: Optional[Callable[[Any], Any]] = None):
        super().__init__(chats, func)
        self.inbox = inbox

    class Event(_ChatEvent):
        """``max_id`` (messages up to it are read), ``outbox``/``inbox``,
        ``still_unread`` (inbox), ``is_read(message)``."""

        def __init__(self, client: "Client", raw: Dict[str, Any]):
            super().__init__(client, raw)
            self.max_id: int = int(raw.get("max_id") or 0)
            self.outbox: bool = bool(raw.get("outbox"))
            self.inbox: bool = not self.outbox
            self.still_unread: int = int(raw.get("still_unread") or 0)

        def is_read(self, message: Union[Message, int]) -> bool:
            mid = message.id if isinstance(message, Message) else int(message)
            return mid <= self.max_id

    def build(self, client: "Client", update: Dict[str, Any]) -> Optional[EventCommon]:
        if update.get("type") != "message_read" or bool(update.get("outbox")) == self.inbox:
            return None
        ev = self.Event(client, update)
        return ev if self.filter(ev) else None


class ChatAction(EventBuilder):
    """A service message: users joined, were added, left or were kicked, the
    title or photo changed, a message was pinned, the chat was created."""

    class Event(_ChatEvent):
        """``kind`` (``joined``, ``added``, ``left``, ``kicked``, ``title``,
        ``photo``, ``photo_removed``, ``pinned``, ``created``, ``other``), the
        Telethon flags ``user_joined``, ``user_added``, ``user_left``,
        ``user_kicked``, ``created``, ``new_title`` (the title or None),
        ``new_photo``, ``photo_removed``, ``new_pin``; ``user_ids``/``user_id``
        (the users concerned), ``sender_id`` (who did it; ``added_by`` and
        ``kicked_by`` name it too), ``pinned_id``, ``action_message``."""

        def __init__(self, client: "Client", raw: Dict[str, Any]):
            super().__init__(client, raw)
            self.kind: str = raw.get("kind") or "other"
            self.sender_id: Optional[int] = raw.get("sender_id")
            self.user_ids: List[int] = [int(u) for u in raw.get("user_ids") or []]
            self.user_id: Optional[int] = self.user_ids[0] if self.user_ids else None
            self.pinned_id: Optional[int] = raw.get("pinned_id") or None
            self.action_message: Optional[Message] = (Message(raw["message"], client, self.input_chat)
                                                      if raw.get("message") else None)
            k = self.kind
            self.user_joined = k == "joined"
            self.user_added = k == "added"
            self.user_left = k == "left"
            self.user_kicked = k == "kicked"
            self.created = k == "created"
            self.new_title: Optional[str] = raw.get("title") if k in ("title", "created") else None
            self.new_photo = k == "photo"
            self.photo_removed = k == "photo_removed"
            self.new_pin = k == "pinned"
            self.added_by: Optional[int] = self.sender_id if self.user_added else None
            self.kicked_by: Optional[int] = self.sender_id if self.user_kicked else None

        @property
        def action(self) -> Any:
            return self.action_message.action if self.action_message is not None else None

        async def get_user(self) -> Optional[TLObject]:
            """The (first) user concerned."""
            return await self._fetch_user(self.user_id)

        async def get_users(self) -> List[TLObject]:
            return [u for u in [await self._fetch_user(i) for i in self.user_ids] if u is not None]

        async def get_pinned_message(self) -> Optional[Message]:
            if not self.pinned_id:
                return None
            return await self.client.get_messages(self.input_chat, self.pinned_id)

        async def reply(self, text: str = "", **kwargs: Any) -> Message:
            if self.action_message is not None:
                kwargs.setdefault("reply_to", self.action_message.id)
            return await self.respond(text, **kwargs)

        async def delete(self, revoke: bool = True) -> None:
            if self.action_message is not None:
                await self.action_message.delete(revoke)

    def build(self, client: "Client", update: Dict[str, Any]) -> Optional[EventCommon]:
        if update.get("type") != "chat_action":
            return None
        ev = self.Event(client, update)
        return ev if self.filter(ev) else None


class UserUpdate(EventBuilder):
    """A user is typing (or uploading, recording...) in a chat, or went
    online or offline. ``chats`` matches the user or the chat."""

    class Event(_ChatEvent):
        """``user_id``, ``chat_id`` (0 for a status change), ``action``
        (``typing``, ``cancel``, ``record_video``, ``upload_photo``, ...; None
        for a status change), the flags ``typing``, ``cancel``,
        ``uploading``, ``recording``, ``playing``, ``status`` (a status
        change), ``online``, ``last_seen``/``until`` (aware datetimes)."""

        def __init__(self, client: "Client", raw: Dict[str, Any]):
            super().__init__(client, raw)
            self.user_id: int = int(raw.get("user_id") or 0)
            self.sender_id = self.user_id
            self.action: Optional[str] = raw.get("action") or None
            a = self.action or ""
            self.typing = a == "typing"
            self.cancel = a == "cancel"
            self.uploading = a.startswith("upload")
            self.recording = a.startswith("record")
            self.playing = a.startswith("game")
            self.online: bool = bool(raw.get("online"))
            self.status: Any = wrap(raw.get("status"), client)
            seen = _utc(raw.get("last_seen"))
            self.last_seen = None if self.online else seen
            self.until = seen if self.online else None

        async def get_user(self) -> Optional[TLObject]:
            return await self._fetch_user(self.user_id)

        get_sender = get_user

    def filter(self, event: EventCommon) -> bool:
        if self.chats is not None and event.chat_id not in self.chats and \
                getattr(event, "user_id", None) not in self.chats:
            return False
        return self.func is None or bool(self.func(event))

    def build(self, client: "Client", update: Dict[str, Any]) -> Optional[EventCommon]:
        if update.get("type") != "user_update":
            return None
        ev = self.Event(client, update)
        return ev if self.filter(ev) else None


class Album(EventBuilder):
    """Media sent together (one ``grouped_id``), delivered once with all its
    messages instead of one NewMessage each. ``incoming``/``outgoing`` as for
    NewMessage."""

    def __init__(self, chats: Optional[Iterable[int]] = None, *, incoming: Optional[bool] = None,
                 outgoing: Optional[bool] = None, func: Optional[Callable[[Any], Any]] = None):
        super().__init__(chats, func)
        self.incoming, self.outgoing = _filter_direction(incoming, outgoing)

    class Event(_ChatEvent):
        """``messages`` (in id order), ``grouped_id``, ``sender_id``,
        ``out``, ``text`` (the caption), ``respond``/``reply``/``delete``/
        ``forward_to``/``download_media``; iterable and indexable."""

        def __init__(self, client: "Client", raw: Dict[str, Any]):
            super().__init__(client, raw)
            self.sender_id: Optional[int] = raw.get("sender_id")
            self.grouped_id: int = int(raw.get("grouped_id") or 0)
            self.out: bool = bool(raw.get("out"))
            self.messages: List[Message] = [Message(m, client, self.input_chat) for m in raw.get("messages") or []]

        @property
        def text(self) -> str:
            for m in self.messages:
                if m.text:
                    return m.text
            return ""

        raw_text = text

        def __len__(self) -> int:
            return len(self.messages)

        def __iter__(self) -> Iterator[Message]:
            return iter(self.messages)

        def __getitem__(self, i: int) -> Message:
            return self.messages[i]

        async def reply(self, text: str = "", **kwargs: Any) -> Message:
            if self.messages:
                kwargs.setdefault("reply_to", self.messages[0].id)
            return await self.respond(text, **kwargs)

        async def delete(self, revoke: bool = True) -> None:
            await self.client.delete_messages(self.input_chat, [m.id for m in self.messages], revoke=revoke)

        async def forward_to(self, entity: Any) -> List[int]:
            return await self.client.forward_messages(entity, [m.id for m in self.messages], self.input_chat)

        async def download_media(self, directory: Any = None) -> List[Any]:
            """Every file (bytes, or paths in ``directory``)."""
            return [await m.download_media(directory) for m in self.messages]

        async def get_sender(self) -> Optional[TLObject]:
            return await self._fetch_user(self.sender_id)

    def build(self, client: "Client", update: Dict[str, Any]) -> Optional[EventCommon]:
        if update.get("type") != "album":
            return None
        ev = self.Event(client, update)
        if self.incoming is not None and ev.out != bool(self.outgoing):
            return None
        return ev if self.filter(ev) else None


def _matcher(spec: Any, what: str, regex: bool) -> Optional[Callable[[bytes], Any]]:
    """A function of the callback data (bytes). With ``regex`` (``pattern=``)
    a str or bytes is a regular expression matched from the start, else
    (``data=``) it must equal the data; a compiled pattern matches, a
    callable decides."""
    if spec is None:
        return None
    if isinstance(spec, (str, bytes)):
        b = spec.encode() if isinstance(spec, str) else spec
        if regex:
            return re.compile(b).match
        return lambda d: d == b
    if isinstance(spec, re.Pattern):
        if isinstance(spec.pattern, bytes):
            return spec.match
        return lambda d: spec.match(d.decode("utf-8", "replace"))
    if callable(spec):
        return spec
    raise TypeError(f"{what} must be bytes, str, a compiled regex or a callable, not {type(spec).__name__}")


class CallbackQuery(EventBuilder):
    """An inline button of the bot's message was pressed (bots only).
    ``data``: bytes or str (exact) or a callable of the data; ``pattern``: a
    regex (str, bytes or compiled; matched from the start, the match is
    ``event.data_match``). ``chats`` selects the chats, ``func`` anything else."""

    def __init__(self, chats: Optional[Iterable[int]] = None, *, data: Any = None, pattern: Any = None,
                 func: Optional[Callable[[Any], Any]] = None):
        super().__init__(chats, func)
        self.match = _matcher(data, "data", False) if data is not None else _matcher(pattern, "pattern", True)

    class Event(_ChatEvent):
        """``query_id``, ``data`` (bytes), ``data_match``/``pattern_match``,
        ``sender_id`` (who pressed), ``chat_id``, ``message_id``,
        ``inline_message_id`` (for messages sent in inline mode),
        ``chat_instance``; ``answer``, ``get_message``, ``edit``, ``respond``,
        ``reply``, ``delete``, ``get_sender``."""

        def __init__(self, client: "Client", raw: Dict[str, Any]):
            super().__init__(client, raw)
            self.query_id: int = int(raw.get("query_id") or 0)
            self.sender_id: int = int(raw.get("user_id") or 0)
            self.user_id = self.sender_id
            self.message_id: int = int(raw.get("msg_id") or 0)
            self.msg_id = self.message_id
            d = raw.get("data")
            self.data: bytes = bytes(d) if d is not None else b""
            self.data_match: Any = None
            self.pattern_match: Any = None
            self.chat_instance: int = int(raw.get("chat_instance") or 0)
            self.inline_message_id: Any = wrap(raw.get("inline_message_id"), client)
            self.via_inline: bool = raw.get("inline_message_id") is not None
            self._answered = False

        async def answer(self, message: Optional[str] = None, cache_time: int = 0, *, url: Optional[str] = None,
                         alert: bool = False) -> None:
            """Answers the press (the spinner stops): ``message`` as a toast,
            or as a dialog with ``alert``; ``url`` opens a link (games)."""
            await self.client.answer_callback_query(self.query_id, message, alert=alert, url=url,
                                                    cache_time=cache_time)
            self._answered = True

        @property
        def answered(self) -> bool:
            return self._answered

        async def get_message(self) -> Optional[Message]:
            """The message whose button was pressed."""
            if not self.message_id or not self.chat_id:
                return None
            return await self.client.get_messages(self.input_chat, self.message_id)

        async def edit(self, text: str = "", **kwargs: Any) -> None:
            """Edits the message whose button was pressed (``buttons=`` too),
            also one sent through the bot's inline mode (by its
            ``inline_message_id``; ``text`` may then be empty to change only
            the buttons)."""
            if self.via_inline:
                await self.client.edit_inline_message(self.inline_message_id, text, **kwargs)
                return
            await self.client.edit_message(self.input_chat, self.message_id, text, **kwargs)

        async def reply(self, text: str = "", **kwargs: Any) -> Message:
            kwargs.setdefault("reply_to", self.message_id or None)
            return await self.respond(text, **kwargs)

        async def delete(self, revoke: bool = True) -> None:
            await self.client.delete_messages(self.input_chat, [self.message_id], revoke=revoke)

        async def get_sender(self) -> Optional[TLObject]:
            return await self._fetch_user(self.sender_id)

    def build(self, client: "Client", update: Dict[str, Any]) -> Optional[EventCommon]:
        if update.get("type") != "callback_query":
            return None
        ev = self.Event(client, update)
        if self.match is not None:
            m = self.match(ev.data)
            if not m:
                return None
            ev.data_match = ev.pattern_match = m
        return ev if self.filter(ev) else None


class InlineBuilder:
    """Makes inline results for ``InlineQuery.Event.answer`` (``event.builder``)."""

    def article(self, title: str, description: Optional[str] = None, *, text: Optional[str] = None,
                url: Optional[str] = None, id: Optional[str] = None, parse_mode: Optional[str] = None,
                link_preview: bool = True, buttons: Any = None) -> Dict[str, Any]:
        """An article: shown as ``title``/``description``; sends ``text``
        (formatted by ``parse_mode``) with ``buttons`` when chosen."""
        if not text:
            raise ValueError(f"article {title!r}: give the text it sends (text=...)")
        from .buttons import build_reply_markup
        r: Dict[str, Any] = {"title": title, "text": text}
        for k, v in (("description", description), ("url", url), ("id", id), ("parse_mode", parse_mode),
                     ("buttons", build_reply_markup(buttons))):
            if v is not None:
                r[k] = v
        if not link_preview:
            r["no_webpage"] = True
        return r


class InlineQuery(EventBuilder):
    """Someone typed ``@yourbot query`` (bots only). ``users`` selects who,
    ``pattern`` matches the query (``event.pattern_match``)."""

    def __init__(self, users: Optional[Iterable[int]] = None, *, pattern: PatternLike = None,
                 func: Optional[Callable[[Any], Any]] = None):
        super().__init__(None, func)
        self.users = set(users) if users is not None else None
        if isinstance(pattern, str):
            self.pattern: Optional[Callable[[str], Any]] = re.compile(pattern).match
        elif isinstance(pattern, re.Pattern):
            self.pattern = pattern.match
        else:
            self.pattern = pattern

    class Event(EventCommon):
        """``query_id``, ``text`` (the query), ``offset``, ``peer_type``
        (``pm``, ``chat``, ``megagroup``, ...), ``sender_id``,
        ``pattern_match``, ``builder``; ``answer(results)``."""

        def __init__(self, client: "Client", raw: Dict[str, Any]):
            super().__init__(client, raw)
            self.query_id: int = int(raw.get("query_id") or 0)
            self.text: str = raw.get("query") or ""
            self.query = self.text
            self.offset: str = raw.get("offset") or ""
            self.peer_type: str = raw.get("peer_type") or ""
            self.sender_id: int = int(raw.get("user_id") or 0)
            self.user_id = self.sender_id
            self.users: List[TLObject] = wrap(raw.get("users") or [], client)
            self.pattern_match: Any = None
            self.builder = InlineBuilder()

        async def answer(self, results: Iterable[Any] = (), cache_time: int = 0, *, gallery: bool = False,
                         next_offset: Optional[str] = None, private: bool = False) -> None:
            """Answers with results made by ``event.builder`` (ids default to
            their position)."""
            await self.client.answer_inline_query(self.query_id, list(results), cache_time=cache_time,
                                                  gallery=gallery, next_offset=next_offset, private=private)

        async def get_sender(self) -> Optional[TLObject]:
            for u in self.users:
                if u.get("id") == self.sender_id:
                    return u
            return await self.client.get_entity(_peer_ref(self.raw, self.sender_id))

    def build(self, client: "Client", update: Dict[str, Any]) -> Optional[EventCommon]:
        if update.get("type") != "inline_query":
            return None
        ev = self.Event(client, update)
        if self.users is not None and ev.sender_id not in self.users:
            return None
        if self.pattern is not None:
            m = self.pattern(ev.text)
            if not m:
                return None
            ev.pattern_match = m
        return ev if self.filter(ev) else None


class ConnectionState(EventBuilder):
    """The main DC's connection changed state (what ``client.connection_state``
    follows): ``event.state`` is ``"connecting"``, ``"connected"``,
    ``"disconnected"`` or ``"closed"``. ``states`` narrows it, e.g.
    ``ConnectionState("disconnected")`` for Pyrogram's ``on_disconnect``. A
    drop the library recovers from reports ``disconnected``, ``connecting``
    and ``connected`` in turn; updates missed meanwhile are fetched by the
    library and arrive as usual."""

    update_type = "connection_state"

    def __init__(self, states: Union[str, Iterable[str], None] = None,
                 func: Optional[Callable[[Any], Any]] = None):
        super().__init__(None, func)
        self.states = set([states] if isinstance(states, str) else states) if states is not None else None

    class Event(EventCommon):
        def __init__(self, client: "Client", raw: Dict[str, Any]):
            super().__init__(client, raw)
            self.state: str = raw.get("state", "")

    def build(self, client: "Client", update: Dict[str, Any]) -> Optional[EventCommon]:
        if update.get("type") != self.update_type:
            return None
        if self.states is not None and update.get("state") not in self.states:
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
        if self.types is None:
            if update.get("type") == ConnectionState.update_type:
                return None  # not an update from Telegram: only when asked for by type
        elif update.get("type") not in self.types:
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


__all__ = ["EventBuilder", "EventCommon", "NewMessage", "MessageEdited", "MessageDeleted", "MessageRead", "ChatAction",
           "UserUpdate", "Album", "CallbackQuery", "InlineQuery", "InlineBuilder", "Raw", "ConnectionState",
           "StopPropagation",
           "register", "unregister", "is_handler"]
