"""Typed settings, read once from the environment (and an optional `.env`).

One prefix per section. Secrets have no usable default: a channel whose secrets are
absent is off, and a channel that is asked for explicitly without them fails at
start-up with a message naming the missing variable (`require()`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class MissingSecretError(RuntimeError):
    """A setting that the requested feature needs is not set."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    # --- core -------------------------------------------------------------------------
    db_path: Path = Field(default=PROJECT_ROOT / "data" / "childsafe.db", alias="CHILDSAFE_DB")
    secret: str | None = Field(default=None, alias="CHILDSAFE_SECRET")
    nlu_engine: Literal["embedded", "rasa"] = Field(default="embedded", alias="CHILDSAFE_NLU")
    model_dir: Path = Field(default=PROJECT_ROOT / ".cache" / "nlu", alias="CHILDSAFE_MODEL_DIR")
    confidence_threshold: float = Field(default=0.45, alias="CHILDSAFE_CONFIDENCE_THRESHOLD")
    logging_enabled: bool = Field(default=True, alias="CHILDSAFE_LOG_REQUESTS")
    state_ttl_seconds: int = Field(default=6 * 3600, alias="CHILDSAFE_STATE_TTL")
    # --- shared state, durable intake, workers (#14; docs/scaling.md) ---------------------
    redis_url: str | None = Field(default=None, alias="CHILDSAFE_REDIS_URL")
    shared_state: Literal["sqlite", "memory"] = Field(
        default="sqlite", alias="CHILDSAFE_SHARED_STATE"
    )
    inbox_max_pending: int = Field(default=1000, alias="CHILDSAFE_INBOX_MAX_PENDING")
    inbox_max_age_seconds: int = Field(default=24 * 3600, alias="CHILDSAFE_INBOX_MAX_AGE")
    workers: int = Field(default=1, alias="CHILDSAFE_WORKERS")

    # --- deployment: province and local line ---------------------------------------
    province: str = Field(default="Hải Phòng", alias="CHILDSAFE_PROVINCE")
    local_line: str | None = Field(default="18006605", alias="CHILDSAFE_LOCAL_LINE")
    local_line_name: str = Field(
        default=(
            "Tổng đài tư vấn chính sách trợ giúp xã hội và bảo vệ, chăm sóc giáo dục trẻ em "
            "của Trung tâm Công tác xã hội và Quỹ Bảo trợ trẻ em Hải Phòng"
        ),
        alias="CHILDSAFE_LOCAL_LINE_NAME",
    )
    local_line_sources: str = Field(
        default="CV-363-PGDDT-AL:1;CV-SGDDT-HP-2024:1", alias="CHILDSAFE_LOCAL_LINE_SOURCES"
    )

    # --- branding (#20; docs/configuration.md): empty = the neutral look shipped ----------
    brand_name: str = Field(default="", alias="CHILDSAFE_BRAND_NAME")
    brand_logo: str = Field(default="", alias="CHILDSAFE_BRAND_LOGO")
    brand_color: str = Field(default="", alias="CHILDSAFE_BRAND_COLOR")
    local_line_hours: str = Field(default="", alias="CHILDSAFE_LOCAL_LINE_HOURS")

    # --- content review -----------------------------------------------------------------
    review_max_age_days: int = Field(default=365, alias="CHILDSAFE_REVIEW_MAX_AGE_DAYS")

    # --- retention ----------------------------------------------------------------------
    retention_days: int = Field(default=90, alias="CHILDSAFE_RETENTION_DAYS")
    # the staff audit log (who searched, read, labelled, exported): purged with the rest (#17)
    audit_retention_days: int = Field(default=365, alias="CHILDSAFE_AUDIT_RETENTION_DAYS")
    purge_interval_hours: float = Field(default=24.0, alias="CHILDSAFE_PURGE_INTERVAL_HOURS")

    # --- web server -----------------------------------------------------------------------
    max_body_bytes: int = Field(default=64 * 1024, alias="CHILDSAFE_MAX_BODY_BYTES")
    webhook_max_body_bytes: int = Field(
        default=1024 * 1024, alias="CHILDSAFE_WEBHOOK_MAX_BODY_BYTES"
    )
    cors_origins: str = Field(default="", alias="CHILDSAFE_CORS_ORIGINS")
    rate_limit_per_minute: int = Field(default=30, alias="CHILDSAFE_RATE_LIMIT_PER_MINUTE")
    public_url: str | None = Field(default=None, alias="CHILDSAFE_PUBLIC_URL")
    # Addresses of reverse proxies whose X-Forwarded-For is trusted (comma list, or "*").
    # Empty: proxy headers are ignored, so no client can spoof its address.
    forwarded_allow_ips: str = Field(default="", alias="CHILDSAFE_FORWARDED_ALLOW_IPS")
    # Where the web chat's quick-exit button sends the browser (a neutral, common site).
    web_exit_url: str = Field(default="https://www.google.com", alias="CHILDSAFE_WEB_EXIT_URL")

    # --- staff desk -----------------------------------------------------------------------
    staff_session_hours: float = Field(default=8.0, alias="CHILDSAFE_STAFF_SESSION_HOURS")
    staff_cookie_secure: bool = Field(default=True, alias="CHILDSAFE_STAFF_COOKIE_SECURE")
    # Share of confident answers the review queue samples for a second look (#16).
    review_sample_rate: float = Field(
        default=0.02, ge=0.0, le=1.0, alias="CHILDSAFE_REVIEW_SAMPLE_RATE"
    )

    # --- handoff to a counsellor (#15) -------------------------------------------------
    handoff_enabled: bool = Field(default=False, alias="CHILDSAFE_HANDOFF")
    handoff_hours: str = Field(default="mon-fri 07:30-17:00", alias="CHILDSAFE_HANDOFF_HOURS")
    timezone: str = Field(default="Asia/Ho_Chi_Minh", alias="CHILDSAFE_TIMEZONE")
    # Who reads the user's messages, as the queued notice names it (default: from the province).
    handoff_centre: str = Field(default="", alias="CHILDSAFE_HANDOFF_CENTRE")
    case_key: str | None = Field(default=None, alias="CHILDSAFE_CASE_KEY")
    case_retention_days: int = Field(default=180, alias="CHILDSAFE_CASE_RETENTION_DAYS")
    handoff_expiry_hours: float = Field(default=24.0, alias="CHILDSAFE_HANDOFF_EXPIRY_HOURS")
    staff_alert_chat: str | None = Field(default=None, alias="CHILDSAFE_STAFF_ALERT_CHAT")

    # --- Telegram -------------------------------------------------------------------------
    telegram_token: str | None = Field(default=None, alias="TELEGRAM_TOKEN")
    telegram_webhook_url: str | None = Field(default=None, alias="TELEGRAM_WEBHOOK_URL")
    telegram_webhook_secret: str | None = Field(default=None, alias="TELEGRAM_WEBHOOK_SECRET")
    telegram_api_base_url: str = Field(
        default="https://api.telegram.org/bot", alias="TELEGRAM_API_BASE_URL"
    )

    # --- Zalo OA --------------------------------------------------------------------------
    zalo_app_id: str | None = Field(default=None, alias="ZALO_APP_ID")
    zalo_app_secret: str | None = Field(default=None, alias="ZALO_APP_SECRET")
    zalo_oa_secret_key: str | None = Field(default=None, alias="ZALO_OA_SECRET_KEY")
    zalo_access_token: str | None = Field(default=None, alias="ZALO_ACCESS_TOKEN")
    zalo_refresh_token: str | None = Field(default=None, alias="ZALO_REFRESH_TOKEN")
    zalo_api_base_url: str = Field(default="https://openapi.zalo.me", alias="ZALO_API_BASE_URL")
    zalo_oauth_base_url: str = Field(
        default="https://oauth.zaloapp.com", alias="ZALO_OAUTH_BASE_URL"
    )

    # --- Rasa -------------------------------------------------------------------------------
    rasa_url: str = Field(default="http://127.0.0.1:5005", alias="RASA_URL")
    rasa_token: str | None = Field(default=None, alias="RASA_TOKEN")
    rasa_timeout_seconds: float = Field(default=0.8, alias="RASA_TIMEOUT_SECONDS")

    @field_validator("brand_color")
    @classmethod
    def _hex_colour(cls, value: str) -> str:
        value = value.strip()
        if value and not re.fullmatch(r"#(?:[0-9a-fA-F]{3}){1,2}", value):
            raise ValueError(f"CHILDSAFE_BRAND_COLOR must be a hex colour like #0b5394: {value!r}")
        return value

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_token)

    @property
    def zalo_enabled(self) -> bool:
        return all(
            (
                self.zalo_app_id,
                self.zalo_app_secret,
                self.zalo_oa_secret_key,
                self.zalo_access_token,
            )
        )

    def require(self, *names: str) -> None:
        """Fail loudly, naming every missing environment variable, if any of `names` is unset."""
        missing = []
        for name in names:
            field = type(self).model_fields[name]
            if not getattr(self, name):
                missing.append(field.alias or name.upper())
        if missing:
            raise MissingSecretError(
                "Thiếu cấu hình bắt buộc / missing required setting(s): " + ", ".join(missing)
            )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
