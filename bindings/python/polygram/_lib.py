"""Loading of libpolygram.so through ctypes, and the thin helpers around it.

The library is looked up, in order:

1. ``$POLYGRAM_LIBRARY`` when set (then only there: an explicit choice that
   fails must not silently fall back to another build);
2. next to this package (a wheel that bundles the library);
3. ``build/libpolygram.so`` in this directory's parents (a source checkout
   after ``make lib``).

Every buffer the library returns is copied into Python bytes and released
with ``polygram_free`` at once.
"""
from __future__ import annotations

import ctypes
import os
import sys
import threading
from ctypes import (
    CFUNCTYPE,
    POINTER,
    Structure,
    byref,
    c_char_p,
    c_double,
    c_int,
    c_size_t,
    c_uint64,
    c_void_p,
)
from pathlib import Path
from typing import Any, List, Optional, Sequence, Tuple

import msgpack  # type: ignore

ABI_VERSION = 1

# polygram_encoding
ENCODING_TL = 1
ENCODING_MSGPACK = 2
ENCODING_CALL = 3

# polygram_event_type
EVENT_RESULT = 1
EVENT_ERROR = 2
EVENT_UPDATE = 3
EVENT_AUTH_STATE = 4
EVENT_CONNECTION_STATE = 5
EVENT_LOG = 6
EVENT_DROPPED = 7
EVENT_PROGRESS: Optional[int] = None  # set by _features when the library has progress events

OK = 0

if sys.platform == "darwin":
    LIBRARY_NAME = "libpolygram.dylib"
elif sys.platform == "win32":
    LIBRARY_NAME = "polygram.dll"
else:
    LIBRARY_NAME = "libpolygram.so"


class LibraryNotFoundError(ImportError):
    """libpolygram could not be loaded; ``tried`` lists every path tried."""

    def __init__(self, message: str, tried: Sequence[str]):
        super().__init__(message)
        self.tried = list(tried)


class Event(Structure):
    _fields_ = [
        ("type", c_int),
        ("status", c_int),
        ("request_id", c_uint64),
        ("encoding", c_int),
        ("data", c_void_p),
        ("data_len", c_size_t),
    ]


CALLBACK = CFUNCTYPE(None, c_void_p, c_uint64, POINTER(Event))

_OUT = POINTER(c_void_p)
_LEN = POINTER(c_size_t)


def candidate_paths() -> Tuple[List[str], bool]:
    """Returns the paths to try and whether they come from POLYGRAM_LIBRARY."""
    env = os.environ.get("POLYGRAM_LIBRARY")
    if env:
        return [env], True
    here = Path(__file__).resolve().parent
    paths = [str(here / LIBRARY_NAME)]
    for parent in here.parents:
        paths.append(str(parent / "build" / LIBRARY_NAME))
    return paths, False


def load(paths: Optional[Sequence[str]] = None) -> ctypes.CDLL:
    """Loads the library from the first path that works (see the module doc)."""
    from_env = False
    if paths is None:
        paths, from_env = candidate_paths()
    tried: List[str] = []
    for p in paths:
        if not os.path.exists(p):
            tried.append(f"{p} (not found)")
            continue
        try:
            lib = ctypes.CDLL(p)
        except OSError as e:
            tried.append(f"{p} ({e})")
            continue
        _declare(lib)
        abi = lib.polygram_abi_version()
        if abi != ABI_VERSION:
            tried.append(f"{p} (ABI {abi}, this binding needs ABI {ABI_VERSION})")
            continue
        _features(lib)
        return lib
    hint = (
        "POLYGRAM_LIBRARY is set, so no other place was searched; fix or unset it"
        if from_env
        else "build it with `make lib` in the Polygram repository, or set POLYGRAM_LIBRARY "
        "to the path of libpolygram"
    )
    raise LibraryNotFoundError(
        "cannot load the Polygram library (" + LIBRARY_NAME + "); tried:\n  "
        + "\n  ".join(tried)
        + "\n"
        + hint,
        tried,
    )


def _declare(lib: ctypes.CDLL) -> None:
    lib.polygram_version.argtypes = []
    lib.polygram_version.restype = c_char_p
    lib.polygram_abi_version.argtypes = []
    lib.polygram_abi_version.restype = c_int
    lib.polygram_layer.argtypes = []
    lib.polygram_layer.restype = c_int
    lib.polygram_status_name.argtypes = [c_int]
    lib.polygram_status_name.restype = c_char_p
    lib.polygram_free.argtypes = [c_void_p]
    lib.polygram_free.restype = None
    lib.polygram_client_new.argtypes = [c_char_p, c_size_t, CALLBACK, c_void_p, POINTER(c_uint64), _OUT, _LEN]
    lib.polygram_client_new.restype = c_int
    lib.polygram_client_close.argtypes = [c_uint64]
    lib.polygram_client_close.restype = c_int
    lib.polygram_set_log_level.argtypes = [c_uint64, c_int]
    lib.polygram_set_log_level.restype = c_int
    lib.polygram_send.argtypes = [c_uint64, c_int, c_char_p, c_size_t, POINTER(c_uint64), _OUT, _LEN]
    lib.polygram_send.restype = c_int
    lib.polygram_cancel.argtypes = [c_uint64, c_uint64]
    lib.polygram_cancel.restype = c_int
    lib.polygram_invoke.argtypes = [c_uint64, c_int, c_char_p, c_size_t, c_double, _OUT, _LEN, _OUT, _LEN]
    lib.polygram_invoke.restype = c_int
    lib.polygram_receive.argtypes = [c_uint64, c_double, POINTER(Event)]
    lib.polygram_receive.restype = c_int
    lib.polygram_emulator_start.argtypes = [c_char_p, c_size_t, POINTER(c_uint64), _OUT, _LEN]
    lib.polygram_emulator_start.restype = c_int
    lib.polygram_emulator_stop.argtypes = [c_uint64]
    lib.polygram_emulator_stop.restype = c_int
    lib.polygram_emulator_call.argtypes = [c_uint64, c_char_p, c_size_t, _OUT, _LEN, _OUT, _LEN]
    lib.polygram_emulator_call.restype = c_int
    lib.polygram_tl_to_msgpack.argtypes = [c_char_p, c_size_t, _OUT, _LEN, _OUT, _LEN]
    lib.polygram_tl_to_msgpack.restype = c_int
    lib.polygram_msgpack_to_tl.argtypes = [c_char_p, c_size_t, _OUT, _LEN, _OUT, _LEN]
    lib.polygram_msgpack_to_tl.restype = c_int


