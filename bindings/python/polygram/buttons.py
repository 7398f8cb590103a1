"""Buttons: building reply markups, and the buttons of received messages.

    from polygram import Button

    await client.send_message(chat, "Pick one", buttons=[
        [Button.inline("Yes", b"yes"), Button.inline("No", b"no")],
        [Button.url("Docs", "https://example.org")],
    ])

``buttons=`` takes one button, a list (one row), a list of lists (rows), a
``Button.force_reply()``/``Button.clear()`` markup, or a reply markup TL map
or object (``types.ReplyInlineMarkup(...)``) as is. Inline buttons (inline,
url, switch_inline) and keyboard buttons (text, request_phone,
request_location) cannot be mixed in one markup. The shapes are layer 229's:
``keyboardInlineButton{text, type: inlineButtonTypeCallback{data}}`` and
``keyboardButton{text, type: buttonTypeDefault}``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Union

from .errors import InvalidArgumentError
from .tl import TLObject, unwrap

if TYPE_CHECKING:  # pragma: no cover
    from .tl import Message

MAX_CALLBACK_DATA = 64


def _invalid(message: str) -> InvalidArgumentError:
    return InvalidArgumentError(message, status=1, name="INVALID_ARGUMENT")


class Button:
    """A button to send (build them with the static methods).

    ``is_inline`` is True for buttons shown under the message, False for
    keyboard buttons replacing the user's keyboard. ``resize``,
    ``single_use`` and ``selective`` of keyboard buttons apply to the whole
    keyboard (as in Telethon: any button asking for them turns them on).
    """

    __slots__ = ("tl", "is_inline", "resize", "single_use", "selective", "placeholder")

    def __init__(self, tl: Dict[str, Any], inline: bool, *, resize: Optional[bool] = None,
                 single_use: Optional[bool] = None, selective: Optional[bool] = None,
                 placeholder: Optional[str] = None):
        self.tl = tl
        self.is_inline = inline
        self.resize, self.single_use, self.selective = resize, single_use, selective
        self.placeholder = placeholder

    def __repr__(self) -> str:
        return f"Button({self.tl!r})"

    # -- inline buttons

    @staticmethod
    def inline(text: str, data: Union[bytes, str, None] = None) -> "Button":
        """A callback button: the bot gets ``data`` (1 to 64 bytes; the text
        encoded when omitted) in a CallbackQuery event."""
        raw = (text if data is None else data)
        b = raw.encode() if isinstance(raw, str) else bytes(raw)
        if not 1 <= len(b) <= MAX_CALLBACK_DATA:
            raise _invalid(f"Button.inline({text!r}): callback data must be 1 to {MAX_CALLBACK_DATA} bytes, "
                           f"got {len(b)}")
        return Button(_inline_button(text, {"_": "inlineButtonTypeCallback", "data": b}), True)

    @staticmethod
    def url(text: str, url: Optional[str] = None) -> "Button":
        """A button opening ``url`` (the text when omitted)."""
        return Button(_inline_button(text, {"_": "inlineButtonTypeUrl", "url": url or text}), True)

    @staticmethod
    def switch_inline(text: str, query: str = "", same_peer: bool = False) -> "Button":
        """A button starting an inline query of the bot with ``query``, in this
        chat when ``same_peer`` (else the user picks a chat)."""
        t: Dict[str, Any] = {"_": "inlineButtonTypeSwitchInline", "query": query}
        if same_peer:
            t["same_peer"] = True
        return Button(_inline_button(text, t), True)

    # -- keyboard buttons

    @staticmethod
    def text(text: str, *, resize: Optional[bool] = None, single_use: Optional[bool] = None,
             selective: Optional[bool] = None) -> "Button":
        """A keyboard button that sends its text."""
        return Button(_keyboard_button(text, "buttonTypeDefault"), False, resize=resize, single_use=single_use,
                      selective=selective)

    @staticmethod
    def request_phone(text: str, *, resize: Optional[bool] = None, single_use: Optional[bool] = None,
                      selective: Optional[bool] = None) -> "Button":
        """A keyboard button sharing the user's phone number."""
        return Button(_keyboard_button(text, "buttonTypeRequestPhone"), False, resize=resize,
                      single_use=single_use, selective=selective)

    @staticmethod
    def request_location(text: str, *, resize: Optional[bool] = None, single_use: Optional[bool] = None,
                         selective: Optional[bool] = None) -> "Button":
        """A keyboard button sharing the user's location."""
        return Button(_keyboard_button(text, "buttonTypeRequestGeoLocation"), False, resize=resize,
                      single_use=single_use, selective=selective)

    # -- whole markups

    @staticmethod
    def force_reply(placeholder: Optional[str] = None, *, single_use: bool = False,
                    selective: bool = False) -> Dict[str, Any]:
        """Makes the user's app open a reply to the message."""
        m: Dict[str, Any] = {"_": "replyKeyboardForceReply"}
        if single_use:
            m["single_use"] = True
        if selective:
            m["selective"] = True
        if placeholder:
            m["placeholder"] = placeholder
        return m

    @staticmethod
    def clear(selective: bool = False) -> Dict[str, Any]:
        """Removes a keyboard sent earlier."""
        m: Dict[str, Any] = {"_": "replyKeyboardHide"}
        if selective:
            m["selective"] = True
        return m


def _check_text(text: Any) -> str:
    if not isinstance(text, str) or not text:
        raise _invalid(f"a button needs a non-empty text, got {text!r}")
    return text


