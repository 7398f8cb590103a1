"""Exceptions raised by Polygram.

Every failure of the C API carries an error map ``{status, code, name,
message, seconds?, dc?, method?}``; :func:`error_from_map` turns it into the
most specific class below. Telegram's own errors are :class:`RPCError`
(with ``code``, ``name`` such as ``"FLOOD_WAIT_X"``, ``message`` and
``method``), subclassed by HTTP-like code as in Telethon.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple, Type

# polygram_status values
STATUS_INVALID_ARGUMENT = 1
STATUS_DECODE = 2
STATUS_INTERNAL = 3
STATUS_BAD_HANDLE = 4
STATUS_CLOSED = 5
STATUS_UNKNOWN_METHOD = 6
STATUS_TIMEOUT = 7
STATUS_CANCELLED = 8
STATUS_RPC = 9
STATUS_FLOOD_WAIT = 10
STATUS_UNAUTHORIZED = 11
STATUS_PASSWORD_NEEDED = 12
STATUS_SIGN_UP_REQUIRED = 13
STATUS_PEER_NOT_FOUND = 14
STATUS_NETWORK = 15
STATUS_NOT_FOUND = 16
STATUS_WRONG_MODE = 17
STATUS_SESSION = 18
STATUS_FAILED = 19


class PolygramError(Exception):
    """Base of every error Polygram raises. ``data`` is the full error map."""

    def __init__(self, message: str = "", *, status: int = STATUS_FAILED, code: Optional[int] = None,
                 name: str = "", data: Optional[Dict[str, Any]] = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = status if code is None else code
        self.name = name
        self.data: Dict[str, Any] = dict(data or {})

    def __str__(self) -> str:
        return self.message or self.name


class InvalidArgumentError(PolygramError, ValueError):
    """A bad argument: unknown friendly-call argument, wrong type, unknown config key."""


class DecodeError(PolygramError, ValueError):
    """Malformed TL or msgpack."""


class InternalError(PolygramError):
    """A fault inside the library (a bug)."""


class BadHandleError(PolygramError):
    """A stale or wrong handle."""


class ClosedError(PolygramError, ConnectionError):
    """The client or emulator is closed (pending requests end with this)."""


class UnknownMethodError(PolygramError):
    """No such friendly method, emulator command or TL function."""


class TimedOutError(PolygramError, TimeoutError):
    """A blocking call ran out of time."""


class CancelledRequestError(PolygramError):
    """The request was cancelled."""


class PeerNotFoundError(PolygramError, ValueError):
    """A peer could not be resolved; the message says how to meet it."""


class NetworkError(PolygramError, ConnectionError):
    """No connection to the data centre."""


class RequestNotFoundError(PolygramError):
    """polygram_cancel: no pending request has this id."""


class WrongModeError(PolygramError):
    """polygram_receive on a client with a callback."""


class SessionError(PolygramError):
    """The session store failed (file in use, not a session, bad string)."""


class ButtonNotFoundError(PolygramError, LookupError):
    """``click``: the message has no such inline button (or no such message)."""


class RPCError(PolygramError):
    """An error answered by Telegram: ``code`` (400, 420, ...), ``name``
    (``"FLOOD_WAIT_X"``), ``message`` and ``method`` (the TL function)."""

    @property
    def method(self) -> Optional[str]:
        return self.data.get("method")


class BadRequestError(RPCError):
    """Telegram's 400."""


class UnauthorizedError(RPCError):
    """401, or the session is not logged in."""


class ForbiddenError(RPCError):
    """Telegram's 403."""


class NotFoundError(RPCError):
    """Telegram's 404."""


NotFoundRPCError = NotFoundError


class InvalidDCError(RPCError):
    """Telegram's 303 (the core follows *_MIGRATE_X itself; seen only when it cannot)."""


class AuthKeyError(RPCError):
    """Telegram's 406."""


class FloodError(RPCError):
    """Telegram's 420."""


