"""How a channel or page plugs into the one web app without the app knowing it.

A feature module exposes `feature(settings, assistant) -> Feature | None` (None: off,
e.g. its secrets are absent). `bot.app.create_app` imports the modules listed in
FEATURE_MODULES whose settings want them, and mounts what they return.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from bot.settings import Settings
from bot.zalo.config import wanted as zalo_wanted  # light: the settings' names only


def _telegram_wanted(settings: Settings) -> bool:
    return bool(settings.telegram_token)


def _always(settings: Settings) -> bool:
    return True


# Each module with what decides whether it is imported at all: a channel that is not
# configured costs no import (python-telegram-bot alone is about 10 MB resident).
FEATURE_MODULES: tuple[tuple[str, Callable[[Settings], bool]], ...] = (
    ("bot.web.routes", _always),
    ("bot.telegram.webhook", _telegram_wanted),
    ("bot.zalo.webhook", zalo_wanted),
    ("bot.staff.routes", _always),
    ("bot.staff.inbox", _always),
    ("bot.retention", _always),
)


@dataclass(slots=True)
class Feature:
    name: str
    routes: list[BaseRoute] = field(default_factory=list)
    on_startup: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    on_shutdown: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    description: str = ""  # shown on the status page: what runs and where
    # Wraps the whole app (outermost first), for what a route cannot do alone, e.g. CORS
    # headers on the core's /api/chat. Keep it scoped to the feature's own paths.
    middleware: list[Middleware] = field(default_factory=list)
