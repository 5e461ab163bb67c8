"""The one admission policy (issue #19): who is held back by the flood limit, for every channel.

A channel asks `held_back(limiter, key, text)` before it hands a message to the core, and
only renders what comes back: `Verdict.NOTIFY` → the slow-down notice (`SLOW_DOWN_TEXT`, or
`slow_down_reply()` where every request gets an answer), `Verdict.DROP` → nothing. What
always passes, however fast its sender types:

- danger now, as the safety triage reads it (a child in danger is never silenced);
- erase (`/xoa`, "xóa", the erase button): forgetting a user is never held back;
- a request for a person or to cancel one (`/nguoi`, "gặp tư vấn viên", the handoff buttons).

Commands are read through the one command table (`handlers.commands`). Triage runs only for
a message the limiter would hold back, and it triages once (#18, #19): a channel passes the
message's `handlers.reading.MessageReading`, which it then hands to `Assistant.handle()`, so
the core reuses the reading and the assessment made here instead of making them again. The
limiter itself is `handlers.ratelimit.RateLimiter` (one limiter for all channels).
"""

from __future__ import annotations

from handlers.commands import command_for, command_for_payload
from handlers.ratelimit import RateLimiter, Verdict
from handlers.reading import MessageReading

ALWAYS_ADMITTED_COMMANDS = frozenset({"erase", "handoff", "handoff_cancel"})
HANDOFF_PAYLOAD = "@intent:human_handoff"  # the "talk to a person" button


def always_admitted(message: str | MessageReading) -> bool:
    """Never held back: erase, a request for a person, and danger now. Given the message's
    `MessageReading`, its reading and assessment are made there, for the core to reuse."""
    if isinstance(message, MessageReading):
        text = message.text
    elif isinstance(message, str):
        text, message = message, MessageReading(message)
    else:
        return False
    stripped = text.strip()
    if stripped == HANDOFF_PAYLOAD:
        return True
    command = command_for_payload(stripped) or command_for(stripped, message.reading)
    if command in ALWAYS_ADMITTED_COMMANDS:
        return True
    return message.assessment.level != "none"


def held_back(limiter: RateLimiter, key: str | None, text: str | MessageReading) -> Verdict:
    """PASS, or how to hold the message back (NOTIFY once, then DROP). In async code call
    `limiter.check` inline and `always_admitted` off the event loop (it may triage)."""
    verdict = limiter.check(key)
    if verdict is Verdict.PASS or always_admitted(text):
        return Verdict.PASS
    return verdict
