"""Build the one Assistant a process uses, from settings. Channels receive it ready-made."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from bot.settings import MissingSecretError, Settings
from content.base import ContentBase, Deployment, default_content, parse_source_list
from handlers.handoff import (
    CaseCipher,
    CaseKeyError,
    DutyHours,
    HandoffConfig,
    HandoffService,
    HandoffStore,
    HoursError,
    SqliteHandoffStore,
)
from handlers.identity import WeakSecretError, load_or_create_secret, user_key
from handlers.pipeline import Assistant
from handlers.redact import redact
from handlers.shared import open_shared
from handlers.state import StateStore
from nlu.embedded import EmbeddedEngine
from nlu.engine import NLUEngine
from nlu.text import fold

log = logging.getLogger(__name__)

# Engines other than the embedded one register a factory here (see nlu/rasa_client.py).
ENGINE_FACTORIES: dict[str, Callable[[Settings, EmbeddedEngine], NLUEngine]] = {}


def deployment_from(settings: Settings) -> Deployment:
    """The province and its local line, with the documents that name the line.

    The shipped line, its name and its sources belong to the shipped province (Hải Phòng,
    directives 000 and 001): a deployment elsewhere shows its own line, or none.
    """
    shipped = {
        name: Settings.model_fields[name].default
        for name in ("province", "local_line", "local_line_name", "local_line_sources")
    }
    line = re.sub(r"[\s.\-]", "", settings.local_line or "") or None
    name, sources = settings.local_line_name.strip(), settings.local_line_sources
    if line == shipped["local_line"] and fold(shipped["province"]) not in fold(settings.province):
        log.warning(
            "local line %s belongs to %s; not shown in %s",
            line,
            shipped["province"],
            settings.province,
        )
        line = None
    if line != shipped["local_line"]:
        if name == shipped["local_line_name"]:
            name = "đường dây hỗ trợ trẻ em của địa phương"
        if sources == shipped["local_line_sources"]:
            sources = ""
    return Deployment(
        province=settings.province.strip(),
        local_line=line,
        local_line_name=name,
        local_line_sources=parse_source_list(sources),
        # no automatic purge (interval or retention 0): the notice must not promise one
        retention_days=settings.retention_days if settings.purge_interval_hours > 0 else 0,
        data_reader=handoff_centre(settings),
        brand_name=settings.brand_name.strip(),
        local_line_hours=settings.local_line_hours.strip() if line else "",
    )


def _rasa_engine(settings: Settings, embedded: EmbeddedEngine) -> NLUEngine:
    from nlu.rasa_client import start_engine  # httpx client, worker pool: only if asked

    settings.require("rasa_token")  # fail at start-up, naming the missing secret
    assert settings.rasa_token is not None
    return start_engine(
        url=settings.rasa_url,
        token=settings.rasa_token,
        timeout=settings.rasa_timeout_seconds,
        embedded=embedded,
    )


ENGINE_FACTORIES.setdefault("rasa", _rasa_engine)


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
    try:
        secret = load_or_create_secret(settings.secret, settings.db_path)
    except WeakSecretError as exc:
        raise MissingSecretError(str(exc)) from exc
    shared = open_shared(settings.db_path, settings.redis_url, settings.shared_state)
    assistant = Assistant(
        engine=build_engine(settings, engine),
        content=content or default_content(),
        deployment=deployment_from(settings),
        user_key=lambda channel, user: user_key(secret, channel, user),
        state=StateStore(ttl_seconds=settings.state_ttl_seconds, shared=shared),
        confidence_threshold=settings.confidence_threshold,
    )
    assistant.closers.append(shared.close)
    if callable(close_engine := getattr(assistant.engine, "close", None)):
        assistant.closers.append(close_engine)  # the Rasa client's connections and workers
    if settings.logging_enabled if with_logging is None else with_logging:
        attach_request_log(assistant, settings)
    if settings.handoff_enabled:
        attach_handoff(assistant, settings)
    return assistant


def handoff_centre(settings: Settings) -> str:
    return settings.handoff_centre.strip() or f"Trung tâm Công tác xã hội {settings.province}"


def build_handoff(settings: Settings) -> HandoffService:
    """The handoff service; a missing or weak CHILDSAFE_CASE_KEY, or unreadable duty hours,
    fail here, at start-up, naming the variable."""
    try:
        cipher = CaseCipher(settings.case_key)
    except CaseKeyError as exc:
        raise MissingSecretError(str(exc)) from exc
    try:
        hours = DutyHours.parse(settings.handoff_hours, settings.timezone)
    except HoursError as exc:
        raise MissingSecretError(f"CHILDSAFE_HANDOFF_HOURS / CHILDSAFE_TIMEZONE: {exc}") from exc
    config = HandoffConfig(
        hours=hours,
        centre=handoff_centre(settings),
        retention_days=settings.case_retention_days,
        expiry_hours=settings.handoff_expiry_hours,
    )
    store: HandoffStore
    if settings.redis_url:  # several machines: the queue and the cases live in Redis
        from handlers.handoff.redis_store import RedisHandoffStore

        store = RedisHandoffStore(settings.redis_url)
    else:
        store = SqliteHandoffStore(settings.db_path)
    return HandoffService(store, cipher, config, redact=lambda text: redact(text).text)


def attach_handoff(assistant: Assistant, settings: Settings) -> None:
    """Wire the counsellor handoff in: open cases hold the assistant back, /xoa erases them."""
    service = build_handoff(settings)
    assistant.handoff = service
    assistant.erase_hooks.append(service.erase_user)


def attach_request_log(assistant: Assistant, settings: Settings) -> None:
    """Wire the anonymized request log in: every exchange logged, /xoa erases, close flushes."""
    from handlers.requestlog import RequestLog

    RequestLog.open(settings.db_path).attach_to(assistant)
