"""Errors by name, messages and files, pagination, every event type and its
filters, handler registration, sequential updates, logging, start() and a
file session reused after a restart."""
from __future__ import annotations

import asyncio
import datetime
import logging
import os
import time
from typing import Any, List

import pytest

from polygram import Emulator, errors, events
from helpers import login_bot, login_user


# ---------------------------------------------------------------------- errors

def test_error_classes_come_from_the_error_list() -> None:
    assert len(errors.RPC_ERRORS) > 500
    assert issubclass(errors.UsernameNotOccupiedError, errors.BadRequestError)
    assert issubclass(errors.PhoneCodeInvalidError, errors.BadRequestError)
    assert issubclass(errors.SessionPasswordNeededError, errors.UnauthorizedError)
    assert issubclass(errors.ChatWriteForbiddenError, errors.ForbiddenError)
    assert issubclass(errors.FloodWaitError, errors.FloodError)
    assert issubclass(errors.PhoneMigrateError, errors.InvalidDCError)
    assert errors.RPC_ERRORS["FLOOD_WAIT_X"] is errors.FloodWaitError
    assert errors.class_name("2FA_CONFIRM_WAIT_X") == "TwoFaConfirmWaitError"
    assert "username is not in use" in (errors.UsernameNotOccupiedError.__doc__ or "")
    e = errors.error_from_map({"status": 9, "code": 420, "name": "SLOWMODE_WAIT_X", "message": "m", "seconds": 7})
    assert type(e) is errors.SlowmodeWaitError and e.seconds == 7 and isinstance(e, errors.FloodError)
    e = errors.error_from_map({"status": 9, "code": 404, "name": "SOMETHING_NEW", "message": "m"})
    assert type(e) is errors.NotFoundError and e.name == "SOMETHING_NEW"
    e = errors.error_from_map({"status": 9, "code": 500, "name": "WHATEVER", "message": "m"})
    assert isinstance(e, errors.ServerError)


def test_the_shipped_error_list_is_the_repository_one() -> None:
    here = os.path.dirname(os.path.abspath(errors.__file__))
    repo = os.path.join(here, "..", "..", "..", "schema", "errors.csv")
    if not os.path.exists(repo):
        pytest.skip("not in a source checkout")
    with open(repo, "rb") as a, open(os.path.join(here, "rpc_errors.csv"), "rb") as b:
        assert a.read() == b.read(), "copy schema/errors.csv to bindings/python/polygram/rpc_errors.csv"


def test_error_classes_come_from_the_library_when_it_exports_them() -> None:
    from polygram import _lib
    if not hasattr(_lib.lib(), "polygram_errors"):
        assert errors.ERRORS_SOURCE == "package"
        pytest.skip("this library has no polygram_errors: the shipped list is used")
    assert errors.ERRORS_SOURCE == "library"
    import csv
    here = os.path.dirname(os.path.abspath(errors.__file__))
    with open(os.path.join(here, "rpc_errors.csv"), encoding="utf-8") as f:
        shipped = {row["name"] for row in csv.DictReader(f)}
    # The library's list covers the shipped copy (names whose class would shadow a Polygram class,
    # such as UNKNOWN_METHOD -> UnknownMethodError, are left out either way).
    missing = shipped - set(errors.RPC_ERRORS)
    assert all(not issubclass(getattr(errors, errors.class_name(n)), errors.RPCError) for n in missing), missing
    assert errors.RPC_ERRORS["USERNAME_NOT_OCCUPIED"] is errors.UsernameNotOccupiedError


