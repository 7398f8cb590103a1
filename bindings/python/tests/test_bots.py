"""Bots: inline keyboards and callback queries, inline mode, reply markups."""
from __future__ import annotations

import asyncio
from typing import Any, List

import pytest

from polygram import Button, Emulator, InlineResults, errors, events, types
from polygram.buttons import build_reply_markup
from helpers import login_bot, login_user


def test_start_with_an_inline_keyboard_and_a_click_answered(emulator: Emulator, new_phone, run) -> None:
    async def main() -> None:
        bot = await login_bot(emulator, "pykeys_bot")
        user = await login_user(emulator, new_phone(2), "Kim", "kim_keys")
        pressed: List[Any] = []

        @bot.on(events.NewMessage(pattern="/start"))
        async def start(event: Any) -> None:
            await event.respond("Pick one", buttons=[
                [Button.inline("Yes", b"yes"), Button.inline("No", b"no")],
                [Button.url("Docs", "https://example.org/docs")],
            ])

        @bot.on(events.CallbackQuery(data=b"yes"))
        async def yes(event: Any) -> None:
            pressed.append((event.data, event.sender_id, event.chat_id, event.message_id))
            await event.answer("You said yes", alert=True)
            await event.edit("Thanks for the yes", buttons=[Button.inline("Again", b"again"), Button.inline("No", b"no")])

        @bot.on(events.CallbackQuery(pattern=rb"n(o)"))
        async def no(event: Any) -> None:
            pressed.append(("pattern", event.data_match.group(1)))
            await event.answer("no it is")

        bot_task = asyncio.ensure_future(bot.run_until_disconnected())
        got: "asyncio.Queue[Any]" = asyncio.Queue()
        user.add_event_handler(got.put, events.NewMessage(incoming=True))
        user.add_event_handler(got.put, events.MessageEdited())
        await user.catch_up()
        try:
            await user.send_message("@pykeys_bot", "/start")
            ev = await asyncio.wait_for(got.get(), 10)
            msg = ev.message
            assert msg.text == "Pick one"
            rows = msg.buttons
            assert [[b.text for b in r] for r in rows] == [["Yes", "No"], ["Docs"]]
            assert rows[0][0].data == b"yes" and rows[0][0].kind == "callback"
            assert rows[1][0].url == "https://example.org/docs" and rows[1][0].kind == "url"
            assert msg.button_count == 3

            answer = await msg.click(0)                 # the first button, counted over all rows
            assert answer.message == "You said yes" and answer.alert is True and answer.text == "Yes"
            me = (await user.get_me()).id
            bot_me = (await bot.get_me()).id
            assert pressed[0][0] == b"yes" and pressed[0][1] == me and pressed[0][2] == me
            assert pressed[0][3] == msg.id

            edited = await asyncio.wait_for(got.get(), 10)
            assert edited.text == "Thanks for the yes"
            assert [[b.text for b in r] for r in edited.message.buttons] == [["Again", "No"]]

            answer = await user.click("@pykeys_bot", msg.id, data=b"no")  # by data, on the server's copy
            assert answer.message == "no it is" and not answer.alert
            assert pressed[1] == ("pattern", b"o")
            # A URL button answers its link without asking the bot.
            fresh = await user.get_messages("@pykeys_bot", msg.id)
            assert fresh.buttons[0][0].text == "Again"
            sent = await bot.send_message(me, "links", buttons=[Button.url("Site", "https://example.org")])
            assert await user.click(bot_me, sent.id, 0, 0) == "https://example.org"
            with pytest.raises(errors.ButtonNotFoundError):
                await user.click(bot_me, sent.id, text="Nope")
            with pytest.raises(errors.ButtonNotFoundError):
                await user.click(bot_me, sent.id, 5)
        finally:
            await user.disconnect()
            await bot.disconnect()
            await asyncio.wait_for(bot_task, 5)
    run(main(), timeout=40)


