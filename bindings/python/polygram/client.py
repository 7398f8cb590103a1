"""The asyncio client.

Threading model: each open client handle has one reader thread, blocked in
``polygram_receive`` (the GIL released) and handing every event to
``_deliver``; it ends when the handle is closed and drained. (A Python thread
with its own thread state is about twice as fast here as a ctypes callback
entered from the library's threads.) Results and errors resolve
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
import weakref
import logging
import os
import threading
from collections import deque
from ctypes import byref, c_size_t, c_uint64, c_void_p
from typing import Any, AsyncIterator, Callable, Deque, Dict, List, Optional, Sequence, Set, Tuple, Union

from . import _lib
from . import raw
from .errors import (InvalidArgumentError, PolygramError, SessionPasswordNeededError,
                     SignUpRequiredError, error_from_map)
from .events import EventBuilder, NewMessage, StopPropagation, registered_events
from .tl import Message, Peer, TLObject, marked_id, unwrap, wrap

log = logging.getLogger("polygram")
_lib_log = logging.getLogger("polygram.lib")

_LOG_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warn": logging.WARNING, "error": logging.ERROR}

# Open clients, closed at exit.
_clients: "weakref.WeakSet[Client]" = weakref.WeakSet()
_clients_lock = threading.Lock()


@atexit.register
def _close_all() -> None:
    with _clients_lock:
        clients = list(_clients)
    for c in clients:
        try:
            c._close_handle()
        except Exception:
            pass


def _reader(client_ref: "weakref.ReferenceType[Client]", handle: int) -> None:
    """Receives the events of ``handle`` until it is closed and drained."""
    lib = _lib.lib()
    ev = _lib.Event()
    while True:
        st = lib.polygram_receive(handle, 1.0, byref(ev))
        if st == STATUS_TIMEOUT:
            if client_ref() is None:  # the client was collected without closing
                lib.polygram_client_close(handle)
            continue
        if st != _lib.OK:
            return  # CLOSED once drained (or BAD_HANDLE)
        try:
            data = ctypes.string_at(ev.data, ev.data_len) if ev.data else b""
        finally:
            if ev.data:
                lib.polygram_free(ev.data)
        client = client_ref()
        if client is None:
            continue
        try:
            client._deliver(handle, ev.type, ev.status, ev.request_id, ev.encoding, data)
        except BaseException:
            log.exception("polygram: error while delivering an event")
        del client


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
    """Asks on the terminal; without one, fails instead of hanging."""
    import sys
    import getpass
    if not (sys.stdin and sys.stdin.isatty()):
        raise InvalidArgumentError(f"start() needs {text.rstrip(': ').lower()!r}: pass it as an argument "
                                   "(stdin is not a terminal, so it cannot be asked for)",
                                   status=1, name="INVALID_ARGUMENT")
    loop = asyncio.get_running_loop()
    ask = getpass.getpass if "assword" in text else input
    return (await loop.run_in_executor(None, ask, text)).strip()


_local = threading.local()

STATUS_TIMEOUT = 7
_NO_CALLBACK = ctypes.cast(None, _lib.CALLBACK)  # events through polygram_receive


class _Pending:
    """A request in flight: the loop that awaits it, its future, its client handle."""

    __slots__ = ("loop", "fut", "handle")

    def __init__(self, loop: asyncio.AbstractEventLoop, fut: "asyncio.Future[Any]", handle: int):
        self.loop, self.fut, self.handle = loop, fut, handle


def _thread_loop() -> asyncio.AbstractEventLoop:
    """This thread's loop for calls made without a running loop (sync use)."""
    loop = getattr(_local, "loop", None)
    if loop is None or loop.is_closed():
        loop = asyncio.new_event_loop()
        _local.loop = loop
    return loop


def _in_loop() -> bool:
    try:
        asyncio.get_running_loop()
        return True
    except RuntimeError:
        return False


def _sync_or_coro(coro: Any) -> Any:
    """``coro`` itself inside a running loop, else its result (run to completion)."""
    if _in_loop():
        return coro
    return _thread_loop().run_until_complete(coro)