def test_rpc_errors_by_name_and_flood_sleep_threshold(emulator: Emulator, new_phone, run) -> None:
    async def main() -> None:
        phone = new_phone(2)
        emulator.create_user(phone, "Fay")
        c = emulator.client(flood_sleep_threshold=5)
        await c.start(phone=phone, code_callback=lambda: emulator.login_code(phone))
        try:
            emulator.fail_next("help.getNearestDc", "FLOOD_WAIT_1")
            t0 = time.monotonic()
            assert (await c({"_": "help.getNearestDc"})).this_dc == 2  # slept, then retried
            assert time.monotonic() - t0 >= 0.9
            emulator.fail_next("help.getNearestDc", "FLOOD_WAIT_30")
            with pytest.raises(errors.FloodWaitError) as fw:
                await c({"_": "help.getNearestDc"})
            assert fw.value.seconds == 30
            emulator.fail_next("help.getNearestDc", "USERNAME_NOT_OCCUPIED")
            with pytest.raises(errors.UsernameNotOccupiedError) as un:
                await c({"_": "help.getNearestDc"})
            assert un.value.code == 400 and un.value.name == "USERNAME_NOT_OCCUPIED"
            assert isinstance(un.value, errors.BadRequestError)
        finally:
            await c.disconnect()

        phone = new_phone(2)
        emulator.create_user(phone, "Gus")
        c = emulator.client()
        try:
            sent = await c.send_code_request(phone)
            with pytest.raises(errors.PhoneCodeInvalidError):
                await c.sign_in(phone, "00000", phone_code_hash=sent.hash)
        finally:
            await c.disconnect()
    run(main())


# ---------------------------------------------------------------------- messages

def test_message_objects_and_pagination(emulator: Emulator, new_phone, run, tmp_path) -> None:
    async def main() -> None:
        a = await login_user(emulator, new_phone(2), "Ada", "ada_msgs")
        b = await login_user(emulator, new_phone(2), "Bob", "bob_msgs")
        got: "asyncio.Queue[Any]" = asyncio.Queue()
        b.add_event_handler(got.put, events.NewMessage(incoming=True))
        try:
            for i in range(7):
                await a.send_message("@bob_msgs", f"m{i}")
            texts = [m.text async for m in a.iter_messages("@bob_msgs", page=3)]
            assert texts == [f"m{i}" for i in range(6, -1, -1)]
            assert [m.text async for m in a.iter_messages("@bob_msgs", limit=4, page=3)] == ["m6", "m5", "m4", "m3"]
            first = (await a.get_messages("@bob_msgs", limit=7))[-1]
            assert isinstance(first.date, datetime.datetime) and first.date.tzinfo is not None
            assert abs((datetime.datetime.now(datetime.timezone.utc) - first.date).total_seconds()) < 60
            assert first.sender_id == (await a.get_me()).id and first.chat_id == (await b.get_me()).id
            assert (await first.get_sender()).first_name == "Ada"
            assert await first.get_chat() is not None
            assert first.file is None

            ev = await asyncio.wait_for(got.get(), 10)
            r = await ev.message.reply("re")
            assert r.reply_to_msg_id == ev.message.id
            await ev.message.respond("plain")
            fwd = await ev.message.forward_to("me")
            assert len(fwd) == 1 and (await b.get_messages("me"))[0].text == "m0"

            data = os.urandom(5000)
            f = await a.send_file("@bob_msgs", data, name="notes.txt", mime_type="text/plain", force_document=True)
            msg = await a.get_messages("@bob_msgs", f.id)
            assert msg.file is not None and msg.file.name == "notes.txt" and msg.file.size == 5000
            assert msg.file.mime_type == "text/plain" and msg.file.ext == ".txt"
            progress: List[Any] = []
            path = await msg.download_media(str(tmp_path), progress_callback=lambda c, t: progress.append((c, t)))
            assert path == str(tmp_path / "notes.txt") and progress == [(5000, 5000)]
            with open(path, "rb") as fh:
                assert fh.read() == data
            await msg.delete()
            assert await a.get_messages("@bob_msgs", f.id) is None

            # Dialogs: seven users write to Ada; pages of two.
            for i in range(5):
                phone = new_phone(2)
                u = emulator.create_user(phone, f"Pen{i}")
                emulator.send_message(u["id"], (await a.get_me()).id, f"hello {i}")
            names = [d.name async for d in a.iter_dialogs(page=2)]
            assert names[:5] == [f"Pen{i}" for i in range(4, -1, -1)] and "Bob" in names
            assert len(names) == len(set(names))
            top = [d async for d in a.iter_dialogs(limit=1)][0]
            assert top.message.text == "hello 4" and top.id > 0 and top.entity.first_name == "Pen4"
        finally:
            await a.disconnect()
            await b.disconnect()
    run(main(), timeout=40)


# ---------------------------------------------------------------------- events

