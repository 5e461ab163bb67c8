"""Per-user flood protection and the memory of message ids that `/xoa` deletes.

Both are in memory, bounded, and keyed by the assistant's hashed user key: no raw
Telegram id and no message text is kept here.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from enum import Enum

Clock = Callable[[], float]

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
        clock: Clock = time.monotonic,
        max_users: int = 50_000,
    ) -> None:
        self.per_minute = max(1, per_minute)
        self.cooldown = cooldown
        self.clock = clock
        self.max_users = max_users
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()
        self._muted_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> Gate:
        now = self.clock()
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

    def _trim(self) -> None:
        while len(self._seen) > self.max_users:
            old, _ = self._seen.popitem(last=False)
            self._muted_until.pop(old, None)


class MessageLog:
    """The ids (only the ids) of recent messages in each conversation, user's and bot's,
    so `/xoa` can delete the ones Telegram still lets a bot delete."""

    def __init__(
        self, per_conversation: int = 500, max_conversations: int = 20_000, clock: Clock = time.time
    ) -> None:
        self.per_conversation = per_conversation
        self.max_conversations = max_conversations
        self.clock = clock
        self._ids: OrderedDict[str, deque[tuple[int, float]]] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, key: str, message_id: int) -> None:
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
        with self._lock:
            ids = self._ids.pop(key, None) or ()
        return sorted({mid for mid, at in ids if now - at < DELETE_WINDOW_SECONDS})

    def __len__(self) -> int:
        return len(self._ids)
