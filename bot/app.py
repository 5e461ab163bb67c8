"""The one ASGI app (Starlette on uvicorn): the chat API, health, and every feature's routes.

Starlette rather than FastAPI: the API is two JSON endpoints and a few webhooks whose
bodies must be read raw (signatures), so FastAPI's validation and OpenAPI layers would
add weight and latency without carrying their worth. See README, "Architecture".
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import os
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.features import FEATURE_MODULES, Feature
from bot.http import error, read_json_object, status_html
from bot.settings import Settings, get_settings
from bot.wiring import build_assistant
from handlers.admission import always_admitted
from handlers.models import IncomingMessage, Reply
from handlers.pipeline import Assistant
from handlers.ratelimit import RateLimiter, Verdict, slow_down_reply
from handlers.reading import MessageReading
from handlers.safety import safety_model
from handlers.shared import SharedStateError, claim_single_process

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 4000  # one chat message; longer ones are refused with a clear 413


class BodyLimitMiddleware:
    """Refuse request bodies over the configured limit with 413, before anything reads them.

    Paths under a prefix in `prefix_limits` get that limit instead: platform webhooks
    (a Telegram update quoting a long message) may legitimately exceed the chat limit,
    and a platform gives up on an update that keeps getting 413, losing it.
    """

    def __init__(
        self, app: ASGIApp, max_bytes: int, prefix_limits: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.prefix_limits = prefix_limits or {}

    def limit_for(self, path: str) -> int:
        for prefix, limit in self.prefix_limits.items():
            if path.startswith(prefix):
                return limit
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.limit_for(str(scope.get("path", "")))
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > max_bytes
            except ValueError:
                too_big = True
            if too_big:
                await _send_json(send, 413, {"error": "request body too large"})
                return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge:
            await _send_json(send, 413, {"error": "request body too large"})


class _TooLarge(Exception):
    pass


async def _send_json(send: Send, status: int, payload: dict[str, Any]) -> None:
    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def message_from_chat_payload(payload: dict[str, Any]) -> IncomingMessage | JSONResponse:
    text = payload.get("text")
    session = payload.get("session")
    if not isinstance(text, str):
        return error(422, '"text" must be a string')
    if session is not None and (not isinstance(session, str) or len(session) > 128):
        return error(422, '"session" must be a string of at most 128 characters')
    if len(text) > MAX_TEXT_CHARS:
        return error(413, f'"text" is longer than {MAX_TEXT_CHARS} characters')
    return IncomingMessage(text=text, user=session or None, channel="web")


def chat_limit_key(assistant: Assistant, message: IncomingMessage, request: Request) -> str | None:
    """Whose rate limit a chat request counts against: its session, else its peer address
    (behind a reverse proxy every session-less caller shares the proxy's address)."""
    if message.user:
        return assistant.user_key(message.channel, message.user)
    host = request.client.host if request.client else None
    return assistant.user_key("web-address", host)


def create_app(settings: Settings | None = None, assistant: Assistant | None = None) -> Starlette:
    settings = settings or get_settings()
    assistant = assistant or build_assistant(settings)
    features = load_features(settings, assistant)
    limiter = RateLimiter(settings.rate_limit_per_minute, shared=assistant.state.shared)
    request_log = assistant.request_log

    def answer_logged(message: IncomingMessage) -> Reply:
        """The reply, once its log row is committed: logged before acknowledged (#14)."""
        reply = assistant.handle(message)
        if request_log is not None and not request_log.commit_mine():
            log.warning("request log: a reply went out before its row was committed")
        return reply

    async def chat(request: Request) -> Response:
        payload = await read_json_object(request)
        if isinstance(payload, Response):
            return payload
        message = message_from_chat_payload(payload)
        if isinstance(message, Response):
            return message
        verdict = limiter.check(chat_limit_key(assistant, message, request))
        # read once, by the admission policy or the core, whichever reads first (#18)
        reading = MessageReading(message.text)
        message = replace(message, reading=reading)
        # Over the limit: held back, unless triage reads danger now (off the event loop).
        if verdict is not Verdict.PASS and not await run_in_threadpool(always_admitted, reading):
            headers = {"Retry-After": str(limiter.retry_after)}
            return JSONResponse(slow_down_reply().to_json(), status_code=429, headers=headers)
        reply = await run_in_threadpool(answer_logged, message)
        return JSONResponse(reply.to_json())

    async def healthz(request: Request) -> Response:
        return JSONResponse(
            {
                "status": "ok",
                "engine": assistant.engine.name,
                "features": [f.name for f in features],
                "worker": os.getpid(),
            }
        )

    async def status_page(request: Request) -> Response:
        return HTMLResponse(status_html(settings, assistant, features))

    routes: list[BaseRoute] = [
        Route("/api/chat", chat, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ]
    for feature in features:
        routes.extend(feature.routes)
    if not any(getattr(r, "path", None) == "/" for r in routes):
        routes.append(Route("/", status_page, methods=["GET"]))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # warm both models, so the first person to write never waits while one trains
        await run_in_threadpool(lambda: assistant.engine.parse("xin chao"))
        await run_in_threadpool(safety_model)
        for feature in features:
            for hook in feature.on_startup:
                await hook()
        try:
            yield
        finally:
            for feature in reversed(features):
                for hook in feature.on_shutdown:
                    try:
                        await hook()
                    except Exception:
                        log.exception("shutdown of %s failed", feature.name)
            await run_in_threadpool(assistant.close)

    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[
            *(m for feature in features for m in feature.middleware),
            Middleware(
                BodyLimitMiddleware,
                max_bytes=settings.max_body_bytes,
                prefix_limits={"/webhooks/": settings.webhook_max_body_bytes},
            ),
        ],
    )
    app.state.assistant = assistant
    app.state.settings = settings
    app.state.features = features
    app.state.chat_limiter = limiter
    return app


def app_from_env() -> Starlette:
    """The app a worker process builds (`childsafe serve --workers N`), from the environment."""
    return create_app(get_settings())


def check_can_share(settings: Settings, workers: int) -> None:
    """Refuse a configuration in which several processes would act as several assistants."""
    if settings.shared_state == "memory" and not settings.redis_url:
        if workers > 1:
            raise SharedStateError(
                "CHILDSAFE_SHARED_STATE=memory keeps conversations and rate limits inside "
                f"one process, so --workers {workers} would act as {workers} assistants; "
                "use CHILDSAFE_SHARED_STATE=sqlite (the default) or CHILDSAFE_REDIS_URL"
            )
        claim_single_process(settings.db_path)
    if workers > 1 and settings.telegram_token and not settings.telegram_webhook_url:
        raise SharedStateError(
            "Telegram by polling allows one poller per bot, so it cannot run in several "
            "workers: set TELEGRAM_WEBHOOK_URL (webhook mode) or serve with one worker"
        )


def load_features(settings: Settings, assistant: Assistant) -> list[Feature]:
    features: list[Feature] = []
    for module_name, wanted in FEATURE_MODULES:
        if not wanted(settings):
            continue
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue  # that feature is not part of this build
            raise
        feature = module.feature(settings, assistant)
        if feature is not None:
            features.append(feature)
    return features
