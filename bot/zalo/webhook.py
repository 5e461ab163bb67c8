"""Zalo inside `childsafe serve`: `POST /webhooks/zalo`, the URL registered with Zalo.

Checks, in order:
1. The body must be a JSON object: anything else is 400 (the signature cannot even be
   computed without the body's `app_id` and `timestamp`). Bodies over
   `CHILDSAFE_MAX_BODY_BYTES` are 413 before they are read (`BodyLimitMiddleware`).
2. `X-ZEvent-Signature` must be the SHA-256 of `app_id + raw body + timestamp + OA secret
   key` (`bot.zalo.signature`, constant-time compare): missing or wrong is 401.
3. `app_id` must be `ZALO_APP_ID`: another app's event is 401 even if correctly signed.
4. The channel takes it (`ZaloChannel.accept`): 200 at once, the answer follows from the
   queue; 503 with `Retry-After` while starting, stopping or full (Zalo resends; past
   `CHILDSAFE_INBOX_MAX_PENDING` nothing is stored, so nothing acknowledged is lost). Stale
   and resent events get 200 and nothing else.

Nothing before step 4 touches the core, the queue or the API.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot import intake
from bot.features import Feature
from bot.http import busy, error
from bot.settings import Settings
from bot.zalo import signature
from bot.zalo.channel import ZaloChannel
from bot.zalo.client import ZaloClient
from bot.zalo.config import REQUIRED, WEBHOOK_PATH, wanted
from handlers.pipeline import Assistant
from handlers.ratelimit import RateLimiter

log = logging.getLogger(__name__)


def feature(
    settings: Settings,
    assistant: Assistant,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Feature | None:
    if not wanted(settings):
        return None
    settings.require(*REQUIRED)  # half a configuration fails loudly, naming what is missing
    channel = build_channel(settings, assistant, transport)
    return Feature(
        name="zalo",
        routes=[Route(WEBHOOK_PATH, webhook_endpoint(channel, settings), methods=["POST"])],
        on_startup=[channel.start],
        on_shutdown=[channel.stop],
        description=(
            f"Zalo OA: webhook at {WEBHOOK_PATH}, replies through "
            f"{settings.zalo_api_base_url.rstrip('/')}"
        ),
    )


def build_channel(
    settings: Settings,
    assistant: Assistant,
    transport: httpx.AsyncBaseTransport | None = None,
    **options: Any,
) -> ZaloChannel:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # no request lines per message
    shared = assistant.state.shared
    client = ZaloClient.from_settings(
        settings,
        transport=transport,
        shared=shared,
        shared_lock=lambda: shared.lock("zalo-token-refresh:" + (settings.zalo_app_id or "")),
    )
    options.setdefault("inbox", intake.inbox_for(settings, assistant))
    # this process's queue holds no more than the inbox's bound for all processes together
    options.setdefault("queue_size", settings.inbox_max_pending)
    options.setdefault(
        "limiter", RateLimiter(settings.rate_limit_per_minute, shared=assistant.state.shared)
    )
    return ZaloChannel(assistant, client, button_ttl=settings.state_ttl_seconds, **options)


def webhook_endpoint(channel: ZaloChannel, settings: Settings) -> Any:
    secret_key = settings.zalo_oa_secret_key or ""
    app_id = settings.zalo_app_id or ""

    async def receive(request: Request) -> Response:
        body = await request.body()
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested too deep
            return error(400, "body is not valid JSON")
        if not isinstance(payload, dict):
            return error(400, "body must be a JSON object")
        header = request.headers.get(signature.HEADER)
        if not signature.verify(header, payload, body, secret_key):
            log.warning("zalo: webhook request with a missing or wrong signature refused")
            return error(401, "missing or wrong X-ZEvent-Signature")
        if signature.signed_field(payload.get("app_id")) != app_id:
            log.warning("zalo: signed event for another app_id refused")
            return error(401, "unknown app_id")
        status = channel.accept(payload, body)
        if status != 200:  # nothing stored: Zalo sends it again
            return busy("busy or not ready; send it again")
        return Response(status_code=200)

    return receive
