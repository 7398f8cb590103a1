"""The asyncio client.

Threading model: the library delivers every event of a client on one library
thread, through one C callback (``_on_event``). Results and errors resolve
the future of their request on the event loop that awaited it (each request
binds to ``asyncio.get_running_loop()`` when it is made, so a client may be
used from several loops over its life, one after another or at once). Updates
go to the loop that last called ``connect``/``start``/``catch_up``/
``run_until_disconnected`` (or made a request while none was attached), where
handlers run as tasks; a handler's exception is logged, never fatal.
"""
from __future__ import annotations

import asyncio
import atexit
import ctypes
import inspect
import itertools
import logging
import os
import threading
from collections import deque
from ctypes import byref, c_size_t, c_uint64, c_void_p
from typing import Any, AsyncIterator, Awaitable, Callable, Deque, Dict, List, Optional, Sequence, Set, Tuple, Union

from . import _lib
from .errors import PolygramError, SessionPasswordNeededError, SignUpRequiredError, error_from_map
from .events import EventBuilder, NewMessage, StopPropagation
from .tl import Message, Peer, TLObject, marked_id, unwrap, wrap

log = logging.getLogger("polygram")
_lib_log = logging.getLogger("polygram.lib")

_LOG_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warn": logging.WARNING, "error": logging.ERROR}

# user_data key -> client. The key is registered before polygram_client_new so
# the first event (the initial auth state) finds its client.
_clients: Dict[int, "Client"] = {}
_clients_lock = threading.Lock()
_keys = itertools.count(1)


def _on_event(user_data: Optional[int], handle: int, ev_ptr: Any) -> None:
    try:
        ev = ev_ptr.contents
        data = ctypes.string_at(ev.data, ev.data_len) if ev.data else b""
        client = _clients.get(user_data or 0)
        if client is not None:
            client._deliver(ev.type, ev.status, ev.request_id, ev.encoding, data)
    except BaseException:  # never let an exception cross into the library
        log.exception("polygram: error while delivering an event")


_CALLBACK = _lib.CALLBACK(_on_event)  # one for the process: never collected


@atexit.register
def _close_all() -> None:
    with _clients_lock:
        clients = list(_clients.values())
    for c in clients:
        try:
            c._close_handle()
        except Exception:
            pass


def _resolve(fut: "asyncio.Future[Any]", value: Any, exc: Optional[BaseException]) -> None:
    if fut.done():
        return
    if exc is not None:
        fut.set_exception(exc)
    else:
        fut.set_result(value)


async def _maybe_call(value: Any, *args: Any) -> Any:
    if callable(value):
        value = value(*args)
    if inspect.isawaitable(value):
        value = await value
    return value


async def _prompt(text: str) -> str:
    loop = asyncio.get_running_loop()
    return (await loop.run_in_executor(None, input, text)).strip()


def _peer(entity: Any) -> Any:
    """A peer argument for the C API from what users pass around."""
    if isinstance(entity, Message):
        return entity.chat_id
    if isinstance(entity, TLObject):
        entity = entity.to_dict()
    if isinstance(entity, dict):
        kind = entity.get("_")
        if kind == "user":
            return int(entity["id"])
        if kind in ("chat", "chatForbidden"):
            return -int(entity["id"])
        if kind in ("channel", "channelForbidden"):
            return -(1000000000000 + int(entity["id"]))
        if kind and kind.startswith(("peer", "inputPeer")):
            mid = marked_id(entity)
            if mid is not None:
                return mid
    return entity


def _session_config(session: Any) -> Any:
    if session is None or session == ":memory:":
        return ":memory:"
    if isinstance(session, dict):
        return session
    path = os.fspath(session)
    if not os.path.splitext(path)[1]:
        path += ".session"  # as Telethon does with a bare name
    return path


