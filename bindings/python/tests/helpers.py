from __future__ import annotations

from polygram import Client, Emulator


async def login_user(emu: Emulator, phone: str, first_name: str = "User", username: str = "") -> Client:
    emu.create_user(phone, first_name, "", username)
    client = emu.client()
    await client.start(phone=phone, code_callback=lambda: emu.login_code(phone))
    return client


async def login_bot(emu: Emulator, username: str) -> Client:
    token = emu.create_bot(username, username.title())
    client = emu.client()
    await client.start(bot_token=token)
    return client
