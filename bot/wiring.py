"""Build the one Assistant a process uses, from settings. Channels receive it ready-made."""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.settings import Settings
from content.base import ContentBase, Deployment, Source, default_content
from handlers.identity import load_or_create_secret, user_key
from handlers.pipeline import Assistant
from handlers.state import StateStore
from nlu.embedded import EmbeddedEngine
from nlu.engine import NLUEngine

log = logging.getLogger(__name__)

# Engines other than the embedded one register a factory here (see nlu/rasa_client.py).
ENGINE_FACTORIES: dict[str, Callable[[Settings, EmbeddedEngine], NLUEngine]] = {}


def deployment_from(settings: Settings) -> Deployment:
    sources = []
    for item in settings.local_line_sources.split(";"):
        doc, _, ref = item.partition(":")
        if doc.strip():
            sources.append(Source(doc.strip(), f"mục {ref.strip()}" if ref.strip() else ""))
    return Deployment(
        province=settings.province,
        local_line=settings.local_line or None,
        local_line_name=settings.local_line_name,
        local_line_sources=tuple(sources),
    )


def build_engine(settings: Settings, name: str | None = None) -> NLUEngine:
    embedded = EmbeddedEngine(settings.model_dir)
    chosen = name or settings.nlu_engine
    if chosen == "embedded":
        return embedded
    factory = ENGINE_FACTORIES.get(chosen)
    if factory is None:
        raise SystemExit(
            f"unknown NLU engine {chosen!r}; known: embedded, {', '.join(ENGINE_FACTORIES)}"
        )
    return factory(settings, embedded)


def build_assistant(
    settings: Settings,
    engine: str | None = None,
    content: ContentBase | None = None,
    with_logging: bool | None = None,
) -> Assistant:
    secret = load_or_create_secret(settings.secret, settings.db_path)
    assistant = Assistant(
        engine=build_engine(settings, engine),
        content=content or default_content(),
        deployment=deployment_from(settings),
        user_key=lambda channel, user: user_key(secret, channel, user),
        state=StateStore(ttl_seconds=settings.state_ttl_seconds),
        confidence_threshold=settings.confidence_threshold,
    )
    if settings.logging_enabled if with_logging is None else with_logging:
        attach_request_log(assistant, settings)
    return assistant


def attach_request_log(assistant: Assistant, settings: Settings) -> None:
    """Wire the anonymized request log in, if the logging module is available."""
    try:
        from handlers.requestlog import RequestLog
    except ImportError:  # the log lands in its own issue; the core runs without it
        return
    request_log = RequestLog.open(settings.db_path)
    assistant.log_hooks.append(request_log.record_exchange)
    assistant.erase_hooks.append(request_log.erase_user)
    assistant.closers.append(request_log.close)
