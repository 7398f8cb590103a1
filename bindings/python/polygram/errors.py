"""Exceptions raised by Polygram.

Every failure of the C API carries an error map ``{status, code, name,
message, seconds?, dc?, method?}``; :func:`error_from_map` turns it into the
most specific class below. Telegram's own errors are :class:`RPCError`
(with ``code``, ``name`` such as ``"FLOOD_WAIT_X"``, ``message`` and
``method``), subclassed by HTTP-like code as in Telethon.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Type

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


class NotFoundError(PolygramError):
    """No pending request with this id."""


class WrongModeError(PolygramError):
    """polygram_receive on a client with a callback."""


class SessionError(PolygramError):
    """The session store failed (file in use, not a session, bad string)."""


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


class NotFoundRPCError(RPCError):
    """Telegram's 404."""


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
    STATUS_NOT_FOUND: NotFoundError,
    STATUS_WRONG_MODE: WrongModeError,
    STATUS_SESSION: SessionError,
}

_RPC_BY_CODE: Dict[int, Type[RPCError]] = {
    400: BadRequestError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundRPCError,
    420: FloodError,
}


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
    return cls(message, status=status, code=code, name=name, data=m)


__all__ = [n for n in dir() if n.endswith("Error")] + ["error_from_map"]
