"""Telegram inside `childsafe serve`: a webhook route, or polling beside the web app.

With `TELEGRAM_WEBHOOK_URL` set, Telegram POSTs updates to `/webhooks/telegram` on the
app's own server. A request must carry the secret registered with `setWebhook` in
`X-Telegram-Bot-Api-Secret-Token` (compared in constant time) or it gets 403. The route
only checks, decodes, commits the update to the durable inbox (`handlers.inbox`) and
enqueues it, so Telegram gets its 200 once the update is safe on disk; the Application
answers from its queue, marks the inbox row answered, and drains that queue before the
server stops. An update delivered again (same `update_id`, to any worker) gets 200 and no
second answer; with the inbox full (`CHILDSAFE_INBOX_MAX_PENDING`) the route answers 503
with `Retry-After`, before storing anything, and Telegram sends it again later. At
start-up, and every few seconds, updates a killed process had acknowledged and not answered
are answered (docs/scaling.md).

`TELEGRAM_WEBHOOK_SECRET` is optional: without it the secret is derived (HMAC) from the
deployment's key (`CHILDSAFE_SECRET`, or the key file kept beside the database) and the
token, so it is stable across restarts and differs between bots.

With a token and no webhook URL, the app polls the Bot API in the background instead.
Either way a Bot API that cannot be reached at start-up never keeps the web chat down:
the channel keeps retrying in the background, and a refused token is logged loudly.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import re
import sqlite3
from typing import Any
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import Update
from telegram.error import InvalidToken, TelegramError

from bot import intake
from bot.features import Feature
from bot.http import busy, error
from bot.settings import MissingSecretError, Settings
from bot.telegram.app import (
    ALLOWED_UPDATES,
    TelegramApp,
    build_application,
    register_commands,
    start_courier,
    stop_courier,
)
from bot.telegram.ordering import PerChatUpdateProcessor
from handlers.identity import load_or_create_secret
from handlers.inbox import Inbox, Item, Verdict
from handlers.pipeline import Assistant

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/telegram"
CHANNEL_NAME = "telegram"  # the inbox's channel
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
RETRY_MAX_SECONDS = 60.0


class TelegramSettingsError(MissingSecretError):
    """A Telegram setting is present but unusable (named in the message)."""


def feature(settings: Settings, assistant: Assistant) -> Feature | None:
    if not settings.telegram_token:
        return None
    if settings.telegram_webhook_url:
        url, secret = webhook_url(settings), webhook_secret(settings)
        application = build_application(settings, assistant, webhook=True)
        runner = Runner(
            application, webhook_url=url, secret=secret, inbox=intake.inbox_for(settings, assistant)
        )
        return Feature(
            name="telegram",
            routes=[Route(WEBHOOK_PATH, webhook_endpoint(runner, secret), methods=["POST"])],
            on_startup=[runner.start],
            on_shutdown=[runner.stop],
            description=f"Telegram: webhook at {WEBHOOK_PATH} (registered as {url})",
        )
    runner = Runner(build_application(settings, assistant))
    return Feature(
        name="telegram",
        on_startup=[runner.start],
        on_shutdown=[runner.stop],
        description="Telegram: polling the Bot API (no TELEGRAM_WEBHOOK_URL set)",
    )


def webhook_url(settings: Settings) -> str:
    """TELEGRAM_WEBHOOK_URL; a bare origin (https://example.org) gets the route's path."""
    url = (settings.telegram_webhook_url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise TelegramSettingsError(
            f"TELEGRAM_WEBHOOK_URL must be an absolute https URL ending in {WEBHOOK_PATH}"
        )
    if parts.path in ("", "/"):
        url = url.rstrip("/") + WEBHOOK_PATH
    if parts.scheme != "https":  # only a self-hosted Bot API server accepts plain http
        log.warning("TELEGRAM_WEBHOOK_URL is not https; Telegram's servers will refuse it")
    return url


def webhook_secret(settings: Settings) -> str:
    """TELEGRAM_WEBHOOK_SECRET, or one derived from the deployment's key and the token."""
    explicit = settings.telegram_webhook_secret
    if explicit:
        if not SECRET_PATTERN.fullmatch(explicit):
            raise TelegramSettingsError(
                "TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -"
            )
        return explicit
    key = load_or_create_secret(settings.secret, settings.db_path)
    token = (settings.telegram_token or "").encode()
    return hmac.new(key, b"telegram-webhook:" + token, hashlib.sha256).hexdigest()


def webhook_endpoint(runner: Runner, secret: str) -> Any:
    expected = secret.encode()

    async def receive(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            return error(403, "wrong or missing secret token")
        try:
            payload = json.loads(await request.body())
        except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested too deep
            return error(400, "body is not valid JSON")
        if not runner.accepting:  # starting over or stopping: Telegram will send it again
            return busy("not ready")
        update = decode_update(payload, runner.application)
        if update is None:
            # Telegram resends anything not answered 2xx, forever: take it and drop it.
            log.warning("telegram: webhook body is JSON but not an update; ignored")
            return Response(status_code=200)
        if runner.inbox is not None:
            body = (await request.body()).decode("utf-8", "replace")
            try:
                verdict = await run_in_threadpool(
                    runner.inbox.accept, CHANNEL_NAME, str(update.update_id), body
                )
            except sqlite3.Error as exc:  # not on disk: Telegram must send it again
                log.error("telegram: could not commit an update to the inbox: %s", exc)
                return busy("not stored; send it again")
            if verdict is Verdict.DUPLICATE:
                return Response(status_code=200)
            if verdict is Verdict.FULL:
                log.warning("telegram: inbox full; update refused with 503 (Telegram resends)")
                return busy("busy; send it again")
        await runner.application.update_queue.put(update)
        return Response(status_code=200)

    return receive


def decode_update(payload: object, application: TelegramApp) -> Update | None:
    if not isinstance(payload, dict):
        return None
    update_id = payload.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        return None
    try:
        return Update.de_json(payload, application.bot)
    except Exception:  # any malformed field: the whole update is unusable
        return None


class Runner:
    """Brings the Application up in the background (retrying while the Bot API is
    unreachable) and down again, processing every update already accepted."""

    def __init__(
        self,
        application: TelegramApp,
        webhook_url: str | None = None,
        secret: str | None = None,
        inbox: Inbox | None = None,
    ) -> None:
        self.application = application
        self.webhook_url = webhook_url
        self.secret = secret
        self.inbox = inbox
        self.accepting = False
        self._task: asyncio.Task[None] | None = None
        self._keeper: asyncio.Task[None] | None = None
        processor = application.update_processor
        if inbox is not None and isinstance(processor, PerChatUpdateProcessor):
            processor.finished = self._answered

    async def _answered(self, update: object) -> None:
        if self.inbox is not None and isinstance(update, Update):
            await asyncio.to_thread(self.inbox.done, CHANNEL_NAME, str(update.update_id))

    async def _enqueue(self, item: Item) -> None:
        """An update from the inbox (accepted earlier, perhaps by a process now gone)."""
        try:
            update = decode_update(json.loads(item.body), self.application)
        except ValueError:
            update = None
        if update is None:
            assert self.inbox is not None
            await asyncio.to_thread(self.inbox.done, CHANNEL_NAME, item.key)
            return
        await self.application.update_queue.put(update)

    async def start(self) -> None:
        self.accepting = self.webhook_url is not None
        self._task = asyncio.create_task(self._bring_up(), name="telegram-start")

    async def stop(self) -> None:
        self.accepting = False
        if self._keeper is not None:
            self._keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._keeper
        await stop_courier(self.application)
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self.application.running:
            # Answer everything accepted while still running (stop() would also drain the
            # queue, but would warn that it can no longer track the tasks it starts).
            await self.application.update_queue.join()
            await self.application.stop()
        await self.application.shutdown()

    async def _bring_up(self) -> None:
        if not await self._retrying(self.application.initialize, "connect"):
            self.accepting = False
            return
        await self.application.start()
        if self.inbox is not None:  # what a killed process acknowledged and never answered
            await intake.recover(self.inbox, CHANNEL_NAME, self._enqueue)
            self._keeper = asyncio.create_task(
                intake.keep(self.inbox, CHANNEL_NAME, self._enqueue), name="telegram-inbox"
            )
        await start_courier(self.application)
        await self._retrying(lambda: register_commands(self.application), "set the commands")
        if self.webhook_url is not None:
            url, secret = self.webhook_url, self.secret
            await self._retrying(
                lambda: self.application.bot.set_webhook(
                    url, secret_token=secret, allowed_updates=ALLOWED_UPDATES
                ),
                "register the webhook",
            )
        elif (updater := self.application.updater) is not None:
            await self._retrying(
                lambda: updater.start_polling(
                    allowed_updates=ALLOWED_UPDATES, error_callback=_polling_error
                ),
                "start polling",
            )
        log.info("telegram: running (%s)", "webhook" if self.webhook_url else "polling")

    async def _retrying(self, step: Any, what: str) -> bool:
        delay = 1.0
        while True:
            try:
                await step()
                return True
            except InvalidToken:
                log.error("telegram: the Bot API refused TELEGRAM_TOKEN; Telegram is off")
                return False
            except TelegramError as exc:
                log.warning(
                    "telegram: could not %s (%s); retrying in %.0f s",
                    what,
                    type(exc).__name__,
                    delay,
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_MAX_SECONDS)


def _polling_error(exc: TelegramError) -> None:
    log.warning("telegram: polling failed (%s); retrying", type(exc).__name__)
