"""A bot with an inline keyboard, callback queries and inline mode, run
end to end against the bundled emulator.

    python examples/python/buttons_bot.py             # emulator: a user presses the buttons
    API_ID=... API_HASH=... BOT_TOKEN=... python examples/python/buttons_bot.py --telegram

/start answers with a keyboard of callback buttons and a link; a press is
answered (a toast, or an alert) and the message edited; ``@bot words``
typed in any chat offers two articles (inline mode).
"""
from __future__ import annotations

import asyncio
import logging
import os
import sys

from polygram import Button, Client, Emulator, events


def register(bot: Client) -> None:
    @bot.on(events.NewMessage(pattern="/start"))
    async def start(event: events.NewMessage.Event) -> None:
        await event.respond("Do you like Polygram?", buttons=[
            [Button.inline("Yes", b"vote:yes"), Button.inline("No", b"vote:no")],
            [Button.url("Read the docs", "https://example.org/polygram")],
        ])

    @bot.on(events.CallbackQuery(pattern=rb"vote:(\w+)"))
    async def vote(event: events.CallbackQuery.Event) -> None:
        choice = event.data_match.group(1).decode()
        if choice == "yes":
            await event.answer("Thanks!")
        else:
            await event.answer("Tell us why, please.", alert=True)
        await event.edit(f"You voted {choice}.", buttons=Button.inline("Vote again", b"vote:again"))

    @bot.on(events.InlineQuery())
    async def inline(event: events.InlineQuery.Event) -> None:
        words = event.text or "nothing"
        b = event.builder
        await event.answer([
            b.article("Shout", text=words.upper(), description="in capitals"),
            b.article("Bold", text=f"**{words}**", parse_mode="markdown"),
        ])


async def demo() -> None:
    with Emulator() as emu:
        token = emu.create_bot("vote_bot", "Vote")
        emu.create_user("9996631300", "Alice", "", "alice_votes")
        emu.create_user("9996631301", "Bob", "", "bob_votes")

        bot = emu.client()
        register(bot)
        await bot.start(bot_token=token)

        alice = emu.client()
        await alice.start(phone="9996631300", code_callback=lambda: emu.login_code("9996631300"))
        answers: "asyncio.Queue[events.NewMessage.Event]" = asyncio.Queue()
        alice.add_event_handler(answers.put, events.NewMessage(incoming=True))
        edits: "asyncio.Queue[events.MessageEdited.Event]" = asyncio.Queue()
        alice.add_event_handler(edits.put, events.MessageEdited())

        await alice.send_message("@vote_bot", "/start")
        menu = (await asyncio.wait_for(answers.get(), 10)).message
        print("bot:", menu.text)
        for row in menu.buttons:
            print("  ", " | ".join(f"[{b.text}]" for b in row))
        print("link button ->", await menu.click(1, 0))     # a URL: no request
        answer = await menu.click(text="No")
        print(f"pressed No -> {answer.message!r} (alert: {answer.alert})")
        print("edited:", (await asyncio.wait_for(edits.get(), 10)).text)

        results = await alice.inline_query("@vote_bot", "hello from inline mode")
        print("inline results:", [r.title for r in results])
        sent = await results[0].click("@bob_votes")
        print("sent to Bob:", sent.text)

        await alice.disconnect()
        await bot.disconnect()


async def telegram() -> None:
    bot = Client("vote_bot", int(os.environ["API_ID"]), os.environ["API_HASH"])
    register(bot)
    await bot.start(bot_token=os.environ["BOT_TOKEN"])
    print("listening; Ctrl-C to stop")
    await bot.run_until_disconnected()


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(telegram() if "--telegram" in sys.argv else demo())
