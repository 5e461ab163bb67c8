"""Telegram inside `childsafe serve` over real HTTP on loopback: the webhook's secret check,
bad bodies, draining on shutdown, polling beside the web app; and `childsafe telegram`."""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from bot.app import create_app
from bot.settings import MissingSecretError, Settings, get_settings
from bot.telegram.webhook import SECRET_HEADER, WEBHOOK_PATH, feature, webhook_secret
from handlers.models import IncomingMessage, Reply
from handlers.pipeline import Assistant
from tests.conftest import MODEL_CACHE
from tests.fake_telegram import BOT_USERNAME, TOKEN, USER_ID, FakeTelegram, message_update
from tests.servers import free_port, serve

SECRET = "s3cret-Token_1"
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    api = FakeTelegram()
    with serve(api.app) as url:
        api.url = url
        yield api


def telegram_settings(settings: Settings, fake: FakeTelegram, **updates: object) -> Settings:
    return settings.model_copy(
        update={"telegram_token": TOKEN, "telegram_api_base_url": f"{fake.url}/bot", **updates}
    )


@pytest.fixture
def webhook_settings(settings: Settings, fake: FakeTelegram) -> Settings:
    return telegram_settings(
        settings,
        fake,
        telegram_webhook_url="https://bot.example.org",
        telegram_webhook_secret=SECRET,
    )


def post(base: str, body: bytes | str, secret: str | None = SECRET) -> httpx.Response:
    headers = {"content-type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    return httpx.post(f"{base}{WEBHOOK_PATH}", content=body, headers=headers, timeout=10)


def update_json(text: str, user_id: int = USER_ID) -> str:
    return json.dumps(message_update(text, user_id=user_id), ensure_ascii=False)


# ---------------------------------------------------------------------------- webhook
def test_webhook_registers_and_checks_the_secret(
    webhook_settings: Settings, assistant: Assistant, fake: FakeTelegram
) -> None:
    with serve(create_app(webhook_settings, assistant)) as base:
        [registered] = fake.wait_for("setWebhook")
        assert registered["url"] == "https://bot.example.org/webhooks/telegram"
        assert registered["secret_token"] == SECRET
        assert set(registered["allowed_updates"]) >= {"message", "callback_query"}
        fake.wait_for("setMyCommands")

        assert post(base, update_json("xin chào"), secret=None).status_code == 403
        assert post(base, update_json("xin chào"), secret="wrong").status_code == 403
        assert post(base, update_json("xin chào"), secret=SECRET + "x").status_code == 403
        assert post(base, "{not json", secret="wrong").status_code == 403  # secret first
        assert fake.sent() == []

        assert post(base, "{not json").status_code == 400
        assert post(base, b"\xff\xfe\x00binary").status_code == 400
        # JSON that is not an update: taken (Telegram would resend it forever) and dropped
        for junk in (
            "[]",
            "42",
            '{"hello": 1}',
            '{"update_id": "7"}',
            '{"update_id": 8, "message": 5}',
        ):
            assert post(base, junk).status_code == 200, junk
        too_big = (
            '{"update_id": 9, "pad": "' + "x" * (webhook_settings.webhook_max_body_bytes + 1) + '"}'
        )
        assert post(base, too_big).status_code == 413

        assert post(base, update_json("trẻ bị bạo lực học đường thì báo ai")).status_code == 200
        [answer] = fake.wait_for("sendMessage", lambda c: c["chat_id"] == USER_ID)
        assert "Nguồn" in answer["text"]
    assert len(fake.sent()) == 1  # the junk produced nothing


@dataclass
class SlowCore:
    """The real core, answering slowly, so updates are still in flight at shutdown."""

    inner: Assistant

    def handle(self, message: IncomingMessage) -> Reply:
        time.sleep(0.5)
        return self.inner.handle(message)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_nothing_accepted_is_lost_on_shutdown(
    webhook_settings: Settings, assistant: Assistant, fake: FakeTelegram
) -> None:
    users = [USER_ID + n for n in range(6)]
    with serve(create_app(webhook_settings, SlowCore(assistant))) as base:  # type: ignore[arg-type]
        fake.wait_for("setWebhook")
        for user_id in users:
            assert post(base, update_json("con tôi bị bắt nạt", user_id)).status_code == 200
        assert len(fake.sent()) < len(users)  # still answering when the server is told to stop
    # the server has stopped; every accepted update was answered before it did
    assert sorted(c["chat_id"] for c in fake.sent()) == users


def test_a_missing_webhook_secret_is_derived_and_stable(
    settings: Settings, assistant: Assistant, fake: FakeTelegram
) -> None:
    derived_settings = telegram_settings(
        settings, fake, telegram_webhook_url="https://bot.example.org/webhooks/telegram"
    )
    secret = webhook_secret(derived_settings)
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret)
    assert webhook_secret(derived_settings) == secret
    other_bot = derived_settings.model_copy(update={"telegram_token": "456:DEF"})
    assert webhook_secret(other_bot) != secret
    with serve(create_app(derived_settings, assistant)) as base:
        [registered] = fake.wait_for("setWebhook")
        assert registered["secret_token"] == secret
        assert post(base, update_json("xin chào"), secret=secret).status_code == 200
        assert post(base, update_json("xin chào"), secret="").status_code == 403
        fake.wait_for("sendMessage")


@pytest.mark.parametrize("bad", ["has space", "x" * 257, "dấu"])
def test_an_unusable_webhook_secret_fails_naming_the_variable(
    webhook_settings: Settings, assistant: Assistant, bad: str
) -> None:
    broken = webhook_settings.model_copy(update={"telegram_webhook_secret": bad})
    with pytest.raises(MissingSecretError, match="TELEGRAM_WEBHOOK_SECRET"):
        feature(broken, assistant)