class ServerError(RPCError):
    """Telegram's 5xx."""


class FloodWaitError(FloodError):
    """Telegram asked to wait ``seconds`` (over flood_sleep_threshold)."""

    @property
    def seconds(self) -> int:
        return int(self.data.get("seconds", 0))


class SessionPasswordNeededError(UnauthorizedError):
    """The account has a 2FA password: call ``check_password``."""


class SignUpRequiredError(BadRequestError):
    """The phone number has no account: call ``sign_up``."""


_BY_STATUS: Dict[int, Type[PolygramError]] = {
    STATUS_INVALID_ARGUMENT: InvalidArgumentError,
    STATUS_DECODE: DecodeError,
    STATUS_INTERNAL: InternalError,
    STATUS_BAD_HANDLE: BadHandleError,
    STATUS_CLOSED: ClosedError,
    STATUS_UNKNOWN_METHOD: UnknownMethodError,
    STATUS_TIMEOUT: TimedOutError,
    STATUS_CANCELLED: CancelledRequestError,
    STATUS_FLOOD_WAIT: FloodWaitError,
    STATUS_UNAUTHORIZED: UnauthorizedError,
    STATUS_PASSWORD_NEEDED: SessionPasswordNeededError,
    STATUS_SIGN_UP_REQUIRED: SignUpRequiredError,
    STATUS_PEER_NOT_FOUND: PeerNotFoundError,
    STATUS_NETWORK: NetworkError,
    STATUS_NOT_FOUND: RequestNotFoundError,
    STATUS_WRONG_MODE: WrongModeError,
    STATUS_SESSION: SessionError,
}

_RPC_BY_CODE: Dict[int, Type[RPCError]] = {
    303: InvalidDCError,
    400: BadRequestError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    406: AuthKeyError,
    420: FloodError,
    500: ServerError,
    -503: ServerError,
}


# ---------------------------------------------------------------------- errors by name
#
# One class per RPC error Telegram is known to return (UsernameNotOccupiedError,
# PhoneCodeInvalidError, ...), made at import time from the error list: the
# library's own (polygram_errors, when the loaded library exports it),
# else the copy of schema/errors.csv shipped in this package. Each derives
# from the class of its code, so ``except BadRequestError`` still catches it.

class _NumberMixin:
    """For names with an X (``FLOOD_WAIT_X``): the number is ``value``, and
    ``seconds`` or ``new_dc`` by its meaning."""

    data: Dict[str, Any]

    @property
    def value(self) -> Optional[int]:
        for k in ("seconds", "dc", "value"):
            if k in self.data:
                return int(self.data[k])
        return None

    @property
    def seconds(self) -> int:
        return int(self.data.get("seconds", self.value or 0))

    @property
    def new_dc(self) -> Optional[int]:
        return int(self.data["dc"]) if "dc" in self.data else self.value


_DIGITS = {"0": "Zero", "1": "One", "2": "Two", "3": "Three", "4": "Four", "5": "Five", "6": "Six",
           "7": "Seven", "8": "Eight", "9": "Nine"}


def class_name(rpc_name: str) -> str:
    """``"FLOOD_WAIT_X"`` -> ``"FloodWaitError"`` (Telethon's naming)."""
    base = rpc_name[:-2] if rpc_name.endswith("_X") else rpc_name
    words = [w for w in base.replace("-", "_").split("_") if w]
    name = "".join(w[:1].upper() + w[1:].lower() for w in words)
    if name and name[0].isdigit():
        name = _DIGITS[name[0]] + name[1:2].upper() + name[2:]
    return name + "Error"


