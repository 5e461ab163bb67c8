"""The per-user rate limit (#8): the token buckets themselves, then `/api/chat` and Zalo over
real HTTP on loopback. A flooding user is held back and told (with 111), everyone else is
answered as usual, and a message triage reads as danger always gets through."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from bot.app import create_app
from bot.settings import Settings
from bot.wiring import build_assistant
from handlers.admission import always_admitted, held_back
from handlers.pipeline import Assistant
from handlers.ratelimit import (
    SLOW_DOWN_TEXT,
    RateLimiter,
    Verdict,
    slow_down_reply,
)
from handlers.safety import LINES, Danger
from tests.bot.zalo.test_zalo_webhook import channel_of, post_event, replies_to, zalo_settings
from tests.fake_zalo import FakeZalo
from tests.servers import serve

URGENT = "cứu em với, bố em đang đánh em chảy máu đầu"
URGENT_PLAIN = "cuu e voi bo e dang danh e"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# ---------------------------------------------------------------------------- the buckets
def test_a_burst_passes_then_one_notice_then_quiet() -> None:
    limiter = RateLimiter(5, clock=FakeClock())
    verdicts = [limiter.check("k") for _ in range(9)]
    assert verdicts == [Verdict.PASS] * 5 + [Verdict.NOTIFY] + [Verdict.DROP] * 3
    assert limiter.limited == 4


def test_tokens_come_back_at_the_configured_rate() -> None:
    clock = FakeClock()
    limiter = RateLimiter(30, clock=clock)  # one message every 2 s after the burst
    for _ in range(30):
        assert limiter.check("k") is Verdict.PASS
    assert limiter.check("k") is Verdict.NOTIFY
    clock.now += 1.0
    assert limiter.check("k") is Verdict.DROP
    clock.now += 1.0
    assert limiter.check("k") is Verdict.PASS
    assert limiter.check("k") is Verdict.DROP  # told once already
    assert limiter.retry_after == 2


def test_a_sender_who_slowed_down_is_told_again_on_a_new_flood() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock)
    for _ in range(10):
        limiter.check("k")
    assert limiter.check("k") is Verdict.NOTIFY
    clock.now += 40  # refilled to more than half
    for _ in range(6):
        assert limiter.check("k") is Verdict.PASS
    flood = [limiter.check("k") for _ in range(5)]
    assert Verdict.NOTIFY in flood


def test_users_do_not_share_a_bucket() -> None:
    limiter = RateLimiter(3, clock=FakeClock())
    for _ in range(10):
        limiter.check("flooder")
    assert [limiter.check("other") for _ in range(3)] == [Verdict.PASS] * 3


def test_memory_is_bounded_and_idle_users_are_forgotten() -> None:
    clock = FakeClock()
    limiter = RateLimiter(30, max_keys=100, clock=clock)
    for n in range(10_000):
        limiter.check(f"user-{n}")
    assert limiter.tracked <= 100
    clock.now += 61  # every bucket has refilled: they behave as new ones, so nothing is kept
    limiter.check("late")
    assert limiter.tracked == 1


def test_a_flooder_is_not_forgotten_while_flooding() -> None:
    clock = FakeClock()
    limiter = RateLimiter(5, max_keys=1000, clock=clock)
    for _ in range(5):
        limiter.check("flooder")
    for n in range(500):  # other users in between, and the flooder keeps going
        limiter.check(f"user-{n}")
        clock.now += 0.01
        assert limiter.check("flooder") is not Verdict.PASS


def test_it_is_thread_safe() -> None:
    limiter = RateLimiter(100, clock=FakeClock())  # a frozen clock: exactly 100 tokens
    passed: list[int] = []

    def hammer() -> None:
        passed.append(sum(limiter.check("k") is Verdict.PASS for _ in range(500)))

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(passed) == 100
    assert limiter.limited == 8 * 500 - 100


def test_zero_turns_it_off_and_anonymous_keys_pass() -> None:
    off = RateLimiter(0)
    assert all(off.check("k") is Verdict.PASS for _ in range(1000))
    assert not off.enabled and off.retry_after == 0
    on = RateLimiter(1, clock=FakeClock())
    assert all(on.check(None) is Verdict.PASS for _ in range(10))


@pytest.mark.parametrize(
    "text",
    [URGENT, URGENT_PLAIN, "em muốn chết", "bạn em đang bị đuối nước ở sông", "@cmd:erase"],
)
def test_danger_and_erase_are_never_held_back(text: str) -> None:
    limiter = RateLimiter(1, clock=FakeClock())
    limiter.check("k")
    assert always_admitted(text)
    assert [held_back(limiter, "k", text) for _ in range(5)] == [Verdict.PASS] * 5


@pytest.mark.parametrize(
    "text", ["xin chào", "học phí có được miễn không", "", "😀😀", "trẻ em bị đánh thì báo ai"]
)
def test_other_messages_are_held_back(text: str) -> None:
    limiter = RateLimiter(1, clock=FakeClock())
    assert held_back(limiter, "k", text) is Verdict.PASS
    assert held_back(limiter, "k", text) is Verdict.NOTIFY
    assert held_back(limiter, "k", text) is Verdict.DROP


def test_the_notice_is_short_warm_vietnamese_with_111() -> None:
    reply = slow_down_reply()
    assert reply.text == SLOW_DOWN_TEXT
    assert "**111**" in reply.text and reply.hotlines == ["111"]
    assert [b.phone for b in reply.buttons] == ["111"]
    assert len(reply.text) < 200 and "nhanh quá" in reply.text


# ---------------------------------------------------------------------------- /api/chat
@pytest.fixture
def limited(settings: Settings) -> Settings:
    return settings.model_copy(update={"rate_limit_per_minute": 10})


@pytest.fixture
def chat_url(limited: Settings, assistant: Assistant) -> Iterator[str]:
    with serve(create_app(limited, assistant)) as url:
        yield url


async def _flood(url: str, session: str, count: int) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        return list(
            await asyncio.gather(
                *(
                    client.post("/api/chat", json={"text": f"tin số {n}", "session": session})
                    for n in range(count)
                )
            )
        )


def test_a_flooding_session_is_held_back_and_told_others_are_answered(
    chat_url: str, settings: Settings, assistant: Assistant
) -> None:
    other_replies: list[tuple[httpx.Response, float]] = []

    def other_user() -> None:
        with httpx.Client(base_url=chat_url, timeout=30) as client:
            for text in ("con tôi bị bạn đánh ở trường", "học phí được miễn không", "cảm ơn"):
                started = time.monotonic()
                response = client.post("/api/chat", json={"text": text, "session": "calm"})
                other_replies.append((response, time.monotonic() - started))

    other = threading.Thread(target=other_user)
    other.start()
    flood = asyncio.run(_flood(chat_url, "flooder", 60))
    other.join(timeout=60)

    statuses = [r.status_code for r in flood]
    assert statuses.count(200) == 10 and statuses.count(429) == 50
    held = next(r for r in flood if r.status_code == 429)
    body = held.json()
    assert body["text"] == SLOW_DOWN_TEXT and body["hotlines"] == ["111"]
    assert body["kind"] == "notice" and body["actions"][0]["phone"] == "111"
    assert int(held.headers["retry-after"]) >= 1

    assert len(other_replies) == 3
    for response, seconds in other_replies:
        assert response.status_code == 200
        assert response.json()["kind"] != "notice"
        assert seconds < 5.0  # generous: nobody waits behind the flood
    assert other_replies[0][0].json()["intent"] == "school_violence"

    # only what was answered is in the log: held-back messages never reach the core
    request_log = assistant.request_log
    assert request_log is not None and request_log.flush(30)
    flooder = assistant.user_key("web", "flooder")
    with sqlite3.connect(settings.db_path) as conn:
        (logged,) = conn.execute(
            "SELECT COUNT(*) FROM requests WHERE user_hash = ?", (flooder,)
        ).fetchone()
    assert logged == 10


@pytest.mark.parametrize("text", [URGENT, URGENT_PLAIN])
def test_urgent_text_gets_through_while_throttled(chat_url: str, text: str) -> None:
    asyncio.run(_flood(chat_url, "child", 30))
    with httpx.Client(base_url=chat_url, timeout=30) as client:
        assert client.post("/api/chat", json={"text": "alo", "session": "child"}).status_code == 429
        response = client.post("/api/chat", json={"text": text, "session": "child"})
    assert response.status_code == 200
    reply = response.json()
    first = LINES[Danger(reply["danger"][0])][0]  # the primary danger's line leads
    assert reply["urgent"] and reply["hotlines"][0] == first and "111" in reply["hotlines"]
    assert reply["text"].startswith(f"🆘 Gọi ngay **{first}**")


def test_session_less_callers_are_limited_by_address(chat_url: str) -> None:
    with httpx.Client(base_url=chat_url, timeout=30) as client:
        statuses = [
            client.post("/api/chat", json={"text": "xin chào"}).status_code for _ in range(12)
        ]
        with_session = client.post("/api/chat", json={"text": "xin chào", "session": "s1"})
    assert statuses == [200] * 10 + [429] * 2
    assert with_session.status_code == 200


def test_the_limit_follows_the_setting(settings: Settings, assistant: Assistant) -> None:
    app = create_app(settings.model_copy(update={"rate_limit_per_minute": 0}), assistant)
    with serve(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        statuses = {
            client.post("/api/chat", json={"text": "hi", "session": "s"}).status_code
            for _ in range(40)
        }
    assert statuses == {200}
    assert create_app(settings, assistant).state.chat_limiter.per_minute == 30  # the default


# ---------------------------------------------------------------------------- Zalo
@pytest.fixture
def fake_zalo() -> Iterator[FakeZalo]:
    api = FakeZalo()
    with serve(api.app) as url:
        api.url = url
        yield api


def test_zalo_tells_a_flooder_once_and_answers_danger_and_others(
    settings: Settings, fake_zalo: FakeZalo
) -> None:
    z_settings = zalo_settings(settings, fake_zalo, rate_limit_per_minute=3)
    assistant = build_assistant(z_settings)
    flooder, calm = "4000000000000000001", "4000000000000000002"
    try:
        app = create_app(z_settings, assistant)
        with serve(app) as base:
            flood = [
                fake_zalo.incoming("user_send_text", flooder, text=f"hỏi lần {n}") for n in range(8)
            ]
            for payload in flood:
                assert post_event(base, payload).status_code == 200
            calm_event = fake_zalo.incoming(
                "user_send_text", calm, text="học phí có được miễn không"
            )
            assert post_event(base, calm_event).status_code == 200
            urgent = fake_zalo.incoming("user_send_text", flooder, text=URGENT)
            assert post_event(base, urgent).status_code == 200

            [answer] = replies_to(fake_zalo, calm_event)
            [urgent_answer] = replies_to(fake_zalo, urgent)
            channel = channel_of(app)
            deadline = time.monotonic() + 20
            while channel.stats().get("rate_limited", 0) < 5 and time.monotonic() < deadline:
                time.sleep(0.02)
            stats = channel.stats()
        to_flooder = [s.text for s in fake_zalo.sent_to(flooder)]
    finally:
        assistant.close()
    assert stats.get("rate_limited") == 5, stats  # 8 messages, 3 allowed
    notices = [t for t in to_flooder if "nhắn nhanh quá" in t]
    assert len(notices) == 1 and "111" in notices[0]
    assert len(to_flooder) == 3 + 1 + 1  # three answers, one notice, the urgent answer
    assert urgent_answer.text.startswith("🆘 Gọi ngay 113")  # an attack now: the police first
    assert "111" in urgent_answer.text
    assert "nhắn nhanh quá" not in answer.text
