"""The OA's access and refresh tokens, persisted so a restart never loses a rotation.

Zalo's refresh tokens are single-use: every refresh returns a new one and the old one stops
working. So the newest pair is written to a small JSON file beside the database
(`zalo-tokens.json`, mode 0600) atomically (a temporary file, fsync, rename) before it is
used, and at start-up the file wins over `ZALO_ACCESS_TOKEN` / `ZALO_REFRESH_TOKEN`.

The file also remembers a digest of the environment's refresh token that started the chain
(the "seed"). If an operator puts a newly granted pair in the environment, the seed no longer
matches, and the environment's pair is used (and the chain restarts from it) instead of the
file's stale one. A file for another `ZALO_APP_ID`, or one that cannot be read, is ignored
with a warning.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handlers.shared import SharedState

log = logging.getLogger(__name__)

FILE_NAME = "zalo-tokens.json"
FORMAT_VERSION = 1
SHARED_SPACE = "zalo-tokens"
SHARED_TTL_SECONDS = 120 * 24 * 3600.0  # longer than a refresh token lives (about 3 months)


@dataclass(frozen=True, slots=True)
class TokenSet:
    access_token: str
    refresh_token: str
    expires_at: float | None = None  # epoch seconds; None: unknown (a pair from the environment)
    obtained_at: float | None = None

    def expires_in(self, now: float) -> float | None:
        return None if self.expires_at is None else self.expires_at - now


def seed_digest(refresh_token: str) -> str:
    """Identifies an environment refresh token without keeping it in the file twice."""
    return hashlib.sha256(b"zalo-seed:" + refresh_token.encode("utf-8")).hexdigest()


def default_path(db_path: Path) -> Path:
    return Path(db_path).parent / FILE_NAME


class TokenStore:
    """Reads and writes the token file for one app. Writes are atomic; readers never see
    half a file, and a crash leaves either the old pair or the new one."""

    def __init__(self, path: Path, app_id: str, shared: SharedState | None = None) -> None:
        self.path = Path(path)
        self.app_id = app_id
        # Replicas on other machines (Redis): the newest pair is also kept there, so the one
        # that did not refresh reads the pair the other saved (its file is on its own disk).
        self.shared = shared if shared is not None and shared.name == "redis" else None

    def read(self) -> tuple[TokenSet, str | None] | None:
        """The newest stored pair (the file's, or the shared store's) and its seed digest."""
        found = self.read_file()
        if self.shared is None:
            return found
        try:
            data = self.shared.get(SHARED_SPACE, self.app_id)
        except Exception as exc:
            log.warning("zalo: cannot read the shared token pair (%s)", type(exc).__name__)
            data = None
        other = self._parse(data, "the shared store") if data is not None else None
        if other is None:
            return found
        if found is None or (other[0].obtained_at or 0) > (found[0].obtained_at or 0):
            return other
        return found

    # ------------------------------------------------------------------ reading
    def read_file(self) -> tuple[TokenSet, str | None] | None:
        """The file's pair and its seed digest, or None if there is no usable file."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("zalo: cannot read %s (%s); using the environment's tokens", self.path, exc)
            return None
        try:
            data = json.loads(raw)
        except ValueError as exc:
            log.warning(
                "zalo: %s is unreadable (%s); using the environment's tokens", self.path, exc
            )
            return None
        return self._parse(data, str(self.path))

    def _parse(self, data: Any, where: str) -> tuple[TokenSet, str | None] | None:
        try:
            if not isinstance(data, dict):
                raise ValueError("not an object")
            if str(data.get("app_id")) != self.app_id:
                log.warning("zalo: %s belongs to another ZALO_APP_ID; ignored", where)
                return None
            tokens = TokenSet(
                access_token=_required_str(data, "access_token"),
                refresh_token=_required_str(data, "refresh_token"),
                expires_at=_optional_float(data.get("expires_at")),
                obtained_at=_optional_float(data.get("obtained_at")),
            )
        except (ValueError, TypeError) as exc:
            log.warning("zalo: %s is unreadable (%s); using the environment's tokens", where, exc)
            return None
        seed = data.get("seed")
        return tokens, seed if isinstance(seed, str) else None

    def initial(self, env_access_token: str, env_refresh_token: str) -> TokenSet:
        """The pair to start with: the file's, unless the environment holds a newer grant."""
        env = TokenSet(env_access_token, env_refresh_token)
        stored = self.read()
        if stored is None:
            return env
        tokens, seed = stored
        if seed is not None and seed != seed_digest(env_refresh_token):
            log.warning(
                "zalo: ZALO_REFRESH_TOKEN changed since %s was written; using the new grant",
                self.path.name,
            )
            return env
        return tokens

    # ------------------------------------------------------------------ writing
    def save(self, tokens: TokenSet, env_refresh_token: str) -> None:
        """Write the pair atomically with mode 0600. Raises OSError if the disk refuses."""
        payload: dict[str, Any] = {
            "version": FORMAT_VERSION,
            "app_id": self.app_id,
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "expires_at": tokens.expires_at,
            "obtained_at": tokens.obtained_at if tokens.obtained_at is not None else time.time(),
            "seed": seed_digest(env_refresh_token),
        }
        data = json.dumps(payload, indent=2).encode("utf-8")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(prefix=".zalo-tokens.", dir=self.path.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp_name, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
            raise
        _fsync_directory(self.path.parent)
        if self.shared is not None:
            try:
                self.shared.put(SHARED_SPACE, self.app_id, payload, SHARED_TTL_SECONDS)
            except Exception as exc:  # the file has it; other machines adopt it later
                log.warning("zalo: could not share the new token pair (%s)", type(exc).__name__)


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (a power cut must not bring the old file back)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _required_str(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} missing")
    return value


def _optional_float(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("expires_at/obtained_at must be numbers")
    return float(value)