def test_event_types_filters_and_registration(emulator: Emulator, new_phone, run) -> None:
    async def main() -> None:
        bot = await login_bot(emulator, "pyevents_bot")
        user = await login_user(emulator, new_phone(2), "Eve", "eve_events")
        eve_id = (await user.get_me()).id
        seen: "asyncio.Queue[Any]" = asyncio.Queue()

        @events.register(events.NewMessage(pattern=r"/cmd (\d+)", from_users=[eve_id]))
        async def cmd(event: Any) -> None:
            await seen.put(("cmd", event.pattern_match.group(1)))
            raise events.StopPropagation

        @events.register(events.NewMessage(incoming=True, chats=[eve_id], func=lambda e: len(e.text) < 6))
        async def short(event: Any) -> None:
            await seen.put(("short", event.text))

        assert events.is_handler(cmd)
        bot.add_event_handler(cmd)
        bot.add_event_handler(short)
        bot.add_event_handler(lambda e: seen.put_nowait(("edited", e.text)), events.MessageEdited())
        bot.add_event_handler(lambda e: seen.put_nowait(("deleted", e.deleted_ids)), events.MessageDeleted)
        # Outgoing: the user's messages sent from elsewhere (another device).
        user.add_event_handler(lambda e: seen.put_nowait(("out", e.text)), events.NewMessage(outgoing=True))
        bot_id = (await bot.get_me()).id
        raw_types: List[str] = []
        bot.add_event_handler(lambda e: raw_types.append(e.type), events.Raw())
        assert len(bot.list_event_handlers()) == 5

        async def expect(*want: Any) -> None:
            for w in want:
                assert await asyncio.wait_for(seen.get(), 10) == w

        bot_task = asyncio.ensure_future(bot.run_until_disconnected())
        try:
            await user.send_message("@pyevents_bot", "/cmd 42")   # StopPropagation: "short" does not see it
            await expect(("cmd", "42"))
            m = await user.send_message("@pyevents_bot", "hey")
            await expect(("short", "hey"))
            await user.send_message("@pyevents_bot", "too long for short")
            await m.edit("hey2")
            await expect(("edited", "hey2"))
            await m.delete()
            await expect(("deleted", [m.id]))
            emulator.send_message(eve_id, bot_id, "/cmd 7")
            got = {await asyncio.wait_for(seen.get(), 10) for _ in range(2)}
            assert got == {("cmd", "7"), ("out", "/cmd 7")}
            assert "new_message" in raw_types and "message_edited" in raw_types
            assert bot.remove_event_handler(short) == 1
            await user.send_message("@pyevents_bot", "tiny")
            emulator.send_message(eve_id, bot_id, "/cmd 8")
            got = {await asyncio.wait_for(seen.get(), 10) for _ in range(2)}
            assert got == {("cmd", "8"), ("out", "/cmd 8")}, "'tiny' reached a removed handler"
            assert seen.empty()
        finally:
            await user.disconnect()
            await bot.disconnect()
            await asyncio.wait_for(bot_task, 5)
    run(main(), timeout=40)


def test_sequential_updates_run_one_after_another(emulator: Emulator, new_phone, run) -> None:
    async def main() -> None:
        token = emulator.create_bot("pyseq_bot", "Seq")
        for sequential, want_overlap in ((True, False), (False, True)):
            bot = emulator.client(sequential_updates=sequential)
            await bot.start(bot_token=token)
            active, overlap, done = [0], [False], asyncio.Queue()

            @bot.on(events.NewMessage(incoming=True))
            async def slow(event: Any) -> None:
                active[0] += 1
                overlap[0] |= active[0] > 1
                await asyncio.sleep(0.2)
                active[0] -= 1
                await done.put(event.text)

            user = await login_user(emulator, new_phone(2), "Sid")
            try:
                for t in ("a", "b", "c"):
                    await user.send_message("@pyseq_bot", t)
                got = [await asyncio.wait_for(done.get(), 10) for _ in range(3)]
                assert overlap[0] is want_overlap
                if sequential:
                    assert got == ["a", "b", "c"]
            finally:
                await user.disconnect()
                await bot.disconnect()
    run(main(), timeout=40)