def _version_tuple(v: str) -> Tuple[int, ...]:
    out = []
    for part in v.split("-")[0].split("."):
        if not part.isdigit():
            break
        out.append(int(part))
    return tuple(out)


def _features(lib: ctypes.CDLL) -> None:
    """Notes what this build of the library offers beyond ABI 1's first
    release: PROGRESS events and the exported error list. The header gives
    no feature query for "progress": true (an older library refuses the
    argument), so it is assumed from a version of 0.2 or more, or from
    polygram_errors, which came in the same change."""
    global EVENT_PROGRESS
    ver = lib.polygram_version().decode()
    EVENT_PROGRESS = 8 if _version_tuple(ver) >= (0, 2) or hasattr(lib, "polygram_errors") else None
    if hasattr(lib, "polygram_errors"):
        lib.polygram_errors.argtypes = [_OUT, _LEN]
        lib.polygram_errors.restype = c_int
    if hasattr(lib, "polygram_event_fd"):
        lib.polygram_event_fd.argtypes = [c_uint64, POINTER(c_int)]
        lib.polygram_event_fd.restype = c_int


def event_fd(handle: int) -> Optional[int]:
    """A new descriptor (ours to close) readable while ``handle`` has
    events, or None when this library or platform has none."""
    lib_ = lib()
    if not hasattr(lib_, "polygram_event_fd") or os.environ.get("POLYGRAM_PYTHON_READER") == "thread":
        return None
    fd = c_int(-1)
    if lib_.polygram_event_fd(handle, byref(fd)) != OK:
        return None
    return fd.value


_lib: Optional[ctypes.CDLL] = None
_lib_lock = threading.Lock()


def lib() -> ctypes.CDLL:
    """The loaded library (loaded on first use)."""
    global _lib
    if _lib is None:
        with _lib_lock:
            if _lib is None:
                _lib = load()
    return _lib


def pack(obj: Any) -> bytes:
    return msgpack.packb(obj, use_bin_type=True)


def unpack(data: bytes) -> Any:
    return msgpack.unpackb(data, raw=False, strict_map_key=False)


def take(ptr: c_void_p, length: c_size_t) -> bytes:
    """Copies a returned buffer into bytes and frees it."""
    if not ptr.value:
        return b""
    try:
        return ctypes.string_at(ptr.value, length.value)
    finally:
        lib().polygram_free(ptr)


def status_name(status: int) -> str:
    return lib().polygram_status_name(status).decode()


def error_map(status: int, err: c_void_p, err_len: c_size_t) -> dict:
    """The error map of a failed call (freed), or one made from the status."""
    if err.value:
        try:
            m = unpack(take(err, err_len))
            if isinstance(m, dict):
                m.setdefault("status", status)
                return m
        except Exception:
            pass
    name = status_name(status)
    return {"status": status, "code": status, "name": name, "message": name}


def has_progress() -> bool:
    """Whether the loaded library reports transfer progress (PROGRESS events
    for requests sent with ``"progress": true``)."""
    return EVENT_PROGRESS is not None


def version() -> str:
    return lib().polygram_version().decode()


def layer() -> int:
    return int(lib().polygram_layer())


def tl_to_dict(data: bytes) -> Any:
    """Converts boxed TL bytes to their msgpack (dict) form."""
    from .errors import error_from_map

    out, out_len, err, err_len = c_void_p(), c_size_t(), c_void_p(), c_size_t()
    st = lib().polygram_tl_to_msgpack(data, len(data), byref(out), byref(out_len), byref(err), byref(err_len))
    if st != OK:
        raise error_from_map(error_map(st, err, err_len))
    return unpack(take(out, out_len))


def dict_to_tl(obj: Any) -> bytes:
    """Converts a TL object in dict form to boxed TL bytes."""
    from .errors import error_from_map

    data = pack(obj)
    out, out_len, err, err_len = c_void_p(), c_size_t(), c_void_p(), c_size_t()
    st = lib().polygram_msgpack_to_tl(data, len(data), byref(out), byref(out_len), byref(err), byref(err_len))
    if st != OK:
        raise error_from_map(error_map(st, err, err_len))
    return take(out, out_len)
