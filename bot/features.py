"""How a channel or page plugs into the one web app without the app knowing it.

A feature module exposes `feature(settings, assistant) -> Feature | None` (None: off,
e.g. its secrets are absent). `bot.app.create_app` imports the modules listed in
FEATURE_MODULES and mounts what they return.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from starlette.middleware import Middleware
from starlette.routing import BaseRoute

FEATURE_MODULES: tuple[str, ...] = (
    "bot.web.routes",
    "bot.telegram.webhook",
    "bot.zalo.webhook",
    "bot.staff.routes",
    "bot.staff.inbox",
    "bot.retention",
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
