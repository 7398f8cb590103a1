"""The bundled Telegram emulator (DCs on loopback), driven through the C API.

    with Emulator() as emu:
        token = emu.create_bot("echo_bot", "Echo")
        bot = emu.client()                     # a Client configured for it
        ...

Phones ``99966XYYYY`` live on DC X and their login code is X repeated five
times (``emu.login_code(phone)`` returns it).
"""
from __future__ import annotations

import atexit
import threading
import weakref
from ctypes import byref, c_size_t, c_uint64, c_void_p
from typing import Any, Dict, Optional

from . import _lib
from .errors import error_from_map

_running: "weakref.WeakSet[Emulator]" = weakref.WeakSet()


@atexit.register
def _stop_all() -> None:
    for e in list(_running):
        try:
            e.stop()
        except Exception:
            pass


class Emulator:
    """A Telegram emulator. ``dcs``: number of DCs (3 by default);
    ``snapshot``: a file the model is loaded from at start and saved to at stop."""

    def __init__(self, dcs: Optional[int] = None, snapshot: Optional[str] = None, *, start: bool = True):
        self._config: Dict[str, Any] = {}
        if dcs is not None:
            self._config["dcs"] = int(dcs)
        if snapshot is not None:
            self._config["snapshot"] = str(snapshot)
        self._handle = 0
        self._lock = threading.Lock()
        if start:
            self.start()

    def start(self) -> "Emulator":
        with self._lock:
            if self._handle:
                return self
            cfg = _lib.pack(self._config) if self._config else None
            h, err, err_len = c_uint64(), c_void_p(), c_size_t()
            st = _lib.lib().polygram_emulator_start(cfg, len(cfg) if cfg else 0, byref(h), byref(err), byref(err_len))
            if st != _lib.OK:
                raise error_from_map(_lib.error_map(st, err, err_len))
            self._handle = h.value
            _running.add(self)
        return self

    def stop(self) -> None:
        """Stops it (every connection to it is closed). Idempotent."""
        with self._lock:
            h, self._handle = self._handle, 0
        if h:
            _lib.lib().polygram_emulator_stop(h)
            _running.discard(self)

    close = stop

    @property
    def running(self) -> bool:
        return bool(self._handle)

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    async def __aenter__(self) -> "Emulator":
        return self.start()

    async def __aexit__(self, *exc: Any) -> None:
        self.stop()

    def call(self, command: str, /, **args: Any) -> Any:
        """Runs an emulator command (polygram.h lists them) and returns its answer."""
        if not self._handle:
            from .errors import ClosedError
            raise ClosedError("the emulator is stopped", status=5, name="CLOSED")
        cmd: Dict[str, Any] = {"method": command}
        a = {k: v for k, v in args.items() if v is not None}
        if a:
            cmd["args"] = a
        data = _lib.pack(cmd)
        out, out_len, err, err_len = c_void_p(), c_size_t(), c_void_p(), c_size_t()
        st = _lib.lib().polygram_emulator_call(self._handle, data, len(data), byref(out), byref(out_len),
                                               byref(err), byref(err_len))
        if st != _lib.OK:
            raise error_from_map(_lib.error_map(st, err, err_len))
        return _lib.unpack(_lib.take(out, out_len))

    # -- conveniences

    def info(self) -> Dict[str, Any]:
        """``{dcs: [{id, host, port, addr}], public_key_pem, fingerprint}``."""
        return self.call("info")

    def client_config(self, **extra: Any) -> Dict[str, Any]:
        """A client configuration pointing at this emulator (api_id, api_hash, dcs, public_keys)."""
        return self.call("client_config", **extra)

    def client(self, session: Any = None, **options: Any) -> "Any":
        """A :class:`polygram.Client` configured for this emulator."""
        from .client import Client

        cfg = self.client_config()
        cfg.update(options)
        return Client(session, **cfg)

    def create_user(self, phone: str, first_name: str = "", last_name: str = "", username: str = "") -> Dict[str, Any]:
        """Creates a user: ``{id, phone, first_name, last_name, username, bot, dc}``."""
        return self.call("create_user", phone=phone, first_name=first_name, last_name=last_name,
                         username=username)

    def create_bot(self, username: str, first_name: str = "") -> str:
        """Creates a bot and returns its token (``bot_id:secret``)."""
        return self.call("create_bot", username=username, first_name=first_name or username)["token"]

    def bot_token(self, bot_id: int) -> str:
        return self.call("bot_token", bot_id=bot_id)["token"]

    def lookup_user(self, user_id: int) -> Optional[Dict[str, Any]]:
        return self.call("lookup_user", id=user_id)

    def login_code(self, phone: str) -> str:
        """The login code the emulator sent to ``phone``."""
        return self.call("login_code", phone=phone)["code"]

    def set_password(self, user_id: int, password: str, hint: str = "") -> None:
        self.call("set_password", user_id=user_id, password=password, hint=hint)

    def add_contact(self, owner: int, contact: int) -> None:
        self.call("add_contact", owner=owner, contact=contact)

    def send_message(self, from_id: int, peer: Any, text: str) -> int:
        """Sends a message as user ``from_id`` (server side); returns its id."""
        return self.call("send_message", **{"from": from_id, "peer": peer, "text": text})["id"]

    def history(self, viewer: int, peer: Any) -> Any:
        return self.call("history", viewer=viewer, peer=peer)["messages"]

    def create_chat(self, creator: int, title: str, members: Any = ()) -> Any:
        return self.call("create_chat", creator=creator, title=title, members=list(members))["peer"]

    def create_channel(self, creator: int, title: str, username: str = "", megagroup: bool = False,
                       members: Any = ()) -> Any:
        return self.call("create_channel", creator=creator, title=title, username=username or None,
                         megagroup=megagroup, members=list(members))["peer"]

    def update_state(self, user_id: int) -> Dict[str, Any]:
        return self.call("update_state", user_id=user_id)

    # -- faults

    def drop_connections(self) -> None:
        self.call("drop_connections")

    def rotate_salt(self) -> None:
        self.call("rotate_salt")

    def expire_file_references(self) -> None:
        self.call("expire_file_references")

    def skew_clock(self, seconds: int) -> None:
        self.call("skew_clock", seconds=seconds)

    def hold_updates(self, user_id: int, hold: bool = True) -> None:
        self.call("hold_updates", user_id=user_id, hold=hold)

    def lose_updates(self, user_id: int, n: int = 1) -> None:
        self.call("lose_updates", user_id=user_id, n=n)

    def fail_next(self, method: str, error: str, n: int = 1) -> None:
        """The next ``n`` calls of the TL ``method`` fail with ``error`` (e.g. "FLOOD_WAIT_120")."""
        self.call("fail_next", method=method, error=error, n=n)

    def slow_dc(self, dc: int, delay_ms: int) -> None:
        self.call("slow_dc", dc=dc, delay_ms=delay_ms)
