"""The sync facade: ``import polygram.sync`` and call the client without await.

    import polygram.sync
    from polygram import Client, events

    client = Client("bot", API_ID, API_HASH)
    client.start(bot_token=TOKEN)
    print(client.get_me().username)

    @client.on(events.NewMessage(pattern="hi"))
    async def hi(event):            # handlers stay async (they run on the loop)
        await event.reply("hello")

    client.run_until_disconnected()

As with ``telethon.sync``, importing this module makes every coroutine method
of Client, Message and the events run to completion when it is called with no
event loop running in the calling thread (on a loop kept per thread), and
return the coroutine as before when a loop is running — so async code, and
handlers, are unaffected. ``iter_messages`` gives a list in that case.
"""
from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

from . import events
from .client import Client, _in_loop, _thread_loop
from .buttons import MessageButton
from .client import InlineResult
from .tl import Message

def _syncify_method(f: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        coro = f(*args, **kwargs)
        if _in_loop():
            return coro
        return _thread_loop().run_until_complete(coro)
    wrapper.__polygram_sync__ = True  # type: ignore[attr-defined]
    return wrapper


def _syncify_agen(f: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        agen = f(*args, **kwargs)
        if _in_loop():
            return agen

        async def collect() -> Any:
            return [x async for x in agen]
        return iter(_thread_loop().run_until_complete(collect()))
    wrapper.__polygram_sync__ = True  # type: ignore[attr-defined]
    return wrapper


def syncify(*classes: type) -> None:
    """Makes the coroutine methods of ``classes`` callable without a loop."""
    for cls in classes:
        for name, f in list(vars(cls).items()):
            if getattr(f, "__polygram_sync__", False):
                continue
            if name.startswith("_") and name != "__call__":
                continue  # internals stay coroutines (start() awaits _start())
            if inspect.iscoroutinefunction(f):
                setattr(cls, name, _syncify_method(f))
            elif inspect.isasyncgenfunction(f):
                setattr(cls, name, _syncify_agen(f))


def _enter(self: Client) -> Client:
    return _thread_loop().run_until_complete(self.__aenter__())


def _exit(self: Client, *exc: Any) -> None:
    _thread_loop().run_until_complete(self.__aexit__(*exc))


Client.__enter__ = _enter  # type: ignore[attr-defined]
Client.__exit__ = _exit  # type: ignore[attr-defined]

syncify(Client, Message, MessageButton, InlineResult, events.EventCommon, events.NewMessage.Event,
        events._ChatEvent, events.MessageRead.Event, events.ChatAction.Event, events.UserUpdate.Event,
        events.Album.Event, events.CallbackQuery.Event, events.InlineQuery.Event)

__all__ = ["syncify"]