def _peer(entity: Any) -> Any:
    """A peer argument for the C API from what users pass around."""
    if isinstance(entity, Message):
        return entity._where() if entity._client is not None else entity.chat_id
    if isinstance(entity, TLObject):
        entity = entity.to_dict()
    if isinstance(entity, dict):
        kind = entity.get("_")
        mid: Optional[int] = None
        if kind == "user":
            mid = int(entity["id"])
        elif kind in ("chat", "chatForbidden"):
            return -int(entity["id"])
        elif kind in ("channel", "channelForbidden"):
            mid = -(1000000000000 + int(entity["id"]))
        elif kind and kind.startswith(("peer", "inputPeer")):
            mid = marked_id(entity)
            if mid is not None and entity.get("access_hash") is not None:
                return {"marked_id": mid, "access_hash": int(entity["access_hash"])}
            if mid is not None:
                return mid
        if mid is not None:
            # With its access hash the core needs no cache to use it.
            ah = entity.get("access_hash")
            return {"marked_id": mid, "access_hash": int(ah)} if ah is not None else mid
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

    def __init__(self, session: Any = None, api_id: int = 0, api_hash: str = "", *,
                 sequential_updates: bool = False, **options: Any):
        self._config: Dict[str, Any] = {"api_id": int(api_id), "api_hash": str(api_hash),
                                        "session": _session_config(session)}
        self.sequential_updates = bool(sequential_updates)
        self._seq_queue: Optional["asyncio.Queue[Dict[str, Any]]"] = None
        self._seq_task: Optional["asyncio.Task[Any]"] = None
        self._config.update({k: unwrap(v) for k, v in options.items() if v is not None})
        self._lock = threading.Lock()
        self._pending: Dict[int, _Pending] = {}
        self._handlers: List[Tuple[Callable[[Any], Any], EventBuilder]] = []
        self._tasks: Set["asyncio.Task[Any]"] = set()
        self._update_loop: Optional[asyncio.AbstractEventLoop] = None
        self._early: Deque[Dict[str, Any]] = deque(maxlen=1000)
        self._disc_waiters: List[Tuple[asyncio.AbstractEventLoop, "asyncio.Future[None]"]] = []
        self._updates_started = False
        self._handle = 0
        self.auth_state: Optional[str] = None
        self.connection_state: Optional[str] = None
        self._open()

    # ------------------------------------------------------------------ handle

    def _open(self) -> None:
        lib = _lib.lib()
        cfg = _lib.pack(self._config)
        h, err, err_len = c_uint64(), c_void_p(), c_size_t()
        st = lib.polygram_client_new(cfg, len(cfg), _NO_CALLBACK, None, byref(h), byref(err), byref(err_len))
        if st != _lib.OK:
            raise error_from_map(_lib.error_map(st, err, err_len))
        self._handle = h.value
        self._updates_started = False
        with _clients_lock:
            _clients.add(self)
        threading.Thread(target=_reader, args=(weakref.ref(self), h.value), daemon=True,
                         name=f"polygram-client-{h.value}").start()

    def _ensure_handle(self) -> int:
        if not self._handle:
            self._open()
        return self._handle

    def _close_handle(self) -> None:
        h = self._handle
        if not h:
            return
        self._handle = 0
        # Pending requests end with ClosedError events, which the reader
        # delivers before it stops.
        _lib.lib().polygram_client_close(h)
        with _clients_lock:
            _clients.discard(self)

    @property
    def handle(self) -> int:
        """The C handle (0 while disconnected)."""
        return self._handle

    def is_connected(self) -> bool:
        return bool(self._handle) and self.connection_state not in ("closed", "disconnected")

    # ------------------------------------------------------------------ events from the library

    def _deliver(self, handle: int, etype: int, status: int, rid: int, encoding: int, data: bytes) -> None:
        if etype in (_lib.EVENT_RESULT, _lib.EVENT_ERROR):
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
            with self._lock:
                entry = self._pending.get(rid)
                if entry is None or entry.handle != handle:
                    return  # request ids are per handle: this one is not ours
                del self._pending[rid]
            try:
                entry.loop.call_soon_threadsafe(_resolve, entry.fut, value, exc)
            except RuntimeError:
                pass  # that loop is closed: nobody waits any more
            return
        if handle != self._handle:
            return  # the tail of a closed handle (its "closed" state, late updates)
        m = _lib.unpack(data)
        if etype == _lib.EVENT_UPDATE:
            self._post_update(m)
        elif etype == _lib.EVENT_AUTH_STATE:
            self.auth_state = m.get("state")
        elif etype == _lib.EVENT_CONNECTION_STATE:
            self.connection_state = m.get("state")
            if self.connection_state == "closed":
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
        loop = asyncio.get_running_loop()
        if self.sequential_updates:
            # One consumer per loop: an update's handlers finish before the
            # next update's start.
            q = self._seq_queue
            if q is None or self._seq_task is None or self._seq_task.done() or self._seq_task.get_loop() is not loop:
                q = self._seq_queue = asyncio.Queue()
                self._seq_task = loop.create_task(self._consume_sequentially(q))
            q.put_nowait(update)
            return
        task = loop.create_task(self._run_handlers(update))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _consume_sequentially(self, q: "asyncio.Queue[Dict[str, Any]]") -> None:
        while True:
            update = await q.get()
            await self._run_handlers(update)

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
        entry = _Pending(loop, fut, handle)
        rid, err, err_len = c_uint64(), c_void_p(), c_size_t()
        with self._lock:  # held across send: the result may come before send returns
            st = _lib.lib().polygram_send(handle, encoding, payload, len(payload), byref(rid), byref(err),
                                          byref(err_len))
            if st == _lib.OK:
                self._pending[rid.value] = entry
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
                raise TypeError("a raw request is a functions.*Request, a dict with a '_' key naming the TL "
                                "function, or TL bytes")
            req = await self._resolve_entities(req)
            coro = self._request(_lib.ENCODING_MSGPACK, _lib.pack(req))
        result = await (asyncio.wait_for(coro, timeout) if timeout else coro)
        return result if isinstance(result, bytes) else wrap(result, self)

    invoke = __call__

    async def _resolve_entities(self, req: Dict[str, Any]) -> Dict[str, Any]:
        """Replaces entities (ids, usernames, "me", user/chat objects) given
        where the request expects an InputPeer/InputUser/InputChannel by the
        input object, resolved through the core."""
        comb = raw.schema().functions.get(req["_"])
        if comb is None:
            return req
        found: List[Tuple[str, Any]] = []

        def collect(kind: str, v: Any) -> Any:
            found.append((kind, v))
            return v
        raw.walk_entities(comb, req, collect)
        if not found:
            return req
        resolved = await asyncio.gather(*(self._input_entity(kind, v) for kind, v in found))
        it = iter(resolved)
        raw.walk_entities(comb, req, lambda kind, v: next(it))
        return req

    async def _input_entity(self, kind: str, entity: Any) -> Dict[str, Any]:
        if isinstance(entity, dict) and entity.get("_") in ("message", "messageService"):
            entity = marked_id(entity.get("peer_id"))
        is_self = isinstance(entity, str) and entity.lower() in ("me", "self")
        if is_self and kind != "InputChannel":
            return {"_": "inputPeerSelf" if kind == "InputPeer" else "inputUserSelf"}
        p = await self._call("resolve_peer", peer=_peer(entity))
        pk, pid, ah = p.get("kind"), int(p["id"]), int(p.get("access_hash") or 0)
        if kind == "InputPeer":
            if pk == "user":
                return {"_": "inputPeerUser", "user_id": pid, "access_hash": ah}
            if pk == "chat":
                return {"_": "inputPeerChat", "chat_id": pid}
            return {"_": "inputPeerChannel", "channel_id": pid, "access_hash": ah}
        if kind == "InputUser" and pk == "user":
            return {"_": "inputUser", "user_id": pid, "access_hash": ah}
        if kind == "InputChannel" and pk == "channel":
            return {"_": "inputChannel", "channel_id": pid, "access_hash": ah}
        raise InvalidArgumentError(f"{entity!r} is a {pk}, not usable where an {kind} is expected",
                                   status=1, name="INVALID_ARGUMENT")

    async def get_input_entity(self, entity: Peer) -> TLObject:
        """The InputPeer of ``entity`` (``types.InputPeerUser(...)``, ...)."""
        return wrap(await self._input_entity("InputPeer", entity), self)

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

    def run_until_disconnected(self) -> Any:
        """Runs the handlers until ``disconnect()`` (from a handler or
        elsewhere). Awaitable in a running loop; outside one (a script's last
        line, as in Telethon) it blocks, and Ctrl-C disconnects."""
        if _in_loop():
            return self._run_until_disconnected()
        loop = _thread_loop()
        try:
            return loop.run_until_complete(self._run_until_disconnected())
        except KeyboardInterrupt:
            loop.run_until_complete(self.disconnect())
            return None

    async def _run_until_disconnected(self) -> None:
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
        """Adds ``callback`` for ``event`` (a builder or builder class); without
        one, for the events it was ``events.register``-ed with, else NewMessage."""
        if event is None:
            builders = registered_events(callback) or [NewMessage()]
        else:
            builders = [event]
        for b in builders:
            self._handlers.append((callback, b() if isinstance(b, type) else b))

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

    def start(self, phone: Union[str, Callable[[], Any], None] = None,
              code_callback: Optional[Callable[[], Any]] = None,
              password: Union[str, Callable[[], Any], None] = None, *,
              bot_token: Optional[str] = None, first_name: str = "", last_name: str = "",
              max_attempts: int = 3) -> Any:
        """Connects, logs in unless the session already is, and starts updates.

        ``phone``, ``code_callback`` and ``password`` may be values, functions
        or coroutine functions; missing ones are asked for on the terminal
        (without a terminal, a missing one is an InvalidArgumentError).

        As in Telethon, it is awaitable inside a running loop and runs to
        completion outside one (``client = Client(...).start(bot_token=t)``);
        it returns the client either way.
        """
        return _sync_or_coro(self._start(phone, code_callback, password, bot_token=bot_token, first_name=first_name,
                                         last_name=last_name, max_attempts=max_attempts))

    async def _start(self, phone: Any, code_callback: Any, password: Any, *, bot_token: Optional[str],
                     first_name: str, last_name: str, max_attempts: int) -> "Client":
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
        """The user, chat or channel (``types.User``, ``types.Chat``,
        ``types.Channel``), as Telethon's ``get_entity``."""
        full = await self._call("get_entity", peer=_peer(entity))
        return wrap(_entity_of_full(full), self)

    async def get_full_entity(self, entity: Peer) -> TLObject:
        """The full user or chat (``users.userFull`` / ``messages.chatFull``)."""
        return wrap(await self._call("get_entity", peer=_peer(entity)), self)

    get_chat = get_entity

    async def resolve_peer(self, entity: Peer) -> TLObject:
        """``{id, marked_id, kind, access_hash, username, name, phone, bot}``."""
        return wrap(await self._call("resolve_peer", peer=_peer(entity)), self)


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
        if parse_mode or entities:
            # The server's copy: the text without markup, with its entities.
            got = await self.get_messages(peer, int(r["id"]))
            if got is not None:
                return got
        import time
        data: Dict[str, Any] = {"_": "message", "id": r["id"], "message": message, "out": True,
                                "date": int(time.time())}
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
                        force_document: bool = False, reply_to: Union[int, Message, None] = None,
                        progress_callback: Optional[Callable[[int, int], Any]] = None) -> Message:
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
        if mime_type is None:
            import mimetypes
            guess_from = name or args.get("path")
            mime_type = mimetypes.guess_type(guess_from)[0] if guess_from else None
        mt = mime_type or ""
        as_photo = None if force_document else (True if mt in ("image/jpeg", "image/png") else None)
        r = await self._call("send_file", peer=peer, name=name, caption=caption, mime_type=mime_type,
                             as_photo=as_photo, reply_to=reply_to, **args)
        if progress_callback is not None:  # the C API reports completion only, for now
            size = len(args["data"]) if "data" in args else os.path.getsize(args["path"])
            await _maybe_call(progress_callback, size, size)
        return Message({"_": "message", "id": r["id"], "message": caption or "", "out": True}, self, peer)

    async def download_media(self, message: Union[Message, int], file: Any = None, *,
                             entity: Optional[Peer] = None,
                             progress_callback: Optional[Callable[[int, int], Any]] = None) -> Union[bytes, str]:
        """Downloads a message's media: to the path ``file`` (a directory gets
        the file's own name; returns the path), or into memory (``file`` None
        or ``bytes``; returns the bytes). ``message`` is a Message or an id
        with ``entity``. ``progress_callback(received, total)`` is called as
        the C API reports progress (today: once, at the end)."""
        if isinstance(message, Message):
            peer, mid = message._where(), message.id
        else:
            if entity is None:
                raise ValueError("download_media with a message id needs entity=")
            peer, mid = entity, message
        path = None if file is None or file is bytes else os.path.abspath(os.fspath(file))
        if path is not None and os.path.isdir(path):
            f = message.file if isinstance(message, Message) else None
            name = (f.name if f is not None else None) or f"{mid}{f.ext if f is not None else ''}"
            path = os.path.join(path, os.path.basename(name))
        r = await self._call("download_media", peer=_peer(peer), message_id=mid, path=path)
        size = int(r["size"]) if path else len(r["data"])
        if progress_callback is not None:
            await _maybe_call(progress_callback, size, size)
        return r["path"] if path else r["data"]

    async def iter_dialogs(self, limit: Optional[int] = None, *, page: int = 100) -> AsyncIterator[TLObject]:
        """Every dialog, most recent first, fetched ``page`` at a time with
        ``messages.getDialogs`` offsets; each is ``{peer, id, name, unread,
        top_id, pinned, message, entity}`` (``id`` the marked id)."""
        offset_date, offset_id, offset_peer = 0, 0, {"_": "inputPeerEmpty"}
        seen: Set[int] = set()
        count = 0
        while limit is None or count < limit:
            n = page if limit is None else min(page, limit - count)
            r = unwrap(await self({"_": "messages.getDialogs", "offset_date": offset_date, "offset_id": offset_id,
                                   "offset_peer": offset_peer, "limit": n, "hash": 0}))
            dialogs = r.get("dialogs") or []
            users = {u["id"]: u for u in r.get("users") or []}
            chats = {c["id"]: c for c in r.get("chats") or []}
            msgs = {(marked_id(m.get("peer_id")), m.get("id")): m for m in r.get("messages") or []}
            new = 0
            last: Optional[Tuple[Dict[str, Any], Dict[str, Any], Any]] = None
            for d in dialogs:
                peer = d.get("peer") or {}
                mid = marked_id(peer)
                if mid is None or mid in seen:
                    continue
                seen.add(mid)
                new += 1
                ent = users.get(peer.get("user_id")) if "user_id" in peer else \
                    chats.get(peer.get("chat_id", peer.get("channel_id")))
                ent = ent or {}
                name = ent.get("title") or " ".join(x for x in (ent.get("first_name"), ent.get("last_name")) if x)
                msg = msgs.get((mid, d.get("top_message")))
                item = {"peer": peer, "id": mid, "name": name, "unread": d.get("unread_count", 0),
                        "top_id": d.get("top_message", 0), "pinned": bool(d.get("pinned")),
                        "message": Message(msg, self, mid) if msg else None, "entity": wrap(ent, self)}
                last = (d, ent, msg)
                yield TLObject(item, self)
                count += 1
                if limit is not None and count >= limit:
                    return
            if last is None or new == 0 or len(dialogs) < n:
                return
            d, ent, msg = last
            offset_id = int(d.get("top_message") or 0)
            offset_date = int((msg or {}).get("date") or 0)
            peer = d.get("peer") or {}
            if "user_id" in peer:
                offset_peer = {"_": "inputPeerUser", "user_id": peer["user_id"], "access_hash": ent.get("access_hash", 0)}
            elif "chat_id" in peer:
                offset_peer = {"_": "inputPeerChat", "chat_id": peer["chat_id"]}
            else:
                offset_peer = {"_": "inputPeerChannel", "channel_id": peer["channel_id"],
                               "access_hash": ent.get("access_hash", 0)}

    async def ping_local(self, value: Any = None) -> Any:
        """Answers its argument without network (measures the boundary)."""
        return await self._request(_lib.ENCODING_CALL, _lib.pack({"method": "ping_local", "args": value or {}}))


def _entity_of_full(full: Any) -> Any:
    """The user/chat a users.userFull or messages.chatFull is about."""
    if not isinstance(full, dict):
        return full
    if full.get("_") == "users.userFull":
        want, pool = (full.get("full_user") or {}).get("id"), full.get("users") or []
    elif full.get("_") == "messages.chatFull":
        want, pool = (full.get("full_chat") or {}).get("id"), full.get("chats") or []
    else:
        return full
    for e in pool:
        if isinstance(e, dict) and e.get("id") == want:
            return e
    return pool[0] if pool else full


def _ids(v: Any) -> List[int]:
    if isinstance(v, (int, Message)):
        v = [v]
    return [m.id if isinstance(m, Message) else int(m) for m in v]
