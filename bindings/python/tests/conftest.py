"""Fixtures: one emulator for the session (also an example for users' own
tests), fresh phone numbers, and a helper that runs a coroutine with a
deadline (plain asyncio, no plugin needed)."""
from __future__ import annotations

import asyncio
import itertools
from typing import Any, Awaitable, Callable, Iterator

import pytest

from polygram import Emulator

_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


@pytest.fixture
def new_phone() -> Callable[[int], str]:
    """new_phone(dc) -> an unused test phone 99966XYYYY living on DC ``dc``."""
    def make(dc: int = 2) -> str:
        return f"99966{dc}{next(_numbers) + 1000:04d}"
    return make


@pytest.fixture
def run() -> Callable[..., Any]:
    def runner(coro: Awaitable[Any], timeout: float = 20) -> Any:
        return asyncio.run(asyncio.wait_for(coro, timeout))
    return runner
