"""The raw API: typed TL classes made from the library's schema, their
checks, entity resolution, and the .pyi stubs generated from the same schema."""
from __future__ import annotations

import datetime
import os

import pytest

import polygram
from polygram import errors, functions, types
from helpers import login_user

PKG = os.path.dirname(os.path.abspath(polygram.__file__))


def test_classes_follow_the_schema_and_compare_by_value() -> None:
    req = functions.messages.GetHistoryRequest(peer=types.InputPeerSelf(), limit=10)
    assert req.limit == 10 and req.offset_id == 0 and req.peer == types.InputPeerSelf()
    assert req.CONSTRUCTOR_ID == 0x4423E6C5 and req.SUBCLASS_OF == "messages.Messages"
    assert isinstance(req, polygram.raw.TLRequest) and type(req).__name__ == "GetHistoryRequest"
    assert req.to_dict() == {"_": "messages.getHistory", "peer": {"_": "inputPeerSelf"}, "offset_id": 0,
                             "offset_date": 0, "add_offset": 0, "limit": 10, "max_id": 0, "min_id": 0, "hash": 0}
    assert req == functions.messages.GetHistoryRequest(peer=types.InputPeerSelf(), limit=10)
    assert req != functions.messages.GetHistoryRequest(peer=types.InputPeerSelf(), limit=11)
    assert types.InputPeerSelf() == {"_": "inputPeerSelf"}
    text = req.stringify()
    assert text.startswith("messages.GetHistoryRequest(\n") and "\tpeer=InputPeerSelf()," in text
    assert types.messages.Dialogs.TL_NAME == "messages.dialogs"
    # A keyword field takes a trailing underscore; optional flags are left out.
    h = types.StoryFwdHeader(from_=types.PeerUser(user_id=6), story_id=3, modified=False)
    assert h.from_ == types.PeerUser(user_id=6) and h.to_dict() == {"_": "storyFwdHeader", "story_id": 3,
                                                                    "from": {"_": "peerUser", "user_id": 6}}
    assert h.modified is None and h.from_name is None
    # random_id is filled in as Telethon does.
    a = functions.messages.SendMessageRequest(peer="me", message="hi")
    b = functions.messages.SendMessageRequest(peer="me", message="hi")
    assert a.random_id != b.random_id
    fwd = functions.messages.ForwardMessagesRequest(from_peer="me", to_peer="me", id=[1, 2, 3])
    assert len(fwd.random_id) == 3
    assert "GetHistoryRequest" in dir(functions.messages) and "messages" in dir(functions)


@pytest.mark.parametrize("make, message", [
    (lambda: functions.messages.GetHistoryRequest(peer="me", limt=10),
     "messages.getHistory: unknown field 'limt' (fields: peer, offset_id"),
    (lambda: functions.messages.SendMessageRequest(message="x"),
     "messages.sendMessage.peer: missing required field (InputPeer)"),
    (lambda: functions.messages.GetHistoryRequest(peer="me", limit="ten"),
     "messages.getHistory.limit: expected an integer (int), got str 'ten'"),
    (lambda: functions.messages.GetHistoryRequest(peer="me", limit=1 << 40),
     "does not fit in a int"),
    (lambda: functions.messages.GetHistoryRequest(peer=types.InputUserSelf()),
     "messages.getHistory.peer: expected InputPeer (inputPeerEmpty"),
    (lambda: types.TextWithEntities(text="x"), "textWithEntities.entities: missing required field"),
    (lambda: types.InputUser(user_id=1, access_hash="x"), "inputUser.access_hash: expected an integer (long)"),
    (lambda: functions.users.GetUsersRequest(id=types.InputUserSelf()), "users.getUsers.id: expected a list"),
    (lambda: functions.help.GetNearestDcRequest(1), "fields are given by name"),
])
def test_bad_arguments_are_named_in_the_error(make, message) -> None:
    with pytest.raises(errors.InvalidArgumentError) as e:
        make()
    assert message in str(e.value)


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="functions.messages has no 'GetHistory'"):
        functions.messages.GetHistory  # noqa: B018 (the Request suffix is missing)
    with pytest.raises(AttributeError):
        types.NoSuchThing  # noqa: B018


def test_stubs_match_the_schema() -> None:
    """The checked-in .pyi files are what `python -m polygram.stubs` writes."""
    from polygram import stubs
    for name, text in stubs.generate().items():
        with open(os.path.join(PKG, name), encoding="utf-8") as f:
            assert f.read() == text, f"{name} is stale: run python -m polygram.stubs"
    assert "class GetHistoryRequest(TLRequest):" in text or name == "types.pyi"
    assert stubs.main(["--check"]) == 0


def test_raw_requests_against_the_emulator(emulator, new_phone, run) -> None:
    async def main() -> None:
        a = await login_user(emulator, new_phone(2), "Rita", "rita_raw")
        b = await login_user(emulator, new_phone(2), "Sam", "sam_raw")
        try:
            await a.send_message("me", "one")
            await a.send_message("me", "two")
            hist = await a(functions.messages.GetHistoryRequest(peer=types.InputPeerSelf(), limit=10))
            assert isinstance(hist, types.messages.Messages) or hist.tl_name.startswith("messages.")
            assert [m.text for m in hist.messages[:2]] == ["two", "one"]
            assert isinstance(hist.messages[0].date, datetime.datetime)
            assert hist.users[0] == hist.users[0] and isinstance(hist.users[0], types.User)
            assert "messages=[" in hist.stringify()
            # Entities where an InputPeer/InputUser is expected: resolved by the core.
            sam = await a.get_entity("@sam_raw")
            assert isinstance(sam, types.User) and sam.first_name == "Sam"
            for peer in ["me", "@sam_raw", sam.id, sam]:
                await a(functions.messages.GetHistoryRequest(peer=peer, limit=1))
            users = await a(functions.users.GetUsersRequest(id=["me", "@sam_raw"]))
            assert [u.first_name for u in users] == ["Rita", "Sam"]
            sent = await a(functions.messages.SendMessageRequest(peer="@sam_raw", message="raw hello"))
            assert sent.tl_name in ("updates", "updateShortSentMessage")
            assert (await b.get_messages("@rita_raw"))[0].text == "raw hello"
            inp = await a.get_input_entity("@sam_raw")
            assert isinstance(inp, types.InputPeerUser) and inp.user_id == (await b.get_me()).id
            with pytest.raises(errors.InvalidArgumentError, match="is a user, not usable where an InputChannel"):
                await a(functions.channels.GetFullChannelRequest(channel="@sam_raw"))
            with pytest.raises(errors.PeerNotFoundError):
                await a(functions.messages.GetHistoryRequest(peer="@nobody_here_at_all", limit=1))
        finally:
            await a.disconnect()
            await b.disconnect()
    run(main())