def test_without_a_token_telegram_is_off(settings: Settings, assistant: Assistant) -> None:
    assert feature(settings, assistant) is None


# ---------------------------------------------------------------------------- polling
def test_serve_polls_the_bot_api_when_no_webhook_is_set(
    settings: Settings, assistant: Assistant, fake: FakeTelegram
) -> None:
    app = create_app(telegram_settings(settings, fake), assistant)
    with serve(app) as base:
        assert httpx.get(f"{base}/healthz").json()["features"].count("telegram") == 1
        fake.wait_for("getUpdates")
        assert fake.calls_to("deleteWebhook")  # polling and a webhook exclude each other
        fake.push_update(message_update("cứu em, bố em đang đánh em"))
        [answer] = fake.wait_for("sendMessage")
        assert answer["chat_id"] == USER_ID and "111" in answer["text"]
        assert fake.wait_for("setMyCommands")
        polls = fake.calls_to("getUpdates")
        assert "callback_query" in polls[-1]["allowed_updates"]
    # the next poll acknowledged the update: it will not be answered twice
    assert max(int(c.get("offset") or 0) for c in fake.calls_to("getUpdates")) > 0


def test_an_unreachable_bot_api_never_keeps_the_web_app_down(
    settings: Settings, assistant: Assistant, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    closed = settings.model_copy(
        update={
            "telegram_token": TOKEN,
            "telegram_api_base_url": f"http://127.0.0.1:{free_port()}/bot",
        }
    )
    started = time.monotonic()
    with serve(create_app(closed, assistant)) as base:
        assert httpx.get(f"{base}/healthz").status_code == 200
        chat = httpx.post(f"{base}/api/chat", json={"text": "xin chào"})
        assert chat.status_code == 200
    assert time.monotonic() - started < 20  # shutdown does not wait for the retries
    assert any("retrying" in r.getMessage() for r in caplog.records)


def test_a_refused_token_is_logged_naming_the_variable(
    settings: Settings, assistant: Assistant, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    wrong = telegram_settings(settings, fake, telegram_token="999:WRONG")
    with serve(create_app(wrong, assistant)) as base:
        assert httpx.get(f"{base}/healthz").status_code == 200
        deadline = time.monotonic() + 10
        while not any("TELEGRAM_TOKEN" in r.getMessage() for r in caplog.records):
            assert time.monotonic() < deadline, "no error naming TELEGRAM_TOKEN"
            time.sleep(0.05)
    assert not any("999:WRONG" in r.getMessage() for r in caplog.records)


# ---------------------------------------------------------------------------- CLI
def cli_env(settings: Settings, **extra: str) -> dict[str, str]:
    return {
        "CHILDSAFE_DB": str(settings.db_path),
        "CHILDSAFE_SECRET": "test-secret-0123456789abcdef-0123456789",
        "CHILDSAFE_MODEL_DIR": str(MODEL_CACHE),
        **extra,
    }


def run_cli(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    from bot.cli import cli

    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, args, env=env)
    finally:
        get_settings.cache_clear()
    return result.exit_code, result.output


@pytest.mark.slow
def test_cli_check_reports_the_bot(settings: Settings, fake: FakeTelegram) -> None:
    env = cli_env(settings, TELEGRAM_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=f"{fake.url}/bot")
    code, output = run_cli(["telegram", "--check"], env)
    assert code == 0, output
    assert f"@{BOT_USERNAME}" in output and "webhook: none" in output


@pytest.mark.slow
def test_cli_refuses_without_a_token_or_with_a_webhook(
    settings: Settings, fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TELEGRAM_TOKEN", raising=False)
    monkeypatch.chdir(settings.db_path.parent)  # no .env here
    code, output = run_cli(["telegram"], cli_env(settings))
    assert code != 0 and "TELEGRAM_TOKEN" in output
    env = cli_env(
        settings,
        TELEGRAM_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=f"{fake.url}/bot",
        TELEGRAM_WEBHOOK_URL="https://bot.example.org",
    )
    code, output = run_cli(["telegram"], env)
    assert code != 0 and "TELEGRAM_WEBHOOK_URL" in output
    assert fake.calls_to("deleteWebhook") == []
    env["TELEGRAM_TOKEN"] = "999:WRONG"
    code, output = run_cli(["telegram", "--check"], env)
    assert code != 0 and "TELEGRAM_TOKEN" in output


@pytest.mark.slow
def test_childsafe_telegram_polls_and_answers_until_interrupted(
    settings: Settings, fake: FakeTelegram
) -> None:
    env = {
        **os.environ,
        **cli_env(settings, TELEGRAM_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=f"{fake.url}/bot"),
    }
    env.pop("TELEGRAM_WEBHOOK_URL", None)
    # A cold model cache is trained on the bot's first message, which can outlast the waits
    # below on a loaded machine: warm it first, outside them.
    subprocess.run(
        [sys.executable, "-m", "bot", "train", "--no-compare"],
        cwd=settings.db_path.parent,
        env=env,
        capture_output=True,
        check=True,
        timeout=600,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "telegram"],
        cwd=settings.db_path.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        fake.wait_for("getUpdates", timeout=60)
        fake.wait_for("setMyCommands")
        fake.push_update(message_update("/start"))
        fake.push_update(message_update("tôi là phụ huynh, con tôi bị bắt nạt"))
        greeting, answer = fake.wait_for("sendMessage", count=2)
        assert "Quyền riêng tư" in greeting["text"] and answer.buttons
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr
    assert TOKEN not in stderr and str(USER_ID) not in stderr
