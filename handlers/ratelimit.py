"""Per-user rate limiting for every channel: one person flooding never slows the others.

`RateLimiter` is a token bucket per key (the assistant's hashed user key, never a raw id):
`per_minute` messages may come in a burst, then one more every 60/`per_minute` seconds. It
is O(1) per message, thread-safe, and bounded in memory: a key whose bucket has refilled
is forgotten, and beyond `max_keys` the least recently seen keys go first. Given a shared
store (`handlers.shared`), the buckets live there instead, so one person's limit holds across
every worker process and replica (the same bucket arithmetic, one atomic update a message).

What passes the limit anyway (danger now, erase, a request for a person) is the one
admission policy, `handlers.admission`; a channel asks it, never this module alone.
Over the limit, a channel tells the sender once (`Verdict.NOTIFY`, with `SLOW_DOWN_TEXT`,
which still gives 111) and then stays quiet (`Verdict.DROP`) until the sender has slowed
down. Request/response channels (the web API) answer every held-back message with the notice.
"""

from __future__ import annotations

import enum
import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from handlers.models import CALL_111, Reply
from handlers.shared import Record, SharedState

Clock = Callable[[], float]
log = logging.getLogger(__name__)

SLOW_DOWN_TEXT = (
    "Bạn nhắn nhanh quá, mình chưa kịp đọc hết. Đợi một lát rồi nhắn tiếp nhé.\n"
    "Nếu có ai đang gặp nguy hiểm, gọi ngay **111** (miễn phí, 24/7)."
)


class Verdict(enum.Enum):
    PASS = "pass"
    NOTIFY = "notify"  # just went over the limit: tell the sender, once
    DROP = "drop"  # still over, already told


class RateLimiter:
    """Token buckets keyed by hashed user key. `per_minute` <= 0 turns limiting off."""

    def __init__(
        self,
        per_minute: int,
        *,
        burst: int | None = None,
        max_keys: int = 100_000,
        clock: Clock | None = None,
        shared: SharedState | None = None,
        space: str = "rate",
    ) -> None:
        self.per_minute = per_minute
        self.capacity = float(burst if burst is not None else max(1, per_minute))
        self.rate = max(0, per_minute) / 60.0  # tokens per second
        self.max_keys = max_keys
        self.shared = shared
        self.space = space
        # Buckets shared between processes need a clock they share: the wall clock.
        self.clock = clock or (time.time if shared is not None else time.monotonic)
        # key -> [tokens, last refill time, told to slow down since last under half]
        self._buckets: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = threading.Lock()
        self.limited = 0  # messages held back (NOTIFY or DROP) since start

    @property
    def enabled(self) -> bool:
        return self.per_minute > 0

    @property
    def retry_after(self) -> int:
        """Seconds until a held-back sender has one message again (for `Retry-After`)."""
        return max(1, math.ceil(1 / self.rate)) if self.rate else 0

    def check(self, key: str | None) -> Verdict:
        """Take one token for `key`. Anonymous (None) keys are never limited here."""
        if not self.enabled or not key:
            return Verdict.PASS
        now = self.clock()
        if self.shared is not None:
            try:
                verdict = self.shared.update(self.space, key, self._take_shared(now), self._ttl)
            except Exception:  # a store that fails never silences anyone: let it through
                log.exception("rate limit: the shared store failed; message let through")
                return Verdict.PASS
            if verdict is not Verdict.PASS:
                with self._lock:
                    self.limited += 1
            return verdict
        with self._lock:
            self._forget_idle(now)
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = [self.capacity, now, 0.0]
            else:
                self._buckets.move_to_end(key)
                bucket[0] = min(self.capacity, bucket[0] + (now - bucket[1]) * self.rate)
                bucket[1] = now
            if bucket[0] >= 1.0:
                bucket[0] -= 1.0
                if bucket[0] >= self.capacity / 2:
                    bucket[2] = 0.0  # slowed down enough: a new flood gets a new notice
                return Verdict.PASS
            self.limited += 1
            if bucket[2]:
                return Verdict.DROP
            bucket[2] = 1.0
            return Verdict.NOTIFY

    @property
    def _ttl(self) -> float:
        """A bucket untouched this long has refilled: it would behave as a new one."""
        return self.capacity / self.rate + 1.0

    def _take_shared(self, now: float) -> Callable[[Record | None], tuple[Record, Verdict]]:
        def take(old: Record | None) -> tuple[Record, Verdict]:
            tokens, told = self.capacity, False
            if old is not None:
                try:
                    elapsed = max(0.0, now - float(old["at"]))
                    tokens = min(self.capacity, float(old["tokens"]) + elapsed * self.rate)
                    told = bool(old.get("told"))
                except (KeyError, TypeError, ValueError):
                    pass
            if tokens >= 1.0:
                tokens -= 1.0
                if tokens >= self.capacity / 2:
                    told = False
                return {"tokens": tokens, "at": now, "told": told}, Verdict.PASS
            verdict = Verdict.DROP if told else Verdict.NOTIFY
            return {"tokens": tokens, "at": now, "told": True}, verdict

        return take

    def _forget_idle(self, now: float) -> None:
        """Forget keys whose bucket has refilled (they would behave exactly as new ones) and
        the least recently seen beyond `max_keys`. Only the oldest end is looked at, so this
        is O(1) amortised per message."""
        while self._buckets:
            key, (tokens, last, _) = next(iter(self._buckets.items()))
            refilled = now - last >= (self.capacity - tokens) / self.rate
            if refilled or len(self._buckets) >= self.max_keys:
                del self._buckets[key]
            else:
                break

    @property
    def tracked(self) -> int:
        """Keys held in memory now."""
        return len(self._buckets)


def slow_down_reply() -> Reply:
    """The notice as a core reply (for channels that answer every request)."""
    return Reply(
        text=SLOW_DOWN_TEXT,
        intent="out_of_scope",
        confidence=1.0,
        hotlines=["111"],
        buttons=[CALL_111],
        kind="notice",
    )
