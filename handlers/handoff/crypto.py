"""Encryption at rest for case records: reply addresses, transcripts and notes.

`CHILDSAFE_CASE_KEY` holds one Fernet key (`cryptography`), or several separated by commas
to rotate keys: the first encrypts, every one decrypts. Generate one with
`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`.
A missing, malformed or weak key (too few distinct bytes, or the example from the docs)
fails start-up with a message naming the variable.
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography.fernet import MultiFernet

KEY_VARIABLE = "CHILDSAFE_CASE_KEY"
# The example key printed in docs and .env.example: never accepted.
EXAMPLE_KEYS = frozenset({"bWFrZS1hLXJlYWwta2V5LXdpdGgtRmVybmV0LWtleWdlbg=="})
MIN_DISTINCT_BYTES = 16  # 32 random bytes have ~26 distinct values; "aaaa..." has 1


class CaseKeyError(ValueError):
    """The case key is missing or unusable; the message names the variable and says why."""


class CaseCipher:
    def __init__(self, keys: str | None) -> None:
        parts = [k.strip() for k in (keys or "").split(",") if k.strip()]
        if not parts:
            raise CaseKeyError(
                f"Thiếu {KEY_VARIABLE} / {KEY_VARIABLE} is not set: the handoff keeps "
                "case records encrypted with it (see docs/handoff.md to generate one)"
            )
        # imported here: a deployment without the handoff never loads `cryptography` (#18:
        # about 8 MB resident and its start-up time)
        from cryptography.fernet import Fernet, MultiFernet

        self._fernet: MultiFernet = MultiFernet([Fernet(check_key(part)) for part in parts])

    def seal(self, text: str) -> bytes:
        return self._fernet.encrypt(text.encode("utf-8"))

    def open(self, token: bytes | None) -> str | None:
        if token is None:
            return None
        from cryptography.fernet import InvalidToken

        try:
            return self._fernet.decrypt(bytes(token)).decode("utf-8")
        except InvalidToken:
            return None  # written with a key no longer configured: unreadable, say so


def check_key(key: str) -> str:
    if key in EXAMPLE_KEYS:
        raise CaseKeyError(f"{KEY_VARIABLE} is the example key from the docs: generate your own")
    try:
        raw = base64.urlsafe_b64decode(key.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise CaseKeyError(f"{KEY_VARIABLE} is not a Fernet key (url-safe base64)") from exc
    if len(raw) != 32:
        raise CaseKeyError(f"{KEY_VARIABLE} must be 32 bytes in url-safe base64 (a Fernet key)")
    if len(set(raw)) < MIN_DISTINCT_BYTES:
        raise CaseKeyError(f"{KEY_VARIABLE} is too weak (not random): generate a new one")
    return key
