"""Automatic purge of the request log: at start-up, then every CHILDSAFE_PURGE_INTERVAL_HOURS,
rows older than CHILDSAFE_RETENTION_DAYS are deleted. Either setting at 0 turns it off."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.features import Feature
from bot.settings import Settings
from handlers.pipeline import Assistant
from handlers.requestlog import RequestLog, request_log_of

log = logging.getLogger(__name__)


def feature(settings: Settings, assistant: Assistant) -> Feature | None:
    request_log = request_log_of(assistant)
    if request_log is None or settings.purge_interval_hours <= 0 or settings.retention_days <= 0:
        return None
    purger = Purger(request_log, settings.retention_days, settings.purge_interval_hours * 3600)
    return Feature(
        name="retention",
        on_startup=[purger.start],
        on_shutdown=[purger.stop],
        description=(
            f"xóa nhật ký cũ hơn {settings.retention_days} ngày, "
            f"mỗi {settings.purge_interval_hours:g} giờ"
        ),
    )


class Purger:
    """One background task: purge, sleep, purge. Off the event loop (a thread does the SQL)."""

    def __init__(self, request_log: RequestLog, days: float, interval_seconds: float) -> None:
        self.request_log = request_log
        self.days = days
        self.interval = interval_seconds
        self.runs = 0
        self.removed = 0
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="request-log-purge")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _loop(self) -> None:
        while True:
            try:
                removed = await asyncio.to_thread(self.request_log.purge_older_than, self.days)
            except Exception:
                log.exception("request log purge failed; next try in %.0f s", self.interval)
            else:
                self.runs += 1
                self.removed += removed
                if removed:
                    log.info("request log: purged %d row(s) older than %g days", removed, self.days)
            await asyncio.sleep(self.interval)
