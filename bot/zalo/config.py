"""What the Zalo channel needs from the settings, importable without the web stack (CLI)."""

from __future__ import annotations

import logging

from bot.settings import Settings

log = logging.getLogger("bot.zalo")

WEBHOOK_PATH = "/webhooks/zalo"
# Every secret the channel needs; with none set it is off, with some set start-up fails.
REQUIRED = (
    "zalo_app_id",
    "zalo_app_secret",
    "zalo_oa_secret_key",
    "zalo_access_token",
    "zalo_refresh_token",
)


def env_names(fields: tuple[str, ...]) -> list[str]:
    return [Settings.model_fields[name].alias or name.upper() for name in fields]


def missing(settings: Settings) -> list[str]:
    """The environment variables of `REQUIRED` that are not set."""
    return [
        env
        for name, env in zip(REQUIRED, env_names(REQUIRED), strict=True)
        if not getattr(settings, name)
    ]


def wanted(settings: Settings) -> bool:
    """Whether the channel is configured at all (any of its secrets set). Off is said once in
    the log; half a configuration is the channel's to refuse, naming what is missing."""
    if any(getattr(settings, name) for name in REQUIRED):
        return True
    log.warning("zalo: channel off (%s not set; README, Zalo)", ", ".join(env_names(REQUIRED)))
    return False
