"""The webhook benchmark's platform (#18, bench/platforms.py) against the real app on loopback:
it counts an update as answered only when the answer reaches the platform's API (the fakes of
tests/), matches each answer to its update, and past the intake's bound sees the 503s, resends
after them and finds every taken update answered. Small numbers: this checks the harness, the
speed is `make bench`'s business."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bench.platforms import Platform
from bench.webhooks import SECRET, platform_env
from bot.app import create_app
from bot.settings import Settings
from handlers.pipeline import Assistant
from tests.helpers import wait_until
from tests.servers import serve

TEXTS = [
    "xin chào",
    "con tôi bị bạn đánh ở trường phải làm sao",
    "   ",  # a platform delivers no empty text: left out
    "số điện thoại tổng đài bảo vệ trẻ em là gì",
    "e bi bat nat o trg k bik noi vs ai",
]


@pytest.fixture(params=["telegram", "zalo"])
def platform(request: pytest.FixtureRequest) -> Iterator[tuple[str, Platform, str]]:
    made = Platform(request.param)
    with serve(made.app) as url:
        yield request.param, made, url


def app_settings(settings: Settings, kind: str, api: str, **extra: Any) -> Settings:
    env = platform_env(kind, api)
    fields = {
        "TELEGRAM_TOKEN": "telegram_token",
        "TELEGRAM_WEBHOOK_URL": "telegram_webhook_url",
        "TELEGRAM_WEBHOOK_SECRET": "telegram_webhook_secret",
        "TELEGRAM_API_BASE_URL": "telegram_api_base_url",
        "ZALO_APP_ID": "zalo_app_id",
        "ZALO_APP_SECRET": "zalo_app_secret",
        "ZALO_OA_SECRET_KEY": "zalo_oa_secret_key",
        "ZALO_ACCESS_TOKEN": "zalo_access_token",
        "ZALO_REFRESH_TOKEN": "zalo_refresh_token",
        "ZALO_API_BASE_URL": "zalo_api_base_url",
        "ZALO_OAUTH_BASE_URL": "zalo_oauth_base_url",
    }
    return settings.model_copy(update={fields[k]: v for k, v in env.items()} | extra)


def run(api: str, config: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(f"{api}/bench/run", json=config, timeout=300)
    response.raise_for_status()
    result = response.json()
    assert isinstance(result, dict)
    return result


def wait_ready(kind: str, api: str) -> None:
    if kind == "telegram":  # the Application is up once it has registered the webhook
        wait_until(lambda: httpx.get(f"{api}/bench/stats").json().get("setWebhook", 0) > 0, 30)


def test_each_update_counts_once_its_answer_reaches_the_platform(
    settings: Settings, assistant: Assistant, platform: tuple[str, Platform, str]
) -> None:
    kind, made, api = platform
    with serve(create_app(app_settings(settings, kind, api), assistant)) as base:
        wait_ready(kind, api)
        result = run(
            api,
            {
                "mode": "closed",
                "url": base,
                "secret": SECRET,
                "concurrency": 3,
                "duration": 120,
                "max_updates": 9,
                "warm_up": 2,
                "texts": TEXTS,
            },
        )
    assert result["statuses"] == {"200": 9} and not result["errors"]
    assert result["answered"] == 9 and result["update_to_reply_ms"]["count"] == 9
    assert result["answers_counted"] == 9 and result["unmatched_replies"] == 0
    assert result["unanswered_within_s"] == {"60.0": 0}
    assert 0 < result["update_to_reply_ms"]["p50"] <= result["update_to_reply_ms"]["max"]
    # every answer the platform received belongs to exactly one update (warm-up included)
    assert made.replies.answered == 9 + 2


def test_past_the_bound_the_platform_resends_and_every_taken_update_is_answered(
    settings: Settings, assistant: Assistant, platform: tuple[str, Platform, str]
) -> None:
    kind, _, api = platform
    bounded = app_settings(settings, kind, api, inbox_max_pending=2)
    with serve(create_app(bounded, assistant)) as base:
        wait_ready(kind, api)
        result = run(
            api,
            {
                "mode": "burst",
                "url": base,
                "secret": SECRET,
                "count": 12,
                "concurrency": 12,
                "texts": TEXTS,
                "retry_after_cap": 0.2,
            },
        )
    assert result["first_delivery"].get("503", 0) > 0  # the bound was hit
    refused = sum(result["refusals"].values())
    assert result["refusals"] == {"with Retry-After": refused}
    assert result["deliveries"] == 12 + refused and result["resend_rounds"] >= 1
    assert result["taken_in_the_end"] == 12 and result["answered"] == 12
    assert result["acknowledged_not_answered"] == 0
    taken_first = result["first_delivery"]["200"]
    assert result["accepted_first_time_answered"] == f"{taken_first}/{taken_first}"
