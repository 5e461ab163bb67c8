"""Urgent alerts (#15): an urgent message, in a handoff or not, is shown on the counsellors'
inbox and, with CHILDSAFE_STAFF_ALERT_CHAT, told to a staff Telegram group (the Bot API a
loopback fake) with no message text and no personal data, only where and the desk's link."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.app import create_app
from bot.settings import Settings
from bot.staff.auth import AuthStore
from tests.bot.web.test_handoff_web import (
    COUNSELLOR,
    PASSWORD,
    Staff,
    chat,
    handoff_settings,
    new_session,
)
from tests.fake_telegram import TOKEN, FakeTelegram
from tests.servers import serve

pytestmark = pytest.mark.slow

STAFF_GROUP = -1001234567890


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    api = FakeTelegram()
    with serve(api.app) as url:
        api.url = url
        yield api


@pytest.fixture
def settings(tmp_path: Path, fake: FakeTelegram) -> Settings:
    return handoff_settings(
        tmp_path,
        TELEGRAM_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=f"{fake.url}/bot",
        CHILDSAFE_STAFF_ALERT_CHAT=str(STAFF_GROUP),
        CHILDSAFE_PUBLIC_URL="https://tuvan.example.vn",
    )


def group_messages(fake: FakeTelegram) -> list[str]:
    return [str(c["text"]) for c in fake.sent(STAFF_GROUP)]


def test_an_urgent_message_alerts_the_desk_and_the_staff_group(
    settings: Settings, fake: FakeTelegram
) -> None:
    AuthStore(settings.db_path).add_user(COUNSELLOR, PASSWORD, "counsellor")
    with serve(create_app(settings)) as url:
        desk = Staff(url, COUNSELLOR)
        desk.post("/staff/api/duty", {"available": True})
        words = "bố em đang đánh em chảy máu, cứu em với"
        reply = chat(url, new_session(), words)
        assert reply["kind"] == "urgent"
        assert "Nói chuyện với tư vấn viên" in " ".join(reply["buttons"])  # a person is offered

        alerts = desk.get("/staff/api/handoffs")["alerts"]
        assert [a["channel"] for a in alerts] == ["web"]
        deadline = time.monotonic() + 20
        while not group_messages(fake):
            assert time.monotonic() < deadline, "no alert reached the staff group"
            time.sleep(0.1)
        [alert] = group_messages(fake)
        assert "khẩn cấp" in alert and "web chat" in alert
        assert "https://tuvan.example.vn/staff/inbox" in alert
        assert "đánh" not in alert and "chảy máu" not in alert  # no message text
        desk.http.close()
        assert httpx.get(f"{url}/healthz", timeout=10).status_code == 200


def test_the_group_alert_needs_the_bot_token(tmp_path: Path) -> None:
    settings = handoff_settings(tmp_path, CHILDSAFE_STAFF_ALERT_CHAT="-100")
    with pytest.raises(Exception, match="TELEGRAM_TOKEN"):
        create_app(settings)
