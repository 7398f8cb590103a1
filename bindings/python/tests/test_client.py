from __future__ import annotations

import asyncio
import logging
import os
from typing import Any, List

import pytest

from polygram import Emulator, Message, errors, events
from helpers import login_bot, login_user


def test_emulator_commands(emulator: Emulator, new_phone) -> None:
    info = emulator.info()
    assert len(info["dcs"]) == 3 and info["public_key_pem"].startswith("-----BEGIN")
    phone = new_phone(3)
    user = emulator.create_user(phone, "Zed", "", "")
    assert user["dc"] == 3 and user["phone"] == phone
    assert emulator.login_code(phone) == "33333"
    token = emulator.create_bot("cmds_bot", "Cmds")
    assert token.split(":")[0].isdigit()
    with pytest.raises(errors.UnknownMethodError):
        emulator.call("no_such_command")
    with pytest.raises(errors.InvalidArgumentError):
        emulator.call("create_user", phone=5)


def test_bot_and_user_echo_conversation(emulator: Emulator, new_phone, run) -> None:
    async def main() -> None:
        bot = await login_bot(emulator, "pyecho_bot")
        seen: List[Any] = []

        @bot.on(events.NewMessage(incoming=True, pattern=r"(?i)ping (\w+)"))
        async def ping(event: events.NewMessage.Event) -> None:
            seen.append(event)
            await event.reply("pong " + event.pattern_match.group(1))

        @bot.on(events.NewMessage(incoming=True, pattern="hello"))
        async def hello(event: events.NewMessage.Event) -> None:
            await event.respond("echo: " + event.text)

        bot_task = asyncio.ensure_future(bot.run_until_disconnected())

        phone = new_phone(3)
        user = await login_user(emulator, phone, "Alice", "alice_py")
        me = await user.get_me()
        assert me.first_name == "Alice" and me.tl_name == "user"
        state = await user.get_state()
        assert state.main_dc == 3 and state.auth_state == "ready"
        assert (await bot.get_me()).bot is True

        replies: "asyncio.Queue[events.NewMessage.Event]" = asyncio.Queue()

        @user.on(events.NewMessage(incoming=True))
        async def on_reply(event: events.NewMessage.Event) -> None:
            await replies.put(event)

        sent = await user.send_message("@pyecho_bot", "ping world")
        assert isinstance(sent, Message) and sent.id > 0 and sent.text == "ping world"
        ev = await asyncio.wait_for(replies.get(), 10)
        assert ev.text == "pong world" and not ev.out and ev.is_private
        assert ev.message.reply_to_msg_id == sent.id
        assert ev.sender_id == ev.chat_id == (await bot.get_me()).id
        assert seen and seen[0].sender_id == me.id and seen[0].text == "ping world"
        sender = await ev.get_sender()
        assert sender is not None

        await ev.message.reply("hello")
        ev2 = await asyncio.wait_for(replies.get(), 10)
        assert ev2.text == "echo: hello" and not ev2.message.is_reply

        history = await user.get_history("@pyecho_bot", limit=10)
        assert [m.text for m in history[:4]] == ["echo: hello", "hello", "pong world", "ping world"]
        assert history[0].out is False and history[1].out is True

        await bot.disconnect()
        await asyncio.wait_for(bot_task, 5)
        await user.disconnect()
    run(main())


