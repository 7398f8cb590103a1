"""The asyncio client.

Threading model: events of an open client handle are taken off the
library's queue on the event loops that use the client. Each such loop
watches a descriptor from ``polygram_event_fd`` (``loop.add_reader``) and,
when it is readable, drains the queue with non-blocking
``polygram_receive`` calls: one wake-up of the loop per burst of events, no
thread hand-off, which is what makes a request cost tens of microseconds
rather than a hundred. Results and errors resolve the future of their
request (each request binds to ``asyncio.get_running_loop()`` when it is
made, so a client may be used from several loops over its life, one after
another or at once; a result drained on another loop is handed over with
``call_soon_threadsafe``). Updates go to the loop that last called
``connect``/``start``/``catch_up``/``run_until_disconnected`` (or made a
request while none was attached), where handlers run as tasks; a handler's
exception is logged, never fatal. While no loop runs (a synchronous program
between calls), events wait in the library's bounded queue (docs/capi.md,
"Backpressure").

With a library without ``polygram_event_fd`` (or on a platform without it,
or with ``POLYGRAM_PYTHON_READER=thread``), one reader thread per handle
blocks in ``polygram_receive`` (the GIL released) and hands every event over
instead.
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
from .buttons import build_reply_markup, flat_index
from .errors import (ButtonNotFoundError, InvalidArgumentError, PolygramError, SessionPasswordNeededError,
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


def _close_and_drain(handle: int) -> None:
    """Closes a handle whose client was collected and takes its last events
    off the queue, so the library frees it (on a thread: close may wait)."""

    def run() -> None:
        lib = _lib.lib()
        lib.polygram_client_close(handle)
        ev = _lib.Event()
        while True:
            st = lib.polygram_receive(handle, 1.0, byref(ev))
            if st == _lib.OK:
                if ev.data:
                    lib.polygram_free(ev.data)
            elif st != STATUS_TIMEOUT:
                return

    threading.Thread(target=run, daemon=True, name=f"polygram-close-{handle}").start()


def _running_loop() -> Optional[asyncio.AbstractEventLoop]:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _resolve(fut: "asyncio.Future[Any]", value: Any, exc: Optional[BaseException]) -> None:
    if fut.done():
        return
    if exc is not None:
        fut.set_exception(exc)
    else:
        fut.set_result(value)


def _report_progress(callback: Callable[[int, int], Any], done: int, total: int) -> None:
    """Runs a progress callback on its loop (a coroutine one as a task)."""
    try:
        r = callback(done, total)
        if inspect.isawaitable(r):
            asyncio.ensure_future(r)
    except Exception:
        log.exception("polygram: error in a progress callback")


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
_NO_CALLBACK = ctypes.cast(None, _lib.CALLBACK)  # type: ignore[arg-type]  # events through polygram_receive


class _Pending:
    """A request in flight: the loop that awaits it, its future, its client handle."""

    __slots__ = ("loop", "fut", "handle", "progress")

    def __init__(self, loop: asyncio.AbstractEventLoop, fut: "asyncio.Future[Any]", handle: int,
                 progress: Optional[Callable[[int, int], Any]] = None):
        self.loop, self.fut, self.handle, self.progress = loop, fut, handle, progress


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


def _is_inline_message_id(v: Any) -> bool:
    """An inputBotInlineMessageID(64), as a TLObject or a dict."""
    d = unwrap(v)
    return isinstance(d, dict) and d.get("_") in ("inputBotInlineMessageID", "inputBotInlineMessageID64")


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
        self._fd_mode = False
        self._finalizer: Optional[Any] = None
        # Loops draining the queue: loop -> (handle, descriptor).
        self._watchers: Dict[asyncio.AbstractEventLoop, Tuple[int, int]] = {}
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
        probe = _lib.event_fd(h.value)
        self._fd_mode = probe is not None
        if probe is not None:
            os.close(probe)
            self._finalizer = weakref.finalize(self, _close_and_drain, h.value)
            loop = _running_loop()
            if loop is not None:
                self._watch(loop)
            return
        threading.Thread(target=_reader, args=(weakref.ref(self), h.value), daemon=True,
                         name=f"polygram-client-{h.value}").start()

    # ------------------------------------------------------------------ event descriptors

    def _watch(self, loop: asyncio.AbstractEventLoop) -> None:
        """Makes ``loop`` (the running one) drain the queue of the current
        handle when its descriptor is readable."""
        h = self._handle
        if not self._fd_mode or not h:
            return
        w = self._watchers.get(loop)
        if w is not None and w[0] == h:
            return
        with self._lock:
            for other in [lp for lp in self._watchers if lp.is_closed()]:
                os.close(self._watchers.pop(other)[1])  # its selector is gone with it
        fd = _lib.event_fd(h)
        if fd is None:  # out of descriptors: a reader thread for this handle instead
            self._fd_mode = False
            threading.Thread(target=_reader, args=(weakref.ref(self), h), daemon=True,
                             name=f"polygram-client-{h}").start()
            return
        loop.add_reader(fd, self._drain, loop, h, fd)
        with self._lock:
            self._watchers[loop] = (h, fd)

    def _drain(self, loop: asyncio.AbstractEventLoop, handle: int, fd: int) -> None:
        """Takes what is queued for ``handle`` (on ``loop``, its descriptor
        readable); stops watching once the handle is closed and drained."""
        st = self._take(handle, 256)  # then yield to the loop; the descriptor stays readable
        if st != _lib.OK and st != STATUS_TIMEOUT:  # CLOSED once drained
            self._unwatch(loop, handle, fd)

    def _take(self, handle: int, limit: int) -> int:
        """Delivers up to ``limit`` queued events of ``handle`` (non-blocking
        receives); returns the status that stopped it (OK when the limit did)."""
        lib = _lib.lib()
        ev = _lib.Event()
        for _ in range(limit):
            st = lib.polygram_receive(handle, 0.0, byref(ev))
            if st != _lib.OK:
                return st
            try:
                data = ctypes.string_at(ev.data, ev.data_len) if ev.data else b""
            finally:
                if ev.data:
                    lib.polygram_free(ev.data)
            try:
                self._deliver(handle, ev.type, ev.status, ev.request_id, ev.encoding, data)
            except BaseException:
                log.exception("polygram: error while delivering an event")
        return _lib.OK

    def _unwatch(self, loop: asyncio.AbstractEventLoop, handle: int, fd: int) -> None:
        loop.remove_reader(fd)
        os.close(fd)
        with self._lock:
            if self._watchers.get(loop) == (handle, fd):
                del self._watchers[loop]

    def _drain_now(self, handle: int) -> None:
        """Delivers what a closed handle has left, here and now (close has
        returned, so all of it is queued), which lets the library free it."""
        while self._take(handle, 4096) == _lib.OK:
            pass

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
        # delivers before it stops (or, with event descriptors, which are
        # drained here: close has returned, so all of them are queued).
        if self._finalizer is not None:
            self._finalizer.detach()
            self._finalizer = None
        _lib.lib().polygram_client_close(h)
        if self._fd_mode:
            self._drain_now(h)
            loop = _running_loop()
            w = self._watchers.get(loop) if loop is not None else None
            if loop is not None and w is not None and w[0] == h:
                self._unwatch(loop, h, w[1])
        with _clients_lock:
            _clients.discard(self)
        # The handle's own "closed" event is dropped with the rest of its
        # tail (it may come from a reader thread, after this); report it here.
        self.connection_state = "closed"
        if self._handlers and self._update_loop is not None:
            self._post_update({"type": "connection_state", "state": "closed"})

    @property
    def handle(self) -> int:
        """The C handle (0 while disconnected)."""
        return self._handle

    def is_connected(self) -> bool:
        """True from ``connect``/``start`` until ``disconnect``, as in
        Telethon: a dropped connection that the library re-establishes by
        itself does not make it False (``connection_state`` follows the
        transport: connecting, connected, disconnected)."""
        return bool(self._handle) and self.connection_state != "closed"

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
            if entry.loop is _running_loop():
                _resolve(entry.fut, value, exc)  # drained on the loop that waits
                return
            try:
                entry.loop.call_soon_threadsafe(_resolve, entry.fut, value, exc)
            except RuntimeError:
                pass  # that loop is closed: nobody waits any more
            return
        if etype == _lib.EVENT_PROGRESS and _lib.EVENT_PROGRESS is not None:
            with self._lock:
                entry = self._pending.get(rid)
            if entry is None or entry.handle != handle or entry.progress is None:
                return
            m = _lib.unpack(data)
            if entry.loop is _running_loop():  # in order with the result, drained here too
                _report_progress(entry.progress, int(m.get("done") or 0),
                                 int(m.get("total") if m.get("total") is not None else -1))
                return
            try:
                entry.loop.call_soon_threadsafe(_report_progress, entry.progress, int(m.get("done") or 0),
                                                int(m.get("total") if m.get("total") is not None else -1))
            except RuntimeError:
                pass
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
            if self._handlers:  # for events.ConnectionState
                self._post_update({"type": "connection_state", "state": self.connection_state})
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
        if loop is not None and loop is _running_loop():
            self._handle_update(update)
            return
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
        self._watch(loop)
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

    async def _request(self, encoding: int, payload: bytes,
                       progress: Optional[Callable[[int, int], Any]] = None) -> Any:
        loop = asyncio.get_running_loop()
        if self._update_loop is None or self._update_loop.is_closed():
            self._attach_loop(loop)
        fut: "asyncio.Future[Any]" = loop.create_future()
        handle = self._ensure_handle()
        if self._fd_mode and self._watchers.get(loop, (0,))[0] != handle:
            self._watch(loop)
        entry = _Pending(loop, fut, handle, progress)
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

    async def _call(self, method: str, _progress: Optional[Callable[[int, int], Any]] = None, **args: Any) -> Any:
        req: Dict[str, Any] = {"method": method}
        a = {k: unwrap(v) for k, v in args.items() if v is not None}
        if a:
            req["args"] = a
        if _progress is not None:
            req.setdefault("args", {})["progress"] = True
        return await self._request(_lib.ENCODING_CALL, _lib.pack(req), progress=_progress)

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
                           parse_mode: Optional[str] = None, entities: Optional[Sequence[Any]] = None,
                           formatting_entities: Optional[Sequence[Any]] = None, buttons: Any = None,
                           schedule: Any = None) -> Message:
        """Sends a text message; returns the sent Message (its ``id``, ``text``
        and helpers; the server's copy when a parse mode or entities were
        given). ``buttons``: see :mod:`polygram.buttons`. ``schedule``: a
        datetime, a timedelta from now or a Unix time; the message is then a
        scheduled one (``get_scheduled_messages``) and its id a scheduled id."""
        peer = _peer(entity)
        if isinstance(reply_to, Message):
            reply_to = reply_to.id
        if entities is None:
            entities = formatting_entities
        markup = build_reply_markup(buttons)
        when = _unix_time(schedule, "schedule")
        r = await self._call("send_message", peer=peer, text=message, reply_to=reply_to, silent=silent,
                             no_webpage=None if link_preview else True, parse_mode=parse_mode,
                             entities=list(entities) if entities is not None else None, buttons=markup,
                             schedule=when)
        if (parse_mode or entities) and not when:
            # The server's copy: the text without markup, with its entities.
            got = await self.get_messages(peer, int(r["id"]))
            if got is not None:
                return got
        import time
        data: Dict[str, Any] = {"_": "message", "id": r["id"], "message": message, "out": True,
                                "date": when or int(time.time())}
        if reply_to:
            data["reply_to"] = {"_": "messageReplyHeader", "reply_to_msg_id": reply_to}
        if markup is not None:
            data["reply_markup"] = markup
        if when:
            data["from_scheduled"] = True
        return Message(data, self, peer)

    async def edit_message(self, entity: Peer, message: Union[int, Message, str, None] = None,
                           text: Optional[str] = None, *,
                           link_preview: bool = True, parse_mode: Optional[str] = None,
                           entities: Optional[Sequence[Any]] = None,
                           formatting_entities: Optional[Sequence[Any]] = None, buttons: Any = None) -> None:
        """Edits a message's text (and its buttons with ``buttons=``). As in
        Telethon, ``entity`` may be the inline message id of a callback query
        (``event.inline_message_id``), with the text second:
        ``edit_message(event.inline_message_id, "new text")``."""
        if _is_inline_message_id(entity):
            return await self.edit_inline_message(
                entity, message if isinstance(message, str) else (text or ""), link_preview=link_preview,
                parse_mode=parse_mode, entities=entities, formatting_entities=formatting_entities, buttons=buttons)
        if text is None or message is None or isinstance(message, str):
            raise TypeError("edit_message(entity, message, text): the message (an id or a Message) and the new "
                            "text are required")
        mid = message.id if isinstance(message, Message) else message
        if entities is None:
            entities = formatting_entities
        await self._call("edit_message", peer=_peer(entity), id=mid, text=text,
                         no_webpage=None if link_preview else True, parse_mode=parse_mode,
                         entities=list(entities) if entities is not None else None,
                         buttons=build_reply_markup(buttons))

    async def edit_inline_message(self, inline_message_id: Any, text: str = "", *, link_preview: bool = True,
                                  parse_mode: Optional[str] = None, entities: Optional[Sequence[Any]] = None,
                                  formatting_entities: Optional[Sequence[Any]] = None, buttons: Any = None) -> None:
        """As a bot, edits a message sent through its inline mode, named by the
        id its callback queries carry (``event.inline_message_id``); the bot
        need not be in that chat. ``text`` may be empty when only ``buttons``
        change. ``CallbackQuery`` events' ``edit`` calls this for such messages."""
        if not _is_inline_message_id(inline_message_id):
            raise TypeError("inline_message_id must be the inputBotInlineMessageID(64) a callback query carries "
                            f"(event.inline_message_id), got {type(inline_message_id).__name__}")
        if entities is None:
            entities = formatting_entities
        await self._call("edit_inline_message", inline_message_id=inline_message_id, text=text or None,
                         no_webpage=None if link_preview else True, parse_mode=parse_mode,
                         entities=list(entities) if entities is not None else None,
                         buttons=build_reply_markup(buttons))

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
                           limit: Optional[int] = None, **kwargs: Any) -> Any:
        """By ``ids`` (one id gives one Message or None, a list a list), else
        ``iter_messages`` collected (``limit`` defaults to 1 as in Telethon;
        the other keywords are iter_messages')."""
        peer = _peer(entity)
        if ids is not None:
            single = isinstance(ids, int)
            id_list = [ids] if isinstance(ids, int) else list(ids)
            r = await self._call("get_messages", peer=peer, ids=id_list)
            msgs = [Message(m, self, peer) for m in r.get("messages") or []]
            return (msgs[0] if msgs else None) if single else msgs
        return [m async for m in self.iter_messages(peer, 1 if limit is None else limit, **kwargs)]

    async def get_history(self, entity: Peer, limit: int = 100, *, offset_id: int = 0, min_id: int = 0,
                          max_id: int = 0, search: Optional[str] = None) -> List[Message]:
        peer = _peer(entity)
        r = await self._call("get_history", peer=peer, limit=limit, offset_id=offset_id or None,
                             min_id=min_id or None, max_id=max_id or None, search=search)
        return [Message(m, self, peer) for m in r.get("messages") or []]

    async def iter_messages(self, entity: Peer, limit: Optional[int] = None, *, offset_id: int = 0,
                            offset_date: Any = None, min_id: int = 0, max_id: int = 0,
                            search: Optional[str] = None, from_user: Optional[Peer] = None,
                            reverse: bool = False, ids: Optional[Sequence[int]] = None, pinned: bool = False,
                            page_size: int = 100, page: Optional[int] = None) -> AsyncIterator[Message]:
        """The history, newest first (oldest first with ``reverse``), asked
        ``page_size`` (at most 100) messages at a time as the loop goes on.

        ``offset_id``/``offset_date`` start before that message or date
        (after it with ``reverse``); ``min_id``/``max_id`` bound the ids
        (exclusive); ``search`` matches the text and ``from_user`` the
        sender (both through messages.search); ``pinned`` gives pinned
        messages only; ``ids`` fetches those messages. ``limit`` None: all.
        """
        peer = _peer(entity)
        if ids is not None:
            r = await self._call("iter_messages", peer=peer, ids=[int(i) for i in ids])
            for m in r.get("messages") or []:
                yield Message(m, self, peer)
            return
        size = page if page is not None else page_size
        if not 1 <= size <= 100:
            raise InvalidArgumentError(f"iter_messages: page_size must be 1 to 100, got {size}", status=1,
                                       name="INVALID_ARGUMENT")
        sender = _peer(from_user) if from_user is not None else None
        date = _unix_time(offset_date, "offset_date")
        count, offset = 0, offset_id
        while limit is None or count < limit:
            n = size if limit is None else min(size, limit - count)
            r = await self._call("iter_messages", peer=peer, limit=n, page_size=n, offset_id=offset or None,
                                 offset_date=date if not offset else None, min_id=min_id or None,
                                 max_id=max_id or None, search=search or None, from_user=sender,
                                 reverse=reverse or None, pinned=pinned or None)
            batch = r.get("messages") or []
            for m in batch:
                yield Message(m, self, peer)
                count += 1
            if len(batch) < n:
                return
            offset = int(batch[-1]["id"])

    async def get_pinned_messages(self, entity: Peer) -> List[Message]:
        """The pinned messages of a chat, newest first."""
        peer = _peer(entity)
        r = await self._call("get_pinned_messages", peer=peer)
        return [Message(m, self, peer) for m in r.get("messages") or []]

    async def get_scheduled_messages(self, entity: Peer) -> List[Message]:
        """The messages scheduled in a chat (sent with ``schedule=``)."""
        peer = _peer(entity)
        r = await self._call("get_scheduled_messages", peer=peer)
        return [Message(m, self, peer) for m in r.get("messages") or []]

    async def send_scheduled_now(self, entity: Peer,
                                 message_ids: Union[int, Message, Sequence[Union[int, Message]]]) -> None:
        """Sends scheduled messages (by their scheduled ids) at once."""
        await self._call("send_scheduled_now", peer=_peer(entity), ids=_ids(message_ids))

    async def delete_scheduled_messages(self, entity: Peer,
                                        message_ids: Union[int, Message, Sequence[Union[int, Message]]]) -> None:
        await self._call("delete_scheduled_messages", peer=_peer(entity), ids=_ids(message_ids))

    async def get_dialogs(self, limit: Optional[int] = 100, *, archived: bool = False,
                          exclude_pinned: bool = False, page_size: Optional[int] = None) -> List[TLObject]:
        """``[{peer, id, name, unread, top_id, pinned, folder, archived, message}]``
        (``peer`` the resolved peer map, ``id`` its marked id, ``message`` the
        top Message); ``archived``: the archive folder; ``limit`` None: all."""
        r = await self._call("iter_dialogs", limit=-1 if limit is None else limit, archived=archived or None,
                             exclude_pinned=exclude_pinned or None, page_size=page_size)
        out = []
        for d in r.get("dialogs") or []:
            p = d.get("peer") or {}
            mid = p.get("marked_id")
            msg = d.get("message")
            item = dict(d, id=mid, archived=d.get("folder") == 1,
                        message=Message(msg, self, {"marked_id": mid, "access_hash": p.get("access_hash") or 0}
                                        if mid is not None else None) if msg else None)
            out.append(TLObject(item, self))
        return out

    async def archive_dialog(self, entity: Peer, archived: bool = True) -> None:
        """Moves a dialog to the archive (folder 1), or back with ``archived=False``."""
        await self._call("archive_dialog", peer=_peer(entity), archived=archived)

    async def edit_folder(self, entity: Peer, folder: int) -> None:
        """Telethon's name: folder 1 is the archive, 0 the main list."""
        if folder not in (0, 1):
            raise InvalidArgumentError(f"edit_folder: folder must be 0 (main) or 1 (archive), got {folder!r}",
                                       status=1, name="INVALID_ARGUMENT")
        await self.archive_dialog(entity, folder == 1)

    async def get_participants(self, entity: Peer, limit: Optional[int] = None, *, search: str = "",
                               filter: Any = None) -> List["Participant"]:
        """The members of a group or channel (the core pages through them):
        each a :class:`Participant` reading as its user (``p.first_name``,
        ``p.id``) plus ``admin``, ``creator``, ``banned``, ``kicked``,
        ``rank``, ``inviter_id``, ``date``. ``filter``: ``"recent"`` (default),
        ``"admins"``, ``"bots"``, ``"banned"``, ``"kicked"``, or Telethon's
        ``types.ChannelParticipantsAdmins`` and friends."""
        if limit is not None and limit <= 0:
            return []
        r = await self._call("get_participants", peer=_peer(entity), filter=_participant_filter(filter),
                             search=search or None, limit=limit)
        return [Participant(p, self) for p in r.get("participants") or []]

    async def iter_participants(self, entity: Peer, limit: Optional[int] = None, *, search: str = "",
                                filter: Any = None) -> AsyncIterator["Participant"]:
        """``get_participants`` as an async iterator."""
        for p in await self.get_participants(entity, limit, search=search, filter=filter):
            yield p

    async def send_read_acknowledge(self, entity: Peer, max_id: Optional[int] = None) -> None:
        await self._call("send_read_acknowledge", peer=_peer(entity), max_id=max_id)

    async def action(self, entity: Peer, cancel: bool = False) -> None:
        """Shows (or cancels) "typing…" in the chat."""
        await self._call("typing", peer=_peer(entity), cancel=cancel or None)

    async def pin_message(self, entity: Peer, message: Union[int, Message], *, notify: bool = False) -> None:
        mid = message.id if isinstance(message, Message) else message
        await self._call("pin_message", peer=_peer(entity), id=mid, silent=not notify)

    async def unpin_message(self, entity: Peer, message: Union[int, Message, None] = None) -> None:
        """Unpins one message, or every pinned message when ``message`` is None."""
        if message is None:
            await self._call("unpin_all_messages", peer=_peer(entity))
            return
        mid = message.id if isinstance(message, Message) else message
        await self._call("unpin_message", peer=_peer(entity), id=mid)

    # ------------------------------------------------------------------ bots

    async def answer_callback_query(self, query_id: int, message: Optional[str] = None, *, alert: bool = False,
                                    url: Optional[str] = None, cache_time: int = 0) -> None:
        """Answers a callback query (``event.answer`` does this for you)."""
        await self._call("answer_callback_query", query_id=query_id, message=message, alert=alert or None,
                         url=url, cache_time=cache_time or None)

    async def answer_inline_query(self, query_id: int, results: Sequence[Any], *, cache_time: int = 0,
                                  next_offset: Optional[str] = None, gallery: bool = False,
                                  private: bool = False) -> None:
        """Answers an inline query with articles (``InlineBuilder.article``
        or maps ``{id, title, description, url, text, parse_mode,
        no_webpage, buttons}``)."""
        items = []
        for i, res in enumerate(results):
            item = dict(unwrap(res))
            item.setdefault("id", str(i))
            if item.get("buttons") is not None:
                item["buttons"] = build_reply_markup(item["buttons"])
            items.append({k: v for k, v in item.items() if v is not None})
        await self._call("answer_inline_query", query_id=query_id, results=items, cache_time=cache_time or None,
                         next_offset=next_offset, gallery=gallery or None, private=private or None)

    async def inline_query(self, bot: Peer, query: str = "", *, entity: Optional[Peer] = None,
                           offset: Optional[str] = None) -> "InlineResults":
        """Asks ``bot`` for inline results (as typing ``@bot query`` in
        ``entity``, the bot's own chat by default); ``results[i].click(chat)``
        sends one."""
        r = await self._call("inline_query", bot=_peer(bot), peer=_peer(entity if entity is not None else bot),
                             query=query, offset=offset)
        return InlineResults(self, r)

    async def send_inline_result(self, entity: Peer, query_id: int, result_id: str, *,
                                 reply_to: Union[int, Message, None] = None,
                                 silent: Optional[bool] = None) -> Message:
        """Sends one result of an ``inline_query`` to ``entity``."""
        peer = _peer(entity)
        if isinstance(reply_to, Message):
            reply_to = reply_to.id
        r = await self._call("send_inline_result", peer=peer, query_id=query_id, id=str(result_id),
                             reply_to=reply_to, silent=silent)
        got = await self.get_messages(peer, int(r["id"]))
        return got if got is not None else Message({"_": "message", "id": r["id"], "out": True}, self, peer)

    async def click(self, entity: Peer, message: Union[int, Message], i: Optional[int] = None,
                    j: Optional[int] = None, *, text: Optional[str] = None,
                    data: Union[bytes, str, None] = None) -> Any:
        """Presses an inline button of ``message`` (see ``Message.click``).

        A callback button returns the bot's answer (``message``, ``alert``,
        ``url``, ``cache_time``, and the button's ``text``); a URL button its
        URL (no request); a switch-inline button ``{text, query, same_peer,
        bot, results}`` (``results`` the bot's InlineResults when it stays
        in this chat). A missing button raises ``ButtonNotFoundError``."""
        peer = _peer(entity)
        mid = message.id if isinstance(message, Message) else int(message)
        args: Dict[str, Any] = {}
        if text is not None:
            args["text"] = text
        elif data is not None:
            args["data"] = data.encode() if isinstance(data, str) else bytes(data)
        else:
            row, col = (i or 0), (j or 0)
            if j is None and i is not None:
                msg = message if isinstance(message, Message) and message.buttons is not None \
                    else await self.get_messages(peer, mid)
                rows = (msg.buttons if msg is not None else None) or []
                try:
                    row, col = flat_index(rows, i)
                except IndexError as e:
                    raise ButtonNotFoundError(f"message {mid}: {e}", status=19, name="BUTTON_NOT_FOUND") from None
            args["row"], args["col"] = row, col
        try:
            r = await self._call("click", peer=peer, msg_id=mid, **args)
        except PolygramError as e:
            if "has no inline button" in str(e) or "no message" in str(e):
                raise ButtonNotFoundError(str(e), status=e.status, name="BUTTON_NOT_FOUND", data=e.data) from None
            raise
        if "answer" in r:
            return TLObject(dict(r["answer"], text=r.get("text")), self)
        if "url" in r:
            return r["url"]
        if "switch_inline" in r:
            si = dict(r["switch_inline"], text=r.get("text"))
            if si.get("results") is not None:
                si["results"] = InlineResults(self, si["results"])
            return TLObject(si, self)
        return TLObject(r, self)

    # ------------------------------------------------------------------ files

    async def send_file(self, entity: Peer, file: Any, *, caption: Any = None,
                        name: Optional[str] = None, mime_type: Optional[str] = None,
                        force_document: bool = False, reply_to: Union[int, Message, None] = None,
                        parse_mode: Optional[str] = None, formatting_entities: Optional[Sequence[Any]] = None,
                        silent: Optional[bool] = None,
                        progress_callback: Optional[Callable[[int, int], Any]] = None) -> Any:
        """Sends a path, bytes or a binary file object (as a photo unless
        ``force_document`` or not an image), with a ``caption`` formatted by
        ``parse_mode`` (``"markdown"``/``"html"``) or ``formatting_entities``.

        A list of 2 to 10 files is sent as one album and gives a list of
        Messages; ``caption`` may then be a list (one per file).
        ``progress_callback(sent, total)`` is called as bytes go out."""
        peer = _peer(entity)
        reply_id: Optional[int] = reply_to.id if isinstance(reply_to, Message) else reply_to
        if isinstance(file, (list, tuple)):
            return await self._send_album(peer, list(file), caption, parse_mode=parse_mode,
                                          force_document=force_document, reply_to=reply_id, silent=silent,
                                          progress_callback=progress_callback)
        if silent:
            raise _invalid("send_file: silent= is for albums (a list of files); the library's send_file "
                           "has no silent option")
        args, name = _file_arg(file, name)
        if mime_type is None:
            mime_type = _guess_mime(name or args.get("path"), args.get("data"))
        mt = mime_type or ""
        as_photo = None if force_document else (True if mt in ("image/jpeg", "image/png") else None)
        size = len(args["data"]) if "data" in args else os.path.getsize(args["path"])
        r = await self._call_with_progress("send_file", progress_callback, size, peer=peer, name=name,
                                           caption=caption, mime_type=mime_type, as_photo=as_photo,
                                           reply_to=reply_id, parse_mode=parse_mode,
                                           entities=list(formatting_entities) if formatting_entities else None,
                                           **args)
        if caption and (parse_mode or formatting_entities):
            got = await self.get_messages(peer, int(r["id"]))
            if got is not None:
                return got
        return Message({"_": "message", "id": r["id"], "message": caption or "", "out": True}, self, peer)

    async def _send_album(self, peer: Any, files: List[Any], caption: Any, *, parse_mode: Optional[str],
                          force_document: bool, reply_to: Optional[int], silent: Optional[bool],
                          progress_callback: Optional[Callable[[int, int], Any]]) -> List[Message]:
        if not 2 <= len(files) <= 10:
            raise InvalidArgumentError(f"send_file: an album has 2 to 10 files, got {len(files)}", status=1,
                                       name="INVALID_ARGUMENT")
        captions = list(caption) if isinstance(caption, (list, tuple)) else [caption] + [None] * (len(files) - 1)
        if len(captions) != len(files):
            raise InvalidArgumentError(f"send_file: {len(captions)} captions for {len(files)} files", status=1,
                                       name="INVALID_ARGUMENT")
        items, total = [], 0
        for f, cap in zip(files, captions):
            args, name = _file_arg(f, None)
            mime = _guess_mime(name or args.get("path"), args.get("data")) or ""
            kind = "document" if force_document or not mime else \
                "photo" if mime in ("image/jpeg", "image/png") else \
                "video" if mime.startswith("video/") else "audio" if mime.startswith("audio/") else "document"
            total += len(args["data"]) if "data" in args else os.path.getsize(args["path"])
            items.append({k: v for k, v in dict(args, name=name, kind=kind, caption=cap,
                                                 parse_mode=parse_mode if cap else None).items() if v is not None})
        r = await self._call_with_progress("send_album", progress_callback, total, peer=peer, files=items,
                                           reply_to=reply_to, silent=silent)
        ids = [int(i) for i in r.get("ids") or []]
        got = await self.get_messages(peer, ids) if ids else []
        by_id = {m.id: m for m in got}
        return [by_id.get(i) or Message({"_": "message", "id": i, "out": True}, self, peer) for i in ids]

    async def _call_with_progress(self, method: str, progress_callback: Optional[Callable[[int, int], Any]],
                                  total: int, **args: Any) -> Any:
        """A transfer call; ``progress_callback(done, total)`` runs on this loop
        for each progress report of the library (when it sends them), and
        always once with the final count."""
        if progress_callback is None:
            return await self._call(method, **args)
        if _lib.has_progress():
            # The library reports as bytes move; its last report has done == total.
            return await self._call(method, _progress=progress_callback, **args)
        r = await self._call(method, **args)
        if isinstance(r, dict) and "size" in r:
            total = int(r["size"])
        elif isinstance(r, dict) and isinstance(r.get("data"), (bytes, bytearray)):
            total = len(r["data"])
        await _maybe_call(progress_callback, total, total)
        return r

    async def download_media(self, message: Union[Message, int], file: Any = None, *,
                             entity: Optional[Peer] = None, thumb: Union[int, str, None] = None,
                             progress_callback: Optional[Callable[[int, int], Any]] = None) -> Union[bytes, str]:
        """Downloads a message's media: to the path ``file`` (a directory gets
        the file's own name; returns the path), or into memory (``file`` None
        or ``bytes``; returns the bytes). ``message`` is a Message or an id
        with ``entity``. ``thumb`` downloads a thumbnail instead: a size type
        (``"s"``, ``"m"``, ``"x"``) or an index into the sizes (0 the
        smallest, -1 the largest). ``progress_callback(received, total)``."""
        peer, mid = _message_ref(message, entity, "download_media")
        if thumb is not None:
            return await self.download_thumbnail(message, file, entity=entity, thumb=thumb)
        path = None if file is None or file is bytes else os.path.abspath(os.fspath(file))
        if path is not None and os.path.isdir(path):
            f = message.file if isinstance(message, Message) else None
            name = (f.name if f is not None else None) or f"{mid}{f.ext if f is not None else ''}"
            path = os.path.join(path, os.path.basename(name))
        f = message.file if isinstance(message, Message) else None
        r = await self._call_with_progress("download_media", progress_callback, (f.size if f else None) or -1,
                                           peer=_peer(peer), message_id=mid, path=path)
        return r["path"] if path else r["data"]

    async def download_thumbnail(self, message: Union[Message, int], file: Any = None, *,
                                 entity: Optional[Peer] = None, thumb: Union[int, str] = "") -> Union[bytes, str]:
        """A photo size or document thumbnail of a message's media (see
        ``download_media(thumb=...)``); ``""``: the largest photo size."""
        peer, mid = _message_ref(message, entity, "download_thumbnail")
        if isinstance(thumb, int) and not isinstance(thumb, bool):
            msg = message if isinstance(message, Message) else await self.get_messages(peer, mid)
            thumb = _thumb_type(msg, thumb)
        r = await self._call("download_thumbnail", peer=_peer(peer), message_id=mid, thumb=thumb or None,
                             path=_out_path(file))
        return r["path"] if "path" in r else r["data"]

    async def download_range(self, message: Union[Message, int], offset: int = 0, limit: Optional[int] = None,
                             file: Any = None, *, entity: Optional[Peer] = None) -> Union[bytes, str]:
        """``limit`` bytes of a message's media from ``offset`` (to the end
        when None; then a ``file`` path is needed for files over 256 MB),
        into memory or the path ``file``."""
        peer, mid = _message_ref(message, entity, "download_range")
        if offset < 0 or (limit is not None and limit < 0):
            raise InvalidArgumentError(f"download_range: offset {offset} and limit {limit} must be >= 0",
                                       status=1, name="INVALID_ARGUMENT")
        if limit == 0:
            return b"" if file is None else _out_path(file) or ""
        path = _out_path(file)
        if limit is None and path is None:
            f = message.file if isinstance(message, Message) else None
            if f is not None and f.size is not None:
                limit = max(0, int(f.size) - offset)
                if limit == 0:
                    return b""
        r = await self._call("download_range", peer=_peer(peer), message_id=mid, offset=offset,
                             limit=-1 if limit is None else limit, path=path)
        return r["path"] if "path" in r else r["data"]

    async def iter_download(self, message: Union[Message, int], *, offset: int = 0, length: Optional[int] = None,
                            chunk_size: int = 1 << 20, entity: Optional[Peer] = None) -> AsyncIterator[bytes]:
        """A message's media in chunks of ``chunk_size`` bytes (the last may
        be shorter), from ``offset``, ``length`` bytes or to the end; each
        chunk is one range request, made as the loop asks."""
        if chunk_size <= 0:
            raise InvalidArgumentError(f"iter_download: chunk_size must be > 0, got {chunk_size}", status=1,
                                       name="INVALID_ARGUMENT")
        msg: Any = message
        if not isinstance(message, Message):
            peer, mid = _message_ref(message, entity, "iter_download")
            msg = await self.get_messages(peer, mid)
            if msg is None:
                raise InvalidArgumentError(f"iter_download: no message {mid}", status=1, name="INVALID_ARGUMENT")
        size = msg.file.size if msg.file is not None else None
        end = offset + length if length is not None else size
        if end is not None and size is not None:
            end = min(end, size)
        pos = offset
        while end is None or pos < end:
            n = chunk_size if end is None else min(chunk_size, end - pos)
            chunk = await self.download_range(msg, pos, n)
            if not isinstance(chunk, (bytes, bytearray)) or not chunk:
                return
            yield bytes(chunk)
            pos += len(chunk)
            if len(chunk) < n:
                return

    async def download_profile_photo(self, entity: Peer, file: Any = None, *,
                                     download_big: bool = True) -> Union[bytes, str, None]:
        """The profile photo of a user, chat or channel: bytes, or written to
        the path ``file`` (a directory: named ``profile_<id>.jpg``); None when
        it has no photo."""
        try:
            r = await self._call("download_profile_photo", peer=_peer(entity), big=download_big,
                                 path=_out_path(file))
        except PolygramError as e:
            if "no profile photo" in str(e).lower() or "has no photo" in str(e).lower():
                return None
            raise
        return r["path"] if "path" in r else r["data"]

    async def download_file_id(self, file_id: str, file: Any = None) -> Union[bytes, str]:
        """Downloads a file by its Bot API ``file_id``."""
        r = await self._call("download_file_id", file_id=file_id, path=_out_path(file))
        return r["path"] if "path" in r else r["data"]

    async def get_file_ids(self, message: Union[Message, int], *, entity: Optional[Peer] = None) -> Tuple[str, str]:
        """``(file_id, file_unique_id)`` of a message's media, Bot API style."""
        peer, mid = _message_ref(message, entity, "get_file_ids")
        r = await self._call("file_ids", peer=_peer(peer), message_id=mid)
        return r["file_id"], r["file_unique_id"]

    async def decode_file_id(self, file_id: str) -> TLObject:
        """The fields of a Bot API file id (``type``, ``dc_id``, ``id``,
        ``access_hash``, ``file_reference``, ``version``, ``photo_size``,
        ``file_unique_id``), without network."""
        return TLObject(await self._call("decode_file_id", file_id=file_id), self)

    async def iter_dialogs(self, limit: Optional[int] = None, *, archived: bool = False,
                           exclude_pinned: bool = False, page: int = 100) -> AsyncIterator[TLObject]:
        """Every dialog, most recent first, fetched ``page`` at a time with
        ``messages.getDialogs`` offsets; each is ``{peer, id, name, unread,
        top_id, pinned, folder, archived, message, entity}`` (``id`` the
        marked id, ``entity`` the user or chat). ``archived``: the archive
        (folder 1) instead of the main list."""
        folder = 1 if archived else 0
        offset_date, offset_id, offset_peer = 0, 0, {"_": "inputPeerEmpty"}
        seen: Set[int] = set()
        count = 0
        while limit is None or count < limit:
            n = page if limit is None else min(page, limit - count)
            req: Dict[str, Any] = {"_": "messages.getDialogs", "offset_date": offset_date, "offset_id": offset_id,
                                   "offset_peer": offset_peer, "limit": n, "hash": 0, "folder_id": folder}
            if exclude_pinned:
                req["exclude_pinned"] = True
            r = unwrap(await self(req))
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
                        "folder": int(d.get("folder_id") or 0), "archived": int(d.get("folder_id") or 0) == 1,
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


