"""Typed TL classes built at run time from the schema the library exports.

``polygram.functions`` and ``polygram.types`` are namespaces over this
module: ``functions.messages.GetHistoryRequest(peer="me", limit=10)``,
``types.InputPeerSelf()``. No Python code is generated or kept in sync: the
classes are made on first use from ``polygram_schema_msgpack``, so they always
match the loaded library. ``python -m polygram.stubs`` writes ``.pyi`` files
from the same schema for editors and type checkers.

Naming follows Telethon: a constructor ``messages.dialogs`` is
``types.messages.Dialogs``; a function ``messages.getHistory`` is
``functions.messages.GetHistoryRequest``. A field that is a Python keyword
takes a trailing underscore (``from_``).

Arguments are checked when an object is made: an unknown field, a missing
required field, or a value of the wrong kind raises
:class:`~polygram.errors.InvalidArgumentError` naming the field. Integer
fields (``int``, ``long``, ``double``) default to 0 and optional (flag)
fields are left out. Where the schema expects an ``InputPeer``,
``InputUser`` or ``InputChannel`` an entity may be given instead (a marked
id, ``"me"``, ``"@username"``, a user/chat object or a message); the client
resolves it through the core when the request is sent.
"""
from __future__ import annotations

import ctypes
import keyword
import os
import threading
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from . import _lib
from .errors import InvalidArgumentError, error_from_map
from .tl import TLObject

# Abstract types an entity may stand for, and what it becomes.
ENTITY_TYPES = ("InputPeer", "InputUser", "InputChannel")

_INT_TYPES = {"int": 32, "long": 64}
_DEFAULT_ZERO = {"int": 0, "long": 0, "double": 0.0}


class Param:
    """One field of a combinator, as the schema describes it."""

    __slots__ = ("name", "attr", "type", "optional", "is_flags")

    def __init__(self, d: Dict[str, Any]):
        self.name: str = d["name"]
        self.attr: str = self.name + "_" if keyword.iskeyword(self.name) else self.name
        self.type: str = d["type"]
        self.optional: bool = "flag_field" in d
        self.is_flags: bool = bool(d.get("is_flags"))


class Combinator:
    """A constructor or function of the schema."""

    __slots__ = ("name", "id", "type", "function", "params", "by_attr", "namespace", "class_name")

    def __init__(self, d: Dict[str, Any], function: bool):
        self.name: str = d["name"]
        self.id: int = int(d["id"])
        self.function = function
        self.type: str = d["result"] if function else d["type"]
        self.params: List[Param] = [Param(p) for p in d.get("params") or []]
        self.by_attr: Dict[str, Param] = {p.attr: p for p in self.params if not p.is_flags}
        ns, _, base = self.name.rpartition(".")
        self.namespace = ns
        self.class_name = base[:1].upper() + base[1:] + ("Request" if function else "")
        if keyword.iskeyword(self.class_name):  # the constructor "true"
            self.class_name += "_"


class Schema:
    """The parsed schema: combinators by TL name, constructor names by type."""

    def __init__(self, data: Dict[str, Any]):
        self.layer: int = int(data.get("layer", 0))
        self.constructors: Dict[str, Combinator] = {}
        self.functions: Dict[str, Combinator] = {}
        for c in data.get("constructors") or []:
            self.constructors[c["name"]] = Combinator(c, False)
        for f in data.get("functions") or []:
            self.functions[f["name"]] = Combinator(f, True)
        self.types: Dict[str, List[str]] = {k: list(v) for k, v in (data.get("types") or {}).items()}
        # (namespace, class name) -> combinator, for the namespaces.
        self.classes: Dict[Tuple[bool, str, str], Combinator] = {}
        for c in list(self.constructors.values()) + list(self.functions.values()):
            self.classes[(c.function, c.namespace, c.class_name)] = c

    def namespaces(self, function: bool) -> List[str]:
        return sorted({ns for (f, ns, _) in self.classes if f == function and ns})


_schema: Optional[Schema] = None
_schema_lock = threading.Lock()


