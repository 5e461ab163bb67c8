"""A core `Reply` as Zalo messages: plain text parts of at most 2,000 characters, buttons
as a template attachment under the last part.

Zalo's customer-service text has no markup, so `**bold**` loses its asterisks. Long text is
split on line boundaries (a line longer than a message between words, a word longer than a
message wherever it must be). Lengths are counted in UTF-16 code units, never fewer than the
characters Zalo counts, so a part that fits here fits there.

Buttons. A topic button is `oa.query.show`: a tap sends its payload as an ordinary message
from the user, shown in the chat as if typed. The payload is therefore the button's own
title (a child's chat must not fill up with "@intent:report_abuse"); the channel remembers
which core payload each title stands for (`ButtonMemory` in `bot.zalo.channel`), and if it
has forgotten (a restart), the title is still a sensible question for the core. A call
button is `oa.open.phone` with `{"phone_code": "<number>"}`, which dials.

Zalo's maximum number of buttons is not documented anywhere we could check; third-party
guides show up to 5, so at most `MAX_BUTTONS` = 5 are sent, in the core's order (the core
puts call buttons first on urgent replies). Titles are cut to 100 characters and query
payloads to 1,000, the limits those guides give.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.chunking import pack_lines, utf16_len
from content.base import markup_to_plain
from handlers.models import Button

MAX_TEXT_CHARS = 2000
MAX_BUTTONS = 5
MAX_TITLE_CHARS = 100
MAX_QUERY_PAYLOAD_CHARS = 1000
TEL_PREFIX = "@tel:"
MORE_PAYLOAD = "@cmd:more"  # the core's "Xem thêm" button

_WORDS = re.compile(r"\S+|\s+")


@dataclass(frozen=True, slots=True)
class Rendered:
    messages: list[dict[str, Any]]  # each the `message` object of one /v3.0/oa/message/cs call
    queries: dict[str, str] = field(default_factory=dict)  # what a tap sends back → core payload


def plain_text(markup: str) -> str:
    """The core's markup as Zalo shows it: bold markers dropped, bullets kept."""
    return markup_to_plain(markup).replace("**", "")


def render(text: str, buttons: Sequence[Button]) -> Rendered:
    parts = split_text(plain_text(text)) or ["…"]  # Zalo refuses an empty text message
    messages: list[dict[str, Any]] = [{"text": part} for part in parts]
    template, queries = button_template(buttons)
    if template is not None:
        messages[-1]["attachment"] = template
    return Rendered(messages, queries)


# ---------------------------------------------------------------------------- text
def split_text(text: str, limit: int = MAX_TEXT_CHARS) -> list[str]:
    """Parts of at most `limit` UTF-16 units, cut at line breaks where possible."""
    pieces: list[str] = []
    for line in text.strip("\n").split("\n"):
        pieces.extend([line] if utf16_len(line) <= limit else _split_line(line, limit))
    return [part for part in pack_lines(pieces, limit) if part.strip()]


def _split_line(line: str, limit: int) -> list[str]:
    parts: list[str] = []
    current = ""
    for token in _WORDS.findall(line):
        if utf16_len(current + token) <= limit:
            current += token
            continue
        if current.strip():
            parts.append(current.rstrip())
        current = ""
        if token.isspace():
            continue
        while utf16_len(token) > limit:  # a "word" longer than a message
            cut = _prefix_within(token, limit)
            parts.append(token[:cut])
            token = token[cut:]
        current = token
    if current.strip():
        parts.append(current.rstrip())
    return parts


def _prefix_within(text: str, limit: int) -> int:
    """The longest prefix of `text` within `limit` UTF-16 units (never splits a surrogate)."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return max(index, 1)
    return len(text)


# ---------------------------------------------------------------------------- buttons
def button_template(buttons: Sequence[Button]) -> tuple[dict[str, Any] | None, dict[str, str]]:
    rendered: list[dict[str, Any]] = []
    queries: dict[str, str] = {}
    for button in _within_limit(buttons):
        title = _shorten(plain_text(button.label).strip() or button.payload, MAX_TITLE_CHARS)
        phone = phone_of(button)
        if phone:
            rendered.append(
                {"title": title, "type": "oa.open.phone", "payload": {"phone_code": phone}}
            )
            continue
        query = title[:MAX_QUERY_PAYLOAD_CHARS]
        rendered.append({"title": title, "type": "oa.query.show", "payload": query})
        queries[query] = button.payload
    if not rendered:
        return None, {}
    return {"type": "template", "payload": {"buttons": rendered}}, queries


def _within_limit(buttons: Sequence[Button]) -> list[Button]:
    """At most MAX_BUTTONS in the core's order; a "Xem thêm" (the rest of a long reply) is
    never the one cut off."""
    kept = list(buttons[:MAX_BUTTONS])
    more = next((b for b in buttons if b.payload == MORE_PAYLOAD), None)
    if more is not None and more not in kept:
        kept[-1] = more
    return kept


def phone_of(button: Button) -> str | None:
    """The number a call button dials: its `phone`, or the number in an `@tel:` payload."""
    number = button.phone
    if not number and button.payload.startswith(TEL_PREFIX):
        number = button.payload[len(TEL_PREFIX) :]
    digits = re.sub(r"[\s.\-]", "", number or "")
    return digits if re.fullmatch(r"\+?\d{3,15}", digits) else None


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