def _invalid(message: str) -> InvalidArgumentError:
    return InvalidArgumentError(message, status=1, name="INVALID_ARGUMENT")


def _unix_time(when: Any, what: str) -> Optional[int]:
    """Unix seconds from a datetime (naive: local time), a timedelta from
    now, or a number; None for None."""
    import datetime
    import time
    if when is None:
        return None
    if isinstance(when, datetime.datetime):
        return int(when.timestamp())
    if isinstance(when, datetime.timedelta):
        return int(time.time() + when.total_seconds())
    if isinstance(when, (int, float)) and not isinstance(when, bool):
        return int(when)
    raise _invalid(f"{what} must be a datetime, a timedelta or a Unix time, got {type(when).__name__}")


_PARTICIPANT_FILTERS = ("recent", "admins", "bots", "banned", "kicked")


def _participant_filter(f: Any) -> Optional[str]:
    if f is None:
        return None
    if isinstance(f, str):
        name = f
    elif isinstance(f, type):
        name = getattr(f, "TL_NAME", "") or f.__name__   # types.ChannelParticipantsAdmins
    else:
        name = getattr(f, "tl_name", None) or ""          # types.ChannelParticipantsAdmins()
    name = str(name)
    for prefix in ("channelParticipants", "ChannelParticipants"):
        if name.startswith(prefix):
            name = name[len(prefix):]
    name = name.lower()
    if name not in _PARTICIPANT_FILTERS:
        raise _invalid(f"get_participants: filter {f!r} is none of {', '.join(_PARTICIPANT_FILTERS)}")
    return name