def schema() -> Schema:
    """The schema of the loaded library (read once)."""
    global _schema
    if _schema is None:
        with _schema_lock:
            if _schema is None:
                lib = _lib.lib()
                out, out_len = ctypes.c_void_p(), ctypes.c_size_t()
                st = lib.polygram_schema_msgpack(ctypes.byref(out), ctypes.byref(out_len))
                if st != _lib.OK:
                    raise error_from_map(_lib.error_map(st, ctypes.c_void_p(), ctypes.c_size_t()))
                _schema = Schema(_lib.unpack(_lib.take(out, out_len)))
    return _schema


# ---------------------------------------------------------------------- classes

_classes: Dict[str, type] = {}
_classes_lock = threading.Lock()


def _field_property(p: Param) -> property:
    name = p.name

    def get(self: TLObject) -> Any:
        from .tl import wrap
        return wrap(self._d.get(name), self._client)

    get.__name__ = p.attr
    return property(get, doc=f"{p.name}: {p.type}")


class TLRaw(TLObject):
    """Base of the typed TL classes (constructors and functions).

    ``CONSTRUCTOR_ID``, ``SUBCLASS_OF`` (the TL type, or the result type of a
    function) and ``TL_NAME`` describe the combinator; the object is a
    :class:`~polygram.tl.TLObject` (attribute access, ``to_dict()``,
    ``stringify()``, equality by value).
    """

    __slots__ = ()
    CONSTRUCTOR_ID: int = 0
    SUBCLASS_OF: str = ""
    TL_NAME: str = ""
    _combinator: Combinator

    def __init__(self, *args: Any, **kwargs: Any):
        if args:
            raise InvalidArgumentError(
                f"{self.TL_NAME}: fields are given by name (e.g. {type(self).__name__}("
                + ", ".join(f"{p.attr}=..." for p in list(self._combinator.by_attr.values())[:2]) + "))",
                status=1, name="INVALID_ARGUMENT")
        super().__init__(build(self._combinator, kwargs), None)

    @classmethod
    def _from_dict(cls, data: Dict[str, Any], client: Any = None) -> "TLRaw":
        obj = cls.__new__(cls)
        TLObject.__init__(obj, data, client)
        return obj

    @classmethod
    def fields(cls) -> List[str]:
        """The field names (as attributes) of this combinator."""
        return list(cls._combinator.by_attr)


class TLRequest(TLRaw):
    """Base of the function classes: ``await client(request)`` sends one."""

    __slots__ = ()


def class_for(name: str) -> Optional[type]:
    """The class of the constructor or function ``name`` (made on first use),
    or None when the schema has no such combinator."""
    cls = _classes.get(name)
    if cls is not None:
        return cls
    s = schema()
    comb = s.functions.get(name) or s.constructors.get(name)
    if comb is None:
        return None
    with _classes_lock:
        cls = _classes.get(name)
        if cls is None:
            ns: Dict[str, Any] = {
                "__slots__": (),
                "CONSTRUCTOR_ID": comb.id,
                "SUBCLASS_OF": comb.type,
                "TL_NAME": comb.name,
                "_combinator": comb,
                "__doc__": f"TL {'function' if comb.function else 'constructor'} {comb.name} "
                           f"({'returns' if comb.function else 'of type'} {comb.type}).",
                "__module__": "polygram." + ("functions" if comb.function else "types")
                              + ("." + comb.namespace if comb.namespace else ""),
            }
            for p in comb.by_attr.values():
                ns[p.attr] = _field_property(p)
            cls = type(comb.class_name, (TLRequest if comb.function else TLRaw,), ns)
            _classes[name] = cls
    return cls


# ---------------------------------------------------------------------- validation


def _fail(msg: str) -> InvalidArgumentError:
    return InvalidArgumentError(msg, status=1, name="INVALID_ARGUMENT")


def is_entity_like(v: Any) -> bool:
    """Whether ``v`` names a peer the client can resolve (not a TL input peer)."""
    from .tl import Message
    if isinstance(v, bool):
        return False
    if isinstance(v, (int, str, Message)):
        return True
    if isinstance(v, TLObject):
        n = v.tl_name or ""
        return not n.startswith(("input", "InputPeer"))
    if isinstance(v, dict):
        n = v.get("_") or ""
        return n in ("user", "chat", "channel", "chatForbidden", "channelForbidden", "message",
                     "messageService") or n.startswith("peer")
    return False


