"""The counsellor handoff (#15) on Telegram: real `Update` objects through the real
Application, the Bot API a loopback fake (tests/fake_telegram.py), and the counsellor on the
staff JSON API of the real web app over loopback. `/nguoi` queues the user; the counsellor's
reply reaches the chat through the Bot API; the user's next message reaches the counsellor and
gets no bot answer; after close the user is told and the assistant answers again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from telegram import Update

from bot.app import create_app
from bot.settings import Settings
from bot.staff.auth import AuthStore
from bot.telegram.app import TelegramApp, build_application, start_courier, stop_courier
from bot.telegram.render import visible_text
from bot.wiring import build_assistant
from handlers.pipeline import Assistant
from tests.bot.web.test_handoff_web import COUNSELLOR, PASSWORD, Staff, db_bytes, handoff_settings
from tests.fake_telegram import GROUP_ID, TOKEN, USER_ID, FakeTelegram, message_update
from tests.servers import serve

pytestmark = pytest.mark.slow


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    api = FakeTelegram()
    with serve(api.app) as url:
        api.url = url
        yield api


@pytest.fixture
def hs(tmp_path: Path) -> Settings:
    return handoff_settings(tmp_path)


@pytest.fixture
def assistant(hs: Settings) -> Iterator[Assistant]:
    bot = build_assistant(hs)
    yield bot
    bot.close()


@pytest.fixture
def desk(hs: Settings, assistant: Assistant) -> Iterator[Staff]:
    AuthStore(hs.db_path).add_user(COUNSELLOR, PASSWORD, "counsellor")
    with serve(create_app(hs, assistant)) as url:
        staff = Staff(url, COUNSELLOR)
        staff.post("/staff/api/duty", {"available": True})
        yield staff
        staff.http.close()


@pytest.fixture
async def app(hs: Settings, assistant: Assistant, fake: FakeTelegram) -> AsyncIterator[TelegramApp]:
    settings = hs.model_copy(
        update={
            "telegram_token": TOKEN,
            "telegram_api_base_url": f"{fake.url}/bot",
            "rate_limit_per_minute": 60,
        }
    )
    application = build_application(settings, assistant)
    async with application:
        await start_courier(application)
        yield application
        await stop_courier(application)


async def feed(app: TelegramApp, data: dict[str, Any]) -> None:
    await app.process_update(Update.de_json(data, app.bot))


def texts_sent(fake: FakeTelegram, chat_id: int = USER_ID) -> list[str]:
    return [visible_text(c["text"]) for c in fake.sent(chat_id)]


async def eventually(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


async def call(function: Callable[..., Any], *args: Any) -> Any:
    return await asyncio.to_thread(function, *args)


async def test_telegram_user_reaches_a_counsellor_and_back(
    app: TelegramApp, fake: FakeTelegram, desk: Staff, hs: Settings
) -> None:
    await feed(app, message_update("/nguoi"))
    [queued] = fake.sent(USER_ID)
    assert "vị trí số 1" in visible_text(queued["text"])
    assert any(b["text"] == "Hủy" for b in queued.buttons)

    fake.clear()
    marker = "TG-MARKER-8812"
    await feed(app, message_update(f"em bị bố mẹ mắng suốt {marker}"))
    assert fake.sent(USER_ID) == []  # no bot answer while a person holds the chat
    assert fake.calls_to("sendChatAction") == []  # nor a "typing…" that promises one

    handoffs = (await call(desk.get, "/staff/api/handoffs"))["handoffs"]
    [case] = [h for h in handoffs if h["channel"] == "telegram"]
    detail = await call(desk.case, case["id"])
    assert [m["text"] for m in detail["messages"] if m["from"] == "user"] == [
        f"em bị bố mẹ mắng suốt {marker}"
    ]
    await call(desk.post, f"/staff/api/handoffs/{case['id']}/claim")
    await call(
        desk.post,
        f"/staff/api/handoffs/{case['id']}/messages",
        {"text": "Chào em, chị nghe đây."},
        201,
    )
    await eventually(lambda: "Chào em, chị nghe đây." in texts_sent(fake))
    assert any("tư vấn viên đã vào" in t for t in texts_sent(fake))

    fake.clear()
    await feed(app, message_update("dạ em chào chị"))
    assert fake.sent(USER_ID) == []
    detail = await call(desk.case, case["id"])
    assert detail["messages"][-1]["text"] == "dạ em chào chị"
    assert all(m["delivery"] != "failed" for m in detail["messages"])

    await call(desk.post, f"/staff/api/handoffs/{case['id']}/close", {"outcome": "advice_given"})
    await eventually(lambda: any("kết thúc" in t for t in texts_sent(fake)))
    fake.clear()
    await feed(app, message_update("bạo lực học đường là gì"))
    [answer] = fake.sent(USER_ID)
    assert answer["text"]  # the assistant answers again
    assert marker.encode() not in db_bytes(hs.db_path)
    assert str(USER_ID).encode() not in db_bytes(hs.db_path)  # the chat id: ciphertext only


async def test_nguoi_in_a_group_asks_to_write_privately(
    app: TelegramApp, fake: FakeTelegram, desk: Staff
) -> None:
    await feed(app, message_update("/nguoi", chat_id=GROUP_ID))
    [hint] = fake.sent(GROUP_ID)
    assert "nhắn trực tiếp" in visible_text(hint["text"])
    assert (await call(desk.get, "/staff/api/handoffs"))["handoffs"] == []


async def test_erase_during_a_telegram_handoff_deletes_the_case(
    app: TelegramApp, fake: FakeTelegram, desk: Staff
) -> None:
    await feed(app, message_update("/nguoi"))
    await feed(app, message_update("chuyện riêng của em"))
    [case] = (await call(desk.get, "/staff/api/handoffs"))["handoffs"]
    await feed(app, message_update("/xoa"))
    assert (await call(desk.get, "/staff/api/handoffs"))["handoffs"] == []
    response = await call(desk.http.get, f"/staff/api/handoffs/{case['id']}")
    assert response.status_code == 404
