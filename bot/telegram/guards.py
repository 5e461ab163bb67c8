"""The memory of message ids that `/xoa` deletes. (The flood limit is the core's one
admission policy, `handlers.admission`, with `handlers.ratelimit.RateLimiter`.)

Keyed by the assistant's hashed user key: no raw Telegram id and no message text is kept
here. Given the shared store (`handlers.shared`), it lives there, so `/xoa` deletes the
messages every worker saw; without it, in memory and bounded.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Any

from handlers.shared import Record, SharedState

Clock = Callable[[], float]
log = logging.getLogger(__name__)

# Telegram lets a bot delete a message for 48 hours; stop a little short of that edge.
DELETE_WINDOW_SECONDS = 48 * 3600 - 300


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
