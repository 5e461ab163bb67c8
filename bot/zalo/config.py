"""What the Zalo channel needs from the settings, importable without the web stack (CLI)."""

from __future__ import annotations

from bot.settings import Settings

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
