"""Per-user flood protection and the memory of message ids that `/xoa` deletes.

Both are keyed by the assistant's hashed user key: no raw Telegram id and no message text
is kept here. Given the shared store (`handlers.shared`), they live there, so several worker
processes hold one flood limit per person and `/xoa` deletes the messages every worker saw;
without it, in memory and bounded.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from enum import Enum
from typing import Any

from handlers.shared import Record, SharedState

Clock = Callable[[], float]
log = logging.getLogger(__name__)

# Telegram lets a bot delete a message for 48 hours; stop a little short of that edge.
DELETE_WINDOW_SECONDS = 48 * 3600 - 300


class Gate(Enum):
    PASS = "pass"
    NOTIFY = "notify"  # just went over the limit: say so once
    DROP = "drop"  # still over: stay quiet


class FloodGate:
    """At most `per_minute` messages a minute per user; over that, one notice and then
    silence until `cooldown` seconds have passed. Other users are never slowed down."""

    def __init__(
        self,
        per_minute: int,
        cooldown: float = 30.0,
        clock: Clock | None = None,
        max_users: int = 50_000,
        shared: SharedState | None = None,
    ) -> None:
        self.per_minute = max(1, per_minute)
        self.cooldown = cooldown
        self.shared = shared
        self.clock = clock or (time.time if shared is not None else time.monotonic)
        self.max_users = max_users
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()
        self._muted_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> Gate:
        now = self.clock()
        if self.shared is not None:
            try:
                return self.shared.update(
                    "telegram-flood", key, self._shared_check(now), 60.0 + self.cooldown
                )
            except Exception:  # a failing store never silences anyone
                log.exception("telegram: the shared flood gate failed; message let through")
                return Gate.PASS
        with self._lock:
            muted_until = self._muted_until.get(key)
            if muted_until is not None:
                if now < muted_until:
                    return Gate.DROP
                del self._muted_until[key]
                self._seen.pop(key, None)
            stamps = self._seen.setdefault(key, deque())
            self._seen.move_to_end(key)
            while stamps and now - stamps[0] >= 60.0:
                stamps.popleft()
            stamps.append(now)
            self._trim()
            if len(stamps) > self.per_minute:
                self._muted_until[key] = now + self.cooldown
                return Gate.NOTIFY
            return Gate.PASS

    def _shared_check(self, now: float) -> Callable[[Record | None], tuple[Record, Gate]]:
        def check(old: Record | None) -> tuple[Record, Gate]:
            stamps = [float(t) for t in (old or {}).get("stamps", []) if now - float(t) < 60.0]
            muted_until = (old or {}).get("muted_until")
            if muted_until is not None:
                if now < float(muted_until):
                    return {"stamps": stamps, "muted_until": muted_until}, Gate.DROP
                stamps = []
            stamps.append(now)
            if len(stamps) > self.per_minute:
                return {"stamps": [], "muted_until": now + self.cooldown}, Gate.NOTIFY
            return {"stamps": stamps[-self.per_minute :]}, Gate.PASS

        return check

    def _trim(self) -> None:
        while len(self._seen) > self.max_users:
            old, _ = self._seen.popitem(last=False)
            self._muted_until.pop(old, None)


class MessageLog:
    """The ids (only the ids) of recent messages in each conversation, user's and bot's,
    so `/xoa` can delete the ones Telegram still lets a bot delete."""

    def __init__(
        self,
        per_conversation: int = 500,
        max_conversations: int = 20_000,
        clock: Clock = time.time,
        shared: SharedState | None = None,
    ) -> None:
        self.shared = shared
        self.per_conversation = per_conversation
        self.max_conversations = max_conversations
        self.clock = clock
        self._ids: OrderedDict[str, deque[tuple[int, float]]] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, key: str, message_id: int) -> None:
        if self.shared is not None:
            at = self.clock()

            def append(old: Record | None) -> tuple[Record, None]:
                ids = [*(old or {}).get("ids", []), [message_id, at]]
                return {"ids": ids[-self.per_conversation :]}, None

            try:
                self.shared.update("telegram-messages", key, append, DELETE_WINDOW_SECONDS)
            except Exception:
                log.exception("telegram: could not remember a message id")
            return
        with self._lock:
            ids = self._ids.get(key)
            if ids is None:
                ids = self._ids[key] = deque(maxlen=self.per_conversation)
            self._ids.move_to_end(key)
            ids.append((message_id, self.clock()))
            while len(self._ids) > self.max_conversations:
                self._ids.popitem(last=False)

    def take_deletable(self, key: str) -> list[int]:
        """Forget the conversation's ids and return those still inside the delete window."""
        now = self.clock()
        ids: Any = ()
        if self.shared is not None:

            def take(old: Record | None) -> tuple[None, list[Any]]:
                return None, list((old or {}).get("ids", []))

            ids = [
                (int(m), float(a))
                for m, a in self.shared.update(
                    "telegram-messages", key, take, DELETE_WINDOW_SECONDS
                )
            ]
        else:
            with self._lock:
                ids = self._ids.pop(key, None) or ()
        return sorted({mid for mid, at in ids if now - at < DELETE_WINDOW_SECONDS})

    def __len__(self) -> int:
        return len(self._ids)
