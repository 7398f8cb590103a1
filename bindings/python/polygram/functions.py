"""TL functions (requests), e.g. ``functions.messages.GetHistoryRequest(peer="me", limit=10)``.

Classes are made on first use from the schema the loaded library exports
(see :mod:`polygram.raw`); ``functions.pyi`` describes them for editors.
"""
from __future__ import annotations

from typing import Any, List

from .raw import Namespace

_ns = Namespace(True)


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    return getattr(_ns, name)


def __dir__() -> List[str]:
    return dir(_ns)