def _check_value(where: str, typ: str, v: Any) -> Any:
    """Checks ``v`` against the TL type text ``typ``; returns it in msgpack form
    (entities stay as they are, for the client to resolve)."""
    from .tl import unwrap
    if typ.startswith(("Vector<", "vector<")):
        if not isinstance(v, (list, tuple)):
            raise _fail(f"{where}: expected a list ({typ}), got {type(v).__name__}")
        inner = typ[typ.index("<") + 1:-1]
        return [_check_value(f"{where}[{i}]", inner, x) for i, x in enumerate(v)]
    if typ in _INT_TYPES:
        if isinstance(v, bool) or not isinstance(v, int):
            raise _fail(f"{where}: expected an integer ({typ}), got {type(v).__name__} {v!r}")
        bits = _INT_TYPES[typ]
        if not -(1 << (bits - 1)) <= v < (1 << bits):
            raise _fail(f"{where}: {v} does not fit in a {typ}")
        return v
    if typ == "double":
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise _fail(f"{where}: expected a number (double), got {type(v).__name__}")
        return float(v)
    if typ == "string":
        if not isinstance(v, str):
            raise _fail(f"{where}: expected a str, got {type(v).__name__}")
        return v
    if typ in ("bytes", "int128", "int256"):
        if not isinstance(v, (bytes, bytearray, memoryview)):
            raise _fail(f"{where}: expected bytes ({typ}), got {type(v).__name__}")
        return bytes(v)
    if typ in ("Bool", "true"):
        if not isinstance(v, bool):
            raise _fail(f"{where}: expected a bool, got {type(v).__name__}")
        return v
    if typ.startswith("!") or typ == "X":
        return unwrap(v)
    bare = typ.lstrip("%")
    if bare in ENTITY_TYPES and is_entity_like(v):
        return v  # resolved by the client
    if isinstance(v, TLObject):
        d = v.to_dict()
    elif isinstance(v, dict):
        d = unwrap(v)
    else:
        raise _fail(f"{where}: expected {bare} (types.{_hint(bare)}...), got {type(v).__name__} {v!r}")
    name = d.get("_")
    s = schema()
    allowed = s.types.get(bare)
    if allowed is None:  # a bare constructor type (%T or a constructor name)
        allowed = [bare[:1].lower() + bare[1:]] if typ.startswith("%") else [bare]
    if name not in allowed:
        raise _fail(f"{where}: expected {bare} ({', '.join(allowed[:6])}{', ...' if len(allowed) > 6 else ''}), "
                    f"got {name!r}")
    return d


def _hint(typ: str) -> str:
    names = schema().types.get(typ) or []
    return "/".join(_pyname(n) for n in names[:3])


def _pyname(tl_name: str) -> str:
    ns, _, base = tl_name.rpartition(".")
    return (ns + "." if ns else "") + base[:1].upper() + base[1:]


def build(comb: Combinator, kwargs: Dict[str, Any]) -> Dict[str, Any]:
    """The msgpack map of ``comb`` from keyword arguments, checked."""
    d: Dict[str, Any] = {"_": comb.name}
    for key in kwargs:
        if key not in comb.by_attr:
            alias = key + "_"
            if alias not in comb.by_attr:
                fields = ", ".join(comb.by_attr) or "none"
                raise _fail(f"{comb.name}: unknown field {key!r} (fields: {fields})")
    for attr, p in comb.by_attr.items():
        v = kwargs.get(attr, kwargs.get(p.name) if attr != p.name else None)
        where = f"{comb.name}.{p.name}"
        if v is None:
            if p.optional:
                continue
            if p.name == "random_id":  # as Telethon: a fresh random id per request
                v = _random_ids(p.type, kwargs)
            if v is None:
                if p.type not in _DEFAULT_ZERO:
                    raise _fail(f"{where}: missing required field ({p.type})")
                v = _DEFAULT_ZERO[p.type]
        if p.optional and p.type == "true" and v is False:
            continue
        d[p.name] = _check_value(where, p.type, v)
    return d


