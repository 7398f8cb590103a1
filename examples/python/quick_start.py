"""The Telethon quick-start, on Polygram, run against the bundled emulator.

    python examples/python/quick_start.py
    API_ID=... API_HASH=... python examples/python/quick_start.py --telegram   # your own account

Against the emulator it creates two accounts, logs one in and walks through
the same steps as the seed's quick-start: get_me, dialogs, messages with
formatting, a reply, a photo, iterating messages and downloading media.
"""
from __future__ import annotations

import asyncio
import os
import struct
import sys
import tempfile
import zlib

from polygram import Client, Emulator


def tiny_png(w: int = 4, h: int = 3) -> bytes:
    """A valid w×h PNG (grey), so the example needs no image on disk."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\x80" * w for _ in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


async def tour(client: Client, friend: str, workdir: str) -> None:
    # Getting information about yourself
    me = await client.get_me()
    print(me.stringify())                 # the whole TL object, indented
    print("username:", me.username, "phone:", me.phone)

    # Messages to yourself, to a user by username, with formatting
    await client.send_message("me", "Hello, myself!")
    await client.send_message(friend, "Testing Polygram!")
    message = await client.send_message(
        "me", "This message has **bold**, `code`, __italics__ and a [nice website](https://example.com)!",
        parse_mode="markdown", link_preview=False)
    print(message.raw_text)
    await message.reply("Cool!")

    # Dialogs: everyone and every group you talk to
    async for dialog in client.iter_dialogs():
        print(dialog.name, "has ID", dialog.id)

    # Files: a photo from disk
    photo = os.path.join(workdir, "holidays.png")
    with open(photo, "wb") as f:
        f.write(tiny_png())
    await client.send_file("me", photo, caption="holidays")

    # Every message of a chat, newest first; media is downloaded
    async for message in client.iter_messages("me"):
        print(message.id, message.text)
        if message.photo or message.document:
            path = await message.download_media(workdir)
            print("File saved to", path)


async def on_emulator() -> None:
    with Emulator() as emu, tempfile.TemporaryDirectory() as workdir:
        emu.create_user("9996621001", "Quick", "Starter", "quick_starter")
        emu.create_user("9996621002", "Friend", "", "a_friend")
        client = emu.client(os.path.join(workdir, "anon"))     # anon.session, as Telethon names it
        await client.start(phone="9996621001", code_callback=lambda: emu.login_code("9996621001"))
        await tour(client, "@a_friend", workdir)
        await client.disconnect()


async def on_telegram() -> None:
    client = Client("anon", int(os.environ["API_ID"]), os.environ["API_HASH"])
    await client.start()                  # asks for the phone number and code on the terminal
    with tempfile.TemporaryDirectory() as workdir:
        await tour(client, "me", workdir)
    await client.disconnect()


if __name__ == "__main__":
    asyncio.run(on_telegram() if "--telegram" in sys.argv else on_emulator())
