"""Polygram: a Telegram client library (Python binding of libpolygram).

    import asyncio
    from polygram import Client, events

    client = Client("bot", API_ID, API_HASH)

    @client.on(events.NewMessage(pattern="(?i)hello"))
    async def hello(event):
        await event.reply("hi!")

    async def main():
        await client.start(bot_token=TOKEN)
        await client.run_until_disconnected()

    asyncio.run(main())
"""
from __future__ import annotations

from . import errors, events, functions, raw, types
from ._lib import LibraryNotFoundError, dict_to_tl, layer, tl_to_dict, version
from .buttons import Button
from .client import Client, InlineResult, InlineResults, Participant
from .emulator import Emulator
from .errors import FloodWaitError, PolygramError, RPCError
from .tl import Message, TLObject

__version__ = "0.1.0"

TelegramClient = Client  # the name Telethon users know

__all__ = [
    "Client", "TelegramClient", "Button", "Participant", "InlineResult", "InlineResults", "functions", "types", "raw", "Emulator", "Message", "TLObject", "events", "errors",
    "PolygramError", "RPCError", "FloodWaitError", "LibraryNotFoundError",
    "version", "layer", "tl_to_dict", "dict_to_tl",
]