def _random_ids(typ: str, kwargs: Dict[str, Any]) -> Any:
    def one() -> int:
        return int.from_bytes(os.urandom(8), "little", signed=True)
    if typ == "long":
        return one()
    ids = kwargs.get("id")
    if isinstance(ids, (list, tuple)):
        return [one() for _ in ids]
    return None


def walk_entities(comb: Combinator, d: Dict[str, Any], visit: Callable[[str, Any], Any]) -> None:
    """Replaces, in place, every entity-like value of ``d`` that stands where
    an InputPeer/InputUser/InputChannel is expected by ``visit(type, value)``
    (recursing into vectors and nested objects)."""
    s = schema()
    for p in comb.params:
        if p.name not in d:
            continue
        d[p.name] = _walk_value(s, p.type, d[p.name], visit)


def _walk_value(s: Schema, typ: str, v: Any, visit: Callable[[str, Any], Any]) -> Any:
    if typ.startswith(("Vector<", "vector<")) and isinstance(v, list):
        inner = typ[typ.index("<") + 1:-1]
        return [_walk_value(s, inner, x, visit) for x in v]
    bare = typ.lstrip("%")
    if bare in ENTITY_TYPES and is_entity_like(v):
        return visit(bare, v)
    if isinstance(v, dict) and "_" in v:
        comb = s.constructors.get(v["_"]) or s.functions.get(v["_"])
        if comb is not None and comb.params:
            walk_entities(comb, v, visit)
    return v


def needs_resolving(comb: Combinator, d: Dict[str, Any]) -> bool:
    found = []

    def visit(t: str, v: Any) -> Any:
        found.append(v)
        return v
    walk_entities(comb, dict(d), visit)
    return bool(found)


def stringify(value: Any, indent: int = 0) -> str:
    """A readable multi-line rendering of a TL value (Telethon's layout)."""
    from .tl import unwrap
    value = unwrap(value)
    pad = "\t" * (indent + 1)
    close = "\t" * indent
    if isinstance(value, dict):
        name = value.get("_")
        items = [(k, v) for k, v in value.items() if k != "_"]
        head = ""
        if isinstance(name, str):
            head = _pyname(name) + ("Request" if name in schema().functions else "")
        if not items:
            return head + "()"
        body = ",\n".join(f"{pad}{k}={stringify(v, indent + 1)}" for k, v in items)
        return f"{head}(\n{body}\n{close})"
    if isinstance(value, list):
        if not value:
            return "[]"
        body = ",\n".join(pad + stringify(v, indent + 1) for v in value)
        return f"[\n{body}\n{close}]"
    return repr(value)


class Namespace:
    """``functions`` / ``types`` and their sub-namespaces (``messages``, ...)."""

    def __init__(self, function: bool, prefix: str = ""):
        self._function = function
        self._prefix = prefix
        self._subs: Dict[str, "Namespace"] = {}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        s = schema()
        comb = s.classes.get((self._function, self._prefix, name))
        if comb is not None:
            return class_for(comb.name)
        if not self._prefix and name in s.namespaces(self._function):
            sub = self._subs.get(name)
            if sub is None:
                sub = self._subs[name] = Namespace(self._function, name)
            return sub
        what = "functions" if self._function else "types"
        where = what + ("." + self._prefix if self._prefix else "")
        raise AttributeError(f"{where} has no {name!r} (in the schema of layer {s.layer})")

    def __dir__(self) -> List[str]:
        s = schema()
        names = [c for (f, ns, c) in s.classes if f == self._function and ns == self._prefix]
        if not self._prefix:
            names += s.namespaces(self._function)
        return sorted(names)

    def __iter__(self) -> Iterator[type]:
        s = schema()
        for (f, ns, _), comb in s.classes.items():
            if f == self._function and ns == self._prefix:
                yield class_for(comb.name)  # type: ignore[misc]

    def __repr__(self) -> str:
        what = "functions" if self._function else "types"
        return f"<polygram.{what}{'.' + self._prefix if self._prefix else ''}>"


def _install() -> None:
    from . import tl
    tl._class_for = class_for


_install()