def test_library_logs_reach_the_logging_module(emulator: Emulator, new_phone, run,
                                               caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        phone = new_phone(3)   # lives on DC 3: the login migrates, which the core logs at info
        emulator.create_user(phone, "Lia")
        c = emulator.client(log_level="info")
        try:
            await c.start(phone=phone, code_callback=lambda: emulator.login_code(phone))
        finally:
            await c.disconnect()
    with caplog.at_level(logging.DEBUG, logger="polygram.lib"):
        run(main())
    migrate = [r for r in caplog.records if r.name == "polygram.lib" and "migrating" in r.getMessage()]
    assert migrate and migrate[0].levelno == logging.INFO and "dc" in migrate[0].getMessage()


# ---------------------------------------------------------------------- start and sessions

def test_start_without_a_terminal_asks_for_nothing(emulator: Emulator, run) -> None:
    async def main() -> None:
        c = emulator.client()
        try:
            with pytest.raises(errors.InvalidArgumentError, match="phone number"):
                await c.start()  # pytest's stdin is not a terminal: no hang
        finally:
            await c.disconnect()
    run(main())


def test_file_session_is_reused_after_restart(emulator: Emulator, new_phone, run, tmp_path) -> None:
    phone = new_phone(3)
    emulator.create_user(phone, "Ren")
    path = str(tmp_path / "ren")       # becomes ren.session, as in Telethon

    async def first() -> int:
        c = emulator.client(path)
        await c.start(phone=phone, code_callback=lambda: emulator.login_code(phone))
        me = (await c.get_me()).id
        await c.send_message("me", "saved")
        await c.disconnect()
        return me

    async def second() -> Any:
        c = emulator.client(path)

        def no_code() -> str:
            raise AssertionError("the session should be logged in already")
        await c.start(phone=phone, code_callback=no_code)
        try:
            return (await c.get_me()).id, (await c.get_messages("me"))[0].text, (await c.get_state()).main_dc
        finally:
            await c.disconnect()

    me = run(first())
    assert os.path.exists(path + ".session")
    assert run(second()) == (me, "saved", 3)


def test_a_dropped_connection_is_followed_and_the_client_stays_connected(emulator: Emulator, new_phone, run) -> None:
    async def main() -> None:
        phone = new_phone(2)
        emulator.create_user(phone, "Dot")
        c = emulator.client()
        await c.start(phone=phone, code_callback=lambda: emulator.login_code(phone))
        try:
            assert c.connection_state == "connected" and c.is_connected()
            seen: List[str] = []
            emulator.drop_connections()
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                await asyncio.sleep(0.01)  # the loop drains the state events
                if not seen or seen[-1] != c.connection_state:
                    seen.append(c.connection_state)
                assert c.is_connected(), "a drop the library recovers from is not a disconnect"
                if "disconnected" in seen or "connecting" in seen:
                    if c.connection_state == "connected":
                        break
            assert c.connection_state == "connected", seen
            assert (await c({"_": "help.getNearestDc"})).this_dc == 2
        finally:
            await c.disconnect()
        assert not c.is_connected()
    run(main())


def test_connection_state_events_follow_a_drop_and_the_disconnect(emulator: Emulator, new_phone, run) -> None:
    async def main() -> None:
        phone = new_phone(2)
        emulator.create_user(phone, "Cy")
        c = emulator.client()
        states: List[str] = []
        drops: List[str] = []
        raw_types: List[str] = []
        c.add_event_handler(lambda e: states.append(e.state), events.ConnectionState())
        c.add_event_handler(lambda e: drops.append(e.state), events.ConnectionState("disconnected"))
        c.add_event_handler(lambda e: raw_types.append(e.type), events.Raw())
        await c.start(phone=phone, code_callback=lambda: emulator.login_code(phone))
        try:
            emulator.drop_connections()
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                await asyncio.sleep(0.01)
                if "disconnected" in states and states[-1] == "connected":
                    break
            i = states.index("disconnected")
            assert "connected" in states[i:], states
            assert drops and set(drops) == {"disconnected"}, drops
            assert "connection_state" not in raw_types, "Raw() without types sees only Telegram's updates"
            assert (await c({"_": "help.getNearestDc"})).this_dc == 2
        finally:
            await c.disconnect()
        await asyncio.sleep(0.05)  # the handlers run as tasks on this loop
        assert states[-1] == "closed", states
    run(main())
