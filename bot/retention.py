"""Automatic purge of the request log: at start-up, then every CHILDSAFE_PURGE_INTERVAL_HOURS,
rows older than CHILDSAFE_RETENTION_DAYS are deleted, and staff audit entries older than
CHILDSAFE_AUDIT_RETENTION_DAYS (#17). Either retention at 0 keeps that part; an interval of 0
turns the purge off."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.features import Feature
from bot.settings import Settings
from bot.staff.auth import AuthStore, auth_store
from handlers.pipeline import Assistant
from handlers.requestlog import RequestLog

log = logging.getLogger(__name__)


def feature(settings: Settings, assistant: Assistant) -> Feature | None:
    request_log = assistant.request_log
    if request_log is None or settings.purge_interval_hours <= 0 or settings.retention_days <= 0:
        return None
    audit_days = settings.audit_retention_days
    purger = Purger(
        request_log,
        settings.retention_days,
        settings.purge_interval_hours * 3600,
        audit=auth_store(settings) if audit_days > 0 else None,
        audit_days=audit_days,
    )
    audit = f", nhật ký cán bộ cũ hơn {audit_days} ngày" if audit_days > 0 else ""
    return Feature(
        name="retention",
        on_startup=[purger.start],
        on_shutdown=[purger.stop],
        description=(
            f"xóa nhật ký cũ hơn {settings.retention_days} ngày{audit}, "
            f"mỗi {settings.purge_interval_hours:g} giờ"
        ),
    )


class Purger:
    """One background task: purge, sleep, purge. Off the event loop (a thread does the SQL)."""

    def __init__(
        self,
        request_log: RequestLog,
        days: float,
        interval_seconds: float,
        audit: AuthStore | None = None,
        audit_days: float = 0,
    ) -> None:
        self.request_log = request_log
        self.audit = audit
        self.audit_days = audit_days
        self.audit_removed = 0
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
            if self.audit is not None and self.audit_days > 0:
                try:
                    gone = await asyncio.to_thread(
                        self.audit.purge_audit_older_than, self.audit_days
                    )
                except Exception:
                    log.exception("audit log purge failed; next try in %.0f s", self.interval)
                else:
                    self.audit_removed += gone
            await asyncio.sleep(self.interval)