def _load_error_list() -> List[Dict[str, Any]]:
    try:
        from . import _lib
        lib = _lib.lib()
        fn = getattr(lib, "polygram_errors", None)
    except Exception:  # no library: the shipped list still gives the classes
        fn = None
    if fn is not None:
        import ctypes
        from . import _lib
        fn.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_size_t)]
        fn.restype = ctypes.c_int
        out, n = ctypes.c_void_p(), ctypes.c_size_t()
        if fn(ctypes.byref(out), ctypes.byref(n)) == 0:
            lst = _lib.unpack(_lib.take(out, n))
            if isinstance(lst, list) and lst:
                global ERRORS_SOURCE
                ERRORS_SOURCE = "library"
                return lst
    import csv
    import io
    from importlib import resources
    text = resources.files(__package__).joinpath("rpc_errors.csv").read_text("utf-8") \
        if hasattr(resources, "files") else resources.read_text(__package__, "rpc_errors.csv")
    out_list = []
    for row in csv.DictReader(io.StringIO(text)):
        codes = [int(c) for c in (row.get("codes") or "").split()]
        out_list.append({"name": row["name"], "codes": codes, "description": row.get("description") or ""})
    return out_list


ERRORS_SOURCE = "package"
"""Where the error classes came from: ``"library"`` (polygram_errors) or
``"package"`` (the shipped rpc_errors.csv, for libraries without it)."""

RPC_ERRORS: Dict[str, Type[RPCError]] = {}
"""RPC error name (``"FLOOD_WAIT_X"``) -> its class."""

_PREDEFINED: Dict[str, Type[RPCError]] = {
    "FLOOD_WAIT_X": FloodWaitError,
    "SESSION_PASSWORD_NEEDED": SessionPasswordNeededError,
}


def _make_error_classes() -> None:
    g = globals()
    for e in _load_error_list():
        name = str(e["name"])
        codes = [int(c) for c in e.get("codes") or []]
        if name in _PREDEFINED:
            RPC_ERRORS[name] = _PREDEFINED[name]
            continue
        cname = class_name(name)
        if cname in g and not (isinstance(g[cname], type) and issubclass(g[cname], RPCError)):
            continue  # never shadow a Polygram class
        if cname in g:
            RPC_ERRORS[name] = g[cname]
            continue
        base = _RPC_BY_CODE.get(codes[0], ServerError if codes and codes[0] >= 500 else RPCError) \
            if codes else RPCError
        bases: Tuple[type, ...] = (_NumberMixin, base) if name.endswith("_X") else (base,)
        doc = str(e.get("description") or name)
        cls = type(cname, bases, {"__doc__": f"{name} ({', '.join(map(str, codes))}): {doc}",
                                  "__module__": __name__, "rpc_name": name})
        g[cname] = cls
        RPC_ERRORS[name] = cls


_make_error_classes()

_combined: Dict[Tuple[type, type], type] = {}


def _combine(by_name: type, by_status: type) -> type:
    """A class that is both (e.g. PhoneNumberUnoccupiedError and SignUpRequiredError)."""
    key = (by_name, by_status)
    cls = _combined.get(key)
    if cls is None:
        cls = type(by_name.__name__, (by_name, by_status), {"__module__": __name__})
        _combined[key] = cls
    return cls


def error_from_map(m: Dict[str, Any]) -> PolygramError:
    """Builds the exception for a C API error map."""
    status = int(m.get("status", STATUS_FAILED))
    code = int(m.get("code", status))
    name = str(m.get("name", ""))
    message = str(m.get("message", name))
    cls: Type[PolygramError]
    if status in _BY_STATUS:
        cls = _BY_STATUS[status]
    elif status == STATUS_RPC:
        cls = _RPC_BY_CODE.get(code, ServerError if code >= 500 else RPCError)
    else:
        cls = PolygramError
    if name.startswith("FLOOD_WAIT"):
        cls = FloodWaitError
    named = RPC_ERRORS.get(name)
    if named is not None and named is not cls:
        if issubclass(named, cls) or status == STATUS_RPC:
            cls = named
        elif not issubclass(cls, named):
            cls = _combine(named, cls)
    return cls(message, status=status, code=code, name=name, data=m)


__all__ = [n for n in dir() if n.endswith("Error")] + ["error_from_map", "RPC_ERRORS", "ERRORS_SOURCE"]