def _file_arg(file: Any, name: Optional[str]) -> Tuple[Dict[str, Any], Optional[str]]:
    """The send_file arguments (``path`` or ``data``) for a file, and its name."""
    if isinstance(file, (bytes, bytearray, memoryview)):
        return {"data": bytes(file)}, name
    if isinstance(file, (str, os.PathLike)):
        path = os.path.abspath(os.fspath(file))
        if not os.path.isfile(path):
            raise _invalid(f"send_file: {path} is not a file")
        return {"path": path}, name or os.path.basename(path)
    if hasattr(file, "read"):
        if name is None and isinstance(getattr(file, "name", None), str):
            name = os.path.basename(file.name)
        data = file.read()
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError("send_file: a file object must be opened in binary mode")
        return {"data": bytes(data)}, name
    raise TypeError(f"send_file: a file is a path, bytes or a binary file object, not {type(file).__name__}")


_MAGIC = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF8", "image/gif"),
          (b"%PDF-", "application/pdf"))


def _guess_mime(name: Optional[str], data: Optional[bytes] = None) -> Optional[str]:
    """From the first bytes (images, PDF), else from the name."""
    if data:
        for magic, mime in _MAGIC:
            if data.startswith(magic):
                return mime
    if not name:
        return None
    import mimetypes
    return mimetypes.guess_type(name)[0]


