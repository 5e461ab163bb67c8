"""The one command table (issue #19): every way a person names a command of the core.

Channels only translate to it: Telegram's slash commands and `t.me/<bot>?start=<role>` deep
links, a command typed as words (Zalo has no command menu, so "xóa" means what /xoa means;
the web chat and Telegram read the same words), and the buttons' `@cmd:<name>` payloads. What
each command does is `Assistant.command(name, …)`.

A keyword counts only as the whole message (case, diacritics, a leading "/", spaces and
trailing punctuation aside): "xoa", "Xóa!", "/xoa" erase; "xóa ảnh đi" is a question for the
core. A bare phrase the safety triage reads as danger is never taken for a command (other
than "khẩn cấp", whose answer is the emergency numbers, and a request for a person), so a plea
that happens to look like one ("help") still gets the core's safety answer. Triage reads the
bare phrase (what the lookup reads), so "Bắt đầu!" is a start, not a plea.
"""

from __future__ import annotations

import re
from functools import lru_cache

from handlers.safety import assess
from nlu.text import Reading, fold, read

# The core's commands (Assistant.command).
CORE_COMMANDS: frozenset[str] = frozenset(
    {
        "start",
        "help",
        "role",
        "emergency",
        "privacy",
        "erase",
        "handoff",
        "handoff_cancel",
        "not_what_i_asked",
    }
)

# Slash command (Telegram's menu; typed "/xoa" anywhere) → the core's command.
SLASH_COMMANDS: dict[str, str] = {
    "start": "start",
    "help": "help",
    "vaitro": "role",
    "khancap": "emergency",
    "baomat": "privacy",
    "xoa": "erase",
    "nguoi": "handoff",  # ask for a counsellor (#15)
}

# `t.me/<bot>?start=<payload>`: a poster for students can open the chat with a role chosen.
START_ROLES: dict[str, str] = {
    "parent": "parent",
    "phuhuynh": "parent",
    "student": "student",
    "hocsinh": "student",
    "teacher": "teacher",
    "giaovien": "teacher",
}

# A button's payload for a command: "@cmd:erase".
COMMAND_PREFIX = "@cmd:"
ERASE_PAYLOAD = COMMAND_PREFIX + "erase"  # forgetting a user is never held back

# Folded, space-separated phrase typed as the whole message → the core's command.
KEYWORDS: dict[str, str] = {
    # erase: the Telegram /xoa
    "xoa": "erase",
    "xoa du lieu": "erase",
    "xoa het": "erase",
    "xoa het du lieu": "erase",
    "xoa du lieu cua toi": "erase",
    "xoa du lieu cua em": "erase",
    "xoa du lieu cua minh": "erase",
    # emergency: /khancap
    "khan cap": "emergency",
    "khancap": "emergency",
    "so khan cap": "emergency",
    "cac so khan cap": "emergency",
    # privacy: /baomat
    "bao mat": "privacy",
    "baomat": "privacy",
    "quyen rieng tu": "privacy",
    "rieng tu": "privacy",
    # role: /vaitro
    "vai tro": "role",
    "vaitro": "role",
    "doi vai tro": "role",
    "chon vai tro": "role",
    # start: /start
    "bat dau": "start",
    "batdau": "start",
    "start": "start",
    "get started": "start",
    # help: /help
    "tro giup": "help",
    "trogiup": "help",
    "help": "help",
    "menu": "help",
    "huong dan": "help",
    # handoff: the Telegram /nguoi (a counsellor takes the chat, #15)
    "nguoi": "handoff",
    "gap nguoi": "handoff",
    "gap tu van vien": "handoff",
    "tu van vien": "handoff",
    "noi chuyen voi tu van vien": "handoff",
    "noi chuyen voi nguoi that": "handoff",
    # not_what_i_asked: the answers' feedback button (#16), typed as words
    "khong dung y minh": "not_what_i_asked",
    "khong dung y em": "not_what_i_asked",
    "khong phai cai minh hoi": "not_what_i_asked",
    "khong phai cai em hoi": "not_what_i_asked",
    "khong phai dieu minh hoi": "not_what_i_asked",
    "ko dung y minh": "not_what_i_asked",
    "ko phai cai minh hoi": "not_what_i_asked",
    "ko phai cai em hoi": "not_what_i_asked",
    "not what i asked": "not_what_i_asked",
}

# Commands whose bare phrase stays a command even when triage reads it as a plea: the
# emergency numbers are themselves the urgent answer, and a person is the right answer to a
# request that might also read as danger.
_ALWAYS_COMMANDS = frozenset({"emergency", "handoff"})

_EDGE_PUNCTUATION = re.compile(r"^[\s/!.?,;:…\"'()\-]+|[\s!.?,;:…\"'()\-]+$")
_SPACES = re.compile(r"\s+")


def keyword_key(text: str) -> str:
    """The folded form a keyword is looked up by: "  /Xóa! " → "xoa"."""
    folded = fold(text)
    folded = _EDGE_PUNCTUATION.sub("", folded)
    return _SPACES.sub(" ", folded).strip()


@lru_cache(maxsize=len(KEYWORDS) + 8)
def _is_plea(phrase: str) -> bool:
    return assess(read(phrase)).level != "none"


def _key_of(reading: Reading) -> str:
    """`keyword_key` from a message's shared reading: its plain text is already folded."""
    return _SPACES.sub(" ", _EDGE_PUNCTUATION.sub("", reading.plain)).strip()


def command_for(text: str, reading: Reading | None = None) -> str | None:
    """The core command a whole typed message names, or None (then the core answers it).
    `reading`: the message's shared reading (`nlu.text.read(text)`), when there is one: the
    keyword is looked up from it rather than folding the text again (#18)."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    key = keyword_key(text) if reading is None else _key_of(reading)
    command = KEYWORDS.get(key)
    if command is None:
        return None
    explicit = text.lstrip().startswith("/")  # "/help" is a command, "help" may be a plea
    if not explicit and command not in _ALWAYS_COMMANDS and _is_plea(key):
        return None
    return command


def command_for_slash(name: str) -> str:
    """A slash command's core command ("/vaitro@my_bot" → "role"); unknown ones show help."""
    bare = name.strip().lstrip("/").split("@")[0].lower()
    return SLASH_COMMANDS.get(bare, "help")


def command_for_payload(payload: str | None) -> str | None:
    """A button's `@cmd:<name>` payload → the core's command; anything else → None."""
    if not payload or not payload.startswith(COMMAND_PREFIX):
        return None
    return payload[len(COMMAND_PREFIX) :] or None


def role_for_start(payload: str) -> str | None:
    """A deep link's start payload → the role it chooses, or None."""
    return START_ROLES.get(payload.strip().lower())
