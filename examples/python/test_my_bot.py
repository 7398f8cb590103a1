"""How to test your own bot offline with the emulator and pytest.

    pytest examples/test_my_bot.py
"""
from __future__ import annotations

import asyncio
from typing import Iterator

import pytest

from polygram import Emulator, events


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    with Emulator() as emu:        # three DCs on loopback, real MTProto
        yield emu


def test_bot_answers_hello(emulator: Emulator) -> None:
    async def main() -> None:
        bot = emulator.client()

        @bot.on(events.NewMessage(incoming=True, pattern="hello"))
        async def hello(event: events.NewMessage.Event) -> None:
            await event.reply("hi!")

        await bot.start(bot_token=emulator.create_bot("example_bot", "Example"))

        emulator.create_user("9996621234", "Tester")
        user = emulator.client()
        await user.start(phone="9996621234", code_callback=lambda: emulator.login_code("9996621234"))
        got: "asyncio.Queue[str]" = asyncio.Queue()
        user.add_event_handler(lambda e: got.put_nowait(e.text), events.NewMessage(incoming=True))

        await user.send_message("@example_bot", "hello")
        assert await asyncio.wait_for(got.get(), 10) == "hi!"
        await user.disconnect()
        await bot.disconnect()

    asyncio.run(main())
