"""Delivery of counsellors' messages to channels that push (Telegram, Zalo) (#15).

What a counsellor writes is stored in the case first (`HandoffService`), marked pending for
the case's channel. The process running that channel runs a `Courier`: it leases pending
messages (a lease a crashed process never confirms runs out, and another courier takes the
message again), sends each with the channel's own client, and records the outcome; a refused
message is retried a few times, then shown as not delivered on the desk. Any number of
processes may run couriers: a lease is taken by one conditional update.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from starlette.concurrency import run_in_threadpool

from handlers.handoff import HandoffService

log = logging.getLogger(__name__)

Send = Callable[[dict[str, str], str], Awaitable[bool]]
POLL_SECONDS = 1.0
RETRY_SECONDS = 10.0


class Courier:
    def __init__(
        self, handoff: HandoffService, channel: str, send: Send, interval: float = POLL_SECONDS
    ) -> None:
        self.handoff = handoff
        self.channel = channel
        self.send = send
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"courier-{self.channel}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def deliver_due(self) -> int:
        """Send what is due now; returns how many went out."""
        taken = await run_in_threadpool(self.handoff.take_deliveries, self.channel)
        sent = 0
        for delivery, address, text in taken:
            ok = False
            if address.get("to") and text:
                try:
                    ok = await self.send(address, text)
                except Exception as exc:  # one refusal never stops the others
                    log.warning("%s courier: sending failed (%s)", self.channel, type(exc).__name__)
            await run_in_threadpool(self.handoff.delivered, delivery.seq, ok, RETRY_SECONDS)
            sent += ok
        return sent

    async def run(self) -> None:
        """Deliver until cancelled (for a channel that keeps its own tasks)."""
        await self._run()

    async def _run(self) -> None:
        while True:
            try:
                await self.deliver_due()
            except Exception:
                log.exception("%s courier failed; trying again", self.channel)
            await asyncio.sleep(self.interval)
