"""TL constructors, e.g. ``types.InputPeerSelf()``, ``types.messages.Dialogs``.

Classes are made on first use from the schema the loaded library exports
(see :mod:`polygram.raw`); ``types.pyi`` describes them for editors.
"""
from __future__ import annotations

from typing import Any, List

from .raw import Namespace

_ns = Namespace(False)


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    return getattr(_ns, name)


def __dir__() -> List[str]:
    return dir(_ns)
