"""Updates from different chats run side by side; one chat's updates run in order.

PTB processes updates one at a time by default, so one slow answer would hold up every
other user. Concurrent processing fixes that, but a person who taps a button and then
types must get the answers in that order, so each chat has its own lock.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)

MAX_CONCURRENT_UPDATES = 256  # waiting updates are cheap; the core's thread pool bounds the work


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        # Called once an update has been handled, however that went (the durable inbox
        # marks it answered).
        self.finished: Callable[[object], Awaitable[None]] | None = None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            await self._in_order(update, coroutine)
        finally:
            if self.finished is not None:
                try:
                    await self.finished(update)
                except Exception:
                    log.exception("telegram: could not mark an update answered")

    async def _in_order(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._waiting[chat.id] = self._waiting.get(chat.id, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[chat.id] -= 1
            if not self._waiting[chat.id]:  # nothing queued for this chat: drop its lock
                del self._waiting[chat.id]
                del self._locks[chat.id]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
