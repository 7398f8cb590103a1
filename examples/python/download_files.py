"""Download every file of a chat, with their names, sizes and types.

    python examples/python/download_files.py [DIR]                 # emulator
    API_ID=... API_HASH=... python examples/python/download_files.py --telegram CHAT [DIR]

Against the emulator a friend first sends a few files (a text document, a
photo and a binary blob); then the files are listed with ``message.file``
and downloaded into DIR (default: ./downloads) with a progress callback.
"""
from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

from polygram import Client, Emulator
from quick_start import tiny_png


async def download_all(client: Client, chat: Any, folder: str) -> int:
    os.makedirs(folder, exist_ok=True)
    n = 0
    async for message in client.iter_messages(chat):
        f = message.file
        if f is None:
            continue
        print(f"#{message.id} {message.date:%Y-%m-%d %H:%M} {f.name or '(photo)'}: {f.size} bytes, "
              f"{f.mime_type}, dimensions {f.dimensions}")

        def progress(received: int, total: int) -> None:
            print(f"  {received}/{total} bytes")
        path = await message.download_media(folder, progress_callback=progress)
        print("  saved to", path)
        n += 1
    return n


async def on_emulator(folder: str) -> None:
    with Emulator() as emu:
        emu.create_user("9996621101", "Dana", "", "dana_dl")
        emu.create_user("9996621102", "Eli", "", "eli_dl")
        dana = emu.client()
        await dana.start(phone="9996621101", code_callback=lambda: emu.login_code("9996621101"))
        eli = emu.client()
        await eli.start(phone="9996621102", code_callback=lambda: emu.login_code("9996621102"))
        await eli.send_file("@dana_dl", b"shopping list: bread, tea\n", name="list.txt", caption="the list")
        await eli.send_file("@dana_dl", tiny_png(8, 6), name="pic.png", caption="a picture")
        await eli.send_file("@dana_dl", os.urandom(300_000), name="blob.bin", force_document=True)
        count = await download_all(dana, "@eli_dl", folder)
        print(f"{count} files in {folder}")
        await eli.disconnect()
        await dana.disconnect()


async def on_telegram(chat: str, folder: str) -> None:
    client = Client("anon", int(os.environ["API_ID"]), os.environ["API_HASH"])
    await client.start()
    await download_all(client, chat, folder)
    await client.disconnect()


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--telegram"]
    if "--telegram" in sys.argv:
        asyncio.run(on_telegram(args[0], args[1] if len(args) > 1 else "downloads"))
    else:
        asyncio.run(on_emulator(args[0] if args else "downloads"))