def test_inline_query_answered_and_its_result_sent(emulator: Emulator, new_phone, run) -> None:
    async def main() -> None:
        bot = await login_bot(emulator, "pyinline_bot")
        user = await login_user(emulator, new_phone(2), "Ina", "ina_inline")
        friend = await login_user(emulator, new_phone(2), "Fritz", "fritz_inline")
        queries: List[Any] = []

        @bot.on(events.InlineQuery(pattern=r"(?i)say (.+)"))
        async def inline(event: Any) -> None:
            queries.append((event.text, event.sender_id, event.pattern_match.group(1)))
            b = event.builder
            word = event.pattern_match.group(1)
            await event.answer([
                b.article("Loud", text=word.upper(), description="in capitals"),
                b.article("Bold", text=f"**{word}**", parse_mode="markdown", id="bold",
                          buttons=[Button.url("More", "https://example.org")]),
            ], cache_time=0, next_offset="2")

        bot_task = asyncio.ensure_future(bot.run_until_disconnected())
        got: "asyncio.Queue[Any]" = asyncio.Queue()
        friend.add_event_handler(got.put, events.NewMessage(incoming=True))
        await friend.catch_up()
        try:
            results = await user.inline_query("@pyinline_bot", "say hello")
            assert isinstance(results, InlineResults) and len(results) == 2
            assert [r.title for r in results] == ["Loud", "Bold"] and results[0].description == "in capitals"
            assert results[1].id == "bold" and results.next_offset == "2" and results.query_id
            assert queries == [("say hello", (await user.get_me()).id, "hello")]

            sent = await results[1].click("@fritz_inline")
            assert sent.text == "hello" and sent.via_bot_id == (await bot.get_me()).id
            ev = await asyncio.wait_for(got.get(), 10)
            assert ev.text == "hello" and ev.message.entities[0].tl_name == "messageEntityBold"
            assert ev.message.buttons[0][0].url == "https://example.org"
            # A query the pattern does not match reaches no handler: the bot never answers.
            with pytest.raises((asyncio.TimeoutError, errors.PolygramError)):
                await asyncio.wait_for(user.inline_query("@pyinline_bot", "nothing here"), 1.5)
            assert len(queries) == 1
        finally:
            for c in (user, friend, bot):
                await c.disconnect()
            await asyncio.wait_for(bot_task, 5)
    run(main(), timeout=40)


def test_reply_markups_are_checked_and_built_in_the_layer_229_shape() -> None:
    kb = build_reply_markup([[Button.inline("A", "a"), Button.switch_inline("Share", "q", same_peer=True)]])
    assert kb == {"_": "replyInlineMarkup", "rows": [{"_": "keyboardInlineButtonRow", "buttons": [
        {"_": "keyboardInlineButton", "text": "A", "type": {"_": "inlineButtonTypeCallback", "data": b"a"}},
        {"_": "keyboardInlineButton", "text": "Share",
         "type": {"_": "inlineButtonTypeSwitchInline", "query": "q", "same_peer": True}}]}]}
    kb = build_reply_markup([Button.text("One", resize=True), Button.request_phone("Phone")])
    assert kb["_"] == "replyKeyboardMarkup" and kb["resize"] is True
    assert kb["rows"][0]["buttons"][1]["type"] == {"_": "buttonTypeRequestPhone"}
    assert build_reply_markup(Button.force_reply("say it")) == {"_": "replyKeyboardForceReply", "placeholder": "say it"}
    assert build_reply_markup(Button.clear()) == {"_": "replyKeyboardHide"}
    assert build_reply_markup(types.ReplyKeyboardHide(selective=True)) == {"_": "replyKeyboardHide", "selective": True}
    with pytest.raises(errors.InvalidArgumentError, match="1 to 64 bytes"):
        Button.inline("big", b"x" * 65)
    with pytest.raises(errors.InvalidArgumentError, match="cannot be mixed"):
        build_reply_markup([Button.inline("a"), Button.text("b")])
    with pytest.raises(errors.InvalidArgumentError, match="non-empty text"):
        Button.url("", "https://example.org")
    with pytest.raises(errors.InvalidArgumentError, match="not a Button"):
        build_reply_markup([[Button.inline("a"), "b"]])