def _message_ref(message: Any, entity: Optional[Peer], what: str) -> Tuple[Any, int]:
    """(peer, message id) of a Message, or of an id given with ``entity``."""
    if isinstance(message, Message):
        return message._where(), int(message.id)
    if entity is None:
        raise _invalid(f"{what} with a message id needs entity=")
    return entity, int(message)


def _out_path(file: Any) -> Optional[str]:
    if file is None or file is bytes:
        return None
    return os.path.abspath(os.fspath(file))


def _thumb_type(message: Any, index: int) -> str:
    """The size type of the ``index``-th thumbnail (0 the smallest)."""
    media = message.to_dict().get("media") if message is not None else None
    media = media if isinstance(media, dict) else {}
    holder = media.get("photo") if isinstance(media.get("photo"), dict) else media.get("document")
    sizes = []
    if isinstance(holder, dict):
        sizes = [x for x in (holder.get("sizes") or holder.get("thumbs") or [])
                 if isinstance(x, dict) and x.get("type") and x.get("_") != "photoStrippedSize"]
    if not sizes:
        raise _invalid("download_thumbnail: the message has no thumbnails")

    def area(x: Dict[str, Any]) -> int:
        return int(x.get("w") or 0) * int(x.get("h") or 0)
    sizes.sort(key=area)
    try:
        return str(sizes[index]["type"])
    except IndexError:
        raise _invalid(f"download_thumbnail: thumb {index} is out of range ({len(sizes)} sizes)") from None