def test_friendly_methods(emulator: Emulator, new_phone, run, tmp_path) -> None:
    async def main() -> None:
        a_phone, b_phone = new_phone(2), new_phone(2)
        a = await login_user(emulator, a_phone, "Ann", "ann_py")
        b = await login_user(emulator, b_phone, "Ben", "ben_py")
        try:
            peer = await a.resolve_peer("@ben_py")
            assert peer.kind == "user" and peer.username == "ben_py"
            full = await a.get_entity("@ben_py")
            assert full is not None
            m1 = await a.send_message("@ben_py", "first")
            m2 = await a.send_message(peer, "second", reply_to=m1)
            got = await a.get_messages("@ben_py", [m1.id, m2.id])
            assert [m.text for m in got] == ["first", "second"]
            one = await a.get_messages("@ben_py", m1.id)
            assert isinstance(one, Message) and one.text == "first" and one.chat_id == peer.marked_id
            latest = await a.get_messages("@ben_py")
            assert len(latest) == 1 and latest[0].id == m2.id
            await one.edit("first, edited")
            assert (await a.get_messages("@ben_py", m1.id)).text == "first, edited"
            ids = await a.forward_messages("me", [m1.id], "@ben_py")
            assert len(ids) == 1
            texts = [m.text async for m in a.iter_messages("@ben_py", limit=5, page=1)]
            assert texts == ["second", "first, edited"]
            dialogs = await a.get_dialogs()
            assert any(d.name == "Ben" for d in dialogs)
            await a.delete_messages("@ben_py", [m2.id])
            assert [m.id for m in await a.get_history("@ben_py")] == [m1.id]
            await a.send_read_acknowledge("@ben_py")
            await a.action("@ben_py")

            data = os.urandom(3000)
            f = await a.send_file("@ben_py", data, name="blob.bin", caption="a file", force_document=True)
            msg = await a.get_messages("@ben_py", f.id)
            assert msg.text == "a file" and msg.media is not None
            assert await msg.download_media() == data
            path = str(tmp_path / "out.bin")
            assert await a.download_media(msg, path) == path
            with open(path, "rb") as fh:
                assert fh.read() == data
            src = tmp_path / "in.txt"
            src.write_bytes(b"from a path")
            f2 = await a.send_file("@ben_py", str(src))
            assert await a.download_media(f2.id, entity="@ben_py") == b"from a path"

            s = await a.export_session()
            c = emulator.client({"string": s})
            try:
                assert await c.is_user_authorized()
                assert (await c.get_me()).first_name == "Ann"
            finally:
                await c.disconnect()
        finally:
            await a.disconnect()
            await b.disconnect()
    run(main(), timeout=30)


def test_raw_calls(emulator: Emulator, new_phone, run) -> None:
    import polygram

    async def main() -> None:
        c = await login_user(emulator, new_phone(1), "Raw")
        try:
            dc = await c({"_": "help.getNearestDc"})
            assert dc.tl_name == "nearestDc" and dc.this_dc == 1
            tl = await c(polygram.dict_to_tl({"_": "help.getNearestDc"}))
            assert isinstance(tl, bytes) and polygram.tl_to_dict(tl)["_"] == "nearestDc"
            both = await c([{"_": "help.getNearestDc"}, {"_": "users.getUsers", "id": [{"_": "inputUserSelf"}]}])
            assert both[1][0].first_name == "Raw"
            await c.send_message("me", "note to self")
            hist = await c({"_": "messages.getHistory", "peer": {"_": "inputPeerSelf"}, "offset_id": 0,
                            "offset_date": 0, "add_offset": 0, "limit": 5, "max_id": 0, "min_id": 0, "hash": 0})
            assert hist.messages[0].text == "note to self"
            with pytest.raises(errors.DecodeError):
                await c({"_": "no.suchFunction"})
            with pytest.raises(errors.PolygramError):
                await c({"_": "messages.getHistory"})  # missing fields
            with pytest.raises(TypeError):
                await c({"no": "name"})
        finally:
            await c.disconnect()
    run(main())


def test_rpc_errors_become_exceptions(emulator: Emulator, new_phone, run) -> None:
    async def main() -> None:
        c = await login_user(emulator, new_phone(2), "Err")
        try:
            emulator.fail_next("help.getNearestDc", "FLOOD_WAIT_120")
            with pytest.raises(errors.FloodWaitError) as flood:
                await c({"_": "help.getNearestDc"})
            assert flood.value.seconds == 120 and flood.value.code == 420
            assert flood.value.name == "FLOOD_WAIT_X" and flood.value.method == "help.getNearestDc"

            emulator.fail_next("help.getNearestDc", "CHAT_ADMIN_REQUIRED")
            with pytest.raises(errors.RPCError) as rpc:
                await c({"_": "help.getNearestDc"})
            assert isinstance(rpc.value, errors.BadRequestError)
            assert rpc.value.code == 400 and rpc.value.name == "CHAT_ADMIN_REQUIRED"

            with pytest.raises(errors.PeerNotFoundError):
                await c.send_message("@nobody_by_this_name", "hi")
            with pytest.raises(errors.UnknownMethodError):
                await c.call("no_such_method")
            with pytest.raises(errors.InvalidArgumentError):
                await c.call("send_message", peer="me", text="x", bogus=1)
        finally:
            await c.disconnect()
        with pytest.raises(errors.UnauthorizedError):
            fresh = emulator.client()
            try:
                await fresh.get_me()
            finally:
                await fresh.disconnect()
    run(main())


