"""A conversation on Telegram through python-telegram-bot's real `Update` objects and a fake
Bot API on loopback (#13): a long answer's first message fits a phone screen and its
"Xem thêm" button sends the rest; a place said in the chat changes the local line."""

from __future__ import annotations

from bot.telegram.app import TelegramApp
from bot.telegram.render import visible_text
from tests.bot.telegram.test_telegram import app, clock, fake, feed, payloads, tg_settings
from tests.fake_telegram import FakeTelegram, callback_update, message_update

__all__ = ["app", "clock", "fake", "tg_settings"]  # the fixtures of the channel's own tests

MORE = "@cmd:more"


async def test_xem_them_on_telegram(app: TelegramApp, fake: FakeTelegram) -> None:
    await feed(app, message_update("tôi là giáo viên"))
    fake.clear()
    await feed(app, message_update("quy trình xử lý bạo lực học đường ở trường"))
    [first] = fake.sent()
    assert len(visible_text(first["text"])) <= 900
    assert payloads(first)[0] == MORE
    fake.clear()
    await feed(app, callback_update(MORE))
    [rest] = fake.sent()
    assert visible_text(rest["text"]).strip()
    assert "Nguồn" not in visible_text(rest["text"]), "sources are shown once"
    assert MORE not in payloads(rest)


async def test_a_place_said_on_telegram_changes_the_local_line(
    app: TelegramApp, fake: FakeTelegram
) -> None:
    await feed(app, message_update("mình ở Đà Nẵng"))
    fake.clear()
    await feed(app, message_update("số điện thoại hỗ trợ ở địa phương"))
    [local] = fake.sent()
    text = visible_text(local["text"])
    assert "Đà Nẵng" in text and "111" in text and "18006605" not in text