def _inline_button(text: str, typ: Dict[str, Any]) -> Dict[str, Any]:
    return {"_": "keyboardInlineButton", "text": _check_text(text), "type": typ}


def _keyboard_button(text: str, typ: str) -> Dict[str, Any]:
    return {"_": "keyboardButton", "text": _check_text(text), "type": {"_": typ}}


def build_reply_markup(buttons: Any) -> Optional[Dict[str, Any]]:
    """The reply markup TL map for a ``buttons=`` argument (None for None)."""
    if buttons is None:
        return None
    if isinstance(buttons, TLObject):
        buttons = buttons.to_dict()
    if isinstance(buttons, dict):
        if not str(buttons.get("_", "")).startswith("reply"):
            raise _invalid(f"buttons: a TL map must be a reply markup (replyInlineMarkup, ...), "
                           f"got {buttons.get('_')!r}")
        return unwrap(buttons)
    if isinstance(buttons, Button):
        rows: List[List[Button]] = [[buttons]]
    elif isinstance(buttons, (list, tuple)):
        if not buttons:
            return None
        if all(isinstance(b, Button) for b in buttons):
            rows = [list(buttons)]
        elif all(isinstance(r, (list, tuple)) for r in buttons):
            rows = [list(r) for r in buttons]
        else:
            raise _invalid("buttons: give a Button, a list of Buttons (one row) or a list of lists (rows)")
    else:
        raise _invalid(f"buttons: cannot make a reply markup from {type(buttons).__name__}")
    flat = [b for r in rows for b in r]
    for i, r in enumerate(rows):
        for j, b in enumerate(r):
            if not isinstance(b, Button):
                raise _invalid(f"buttons[{i}][{j}] is a {type(b).__name__}, not a Button")
    if not flat:
        return None
    if all(b.is_inline for b in flat):
        return {"_": "replyInlineMarkup",
                "rows": [{"_": "keyboardInlineButtonRow", "buttons": [b.tl for b in r]} for r in rows if r]}
    if any(b.is_inline for b in flat):
        raise _invalid("buttons: inline buttons (inline, url, switch_inline) and keyboard buttons (text, "
                       "request_phone, request_location) cannot be mixed")
    m: Dict[str, Any] = {"_": "replyKeyboardMarkup",
                         "rows": [{"_": "keyboardButtonRow", "buttons": [b.tl for b in r]} for r in rows if r]}
    for flag in ("resize", "single_use", "selective"):
        if any(getattr(b, flag) for b in flat):
            m[flag] = True
    return m


class MessageButton:
    """A button of a received message (``message.buttons[i][j]``): ``text``,
    ``data`` (callback buttons), ``url``, ``query`` (switch-inline),
    ``row``/``col``, and ``click()``."""

    __slots__ = ("_message", "_tl", "row", "col")

    def __init__(self, message: "Message", tl: Dict[str, Any], row: int, col: int):
        self._message, self._tl, self.row, self.col = message, tl, row, col

    @property
    def text(self) -> str:
        return self._tl.get("text") or ""

    @property
    def _type(self) -> Dict[str, Any]:
        t = self._tl.get("type")
        return t if isinstance(t, dict) else {}

    @property
    def kind(self) -> str:
        """``callback``, ``url``, ``switch_inline``, ``text``, ... (the TL type name shortened)."""
        name = str(self._type.get("_", ""))
        for prefix in ("inlineButtonType", "buttonType"):
            if name.startswith(prefix):
                name = name[len(prefix):]
        out = "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")
        return {"default": "text"}.get(out, out)

    @property
    def data(self) -> Optional[bytes]:
        d = self._type.get("data")
        return bytes(d) if d is not None else None

    @property
    def url(self) -> Optional[str]:
        return self._type.get("url")

    @property
    def query(self) -> Optional[str]:
        return self._type.get("query")

    @property
    def inline(self) -> bool:
        return self._tl.get("_") == "keyboardInlineButton"

    @property
    def button(self) -> TLObject:
        """The button as a TL object."""
        return TLObject(self._tl, self._message._client)

    async def click(self) -> Any:
        """Presses it: see :meth:`polygram.Client.click`."""
        return await self._message.click(self.row, self.col)

    def __repr__(self) -> str:
        return f"MessageButton(text={self.text!r}, kind={self.kind!r}, row={self.row}, col={self.col})"


def message_buttons(message: "Message", markup: Any) -> Optional[List[List[MessageButton]]]:
    """The rows of buttons of a reply markup map (None without buttons)."""
    if not isinstance(markup, dict):
        return None
    rows = markup.get("rows")
    if not isinstance(rows, list):
        return None
    out: List[List[MessageButton]] = []
    for i, r in enumerate(rows):
        bs = r.get("buttons") if isinstance(r, dict) else None
        out.append([MessageButton(message, b, i, j) for j, b in enumerate(bs or []) if isinstance(b, dict)])
    return out


def flat_index(rows: Sequence[Sequence[Any]], i: int) -> "tuple[int, int]":
    """Row and column of the ``i``-th button counted over all rows."""
    n = i
    for r, row in enumerate(rows):
        if n < len(row):
            return r, n
        n -= len(row)
    total = sum(len(r) for r in rows)
    raise IndexError(f"button {i} does not exist: the message has {total} buttons")


__all__ = ["Button", "MessageButton", "build_reply_markup", "message_buttons", "MAX_CALLBACK_DATA"]
