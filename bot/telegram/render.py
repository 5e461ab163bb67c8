"""A core `Reply` as Telegram shows it: HTML chunks under the message limit, buttons inline.

Telegram's HTML parse mode accepts only a few tags and rejects a message whose tags do not
balance, so long text is split on line boundaries, and a line too long for one message is
split between words with its open tags closed and reopened around the cut. Lengths are
measured on the HTML source in UTF-16 code units (as Telegram counts), which is never less
than the length Telegram checks, so a chunk that fits here fits there.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit

from bot.chunking import pack_lines, utf16_len
from content.base import markup_to_html
from handlers.models import Button
from handlers.shared import SharedState

MAX_MESSAGE_CHARS = MessageLimit.MAX_TEXT_LENGTH
MAX_CALLBACK_BYTES = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
SHORT_ID_PREFIX = "#"  # core payloads start with "@", so the two never collide
CALLBACK_TTL = 48 * 3600.0  # a button older than its message's edit window is rarely pressed

_TOKEN = re.compile(r"<[^<>]*>|&#?\w+;|\s+|[^<&\s]+|[<&]")
_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^>]*>")


@dataclass(frozen=True, slots=True)
class Rendered:
    chunks: list[str]  # HTML, each one message; the keyboard goes under the last
    keyboard: InlineKeyboardMarkup | None


def visible_text(fragment: str) -> str:
    """What the reader sees of an HTML fragment: tags dropped, entities decoded."""
    return html.unescape(_TAG.sub("", fragment))


def to_html(markup: str) -> str:
    """The core's tiny markup (`**bold**`, "• " bullets) as Telegram HTML, all else escaped."""
    return markup_to_html(markup)


def render(text: str, buttons: Sequence[Button], table: CallbackTable) -> Rendered:
    return Rendered(split_html(to_html(text)), keyboard(buttons, table))


# ---------------------------------------------------------------------------- splitting
def split_html(source: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Split HTML into messages of at most `limit`, preferring paragraph then line breaks."""
    pieces: list[str] = []
    for line in source.split("\n"):
        pieces.extend([line] if utf16_len(line) <= limit else _split_line(line, limit))
    return [m for m in pack_lines(pieces, limit) if visible_text(m).strip()]


def _split_line(line: str, limit: int) -> list[str]:
    """Cut one over-long line between words, closing open tags at the cut and reopening them."""
    parts: list[str] = []
    open_tags: list[tuple[str, str]] = []  # (name, opening tag as written)
    current = ""

    def closing(tags: list[tuple[str, str]]) -> str:
        return "".join(f"</{name}>" for name, _ in reversed(tags))

    def flush() -> None:
        nonlocal current
        if visible_text(current).strip():
            parts.append(current.rstrip() + closing(open_tags))
        current = "".join(tag for _, tag in open_tags)

    for token in _TOKEN.findall(line):
        tags_after = _apply_tag(open_tags, token)
        if utf16_len(current + token + closing(tags_after)) <= limit:
            current += token
            open_tags[:] = tags_after
            continue
        flush()
        if token.isspace():
            continue
        if utf16_len(current + token + closing(tags_after)) <= limit:
            current += token
            open_tags[:] = tags_after
            continue
        for char in token:  # a "word" longer than a message: cut it wherever it must be
            if utf16_len(current + char + closing(open_tags)) > limit:
                flush()
            current += char
    flush()
    return parts


def _apply_tag(open_tags: list[tuple[str, str]], token: str) -> list[tuple[str, str]]:
    match = _TAG.fullmatch(token)
    if not match:
        return open_tags
    closing, name = match.group(1), match.group(2).lower()
    if not closing:
        return [*open_tags, (name, token)]
    for index in range(len(open_tags) - 1, -1, -1):
        if open_tags[index][0] == name:
            return open_tags[:index] + open_tags[index + 1 :]
    return open_tags


# ---------------------------------------------------------------------------- buttons
class CallbackTable:
    """Maps button payloads longer than Telegram's 64-byte `callback_data` to short ids.

    Bounded and in memory: after a restart an old long-payload button no longer resolves,
    and the channel answers it with the help menu instead of guessing.
    """

    def __init__(self, max_entries: int = 20_000, shared: SharedState | None = None) -> None:
        self.max_entries = max_entries
        self.shared = shared  # every worker resolves every worker's buttons
        self._payloads: OrderedDict[str, str] = OrderedDict()

    def data_for(self, payload: str) -> str:
        if len(payload.encode()) <= MAX_CALLBACK_BYTES and not payload.startswith(SHORT_ID_PREFIX):
            return payload
        short = SHORT_ID_PREFIX + hashlib.sha256(payload.encode()).hexdigest()[:24]
        if self.shared is not None:
            with contextlib.suppress(Exception):  # kept in memory below as well
                self.shared.put("telegram-callback", short, {"payload": payload}, CALLBACK_TTL)
        self._payloads[short] = payload
        self._payloads.move_to_end(short)
        while len(self._payloads) > self.max_entries:
            self._payloads.popitem(last=False)
        return short

    def payload_for(self, data: str) -> str | None:
        if data.startswith(SHORT_ID_PREFIX):
            found = self._payloads.get(data)
            if found is None and self.shared is not None:
                with contextlib.suppress(Exception):
                    record = self.shared.get("telegram-callback", data)
                    value = (record or {}).get("payload")
                    found = value if isinstance(value, str) else None
            return found
        return data


def button_label(button: Button) -> str:
    """Telegram's inline buttons cannot dial (`tel:` URLs are refused), so a call button
    shows its number in the label, and pressing it answers with the emergency lines."""
    if button.phone and button.phone not in button.label:
        return f"{button.label}: {button.phone}"
    return button.label


def keyboard(buttons: Sequence[Button], table: CallbackTable) -> InlineKeyboardMarkup | None:
    """One button per row (Vietnamese labels are long); call buttons share a row, up to three."""
    rows: list[list[InlineKeyboardButton]] = []
    call_row: list[InlineKeyboardButton] | None = None
    for button in buttons:
        data = table.data_for(button.payload)
        key = InlineKeyboardButton(button_label(button), callback_data=data)
        if button.phone and call_row is not None and len(call_row) < 3:
            call_row.append(key)
            continue
        rows.append([key])
        call_row = rows[-1] if button.phone else None
    return InlineKeyboardMarkup(rows) if rows else None
