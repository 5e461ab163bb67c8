"""What every channel with a durable inbox runs beside its workers (see handlers.inbox):
renew this process's leases, forget old keys, and answer what dead processes left behind."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.settings import Settings
from handlers.inbox import Inbox, Item
from handlers.pipeline import Assistant
from handlers.shared import state_db_path

log = logging.getLogger(__name__)


def inbox_for(settings: Settings, assistant: Assistant) -> Inbox:
    """The inbox of this deployment: in the shared-state file beside the database."""
    return Inbox(
        state_db_path(settings.db_path),
        max_pending=settings.inbox_max_pending,
        max_age=settings.inbox_max_age_seconds,
        shared=assistant.state.shared,
    )


async def recover(inbox: Inbox, channel: str, enqueue: Callable[[Item], Awaitable[None]]) -> int:
    """Hand every open row of a process that is gone to `enqueue`; how many there were."""
    items = await asyncio.to_thread(inbox.reclaim, channel)
    for item in items:
        await enqueue(item)
    return len(items)


async def keep(inbox: Inbox, channel: str, enqueue: Callable[[Item], Awaitable[None]]) -> None:
    """Every third of a lease: renew ours, take over the rows of processes that died."""
    while True:
        await asyncio.sleep(inbox.lease / 3)
        try:
            await asyncio.to_thread(inbox.heartbeat)
            await recover(inbox, channel, enqueue)
        except Exception:  # a busy or broken file must not end the loop; try again later
            log.exception("inbox: keeping the %s inbox failed", channel)