class Participant(TLObject):
    """A member of a group or channel: its own fields (``user_id``,
    ``admin``, ``creator``, ``banned``, ``kicked``, ``rank``, ``inviter_id``,
    ``date``) and, through them, its user's (``first_name``, ``username``,
    ``bot``; ``id`` is the user id). ``user`` is the user object and
    ``participant`` the participant itself, as Telethon users expect."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name == "id":
            return self._d.get("user_id")
        if name == "participant":
            return self
        if name in self._d:
            return wrap(self._d[name], self._client)
        user = self._d.get("user")
        if isinstance(user, dict):
            return wrap(user.get(name), self._client)
        return None

    @property
    def date(self) -> Any:
        import datetime
        ts = self._d.get("date")
        if not isinstance(ts, int) or ts <= 0:
            return None
        return datetime.datetime.fromtimestamp(ts, tz=datetime.timezone.utc)


class InlineResult(TLObject):
    """One result of ``inline_query``: ``id``, ``type``, ``title``,
    ``description``, ``url``, ``text``; ``click(chat)`` sends it."""

    __slots__ = ("_query_id",)

    def __init__(self, data: Dict[str, Any], client: "Client", query_id: int):
        super().__init__(data, client)
        self._query_id = query_id

    @property
    def query_id(self) -> int:
        return self._query_id

    async def click(self, entity: Peer, *, reply_to: Union[int, Message, None] = None,
                    silent: Optional[bool] = None) -> Message:
        """Sends this result to ``entity``; returns the message."""
        return await self._client.send_inline_result(entity, self._query_id, self._d["id"],  # type: ignore
                                                     reply_to=reply_to, silent=silent)


class InlineResults(list):  # type: ignore[type-arg]
    """The results of ``inline_query`` (a list of :class:`InlineResult`),
    with ``query_id``, ``next_offset``, ``gallery`` and ``bot`` (the peer map)."""

    def __init__(self, client: "Client", data: Dict[str, Any]):
        self.query_id: int = int(data.get("query_id") or 0)
        super().__init__(InlineResult(r, client, self.query_id) for r in data.get("results") or [])
        self.next_offset: Optional[str] = data.get("next_offset") or None
        self.gallery: bool = bool(data.get("gallery"))
        self.bot: Any = wrap(data.get("bot"), client)