def test_login_with_wrong_code_then_password(emulator: Emulator, new_phone, run) -> None:
    async def main() -> None:
        phone = new_phone(2)
        user = emulator.create_user(phone, "Pat")
        emulator.set_password(user["id"], "s3cret", "the usual")
        codes = iter(["00000", emulator.login_code(phone)])
        c = emulator.client()
        try:
            await c.start(phone=phone, code_callback=lambda: next(codes), password=lambda: "s3cret")
            assert (await c.get_me()).id == user["id"]
            assert c.auth_state == "ready"
        finally:
            await c.disconnect()

        c = emulator.client()
        try:
            with pytest.raises(errors.RPCError):
                await c.start(phone=phone, code_callback=lambda: "00000", max_attempts=1)
        finally:
            await c.disconnect()
    run(main())


def test_disconnect_from_inside_a_handler(emulator: Emulator, new_phone, run) -> None:
    async def main() -> None:
        bot = await login_bot(emulator, "pyquit_bot")
        handled: List[str] = []

        @bot.on(events.NewMessage(incoming=True, pattern="/quit"))
        async def quit_(event: events.NewMessage.Event) -> None:
            handled.append(event.text)
            await event.respond("bye")
            await bot.disconnect()  # must not deadlock
            bot.remove_event_handler(quit_)  # nor must this

        user = await login_user(emulator, new_phone(2), "Quinn")
        try:
            waiter = asyncio.ensure_future(bot.run_until_disconnected())
            await user.send_message("@pyquit_bot", "/quit")
            await asyncio.wait_for(waiter, 10)
            assert handled == ["/quit"] and bot.handle == 0 and not bot.list_event_handlers()
            with pytest.raises(errors.PolygramError):
                await bot.get_history("@pyquit_bot")  # a new, logged-out client
        finally:
            await user.disconnect()
            await bot.disconnect()
    run(main())


def test_handler_exception_is_logged_not_fatal(emulator: Emulator, new_phone, run,
                                               caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        bot = await login_bot(emulator, "pyboom_bot")
        got: "asyncio.Queue[str]" = asyncio.Queue()

        @bot.on(events.NewMessage(incoming=True))
        async def boom(event: events.NewMessage.Event) -> None:
            raise RuntimeError("boom " + event.text)

        @bot.on(events.NewMessage(incoming=True))
        def after(event: events.NewMessage.Event) -> None:  # sync handlers work too
            got.put_nowait(event.text)

        user = await login_user(emulator, new_phone(2), "Bo")
        try:
            await user.send_message("@pyboom_bot", "one")
            await user.send_message("@pyboom_bot", "two")
            assert [await asyncio.wait_for(got.get(), 10) for _ in range(2)] == ["one", "two"]
        finally:
            await user.disconnect()
            await bot.disconnect()
    with caplog.at_level(logging.ERROR, logger="polygram"):
        run(main())
    assert any("boom one" in (r.exc_text or "") or (r.exc_info and "boom one" in str(r.exc_info[1]))
               for r in caplog.records)


def test_client_is_not_tied_to_a_loop(emulator: Emulator, new_phone) -> None:
    """Created outside any loop, used from two asyncio.run() loops in turn and
    from a loop in another thread: each awaitable binds to its own loop."""
    import threading

    phone = new_phone(2)
    emulator.create_user(phone, "Lou")
    c = emulator.client()

    async def first() -> None:
        await c.start(phone=phone, code_callback=lambda: emulator.login_code(phone))

    async def second() -> str:
        await c.send_message("me", "from the second loop")
        return (await c.get_messages("me")).__getitem__(0).text

    asyncio.run(first())
    assert asyncio.run(second()) == "from the second loop"
    result: List[Any] = []
    t = threading.Thread(target=lambda: result.append(asyncio.run((c.get_me()))))
    t.start()
    t.join(10)
    assert result and result[0].first_name == "Lou"
    asyncio.run(c.disconnect())


def test_async_with_and_cancellation(emulator: Emulator, new_phone, run) -> None:
    async def main() -> None:
        phone = new_phone(2)
        emulator.create_user(phone, "Cy")
        c = emulator.client()
        await c.start(phone=phone, code_callback=lambda: emulator.login_code(phone))
        s = await c.export_session()
        await c.disconnect()
        async with emulator.client({"string": s}) as c2:
            assert c2.is_connected() and (await c2.get_me()).first_name == "Cy"
            emulator.slow_dc(2, 2000)
            try:
                with pytest.raises(asyncio.TimeoutError):
                    await c2({"_": "help.getNearestDc"}, timeout=0.2)
            finally:
                emulator.slow_dc(2, 0)
            assert (await c2({"_": "help.getNearestDc"})).this_dc == 2
        assert c2.handle == 0
    run(main())
