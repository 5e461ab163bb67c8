"""A circuit breaker for a remote NLU server: stop calling a server that keeps failing.

closed     every call goes to the server; `failure_threshold` consecutive failures open it.
open       no call goes to the server until `reset_after` seconds have passed.
half-open  one caller is let through as a probe; success closes the circuit, failure
           opens it again for another `reset_after`. Other callers keep using the
           fallback while the probe is out, so a dead server sees one request per cool-down.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


class CircuitState(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class CircuitBreaker:
    """Thread-safe. `clock` is injectable so tests need not sleep through a cool-down."""

    def __init__(
        self,
        name: str,
        failure_threshold: int = 3,
        reset_after: float = 15.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        self.name = name
        self.failure_threshold = failure_threshold
        self.reset_after = reset_after
        self._clock = clock
        self._lock = threading.Lock()
        self._state = CircuitState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._probe_started: float | None = None

    @property
    def state(self) -> CircuitState:
        with self._lock:
            if self._state is CircuitState.OPEN and self._cooled_down():
                return CircuitState.HALF_OPEN
            return self._state

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    def _cooled_down(self) -> bool:
        return self._clock() - self._opened_at >= self.reset_after

    def allow(self) -> bool:
        """May this call go to the server? In half-open state, only the one probe may."""
        with self._lock:
            if self._state is CircuitState.CLOSED:
                return True
            now = self._clock()
            if self._state is CircuitState.OPEN:
                if not self._cooled_down():
                    return False
                self._state = CircuitState.HALF_OPEN
                self._probe_started = now
                return True
            # half-open: a probe is out. If it never reported (it always should), let
            # another one go after a further cool-down rather than staying stuck.
            if self._probe_started is not None and now - self._probe_started >= self.reset_after:
                self._probe_started = now
                return True
            return False

    def record_success(self) -> None:
        with self._lock:
            if self._state is not CircuitState.CLOSED:
                log.warning("%s is answering again; circuit closed", self.name)
            self._state = CircuitState.CLOSED
            self._failures = 0
            self._probe_started = None

    def record_failure(self, reason: str = "") -> None:
        with self._lock:
            self._failures += 1
            reopen = self._state is CircuitState.HALF_OPEN
            if reopen or (
                self._state is CircuitState.CLOSED and self._failures >= self.failure_threshold
            ):
                self._state = CircuitState.OPEN
                self._opened_at = self._clock()
                self._probe_started = None
                log.warning(
                    "%s failed %d time(s) in a row (%s); circuit open, retrying in %.0f s",
                    self.name,
                    self._failures,
                    reason or "error",
                    self.reset_after,
                )
