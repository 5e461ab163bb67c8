"""Commands typed as words: Zalo has no command menu, so "xóa" means what /xoa means on Telegram.

A keyword counts only as the whole message (case, diacritics, a leading "/", spaces and
trailing punctuation aside): "xoa", "Xóa!", "/xoa" erase; "xóa ảnh đi" is a question for the
core. A message the safety triage reads as danger is never taken for a command (other than
"khẩn cấp", whose answer is the emergency numbers), so a plea that happens to look like one
("help") still gets the urgent answer.
"""

from __future__ import annotations

import re

from handlers.safety import assess
from nlu.text import fold, read

# Folded, space-separated phrase → the core's command (Assistant.command).
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
}

_EDGE_PUNCTUATION = re.compile(r"^[\s/!.?,;:…\"'()\-]+|[\s!.?,;:…\"'()\-]+$")
_SPACES = re.compile(r"\s+")


def keyword_key(text: str) -> str:
    """The folded form a keyword is looked up by: "  /Xóa! " → "xoa"."""
    folded = fold(text)
    folded = _EDGE_PUNCTUATION.sub("", folded)
    return _SPACES.sub(" ", folded).strip()


def command_for(text: str) -> str | None:
    """The core command a whole message names, or None (then the core answers it)."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    command = KEYWORDS.get(keyword_key(text))
    if command is None:
        return None
    explicit = text.lstrip().startswith("/")  # "/help" is a command, "help" may be a plea
    # The emergency numbers are themselves the urgent answer, and a person to talk to is the
    # right answer to a request that might also read as danger; other commands are not.
    if (
        not explicit
        and command not in ("emergency", "handoff")
        and assess(read(text)).level != "none"
    ):
        return None
    return command
