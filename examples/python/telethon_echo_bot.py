"""Telethon's echo bot, ported: only the import and the constructor changed.

The original (Telethon's documentation, "Echo bot"):

    from telethon import TelegramClient, events
    bot = TelegramClient('bot', api_id, api_hash).start(bot_token=bot_token)

Here the import names polygram, and the constructor passes the data centres
to use when POLYGRAM_CLIENT_CONFIG is set (a JSON object of client options,
e.g. the emulator's ``client_config()``); without it this is Telegram.

    API_ID=... API_HASH=... BOT_TOKEN=... python examples/python/telethon_echo_bot.py
"""
import json
import os

from polygram import TelegramClient, events

api_id = int(os.environ["API_ID"])
api_hash = os.environ["API_HASH"]
bot_token = os.environ["BOT_TOKEN"]

bot = TelegramClient('bot', api_id, api_hash,
                     **json.loads(os.environ.get("POLYGRAM_CLIENT_CONFIG", "{}"))).start(bot_token=bot_token)


@bot.on(events.NewMessage(pattern='/start'))
async def start(event):
    """Send a message when the command /start is issued."""
    await event.respond('Hi!')
    raise events.StopPropagation


@bot.on(events.NewMessage)
async def echo(event):
    """Echo the user message."""
    await event.respond(event.text)


def main():
    """Start the bot."""
    bot.run_until_disconnected()


if __name__ == '__main__':
    main()
