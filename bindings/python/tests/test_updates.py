"""The update events beyond messages (chat actions, read receipts, typing,
albums) and the friendly calls of groups and history: participants,
scheduled messages, pins, the archive, iter_messages' options."""
from __future__ import annotations

import asyncio
import datetime
import struct
import zlib
from typing import Any, List

import pytest

from polygram import Emulator, Participant, errors, events, functions, types
from helpers import login_bot, login_user


def png(w: int, h: int, shade: int = 0) -> bytes:
    """A valid w×h grey PNG (the emulator decodes images for thumbnails)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    rows = b"".join(b"\x00" + bytes((x * 7 + y * 3 + shade) % 256 for x in range(w)) for y in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


async def next_of(q: "asyncio.Queue[Any]", pred: Any = None, timeout: float = 10) -> Any:
    """The next queued event that ``pred`` accepts (others are skipped)."""
    while True:
        ev = await asyncio.wait_for(q.get(), timeout)
        if pred is None or pred(ev):
            return ev


def test_chat_actions_user_added_joined_and_title_changed(emulator: Emulator, new_phone, run) -> None:
    async def main() -> None:
        owner = await login_user(emulator, new_phone(2), "Olga", "olga_acts")
        watcher = await login_user(emulator, new_phone(2), "Walt", "walt_acts")
        newbie = await login_user(emulator, new_phone(2), "Nina", "nina_acts")
        oid, wid, nid = [(await c.get_me()).id for c in (owner, watcher, newbie)]
        acts: "asyncio.Queue[Any]" = asyncio.Queue()
        watcher.add_event_handler(acts.put, events.ChatAction())
        await watcher.catch_up()
        try:
            chat = emulator.create_chat(oid, "Book club", [wid])
            await owner.get_dialogs()   # the owner's session meets the chat
            await owner(functions.messages.AddChatUserRequest(chat_id=-chat, user_id="@nina_acts", fwd_limit=10))
            ev = await next_of(acts, lambda e: e.user_added)
            assert ev.chat_id == chat and ev.user_ids == [nid] and ev.added_by == oid
            assert ev.kind == "added" and not ev.user_joined and ev.new_title is None
            assert (await ev.get_user()).first_name == "Nina"
            assert ev.action_message is not None and ev.action.tl_name == "messageActionChatAddUser"

            await owner(functions.messages.EditChatTitleRequest(chat_id=-chat, title="Reading club"))
            ev = await next_of(acts, lambda e: e.kind == "title")
            assert ev.new_title == "Reading club" and ev.sender_id == oid and ev.chat_id == chat
            await ev.reply("nice title")
            assert (await owner.get_messages(chat))[0].text == "nice title"

            # A public supergroup joined by the newcomer herself.
            group = emulator.create_channel(oid, "Open group", "pyopen_group", megagroup=True, members=[wid])
            await watcher.get_dialogs()
            await newbie(functions.channels.JoinChannelRequest(channel="@pyopen_group"))
            ev = await next_of(acts, lambda e: e.chat_id == group and e.user_ids == [nid])
            assert ev.user_joined and ev.user_id == nid and ev.user_ids == [nid]
        finally:
            for c in (owner, watcher, newbie):
                await c.disconnect()
    run(main(), timeout=40)


def test_read_receipts_and_typing(emulator: Emulator, new_phone, run) -> None:
    async def main() -> None:
        a = await login_user(emulator, new_phone(2), "Rita", "rita_reads")
        b = await login_user(emulator, new_phone(2), "Sam", "sam_reads")
        aid, bid = (await a.get_me()).id, (await b.get_me()).id
        reads: "asyncio.Queue[Any]" = asyncio.Queue()
        typing: "asyncio.Queue[Any]" = asyncio.Queue()
        a.add_event_handler(reads.put, events.MessageRead())             # outbox: Rita's messages read
        b.add_event_handler(lambda e: reads.put_nowait(("inbox?", e)), events.MessageRead(inbox=True))
        a.add_event_handler(typing.put, events.UserUpdate(chats=[bid]))
        await a.catch_up()
        await b.catch_up()
        try:
            m1 = await a.send_message("@sam_reads", "one")
            m2 = await a.send_message("@sam_reads", "two")
            await b.send_read_acknowledge(aid, max_id=m2.id)
            ev = await next_of(reads, lambda e: not isinstance(e, tuple))
            assert ev.outbox and not ev.inbox and ev.chat_id == bid and ev.max_id == m2.id
            assert ev.is_read(m1) and ev.is_read(m2.id) and not ev.is_read(m2.id + 1)

            await b.action(aid)
            ev = await next_of(typing)
            assert ev.user_id == bid and ev.chat_id == bid and ev.typing and ev.action == "typing"
            assert not ev.uploading and (await ev.get_user()).first_name == "Sam"
            await b.action(aid, cancel=True)
            ev = await next_of(typing)
            assert ev.cancel and not ev.typing
        finally:
            await a.disconnect()
            await b.disconnect()
    run(main(), timeout=30)


def test_album_arrives_as_one_event(emulator: Emulator, new_phone, run, tmp_path) -> None:
    async def main() -> None:
        a = await login_user(emulator, new_phone(2), "Alba", "alba_album")
        bot = await login_bot(emulator, "pyalbum_bot")
        albums: "asyncio.Queue[Any]" = asyncio.Queue()
        singles: List[Any] = []
        bot.add_event_handler(albums.put, events.Album(incoming=True))
        bot.add_event_handler(lambda e: singles.append(e.message.grouped_id), events.NewMessage())
        await bot.catch_up()
        try:
            path = tmp_path / "c.txt"
            path.write_bytes(b"third file")
            sent = await a.send_file("@pyalbum_bot", [png(40, 30), png(30, 40, 9), str(path)],
                                     caption=["**first**", "second", None], parse_mode="markdown")
            assert len(sent) == 3 and [m.text for m in sent] == ["first", "second", ""]
            assert sent[0].grouped_id and len({m.grouped_id for m in sent}) == 1
            assert sent[0].photo is not None and sent[2].file.name == "c.txt"
            assert sent[0].entities[0].tl_name == "messageEntityBold"

            ev = await next_of(albums)
            assert len(ev) == 3 and [m.id for m in ev] == [m.id for m in sent]
            assert ev.grouped_id == sent[0].grouped_id and ev.text == "first" and not ev.out
            assert ev.sender_id == (await a.get_me()).id
            assert await ev[2].download_media() == b"third file"
            await ev.reply("got 3")
            assert (await a.get_messages("@pyalbum_bot"))[0].text == "got 3"
            assert all(g is None for g in singles), "album parts must not also come as NewMessage"
            with pytest.raises(errors.InvalidArgumentError, match="2 to 10"):
                await a.send_file("@pyalbum_bot", [png(4, 4)])
        finally:
            await a.disconnect()
            await bot.disconnect()
    run(main(), timeout=40)


def test_participants_are_paged_by_the_core(emulator: Emulator, new_phone, run) -> None:
    async def main() -> None:
        owner = await login_user(emulator, new_phone(2), "Pat", "pat_members")
        oid = (await owner.get_me()).id
        members = [emulator.create_user(new_phone(2), f"Member{i:03d}")["id"] for i in range(230)]
        bot_token = emulator.create_bot("pymember_bot", "Helper")
        bot_id = int(bot_token.split(":")[0])
        group = emulator.create_channel(oid, "Big group", "pybig_group", megagroup=True, members=members + [bot_id])
        try:
            assert (await owner.get_peer_id("@pybig_group")) == group   # the session meets the group
            everyone = await owner.get_participants(group)
            assert len(everyone) == 232 and all(isinstance(p, Participant) for p in everyone)
            assert len({p.id for p in everyone}) == 232          # more than one page of 200, no repeats
            creator = [p for p in everyone if p.creator]
            assert [p.first_name for p in creator] == ["Pat"] and creator[0].user.id == oid
            assert isinstance(everyone[0].date, datetime.datetime) or everyone[0].date is None

            assert len(await owner.get_participants(group, limit=210)) == 210
            found = [p.first_name async for p in owner.iter_participants(group, search="Member01")]
            assert sorted(found) == [f"Member01{i}" for i in range(10)]
            bots = await owner.get_participants("@pybig_group", filter="bots")
            assert [p.id for p in bots] == [bot_id] and bots[0].bot
            admins = await owner.get_participants(group, filter=types.ChannelParticipantsAdmins)
            assert [p.id for p in admins] == [oid]
            with pytest.raises(errors.InvalidArgumentError, match="filter"):
                await owner.get_participants(group, filter="friends")
        finally:
            await owner.disconnect()
    run(main(), timeout=60)


def test_scheduled_messages_pins_and_archive(emulator: Emulator, new_phone, run) -> None:
    async def main() -> None:
        a = await login_user(emulator, new_phone(2), "Sara", "sara_sched")
        b = await login_user(emulator, new_phone(2), "Tom", "tom_sched")
        try:
            later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
            s1 = await a.send_message("@tom_sched", "in an hour", schedule=later)
            s2 = await a.send_message("@tom_sched", "in two", schedule=datetime.timedelta(hours=2))
            sched = await a.get_scheduled_messages("@tom_sched")
            assert sorted(m.text for m in sched) == ["in an hour", "in two"]
            assert {m.id for m in sched} == {s1.id, s2.id}
            assert abs(next(m for m in sched if m.id == s1.id).date.timestamp() - later.timestamp()) < 2
            assert await b.get_messages("@sara_sched", limit=10) == []        # nothing delivered yet
            await a.send_scheduled_now("@tom_sched", s1)
            assert [m.text for m in await b.get_messages("@sara_sched", limit=10)] == ["in an hour"]
            await a.delete_scheduled_messages("@tom_sched", [s2.id])
            assert await a.get_scheduled_messages("@tom_sched") == []
            with pytest.raises(errors.InvalidArgumentError, match="schedule"):
                await a.send_message("@tom_sched", "x", schedule="tomorrow")

            msgs = [await a.send_message("@tom_sched", f"p{i}") for i in range(3)]
            await msgs[0].pin()
            await a.pin_message("@tom_sched", msgs[2])
            assert [m.text for m in await a.get_pinned_messages("@tom_sched")] == ["p2", "p0"]
            await msgs[2].unpin()
            assert [m.text for m in await a.get_pinned_messages("@tom_sched")] == ["p0"]
            assert (await a.get_messages("@tom_sched", msgs[0].id)).pinned
            await a.unpin_message("@tom_sched")          # all of them
            assert await a.get_pinned_messages("@tom_sched") == []

            main_list = [d.name for d in await a.get_dialogs()]
            assert "Tom" in main_list
            await a.archive_dialog("@tom_sched")
            assert "Tom" not in [d.name for d in await a.get_dialogs()]
            archived = await a.get_dialogs(archived=True)
            assert [d.name for d in archived] == ["Tom"] and archived[0].archived and archived[0].folder == 1
            assert [d.name async for d in a.iter_dialogs(archived=True)] == ["Tom"]
            await a.edit_folder("@tom_sched", 0)
            assert await a.get_dialogs(archived=True) == []
        finally:
            await a.disconnect()
            await b.disconnect()
    run(main(), timeout=40)


def test_iter_messages_options(emulator: Emulator, new_phone, run) -> None:
    async def main() -> None:
        a = await login_user(emulator, new_phone(2), "Iris", "iris_iter")
        b = await login_user(emulator, new_phone(2), "Jon", "jon_iter")
        try:
            sent = []
            for i in range(12):
                c = a if i % 3 else b
                sent.append(await c.send_message("@jon_iter" if c is a else "@iris_iter",
                                                 f"{'apple' if i % 4 == 0 else 'pear'} {i}"))
            ids = [m.id for m in sent]
            texts = lambda ms: [m.text.split()[1] for m in ms]  # noqa: E731
            assert texts([m async for m in a.iter_messages("@jon_iter", reverse=True, page_size=5)]) == \
                [str(i) for i in range(12)]
            assert texts([m async for m in a.iter_messages("@jon_iter", limit=3, reverse=True,
                                                            offset_id=ids[4])]) == ["5", "6", "7"]
            assert texts([m async for m in a.iter_messages("@jon_iter", min_id=ids[8])]) == ["11", "10", "9"]
            assert texts([m async for m in a.iter_messages("@jon_iter", max_id=ids[2], page_size=1)]) == ["1", "0"]
            assert texts([m async for m in a.iter_messages("@jon_iter", search="apple")]) == ["8", "4", "0"]
            assert texts([m async for m in a.iter_messages("@jon_iter", from_user="@jon_iter")]) == \
                ["9", "6", "3", "0"]
            assert texts(await a.get_messages("@jon_iter", limit=2, from_user="me", reverse=True)) == ["1", "2"]
            assert texts([m async for m in a.iter_messages("@jon_iter", ids=[ids[1], ids[5]])]) == ["1", "5"]
            with pytest.raises(errors.InvalidArgumentError, match="page_size"):
                [m async for m in a.iter_messages("@jon_iter", page_size=500)]
        finally:
            await a.disconnect()
            await b.disconnect()
    run(main(), timeout=40)
