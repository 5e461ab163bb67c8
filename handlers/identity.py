"""Keyed hashing of platform user ids: the raw id is never stored or logged."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import time
from pathlib import Path

log = logging.getLogger(__name__)


def user_key(secret: bytes, channel: str, user: str | None) -> str | None:
    """HMAC-SHA256 of `channel:user`, hex. None for an anonymous one-off message."""
    if not user:
        return None
    # surrogatepass: an id with a lone surrogate (JSON allows "\ud800") still hashes, stably
    raw = f"{channel}:{user}".encode("utf-8", "surrogatepass")
    digest = hmac.new(secret, raw, hashlib.sha256).hexdigest()
    return digest[:32]


def _read_when_written(key_path: Path) -> bytes:
    """The key another process (a second worker starting at the same moment) has just
    created: it may still be empty for a moment after the exclusive create."""
    for _ in range(100):
        key = key_path.read_bytes().strip()
        if key:
            return key
        time.sleep(0.01)
    raise OSError(f"{key_path} stays empty")


MIN_SECRET_CHARS = 32


class WeakSecretError(ValueError):
    """CHILDSAFE_SECRET is set but too short to key the hashes that stand for people."""


def check_secret(explicit: str | None) -> None:
    if explicit and len(explicit) < MIN_SECRET_CHARS:
        raise WeakSecretError(
            f"CHILDSAFE_SECRET quá ngắn ({len(explicit)} ký tự, cần ít nhất {MIN_SECRET_CHARS}) / "
            f"CHILDSAFE_SECRET is too short: {len(explicit)} characters, at least "
            f"{MIN_SECRET_CHARS} needed (e.g. `python -c 'import secrets; "
            "print(secrets.token_hex(32))'`)"
        )


def load_or_create_secret(explicit: str | None, db_path: Path) -> bytes:
    """CHILDSAFE_SECRET if set (at least 32 characters, else WeakSecretError); otherwise a
    random key kept beside the database (mode 0600), so hashes stay stable across restarts of
    a deployment that never set one."""
    check_secret(explicit)
    if explicit:
        return explicit.encode()
    key_path = db_path.parent / ".childsafe-secret"
    try:
        if key_path.exists():
            return key_path.read_bytes().strip()
        key_path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32).encode()
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
        log.warning("CHILDSAFE_SECRET is not set; generated a key at %s", key_path)
        return key
    except FileExistsError:
        return _read_when_written(key_path)
    except OSError:
        log.warning(
            "CHILDSAFE_SECRET is not set and %s is not writable; using a process key", key_path
        )
        return secrets.token_hex(32).encode()