class Client:
    """A Telegram client.

    ``Client(session, api_id, api_hash, **options)``: ``session`` is
    ``None``/``":memory:"``, a file name (``"anon"`` becomes
    ``anon.session``, an SQLite file), or ``{"string": ...}`` (also
    ``telethon_string``/``pyrogram_string``). ``options`` are the keys of the
    C configuration (docs/capi.md): ``dcs``, ``public_keys``,
    ``flood_sleep_threshold``, ``log_level``, ``device_model``, ... An
    unknown key raises :class:`~polygram.errors.InvalidArgumentError`.
    """

    def __init__(self, session: Any = None, api_id: int = 0, api_hash: str = "", **options: Any):
        self._config: Dict[str, Any] = {"api_id": int(api_id), "api_hash": str(api_hash),
                                        "session": _session_config(session)}
        self._config.update({k: unwrap(v) for k, v in options.items() if v is not None})
        self._lock = threading.Lock()
        self._pending: Dict[int, Tuple[asyncio.AbstractEventLoop, "asyncio.Future[Any]", int]] = {}
        self._handlers: List[Tuple[Callable[[Any], Any], EventBuilder]] = []
        self._tasks: Set["asyncio.Task[Any]"] = set()
        self._update_loop: Optional[asyncio.AbstractEventLoop] = None
        self._early: Deque[Dict[str, Any]] = deque(maxlen=1000)
        self._disc_waiters: List[Tuple[asyncio.AbstractEventLoop, "asyncio.Future[None]"]] = []
        self._updates_started = False
        self._handle = 0
        self._key = 0
        self.auth_state: Optional[str] = None
        self.connection_state: Optional[str] = None
        self._open()

    # ------------------------------------------------------------------ handle

    def _open(self) -> None:
        lib = _lib.lib()
        cfg = _lib.pack(self._config)
        key = next(_keys)
        with _clients_lock:
            _clients[key] = self
        h, err, err_len = c_uint64(), c_void_p(), c_size_t()
        st = lib.polygram_client_new(cfg, len(cfg), _CALLBACK, c_void_p(key), byref(h), byref(err), byref(err_len))
        if st != _lib.OK:
            with _clients_lock:
                _clients.pop(key, None)
            raise error_from_map(_lib.error_map(st, err, err_len))
        self._handle, self._key = h.value, key
        self._updates_started = False

    def _ensure_handle(self) -> int:
        if not self._handle:
            self._open()
        return self._handle

    def _close_handle(self) -> None:
        h = self._handle
        if not h:
            return
        self._handle = 0
        _lib.lib().polygram_client_close(h)
        # Outside the callback thread, close returns after the last event: the
        # "closed" event has unregistered the key already; make sure anyway.
        with _clients_lock:
            if _clients.get(self._key) is self and self.connection_state == "closed":
                _clients.pop(self._key, None)

    @property
    def handle(self) -> int:
        """The C handle (0 while disconnected)."""
        return self._handle

    def is_connected(self) -> bool:
        return bool(self._handle) and self.connection_state not in ("closed", "disconnected")

    # ------------------------------------------------------------------ events from the library

    def _deliver(self, etype: int, status: int, rid: int, encoding: int, data: bytes) -> None:
        if etype in (_lib.EVENT_RESULT, _lib.EVENT_ERROR):
            with self._lock:
                entry = self._pending.pop(rid, None)
            if entry is None:
                return
            loop, fut, _ = entry
            value: Any = None
            exc: Optional[BaseException] = None
            if etype == _lib.EVENT_RESULT:
                value = data if encoding == _lib.ENCODING_TL else _lib.unpack(data)
            else:
                try:
                    m = _lib.unpack(data)
                except Exception:
                    m = {"status": status, "message": _lib.status_name(status)}
                m.setdefault("status", status)
                exc = error_from_map(m)
            try:
                loop.call_soon_threadsafe(_resolve, fut, value, exc)
            except RuntimeError:
                pass  # that loop is closed: nobody waits any more
            return
        m = _lib.unpack(data)
        if etype == _lib.EVENT_UPDATE:
            self._post_update(m)
        elif etype == _lib.EVENT_AUTH_STATE:
            self.auth_state = m.get("state")
        elif etype == _lib.EVENT_CONNECTION_STATE:
            self.connection_state = m.get("state")
            if self.connection_state == "closed":
                with _clients_lock:
                    if _clients.get(self._key) is self:
                        _clients.pop(self._key, None)
                self._wake_disconnected()
        elif etype == _lib.EVENT_LOG:
            _lib_log.log(_LOG_LEVELS.get(m.get("level", ""), logging.INFO), "%s %s", m.get("message", ""),
                         m.get("attrs") or "")
        elif etype == _lib.EVENT_DROPPED:
            log.warning("polygram: %s updates/logs dropped (slow consumer; %s in total)", m.get("count"),
                        m.get("total"))

    def _post_update(self, update: Dict[str, Any]) -> None:
        loop = self._update_loop
        if loop is not None:
            try:
                loop.call_soon_threadsafe(self._handle_update, update)
                return
            except RuntimeError:
                pass  # closed loop
        self._early.append(update)

    def _attach_loop(self, loop: Optional[asyncio.AbstractEventLoop] = None) -> None:
        loop = loop or asyncio.get_running_loop()
        self._update_loop = loop
        while self._early:
            loop.call_soon(self._handle_update, self._early.popleft())

    def _handle_update(self, update: Dict[str, Any]) -> None:
        if not self._handlers:
            return
        task = asyncio.get_running_loop().create_task(self._run_handlers(update))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run_handlers(self, update: Dict[str, Any]) -> None:
        for callback, builder in list(self._handlers):  # a snapshot: handlers may add/remove handlers
            try:
                event = builder.build(self, update)
                if event is None:
                    continue
                result = callback(event)
                if inspect.isawaitable(result):
                    await result
            except StopPropagation:
                break
            except Exception:
                log.exception("polygram: unhandled exception in event handler %r", callback)

    def _wake_disconnected(self) -> None:
        with self._lock:
            waiters, self._disc_waiters = self._disc_waiters, []
        for loop, fut in waiters:
            try:
                loop.call_soon_threadsafe(_resolve, fut, None, None)
            except RuntimeError:
                pass

    # ------------------------------------------------------------------ requests

    async def _request(self, encoding: int, payload: bytes) -> Any:
        loop = asyncio.get_running_loop()
        if self._update_loop is None or self._update_loop.is_closed():
            self._attach_loop(loop)
        fut: "asyncio.Future[Any]" = loop.create_future()
        handle = self._ensure_handle()
        rid, err, err_len = c_uint64(), c_void_p(), c_size_t()
        with self._lock:  # held across send: the result may come before send returns
            st = _lib.lib().polygram_send(handle, encoding, payload, len(payload), byref(rid), byref(err),
                                          byref(err_len))
            if st == _lib.OK:
                self._pending[rid.value] = (loop, fut, handle)
        if st != _lib.OK:
            raise error_from_map(_lib.error_map(st, err, err_len))
        try:
            return await fut
        except asyncio.CancelledError:
            with self._lock:
                still = self._pending.pop(rid.value, None)
            if still is not None:
                _lib.lib().polygram_cancel(handle, rid.value)
            raise

    async def call(self, method: str, **args: Any) -> Any:
        """Makes a friendly call (docs/capi.md) and returns its result wrapped;
        arguments that are None are left out."""
        return wrap(await self._call(method, **args), self)

    async def _call(self, method: str, **args: Any) -> Any:
        req: Dict[str, Any] = {"method": method}
        a = {k: unwrap(v) for k, v in args.items() if v is not None}
        if a:
            req["args"] = a
        return await self._request(_lib.ENCODING_CALL, _lib.pack(req))

    async def __call__(self, request: Any, *, timeout: Optional[float] = None) -> Any:
        """Raw API call: ``await client({"_": "help.getNearestDc"})`` returns the
        result as a TLObject; boxed TL ``bytes`` in give TL bytes back; a list
        of requests is sent at once and gives a list of results."""
        if isinstance(request, (list, tuple)):
            return await asyncio.gather(*(self(r, timeout=timeout) for r in request))
        if isinstance(request, (bytes, bytearray, memoryview)):
            coro = self._request(_lib.ENCODING_TL, bytes(request))
        else:
            req = unwrap(request)
            if not isinstance(req, dict) or "_" not in req:
                raise TypeError("a raw request is a dict with a '_' key naming the TL function, or TL bytes")
            coro = self._request(_lib.ENCODING_MSGPACK, _lib.pack(req))
        result = await (asyncio.wait_for(coro, timeout) if timeout else coro)
        return result if isinstance(result, bytes) else wrap(result, self)

    invoke = __call__

    # ------------------------------------------------------------------ lifecycle

    async def connect(self) -> None:
        """Connects (help.getConfig) and attaches updates to the running loop."""
        self._attach_loop()
        self._ensure_handle()
        await self._call("connect")

    async def disconnect(self) -> None:
        """Closes the client: pending requests fail with ClosedError and
        ``run_until_disconnected`` returns. Safe from inside a handler. A later
        request or ``connect`` opens a new client with the same configuration
        (a ``":memory:"`` session starts over)."""
        self._close_handle()
        self._wake_disconnected()

    async def __aenter__(self) -> "Client":
        await self.connect()
        if await self.is_user_authorized():
            await self.catch_up()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.disconnect()

    async def catch_up(self) -> None:
        """Starts update delivery (with catch-up) to the handlers, on this loop."""
        self._attach_loop()
        if not self._updates_started:
            await self._call("start_updates", catch_up=True)
            self._updates_started = True

    async def run_until_disconnected(self) -> None:
        """Runs the handlers until ``disconnect()`` (from a handler or elsewhere)."""
        loop = asyncio.get_running_loop()
        if not self._handle:
            return
        if self.auth_state == "ready":
            await self.catch_up()
        else:
            self._attach_loop(loop)
        fut: "asyncio.Future[None]" = loop.create_future()
        with self._lock:
            self._disc_waiters.append((loop, fut))
        if not self._handle or self.connection_state == "closed":
            return
        await fut

    # ------------------------------------------------------------------ handlers

    def on(self, event: Optional[EventBuilder] = None) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
        """Decorator: ``@client.on(events.NewMessage(pattern="hi"))``."""
        def decorator(f: Callable[[Any], Any]) -> Callable[[Any], Any]:
            self.add_event_handler(f, event)
            return f
        return decorator

    def add_event_handler(self, callback: Callable[[Any], Any], event: Optional[EventBuilder] = None) -> None:
        if event is None:
            event = NewMessage()
        elif isinstance(event, type):
            event = event()
        self._handlers.append((callback, event))

    def remove_event_handler(self, callback: Callable[[Any], Any], event: Optional[type] = None) -> int:
        """Removes the handler (for that builder type only, when given); returns how many."""
        before = len(self._handlers)
        self._handlers = [(c, e) for c, e in self._handlers
                          if not (c is callback and (event is None or isinstance(e, event)))]
        return before - len(self._handlers)

    def list_event_handlers(self) -> List[Tuple[Callable[[Any], Any], EventBuilder]]:
        return list(self._handlers)

    # ------------------------------------------------------------------ authorization

    async def is_user_authorized(self) -> bool:
        return bool((await self._call("is_authorized")).get("authorized"))

    async def send_code_request(self, phone: str) -> TLObject:
        """Sends the login code: ``{phone, hash, type, length, timeout}``."""
        return wrap(await self._call("send_code", phone=phone), self)

    async def sign_in(self, phone: Optional[str] = None, code: Union[str, int, None] = None, *,
                      password: Optional[str] = None, bot_token: Optional[str] = None,
                      phone_code_hash: Optional[str] = None) -> TLObject:
        """Signs in with a code (after send_code_request), a 2FA password or a bot token."""
        if bot_token:
            return wrap(await self._call("sign_in_bot", token=bot_token), self)
        if password is not None and code is None:
            return await self.check_password(password)
        return wrap(await self._call("sign_in", phone=phone, hash=phone_code_hash, code=str(code)), self)

    async def sign_up(self, phone: str, phone_code_hash: str, first_name: str, last_name: str = "") -> TLObject:
        return wrap(await self._call("sign_up", phone=phone, hash=phone_code_hash, first_name=first_name,
                                     last_name=last_name), self)

    async def check_password(self, password: str) -> TLObject:
        return wrap(await self._call("check_password", password=password), self)

    async def log_out(self) -> None:
        await self._call("log_out")

    async def export_session(self) -> str:
        """A Polygram string session: ``Client({"string": s}, ...)`` restores it."""
        return (await self._call("export_session"))["string"]

    async def start(self, phone: Union[str, Callable[[], Any], None] = None,
                    code_callback: Optional[Callable[[], Any]] = None,
                    password: Union[str, Callable[[], Any], None] = None, *,
                    bot_token: Optional[str] = None, first_name: str = "", last_name: str = "",
                    max_attempts: int = 3) -> "Client":
        """Connects, logs in unless the session already is, and starts updates.

        ``phone``, ``code_callback`` and ``password`` may be values, functions
        or coroutine functions; missing ones are asked for on the terminal.
        """
        await self.connect()
        if not await self.is_user_authorized():
            if bot_token:
                await self._call("login", bot_token=bot_token)
            else:
                ph = await _maybe_call(phone) if phone is not None else await _prompt("Phone number: ")
                sent = await self.send_code_request(str(ph))
                for attempt in range(max_attempts):
                    code = await _maybe_call(code_callback) if code_callback else await _prompt("Login code: ")
                    try:
                        await self.sign_in(str(ph), code, phone_code_hash=sent.hash)
                        break
                    except SessionPasswordNeededError:
                        pw = await _maybe_call(password) if password is not None else await _prompt("Password: ")
                        await self.check_password(str(pw))
                        break
                    except SignUpRequiredError:
                        await self.sign_up(str(ph), sent.hash, first_name or "Polygram", last_name)
                        break
                    except PolygramError as e:
                        if e.name not in ("PHONE_CODE_INVALID", "PHONE_CODE_EMPTY") or attempt == max_attempts - 1:
                            raise
                        log.warning("polygram: wrong code, try again")
        await self.catch_up()
        return self

    # ------------------------------------------------------------------ friendly methods

    async def get_me(self) -> TLObject:
        return wrap(await self._call("get_me"), self)

    async def get_state(self) -> TLObject:
        """``{main_dc, auth_state, connection_state}`` (no network)."""
        return wrap(await self._call("get_state"), self)

    async def get_entity(self, entity: Peer) -> TLObject:
        """The full user or chat (``users.userFull`` / ``messages.chatFull``)."""
        return wrap(await self._call("get_entity", peer=_peer(entity)), self)

    get_chat = get_entity

    async def resolve_peer(self, entity: Peer) -> TLObject:
        """``{id, marked_id, kind, access_hash, username, name, phone, bot}``."""
        return wrap(await self._call("resolve_peer", peer=_peer(entity)), self)

    get_input_entity = resolve_peer

    async def get_peer_id(self, entity: Peer) -> int:
        return int((await self._call("resolve_peer", peer=_peer(entity)))["marked_id"])

    async def send_message(self, entity: Peer, message: str = "", *, reply_to: Union[int, Message, None] = None,
                           silent: Optional[bool] = None, link_preview: bool = True,
                           parse_mode: Optional[str] = None, entities: Optional[Sequence[Any]] = None) -> Message:
        """Sends a text message; returns the sent Message (its ``id``, ``text``
        and helpers; fetch it with ``get_messages`` for the server's copy)."""
        peer = _peer(entity)
        if isinstance(reply_to, Message):
            reply_to = reply_to.id
        r = await self._call("send_message", peer=peer, text=message, reply_to=reply_to, silent=silent,
                             no_webpage=None if link_preview else True, parse_mode=parse_mode,
                             entities=list(entities) if entities is not None else None)
        data: Dict[str, Any] = {"_": "message", "id": r["id"], "message": message, "out": True}
        if reply_to:
            data["reply_to"] = {"_": "messageReplyHeader", "reply_to_msg_id": reply_to}
        return Message(data, self, peer)

    async def edit_message(self, entity: Peer, message: Union[int, Message], text: str, *,
                           link_preview: bool = True, parse_mode: Optional[str] = None,
                           entities: Optional[Sequence[Any]] = None) -> None:
        mid = message.id if isinstance(message, Message) else message
        await self._call("edit_message", peer=_peer(entity), id=mid, text=text,
                         no_webpage=None if link_preview else True, parse_mode=parse_mode,
                         entities=list(entities) if entities is not None else None)

    async def delete_messages(self, entity: Peer, message_ids: Union[int, Message, Sequence[Union[int, Message]]], *,
                              revoke: bool = True) -> None:
        await self._call("delete_messages", peer=_peer(entity), ids=_ids(message_ids), revoke=revoke)

    async def forward_messages(self, entity: Peer, messages: Union[int, Message, Sequence[Union[int, Message]]],
                               from_peer: Peer) -> List[int]:
        """Forwards ``messages`` (ids) from ``from_peer`` to ``entity``; returns the new ids."""
        r = await self._call("forward_messages", from_peer=_peer(from_peer), ids=_ids(messages),
                             to_peer=_peer(entity))
        return list(r.get("ids") or [])

    async def get_messages(self, entity: Peer, ids: Union[int, Sequence[int], None] = None, *,
                           limit: Optional[int] = None, offset_id: int = 0, min_id: int = 0, max_id: int = 0,
                           search: Optional[str] = None) -> Any:
        """By ``ids`` (one id gives one Message, a list a list), else the
        history (newest first, ``limit`` defaults to 1 as in Telethon)."""
        peer = _peer(entity)
        if ids is not None:
            single = isinstance(ids, int)
            id_list = [ids] if isinstance(ids, int) else list(ids)
            r = await self._call("get_messages", peer=peer, ids=id_list)
            msgs = [Message(m, self, peer) for m in r.get("messages") or []]
            return (msgs[0] if msgs else None) if single else msgs
        return await self.get_history(entity, limit=1 if limit is None else limit, offset_id=offset_id,
                                      min_id=min_id, max_id=max_id, search=search)

    async def get_history(self, entity: Peer, limit: int = 100, *, offset_id: int = 0, min_id: int = 0,
                          max_id: int = 0, search: Optional[str] = None) -> List[Message]:
        peer = _peer(entity)
        r = await self._call("get_history", peer=peer, limit=limit, offset_id=offset_id or None,
                             min_id=min_id or None, max_id=max_id or None, search=search)
        return [Message(m, self, peer) for m in r.get("messages") or []]

    async def iter_messages(self, entity: Peer, limit: Optional[int] = None, *, search: Optional[str] = None,
                            page: int = 100) -> AsyncIterator[Message]:
        """The history, newest first, fetched ``page`` messages at a time."""
        offset_id, count = 0, 0
        while limit is None or count < limit:
            n = page if limit is None else min(page, limit - count)
            batch = await self.get_history(entity, n, offset_id=offset_id, search=search)
            for m in batch:
                yield m
                count += 1
            if len(batch) < n or not batch:
                return
            offset_id = batch[-1].id

    async def get_dialogs(self, limit: int = 100) -> List[TLObject]:
        """``[{peer, name, unread, top_id, pinned, message}]``."""
        r = await self._call("get_dialogs", limit=limit)
        return wrap(r.get("dialogs") or [], self)

    async def send_read_acknowledge(self, entity: Peer, max_id: Optional[int] = None) -> None:
        await self._call("send_read_acknowledge", peer=_peer(entity), max_id=max_id)

    async def action(self, entity: Peer, cancel: bool = False) -> None:
        """Shows (or cancels) "typing…" in the chat."""
        await self._call("typing", peer=_peer(entity), cancel=cancel or None)

    async def pin_message(self, entity: Peer, message: Union[int, Message], *, notify: bool = False) -> None:
        mid = message.id if isinstance(message, Message) else message
        await self._call("pin_message", peer=_peer(entity), id=mid, silent=not notify)

    async def unpin_message(self, entity: Peer, message: Union[int, Message]) -> None:
        mid = message.id if isinstance(message, Message) else message
        await self._call("pin_message", peer=_peer(entity), id=mid, unpin=True)

    async def send_file(self, entity: Peer, file: Any, *, caption: Optional[str] = None,
                        name: Optional[str] = None, mime_type: Optional[str] = None,
                        force_document: bool = False, reply_to: Union[int, Message, None] = None) -> Message:
        """Sends a path, bytes or a binary file object (as a photo unless
        ``force_document`` or not an image)."""
        peer = _peer(entity)
        args: Dict[str, Any] = {}
        if isinstance(file, (bytes, bytearray, memoryview)):
            args["data"] = bytes(file)
        elif isinstance(file, (str, os.PathLike)):
            args["path"] = os.path.abspath(os.fspath(file))
        elif hasattr(file, "read"):
            args["data"] = file.read()
            if name is None and isinstance(getattr(file, "name", None), str):
                name = os.path.basename(file.name)
        else:
            raise TypeError("file must be a path, bytes or a binary file object")
        if isinstance(reply_to, Message):
            reply_to = reply_to.id
        mt = mime_type or ""
        as_photo = None if force_document else (True if mt.startswith("image/") else None)
        r = await self._call("send_file", peer=peer, name=name, caption=caption, mime_type=mime_type,
                             as_photo=as_photo, reply_to=reply_to, **args)
        return Message({"_": "message", "id": r["id"], "message": caption or "", "out": True}, self, peer)

    async def download_media(self, message: Union[Message, int], file: Any = None, *,
                             entity: Optional[Peer] = None) -> Union[bytes, str]:
        """Downloads a message's media: to the path ``file`` (returns the path),
        or into memory (``file`` None or ``bytes``; returns the bytes).
        ``message`` is a Message or an id with ``entity``."""
        if isinstance(message, Message):
            peer, mid = message._where(), message.id
        else:
            if entity is None:
                raise ValueError("download_media with a message id needs entity=")
            peer, mid = entity, message
        path = None if file is None or file is bytes else os.path.abspath(os.fspath(file))
        r = await self._call("download_media", peer=_peer(peer), message_id=mid, path=path)
        return r["path"] if path else r["data"]

    async def ping_local(self, value: Any = None) -> Any:
        """Answers its argument without network (measures the boundary)."""
        return await self._request(_lib.ENCODING_CALL, _lib.pack({"method": "ping_local", "args": value or {}}))


def _ids(v: Any) -> List[int]:
    if isinstance(v, (int, Message)):
        v = [v]
    return [m.id if isinstance(m, Message) else int(m) for m in v]
