"""Per-user conversation state, keyed by the hashed user id, bounded in size and time."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from handlers.models import Audience


@dataclass(slots=True)
class ConversationState:
    role: Audience | None = None
    last_intent: str | None = None
    last_answer_id: str | None = None
    pending_options: list[str] = field(default_factory=list)  # payloads of the last buttons
    updated: float = field(default_factory=time.monotonic)


class StateStore:
    def __init__(self, ttl_seconds: float = 6 * 3600, max_users: int = 50_000) -> None:
        self.ttl = ttl_seconds
        self.max_users = max_users
        self._states: OrderedDict[str, ConversationState] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str | None) -> ConversationState:
        if key is None:
            return ConversationState()
        now = time.monotonic()
        with self._lock:
            state = self._states.get(key)
            if state is None or now - state.updated > self.ttl:
                state = ConversationState()
                self._states[key] = state
            state.updated = now
            self._states.move_to_end(key)
            while len(self._states) > self.max_users:
                self._states.popitem(last=False)
            return state

    def forget(self, key: str | None) -> bool:
        if key is None:
            return False
        with self._lock:
            return self._states.pop(key, None) is not None

    def __len__(self) -> int:
        return len(self._states)
