"""The sync facade, in a subprocess (importing polygram.sync patches the classes)."""
from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = r'''
import asyncio
import time
import polygram.sync
from polygram import Emulator, events, errors

with Emulator() as emu:
    token = emu.create_bot("sync_bot", "Sync")
    phone = "9996619001"
    emu.create_user(phone, "Syd")
    bot = emu.client()
    bot.start(bot_token=token)

    @bot.on(events.NewMessage(incoming=True))
    async def echo(event):
        await event.reply("echo: " + event.text)
        if event.text == "bye":
            await bot.disconnect()

    user = emu.client()
    user.start(phone=phone, code_callback=lambda: emu.login_code(phone))
    assert user.get_me().first_name == "Syd"
    m = user.send_message("@sync_bot", "hi")
    user.send_message("@sync_bot", "bye")
    bot.run_until_disconnected()          # handlers run while this blocks
    texts = [x.text for x in user.iter_messages("@sync_bot", limit=10)]
    assert "echo: hi" in texts and "echo: bye" in texts, texts
    assert user({"_": "help.getNearestDc"}).this_dc == 1
    from polygram import functions, types
    hist = user(functions.messages.GetHistoryRequest(peer="@sync_bot", limit=2))
    assert len(hist.messages) == 2 and hist.messages[0].text.startswith("echo: "), hist.stringify()
    assert isinstance(user.get_input_entity("me"), types.InputPeerSelf)
    assert [d.name for d in user.iter_dialogs()] == ["Sync"]
    try:
        user.send_message("@nobody_at_all", "x")
    except errors.PeerNotFoundError:
        pass
    else:
        raise SystemExit("no error")

    # New calls are synchronous too: buttons and clicks, participants, pins.
    from polygram import Button

    bot = emu.client()
    bot.start(bot_token=emu.create_bot("sync_keys_bot", "Keys"))

    @bot.on(events.CallbackQuery(data=b"ok"))
    async def ok(event):
        await event.answer("fine")

    @bot.on(events.NewMessage(pattern="menu"))
    async def menu(event):
        await event.respond("press", buttons=Button.inline("OK", b"ok"))

    user.send_message("@sync_keys_bot", "menu")
    for _ in range(100):                   # each sync call runs the loop, and the bot's handlers with it
        msg = next((m for m in user.get_messages("@sync_keys_bot", limit=3) if m.text == "press"), None)
        if msg is not None:
            break
        time.sleep(0.05)
    assert msg is not None and msg.buttons[0][0].data == b"ok"
    answer = msg.click(0)                  # the bot's handler runs on this thread's loop meanwhile
    assert answer.message == "fine", answer
    assert msg.buttons[0][0].click().message == "fine"
    msg.pin()
    assert [m.id for m in user.get_pinned_messages("@sync_keys_bot")] == [msg.id]
    bot.disconnect()

    async def also_async():                # inside a loop: coroutines as before
        return (await user.get_me()).first_name
    assert asyncio.run(also_async()) == "Syd"
    with emu.client() as fresh:
        assert fresh.is_user_authorized() is False
    user.disconnect()
print("sync ok")
'''


def test_sync_facade() -> None:
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60,
                         env=dict(os.environ))
    assert out.returncode == 0 and "sync ok" in out.stdout, out.stdout + out.stderr
