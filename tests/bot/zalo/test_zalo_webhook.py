"""Zalo inside `childsafe serve`, over real HTTP on loopback against the fake OA API
(`tests/fake_zalo.py`): signatures, bad bodies, answering in the background, resent events,
follow and media, keywords and erase, buttons, token expiry across a restart, draining."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from bot.app import create_app
from bot.settings import MissingSecretError, Settings
from bot.wiring import build_assistant
from bot.zalo import texts
from bot.zalo.channel import ZaloChannel
from bot.zalo.render import plain_text
from bot.zalo.tokens import FILE_NAME
from bot.zalo.webhook import WEBHOOK_PATH, build_channel, feature
from handlers.models import APOLOGY_TEXT, Button, IncomingMessage, Reply
from handlers.pipeline import Assistant
from tests.fake_zalo import (
    ACCESS_TOKEN,
    APP_ID,
    APP_SECRET,
    OA_SECRET_KEY,
    OTHER_USER_ID,
    REFRESH_TOKEN,
    USER_ID,
    FakeZalo,
    Sent,
    event,
    signed,
)
from tests.helpers import rows_holding, wait_until
from tests.servers import serve


@pytest.fixture
def fake() -> Iterator[FakeZalo]:
    api = FakeZalo()
    with serve(api.app) as url:
        api.url = url
        yield api


def zalo_settings(settings: Settings, fake: FakeZalo, **updates: Any) -> Settings:
    return settings.model_copy(
        update={
            "zalo_app_id": APP_ID,
            "zalo_app_secret": APP_SECRET,
            "zalo_oa_secret_key": OA_SECRET_KEY,
            "zalo_access_token": ACCESS_TOKEN,
            "zalo_refresh_token": REFRESH_TOKEN,
            "zalo_api_base_url": fake.url,
            "zalo_oauth_base_url": fake.url,
            **updates,
        }
    )


@pytest.fixture
def z_settings(settings: Settings, fake: FakeZalo) -> Settings:
    return zalo_settings(settings, fake)


def post(base: str, body: bytes | str, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(f"{base}{WEBHOOK_PATH}", content=body, headers=headers or {}, timeout=10)


def post_event(base: str, payload: dict[str, Any], **sign: Any) -> httpx.Response:
    body, headers = signed(payload, **sign)
    return post(base, body, headers)


def msg_id(payload: dict[str, Any]) -> str:
    return str(payload["message"]["msg_id"])


def replies_to(fake: FakeZalo, payload: dict[str, Any], count: int = 1) -> list[Sent]:
    wanted = msg_id(payload)
    return fake.wait_for_sent(count, lambda s: s.recipient.get("message_id") == wanted)


def channel_of(app: Any) -> ZaloChannel:
    for item in app.state.features:
        if item.name == "zalo":
            channel = item.on_startup[0].__self__
            assert isinstance(channel, ZaloChannel)
            return channel
    raise AssertionError("zalo is not mounted")


def core_answer(assistant: Assistant, text: str) -> str:
    """What the core says to `text` for a fresh user, as Zalo shows it."""
    reply = assistant.handle(IncomingMessage(text, user=f"probe-{time.time_ns()}", channel="zalo"))
    return plain_text(reply.text)


# ---------------------------------------------------------------------------- the route
def test_a_signed_message_is_answered_through_the_oa_api(
    z_settings: Settings, assistant: Assistant, fake: FakeZalo
) -> None:
    with serve(create_app(z_settings, assistant)) as base:
        assert "zalo" in httpx.get(f"{base}/healthz").json()["features"]
        assert WEBHOOK_PATH not in httpx.get(f"{base}/status").text  # staff only (#17)
        payload = fake.incoming("user_send_text", text="trẻ bị bạo lực học đường thì báo ai")
        response = post_event(base, payload)
        assert response.status_code == 200
        [answer] = replies_to(fake, payload)
    assert answer.recipient == {"message_id": msg_id(payload)}
    assert answer.user_id == USER_ID
    assert "Nguồn" in answer.text and "**" not in answer.text
    assert answer.access_token in {ACCESS_TOKEN, *(f"access-{n}" for n in range(1, 9))}


def test_forged_missing_and_foreign_signatures_get_401_and_nothing_is_processed(
    z_settings: Settings, assistant: Assistant, fake: FakeZalo
) -> None:
    seen: list[str] = []
    assistant.log_hooks.append(lambda exchange: seen.append(exchange.message.text))
    app = create_app(z_settings, assistant)
    with serve(app) as base:
        payload = fake.incoming("user_send_text", text="con tôi bị bắt nạt")
        body, headers = signed(payload)
        unsigned = {"content-type": "application/json"}
        assert post(base, body, unsigned).status_code == 401
        assert post(base, body, {**headers, "X-ZEvent-Signature": ""}).status_code == 401
        assert (
            post(base, body, {**headers, "X-ZEvent-Signature": "mac=" + "0" * 64}).status_code
            == 401
        )
        assert post_event(base, payload, secret_key=APP_SECRET).status_code == 401  # wrong key
        tampered = body.replace("bắt nạt".encode(), "đánh".encode())
        assert post(base, tampered, headers).status_code == 401
        later = {**payload, "timestamp": str(int(payload["timestamp"]) + 1)}
        assert post(base, signed(later)[0], headers).status_code == 401
        # correctly signed with our OA key, but for another app
        foreign = event("user_send_text", text="xin chào", app_id="999")
        assert post_event(base, foreign).status_code == 401
        # bodies that are not a JSON object: 400, whatever the header says
        for junk in (b"{not json", b"\xff\xfe\x00binary", b"[]", b"42", b'"text"', b""):
            assert post(base, junk, headers).status_code == 400, junk
        limit = getattr(z_settings, "webhook_max_body_bytes", z_settings.max_body_bytes)
        too_big = b'{"pad": "' + b"x" * (limit + 1) + b'"}'
        assert post(base, too_big, headers).status_code == 413
        assert httpx.get(f"{base}{WEBHOOK_PATH}").status_code == 405
        # and then a genuine one, answered
        genuine = fake.incoming("user_send_text", text="số điện thoại tổng đài trẻ em")
        assert post_event(base, genuine).status_code == 200
        replies_to(fake, genuine)
        stats = channel_of(app).stats()
    assert stats["accepted"] == 1
    assert [s.recipient for s in fake.sent] == [{"message_id": msg_id(genuine)}]
    assert seen == ["số điện thoại tổng đài trẻ em"]  # the core saw only the genuine one


@pytest.mark.parametrize(
    "header_form",
    [lambda d: d, lambda d: d.upper(), lambda d: "mac=" + d, lambda d: "mac=" + d.upper()],
)
def test_every_header_form_zalo_may_send_is_accepted(
    z_settings: Settings, assistant: Assistant, fake: FakeZalo, header_form: Callable[[str], str]
) -> None:
    with serve(create_app(z_settings, assistant)) as base:
        payload = fake.incoming("user_send_text", text="xin chào")
        body, headers = signed(payload, prefix="")
        headers["X-ZEvent-Signature"] = header_form(headers["X-ZEvent-Signature"])
        assert post(base, body, headers).status_code == 200
        replies_to(fake, payload)


@dataclass
class GatedCore:
    """The real core, held at a gate, to show the webhook answers before the core does."""

    inner: Assistant
    gate: threading.Event

    def handle(self, message: IncomingMessage) -> Reply:
        assert self.gate.wait(30)
        return self.inner.handle(message)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_the_webhook_answers_at_once_and_the_reply_follows(
    z_settings: Settings, assistant: Assistant, fake: FakeZalo
) -> None:
    gate = threading.Event()
    app = create_app(z_settings, GatedCore(assistant, gate))  # type: ignore[arg-type]
    with serve(app) as base:
        payload = fake.incoming("user_send_text", text="con tôi bị bắt nạt ở trường")
        assert post_event(base, payload).status_code == 200  # while the core is still held
        assert fake.sent == []
        gate.set()
        [answer] = replies_to(fake, payload)
        assert answer.text


def test_a_resent_event_is_answered_once(
    z_settings: Settings, assistant: Assistant, fake: FakeZalo
) -> None:
    app = create_app(z_settings, assistant)
    with serve(app) as base:
        payload = fake.incoming("user_send_text", text="trẻ bị xâm hại báo ở đâu")
        for _ in range(3):
            assert post_event(base, payload).status_code == 200
        replies_to(fake, payload)
        flush = fake.incoming("user_send_text", OTHER_USER_ID, text="xin chào")
        assert post_event(base, flush).status_code == 200
        replies_to(fake, flush)
        assert channel_of(app).stats()["duplicate"] == 2
    assert len([s for s in fake.sent if s.recipient.get("message_id") == msg_id(payload)]) == 1


def test_stale_or_future_events_are_acknowledged_and_dropped(
    z_settings: Settings, assistant: Assistant, fake: FakeZalo
) -> None:
    now_ms = int(time.time() * 1000)
    app = create_app(z_settings, assistant)
    with serve(app) as base:
        old = fake.incoming(
            "user_send_text", text="xin chào", timestamp=str(now_ms - 2 * 86400_000)
        )
        ahead = fake.incoming("user_send_text", text="xin chào", timestamp=str(now_ms + 3600_000))
        odd = fake.incoming("user_send_text", text="xin chào", timestamp="hôm qua")
        for payload in (old, ahead, odd):
            assert post_event(base, payload).status_code == 200  # an error would be resent
        # a resend hours later (Zalo retries) and a little clock skew are still answered
        resent = fake.incoming(
            "user_send_text", text="xin chào", timestamp=str(now_ms - 3 * 3600_000)
        )
        skewed = fake.incoming("user_send_text", text="xin chào", timestamp=str(now_ms + 120_000))
        for payload in (resent, skewed):
            assert post_event(base, payload).status_code == 200
            replies_to(fake, payload)
        assert channel_of(app).stats()["stale"] == 3
    assert len(fake.sent) == 2


# ---------------------------------------------------------------------------- events
def test_follow_gets_the_welcome(
    z_settings: Settings, assistant: Assistant, fake: FakeZalo
) -> None:
    with serve(create_app(z_settings, assistant)) as base:
        assert post_event(base, fake.incoming("follow", OTHER_USER_ID)).status_code == 200
        [welcome] = fake.wait_for_sent(1, lambda s: s.user_id == OTHER_USER_ID)
    assert welcome.recipient == {"user_id": OTHER_USER_ID}  # no message to reply to
    start = assistant.command("start", IncomingMessage("", user="probe", channel="zalo"))
    assert welcome.text == plain_text(start.text)
    assert [b["type"] for b in welcome.buttons] == ["oa.query.show"] * len(start.buttons)


@pytest.mark.parametrize("name", sorted(texts.MEDIA_NAMES))
def test_media_gets_a_clear_answer_with_111(
    z_settings: Settings, assistant: Assistant, fake: FakeZalo, name: str
) -> None:
    with serve(create_app(z_settings, assistant)) as base:
        payload = fake.incoming(name, attachments=[{"type": "x", "payload": {}}])
        assert post_event(base, payload).status_code == 200
        [answer] = replies_to(fake, payload)
    assert "Mình chỉ đọc được tin nhắn chữ" in answer.text
    assert texts.MEDIA_NAMES[name] in answer.text and "111" in answer.text
    assert answer.buttons == [
        {"title": "📞 Gọi 111", "type": "oa.open.phone", "payload": {"phone_code": "111"}}
    ]


def test_an_image_caption_is_answered_with_a_note(
    z_settings: Settings, assistant: Assistant, fake: FakeZalo
) -> None:
    expected = core_answer(assistant, "con tôi bị bạn đánh ở trường")
    with serve(create_app(z_settings, assistant)) as base:
        payload = fake.incoming("user_send_image", text="con tôi bị bạn đánh ở trường")
        assert post_event(base, payload).status_code == 200
        [answer] = replies_to(fake, payload)
    assert answer.text == f"{expected}\n\n{texts.CAPTION_NOTE}"


def test_system_events_are_acknowledged_and_ignored(
    z_settings: Settings, assistant: Assistant, fake: FakeZalo
) -> None:
    app = create_app(z_settings, assistant)
    with serve(app) as base:
        for name in (
            "unfollow",
            "user_seen_message",
            "user_received_message",
            "oa_send_text",
            "user_click_link",
            "add_user_to_tag",
            "user_click_button",
            "made_up",
        ):
            payload = event(name, msg_id="x")
            payload["message"] = {"msg_id": f"sys-{name}", "text": "xin chào"}
            assert post_event(base, payload).status_code == 200, name
        no_sender = event("user_send_text", text="xin chào")
        del no_sender["sender"]
        assert post_event(base, no_sender).status_code == 200
        flush = fake.incoming("user_send_text", text="xin chào")
        assert post_event(base, flush).status_code == 200
        replies_to(fake, flush)
        stats = channel_of(app).stats()
    assert len(fake.sent) == 1
    assert stats["ignored:unfollow"] == 1 and stats["ignored:oa_send_text"] == 1


# ---------------------------------------------------------------------------- conversation
def test_keywords_are_commands(z_settings: Settings, assistant: Assistant, fake: FakeZalo) -> None:
    probe = IncomingMessage("", user="probe", channel="zalo")
    expected = {
        "KHẨN CẤP": assistant.command("emergency", probe),
        "/baomat": assistant.command("privacy", probe),
        "vai tro": assistant.command("role", probe),
        "trợ giúp": assistant.command("help", probe),
    }
    with serve(create_app(z_settings, assistant)) as base:
        for text, reply in expected.items():
            payload = fake.incoming("user_send_text", text=text)
            assert post_event(base, payload).status_code == 200
            [answer] = replies_to(fake, payload)
            assert answer.text == plain_text(reply.text), text


def test_erase_says_zalo_cannot_delete_messages_and_erases_logged_rows(
    z_settings: Settings, assistant: Assistant, fake: FakeZalo
) -> None:
    key = assistant.user_key("zalo", USER_ID)
    other = assistant.user_key("zalo", OTHER_USER_ID)
    assert key and other
    with serve(create_app(z_settings, assistant)) as base:
        for user, text in ((USER_ID, "con tôi bị bắt nạt ở trường"), (OTHER_USER_ID, "em bị đánh")):
            payload = fake.incoming("user_send_text", user, text=text)
            assert post_event(base, payload).status_code == 200
            replies_to(fake, payload)
        wait_until(lambda: rows_holding(z_settings.db_path, key) > 0)  # the writer may lag
        erase = fake.incoming("user_send_text", text="Xóa")
        assert post_event(base, erase).status_code == 200
        [answer] = replies_to(fake, erase)
        wait_until(lambda: rows_holding(z_settings.db_path, key) == 0)
    assert answer.text == plain_text(texts.ERASED)
    assert "Zalo không cho phép mình xóa các tin nhắn đã gửi" in answer.text
    assert rows_holding(z_settings.db_path, other) > 0
    assert rows_holding(z_settings.db_path, USER_ID) == 0  # the raw id was never stored


def test_a_tapped_button_is_its_payload_even_after_a_restart(
    z_settings: Settings, assistant: Assistant, fake: FakeZalo
) -> None:
    as_payload = core_answer(assistant, "@role:parent")
    with serve(create_app(z_settings, assistant)) as base:
        assert post_event(base, fake.incoming("follow")).status_code == 200
        [welcome] = fake.wait_for_sent(1)
        [parent] = [b for b in welcome.buttons if "phụ huynh" in b["title"]]
        # Zalo sends the button's payload back as the user's text message
        tap = fake.incoming("user_send_text", text=parent["payload"])
        assert post_event(base, tap).status_code == 200
        [answer] = replies_to(fake, tap)
    assert answer.text == as_payload
    # after a restart the memory of buttons is gone; the title still reads as the same choice
    with serve(create_app(z_settings, build_assistant(z_settings))) as base:
        tap = fake.incoming("user_send_text", text=parent["payload"])
        assert post_event(base, tap).status_code == 200
        [answer] = replies_to(fake, tap)
    assert answer.text == as_payload


@dataclass
class LongCore:
    """A core whose answer is longer than one Zalo message and has many buttons."""

    inner: Assistant

    def handle(self, message: IncomingMessage) -> Reply:
        text = "\n".join(f"• **Ý {n}**: " + "thông tin bảo vệ trẻ em " * 6 for n in range(40))
        buttons = [Button(f"Chủ đề {n}", f"@intent:t{n}") for n in range(7)]
        return Reply(text, "help", 1.0, buttons=[Button("📞 Gọi 111", "@tel:111", "111"), *buttons])

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_a_long_answer_goes_in_parts_all_as_replies_with_buttons_last(
    z_settings: Settings, assistant: Assistant, fake: FakeZalo
) -> None:
    with serve(create_app(z_settings, LongCore(assistant))) as base:  # type: ignore[arg-type]
        payload = fake.incoming("user_send_text", text="kể hết đi")
        assert post_event(base, payload).status_code == 200
        parts = replies_to(fake, payload, count=3)
    assert all(len(p.text) <= 2000 for p in parts)
    assert all(p.recipient == {"message_id": msg_id(payload)} for p in parts)  # free replies
    assert [bool(p.buttons) for p in parts] == [False] * (len(parts) - 1) + [True]
    assert len(parts[-1].buttons) == 5 and parts[-1].buttons[0]["type"] == "oa.open.phone"
    assert "**" not in "".join(p.text for p in parts)


# ---------------------------------------------------------------------------- API outcomes
def test_token_expiry_is_survived_and_the_new_pair_outlives_a_restart(
    z_settings: Settings, assistant: Assistant, fake: FakeZalo
) -> None:
    token_file = z_settings.db_path.parent / FILE_NAME
    app = create_app(z_settings, assistant)
    with serve(app) as base:
        # the environment's pair has no known expiry: it is refreshed once at start-up
        fake.wait_for_refreshes(1)
        wait_until(lambda: channel_of(app).client.tokens.access_token != ACCESS_TOKEN)
        assert token_file.exists()
        fake.expire_access_tokens()  # and now that one expires too
        payload = fake.incoming("user_send_text", text="con tôi bị bắt nạt")
        assert post_event(base, payload).status_code == 200
        [answer] = replies_to(fake, payload)
        assert len(fake.refreshes) == 2
    saved = json.loads(token_file.read_text())
    assert saved["refresh_token"] == "refresh-2" and answer.access_token == saved["access_token"]
    assert [r["refresh_token"] for r in fake.refreshes] == [REFRESH_TOKEN, "refresh-1"]
    assert any(a["recipient"] == answer.recipient for a in fake.send_attempts[:-1])  # a -216 first

    # restart with the same (now spent) environment: the saved pair is used
    with serve(create_app(z_settings, build_assistant(z_settings))) as base:
        payload = fake.incoming("user_send_text", text="xin chào")
        assert post_event(base, payload).status_code == 200
        [answer] = replies_to(fake, payload)
        assert answer.access_token == saved["access_token"]
        fake.expire_access_tokens()
        payload = fake.incoming("user_send_text", text="xin chào")
        assert post_event(base, payload).status_code == 200
        replies_to(fake, payload)
    assert [r["refresh_token"] for r in fake.refreshes] == [REFRESH_TOKEN, "refresh-1", "refresh-2"]
    assert fake.used_refresh_tokens == {REFRESH_TOKEN, "refresh-1", "refresh-2"}


def test_window_errors_are_counted_and_not_retried(
    z_settings: Settings, assistant: Assistant, fake: FakeZalo, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    app = create_app(z_settings, assistant)
    with serve(app) as base:
        fake.wait_for_refreshes(1)
        wait_until(lambda: channel_of(app).client.tokens.access_token != ACCESS_TOKEN)
        for attempts, code in enumerate((-230, -305, -311), start=1):
            fake.fail_next(code)
            payload = fake.incoming("user_send_text", text="xin chào")
            assert post_event(base, payload).status_code == 200
            wait_until(attempted(fake, attempts))
        flush = fake.incoming("user_send_text", text="xin chào")
        assert post_event(base, flush).status_code == 200
        replies_to(fake, flush)
        stats = channel_of(app).stats()
    assert len(fake.send_attempts) == 4 and len(fake.sent) == 1
    for code in (-230, -305, -311):
        assert stats[f"api.error:{code}"] == 1
    assert stats["not_delivered:window"] == 3
    [summary] = [r for r in caplog.records if r.getMessage().startswith("zalo: stopped")]
    assert summary.levelno == logging.WARNING and "'api.error:-311': 1" in summary.getMessage()


def attempted(fake: FakeZalo, count: int) -> Callable[[], bool]:
    return lambda: len(fake.send_attempts) >= count


@dataclass
class SlowCore:
    inner: Assistant

    def handle(self, message: IncomingMessage) -> Reply:
        time.sleep(0.3)
        return self.inner.handle(message)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_nothing_accepted_is_lost_on_shutdown_and_each_persons_order_is_kept(
    z_settings: Settings, assistant: Assistant, fake: FakeZalo
) -> None:
    users = [f"61424948230000001{n:02d}" for n in range(5)]
    mine = [
        fake.incoming("user_send_text", USER_ID, text=t) for t in ("xin chào", "bắt nạt", "111")
    ]
    with serve(create_app(z_settings, SlowCore(assistant))) as base:  # type: ignore[arg-type]
        for payload in mine:
            assert post_event(base, payload).status_code == 200
        for user in users:
            assert (
                post_event(base, fake.incoming("user_send_text", user, text="xin chào")).status_code
                == 200
            )
        assert len(fake.sent) < len(users) + len(mine)  # still answering when told to stop
    # stopped; everything accepted was answered first, one person's messages in order
    assert sorted({s.user_id for s in fake.sent}) == sorted([*users, USER_ID])
    mine_answered = [s.recipient["message_id"] for s in fake.sent if s.user_id == USER_ID]
    assert mine_answered == [msg_id(p) for p in mine]


async def test_a_full_queue_refuses_with_503_and_takes_the_resend_later(
    z_settings: Settings, assistant: Assistant, fake: FakeZalo
) -> None:
    gate = threading.Event()
    core = GatedCore(assistant, gate)
    channel = build_channel(z_settings, core, queue_size=2, workers=2, keep_tokens_fresh=False)  # type: ignore[arg-type]
    events = [fake.incoming("user_send_text", text=f"câu hỏi {n}") for n in range(4)]
    assert channel.accept(events[0], signed(events[0])[0]) == 503  # not started yet
    await channel.start()
    statuses = []
    for payload in events:
        statuses.append(channel.accept(payload, signed(payload)[0]))
        await asyncio.sleep(0.05)  # let a worker take it (one in hand, one waiting behind it)
    assert statuses == [200, 200, 503, 503]  # the bound counts what waits behind a person too
    gate.set()
    for _ in range(400):
        if channel.stats().get("replied") == 2:
            break
        await asyncio.sleep(0.05)
    assert channel.accept(events[2], signed(events[2])[0]) == 200  # Zalo's resend is taken
    await channel.stop()
    assert channel.accept(events[3], signed(events[3])[0]) == 503  # stopped
    answered = [s.recipient["message_id"] for s in fake.sent]
    assert answered == [msg_id(e) for e in events[:3]]
    assert channel.stats()["queue_full"] == 2


@dataclass
class BrokenCore:
    inner: Assistant

    def handle(self, message: IncomingMessage) -> Reply:
        raise RuntimeError("boom")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_a_failure_still_answers_with_111(
    z_settings: Settings, assistant: Assistant, fake: FakeZalo, caplog: pytest.LogCaptureFixture
) -> None:
    with serve(create_app(z_settings, BrokenCore(assistant))) as base:  # type: ignore[arg-type]
        payload = fake.incoming("user_send_text", text="bí mật của em là 0912345678")
        assert post_event(base, payload).status_code == 200
        [answer] = replies_to(fake, payload)
    assert answer.text == plain_text(APOLOGY_TEXT)
    assert answer.buttons[0]["payload"] == {"phone_code": "111"}
    assert "0912345678" not in caplog.text and USER_ID not in caplog.text


# ---------------------------------------------------------------------------- settings
def test_without_secrets_zalo_is_off_and_says_so(
    settings: Settings, assistant: Assistant, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    bare = settings.model_copy(
        update={
            name: None
            for name in Settings.model_fields
            if name.startswith("zalo_") and "url" not in name
        }
    )
    assert feature(bare, assistant) is None
    [line] = [r.getMessage() for r in caplog.records if "zalo" in r.getMessage()]
    for name in ("ZALO_APP_ID", "ZALO_APP_SECRET", "ZALO_OA_SECRET_KEY", "ZALO_ACCESS_TOKEN"):
        assert name in line


@pytest.mark.parametrize(
    "missing",
    [("zalo_oa_secret_key",), ("zalo_refresh_token",), ("zalo_app_secret", "zalo_access_token")],
)
def test_half_a_configuration_fails_naming_what_is_missing(
    z_settings: Settings, assistant: Assistant, missing: tuple[str, ...]
) -> None:
    partial = z_settings.model_copy(update={name: None for name in missing})
    with pytest.raises(MissingSecretError) as raised:
        create_app(partial, assistant)
    for name in missing:
        assert name.upper() in str(raised.value)
