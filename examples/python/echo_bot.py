"""An echo bot, run end to end against the bundled emulator.

    python examples/echo_bot.py            # emulator: a bot and a user talk
    API_ID=... API_HASH=... BOT_TOKEN=... python examples/echo_bot.py --telegram

With --telegram it connects to Telegram itself and echoes until Ctrl-C.
"""
from __future__ import annotations

import asyncio
import logging
import os
import sys

from polygram import Client, Emulator, events


def register(bot: Client) -> None:
    @bot.on(events.NewMessage(incoming=True, pattern=r"/start"))
    async def start(event: events.NewMessage.Event) -> None:
        sender = await event.get_sender()
        await event.respond(f"Hi {getattr(sender, 'first_name', None) or 'there'}! Send me anything.")

    @bot.on(events.NewMessage(incoming=True, func=lambda e: not e.text.startswith("/")))
    async def echo(event: events.NewMessage.Event) -> None:
        await event.reply("echo: " + event.text)


async def demo() -> None:
    with Emulator() as emu:
        token = emu.create_bot("echo_bot", "Echo")
        emu.create_user("9996631234", "Alice", "Example", "alice")

        bot = emu.client()
        register(bot)
        await bot.start(bot_token=token)
        print("bot logged in as @" + (await bot.get_me()).username)

        user = emu.client()
        await user.start(phone="+9996631234", code_callback=lambda: emu.login_code("9996631234"))
        replies: "asyncio.Queue[str]" = asyncio.Queue()

        @user.on(events.NewMessage(incoming=True))
        async def on_reply(event: events.NewMessage.Event) -> None:
            await replies.put(event.text)

        for text in ["/start", "Hello, bot!", "Polygram speaks MTProto, from Python."]:
            await user.send_message("@echo_bot", text)
            print(f"Alice -> @echo_bot: {text!r}")
            print(f"@echo_bot -> Alice: {await asyncio.wait_for(replies.get(), 10)!r}")

        await user.disconnect()
        await bot.disconnect()


async def telegram() -> None:
    bot = Client("echo_bot", int(os.environ["API_ID"]), os.environ["API_HASH"])
    register(bot)
    await bot.start(bot_token=os.environ["BOT_TOKEN"])
    print("listening; Ctrl-C to stop")
    await bot.run_until_disconnected()


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(telegram() if "--telegram" in sys.argv else demo())