def test_reply_keyboard_and_a_bad_url_reach_the_core(emulator: Emulator, new_phone, run) -> None:
    async def main() -> None:
        bot = await login_bot(emulator, "pykb_bot")
        user = await login_user(emulator, new_phone(2), "Kay", "kay_kb")
        try:
            me = (await user.get_me()).id
            await user.send_message("@pykb_bot", "hi")   # lets the bot reach the user
            sent = await bot.send_message(me, "choose", buttons=[[Button.text("Red"), Button.text("Blue")]])
            msg = await user.get_messages(await bot.get_me(), sent.id)
            assert msg.reply_markup.tl_name == "replyKeyboardMarkup"
            assert [b.text for b in msg.buttons[0]] == ["Red", "Blue"] and msg.buttons[0][0].kind == "text"
            with pytest.raises(errors.PolygramError, match="ftp://x"):
                await bot.send_message(me, "bad", buttons=Button.url("Bad", "ftp://x"))
        finally:
            await user.disconnect()
            await bot.disconnect()
    run(main(), timeout=30)


def test_a_message_sent_through_inline_mode_is_edited_by_its_bot(emulator: Emulator, new_phone, run) -> None:
    async def main() -> None:
        bot = await login_bot(emulator, "pyedit_inline_bot")
        user = await login_user(emulator, new_phone(2), "Ola", "ola_inline")
        friend = await login_user(emulator, new_phone(2), "Per", "per_inline")
        seen: List[Any] = []

        @bot.on(events.InlineQuery())
        async def inline(event: Any) -> None:
            await event.answer([event.builder.article("Vote", text="vote?", buttons=[Button.inline("Up", b"up")])])

        @bot.on(events.CallbackQuery(data=b"up"))
        async def up(event: Any) -> None:
            seen.append((event.via_inline, event.chat_id, event.inline_message_id))
            await event.answer()
            await event.edit("**1** vote", parse_mode="markdown", buttons=[Button.inline("Up again", b"up")])

        bot_task = asyncio.ensure_future(bot.run_until_disconnected())
        edits: "asyncio.Queue[Any]" = asyncio.Queue()
        friend.add_event_handler(edits.put, events.MessageEdited())
        await friend.catch_up()
        try:
            results = await user.inline_query("@pyedit_inline_bot", "x")
            sent = await results[0].click("@per_inline")
            [theirs] = await friend.get_messages("@ola_inline", limit=1)
            assert theirs.text == "vote?" and sent.text == "vote?"
            await theirs.click(data=b"up")
            ev = await asyncio.wait_for(edits.get(), 10)
            assert ev.text == "1 vote" and ev.message.entities[0].tl_name == "messageEntityBold"
            assert [[b.text for b in r] for r in ev.message.buttons] == [["Up again"]]
            via_inline, chat_id, inline_id = seen[0]
            assert via_inline and not chat_id and inline_id.tl_name == "inputBotInlineMessageID"

            # Telethon's spelling: edit_message with the inline id first.
            await bot.edit_message(inline_id, "2 votes")
            assert (await asyncio.wait_for(edits.get(), 10)).text == "2 votes"
            assert (await user.get_messages("@per_inline", ids=sent.id)).text == "2 votes"
            with pytest.raises(errors.RPCError) as e:
                await user.edit_inline_message(inline_id, "not the bot")
            assert e.value.name == "USER_BOT_REQUIRED"
            with pytest.raises(TypeError):
                await bot.edit_inline_message(12345, "no id")
            with pytest.raises(TypeError):
                await bot.edit_message("@per_inline", None, "no message")
        finally:
            for c in (user, friend, bot):
                await c.disconnect()
            await asyncio.wait_for(bot_task, 5)
    run(main(), timeout=40)
