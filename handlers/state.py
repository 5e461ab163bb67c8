"""Per-user conversation state, keyed by the hashed user id, bounded in time.

The state lives in the shared store (`handlers.shared`): every worker process and replica
reads the same conversation, so a turn answered by another process keeps the audience, the
topic and the numbered choices. `ConversationState` is serialised field by field to JSON
(enums by value), so a field added to it round-trips without touching the stores; a field
a store cannot read back (an older or newer version's) falls back to its default.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import logging
import time
import types
import typing
from dataclasses import dataclass, field
from typing import Any

from handlers.models import Audience
from handlers.shared import MemoryShared, SharedState

log = logging.getLogger(__name__)

SPACE = "conversation"


@dataclass(slots=True)
class ConversationState:
    """What the assistant remembers of one conversation (docs/conversation.md).

    Every field is JSON-serialisable (str/int/float/bool/None/list/dict; `role` is a StrEnum,
    stored by value) so the state round-trips through the shared stores.
    """

    role: Audience | None = None
    role_explicit: bool = False  # the user said who they are ("tôi là giáo viên"): it persists
    last_intent: str | None = None  # the topic under way
    last_answer_id: str | None = None  # the sub-answer last given (the topic's facet)
    pending_options: list[str] = field(default_factory=list)  # payloads of the last buttons
    misses: int = 0  # clarify/fallback replies in a row (two offer a counsellor)
    urgent_at: float | None = None  # wall clock of the last urgent reply (handoff severity)
    offered: list[list[str]] = field(default_factory=list)  # [label, payload, phone] of those
    # a yes/no question the last reply asked ("more", "person", "safe"), or "after_crisis":
    # the words after a crisis were said, not to be said again on the next short turn
    asked: str | None = None
    province: str | None = None  # the user's provincial unit (after the 2025 merger)
    place_said: str | None = None  # the name they used for it ("Sóc Trăng")
    crisis: list[str] = field(default_factory=list)  # lines of the last danger (safety state)
    crisis_turn: int = 0  # the turn the danger was last seen
    # The safety check and the urgent reply (handlers.safety): the dangers last assessed
    # (Danger values), the answer id "just asking" gives, and the voice (Voice value).
    safety_dangers: list[str] = field(default_factory=list)
    safety_topic: str | None = None
    safety_voice: str | None = None
    more: dict[str, str] = field(default_factory=dict)  # the rest of a long reply: "Xem thêm"
    last_question: str | None = None  # the last typed question's words, hashed one by one
    question_turn: int = 0  # the turn it was asked in
    turn: int = 0
    updated: float = field(default_factory=time.time)  # epoch seconds (shared across processes)


def state_to_json(state: ConversationState) -> dict[str, Any]:
    return {f.name: _plain(getattr(state, f.name)) for f in dataclasses.fields(state)}


@functools.cache
def _state_hints() -> dict[str, Any]:
    return typing.get_type_hints(ConversationState)  # ~1 ms each call: read once


def state_from_json(data: dict[str, Any]) -> ConversationState:
    hints = _state_hints()
    values: dict[str, Any] = {}
    for f in dataclasses.fields(ConversationState):
        if f.name not in data:
            continue
        try:
            values[f.name] = _typed(data[f.name], hints.get(f.name))
        except (ValueError, TypeError):
            log.warning("conversation state: field %s unreadable; default used", f.name)
    return ConversationState(**values)


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def _typed(value: Any, hint: Any) -> Any:
    """JSON back to the field's type where the type says more than JSON does (enums,
    inside optionals and lists)."""
    if value is None or hint is None:
        return value
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(hint):
            if arg is type(None):
                continue
            try:
                return _typed(value, arg)
            except (ValueError, TypeError):
                continue
        raise ValueError("no type of the union fits")
    if origin in (list, tuple, set, frozenset) and isinstance(value, list):
        (arg, *_) = typing.get_args(hint) or (Any,)
        return origin(_typed(v, arg) for v in value)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(value)
    return value


class StateStore:
    """Conversation state in the shared store; `ttl_seconds` after the last turn it is gone."""

    def __init__(self, ttl_seconds: float = 6 * 3600, shared: SharedState | None = None) -> None:
        self.ttl = ttl_seconds
        self.shared = shared if shared is not None else MemoryShared()

    def get(self, key: str | None) -> ConversationState:
        if key is None:
            return ConversationState()
        data = self.shared.get(SPACE, key)
        return state_from_json(data) if data is not None else ConversationState()

    def save(self, key: str | None, state: ConversationState) -> None:
        if key is None:
            return
        state.updated = time.time()
        self.shared.put(SPACE, key, state_to_json(state), self.ttl)

    def forget(self, key: str | None) -> bool:
        if key is None:
            return False
        return self.shared.delete(SPACE, key)
