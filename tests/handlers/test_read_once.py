"""A message's text is read once and triaged at most once (#18 point 2, #19 point 3).

The canonical reading (`nlu.text.read`) and the safety assessment (`handlers.safety.assess`)
are counted by wrappers around the real functions, put in place of every reference the
product's modules hold, so a second reading added anywhere (admission, safety, routing, the
request log's redaction on its writer thread) fails here. Each message goes through
`Assistant.handle()` and through every channel: the web chat over real HTTP, the Telegram
webhook (PTB's real `Update` objects, the fake Bot API) and the Zalo webhook (the fake OA
API). A dangerous message sent over the flood limit is triaged by the admission policy, and
the core answers it from that same assessment."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import sys
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

import handlers.safety.engine
import nlu.text.reader
from bot.app import create_app
from bot.settings import Settings
from bot.telegram.webhook import SECRET_HEADER, WEBHOOK_PATH
from handlers import requestlog
from handlers.models import IncomingMessage, Reply
from handlers.pipeline import Assistant, Exchange
from handlers.reading import MessageReading
from handlers.requestlog import RequestLog
from tests.bot.zalo.test_zalo_webhook import post_event, replies_to, zalo_settings
from tests.fake_telegram import BOT_USERNAME, TOKEN, USER_ID, FakeTelegram, message_update
from tests.fake_zalo import FakeZalo
from tests.servers import serve

ORDINARY = "Làm thế nào để báo cáo một vụ bạo lực học đường ở trường của con tôi?"
DANGER = "cứu em với, bố em đang đánh em, em sợ lắm"
IN_A_GROUP = "bố em đang đánh em, cứu em với"
FLOOD = ("xin chào bạn nhé", "cảm ơn bạn nhiều", "cho mình hỏi về học phí")
SENTENCES = (
    "Con tôi năm nay học lớp bảy ở một trường trong quận, cháu vốn hiền và ít nói.",
    "Dạo gần đây cháu hay về nhà muộn, quần áo bẩn, có hôm mất cả cặp sách.",
    "Cô chủ nhiệm nói trong lớp có mấy bạn hay trêu chọc và bắt cháu đưa tiền ăn sáng.",
    "Tôi đã gọi cho cô ấy ở số 0912 345 678 nhưng chưa thấy nhà trường xử lý gì.",
    "Cháu không muốn đi học nữa, tối nào cũng khóc, tôi không biết phải làm sao.",
)
LONG = " ".join(SENTENCES[i % len(SENTENCES)] for i in range(48))[:3900]
CASES = {"ordinary": ORDINARY, "long": LONG}


def _folded(text: str) -> str:
    plain = unicodedata.normalize("NFD", text.lower())
    return " ".join("".join(ch for ch in plain if not unicodedata.combining(ch)).split())


def _key(text: str) -> str:
    """What a message looks like whatever was done to it before it was read (cut, trimmed,
    normalised, a mention stripped): its first words, folded."""
    return " ".join(_folded(text).split()[:8])


@dataclass
class Counts:
    """Every reading and assessment made while the test runs, by argument text."""

    reads: list[str] = field(default_factory=list)
    assessed: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def of(self, calls: list[str], text: str) -> int:
        key = _key(text)
        with self.lock:
            return sum(key in _folded(seen) for seen in calls)

    def reads_of(self, text: str) -> int:
        return self.of(self.reads, text)

    def assessments_of(self, text: str) -> int:
        return self.of(self.assessed, text)


def _text_of(argument: object) -> str:
    if isinstance(argument, str):
        return argument
    return str(getattr(argument, "original", ""))


def _patch_everywhere(monkeypatch: pytest.MonkeyPatch, real: object, wrapper: object) -> int:
    """Put `wrapper` in place of every module-level reference to `real` in the product."""
    patched = 0
    for name, module in list(sys.modules.items()):
        if not name.startswith(("handlers", "nlu", "bot", "content")) or module is None:
            continue
        for attribute, value in list(vars(module).items()):
            if value is real:
                monkeypatch.setattr(module, attribute, wrapper)
                patched += 1
    return patched


@pytest.fixture
def counts(monkeypatch: pytest.MonkeyPatch) -> Counts:
    found = Counts()
    real_read = nlu.text.reader.read
    real_assess = handlers.safety.engine.assess

    def counting_read(text: object) -> Any:
        with found.lock:
            found.reads.append(_text_of(text))
        return real_read(text)

    def counting_assess(text: Any, **options: Any) -> Any:
        with found.lock:
            found.assessed.append(_text_of(text))
        return real_assess(text, **options)

    # the reader is bound in nlu.text, the reading module, redaction, safety...
    assert _patch_everywhere(monkeypatch, real_read, counting_read) >= 4
    assert _patch_everywhere(monkeypatch, real_assess, counting_assess) >= 3
    return found


def _flush(assistant: Assistant) -> None:
    """The request log's writer has redacted and stored every row (it reads there too)."""
    assert assistant.request_log is not None
    assert assistant.request_log.flush(30)


def _assert_once(counts: Counts, text: str, what: str) -> None:
    assert counts.reads_of(text) == 1, f"{what}: read {counts.reads_of(text)} times"
    assert counts.assessments_of(text) <= 1, f"{what}: triaged {counts.assessments_of(text)}"


# ---------------------------------------------------------------------------- the core
@pytest.mark.parametrize("case", sorted(CASES))
def test_the_core_reads_a_message_once(assistant: Assistant, counts: Counts, case: str) -> None:
    text = CASES[case]
    reply = assistant.handle(IncomingMessage(text, user=f"once-{case}", channel="test"))
    _flush(assistant)
    assert reply.kind in ("answer", "clarify", "fallback", "safety_check", "urgent")
    _assert_once(counts, text, case)
    assert counts.assessments_of(text) == 1  # triage is never skipped


def test_the_core_reuses_the_admission_policys_reading_and_assessment(
    assistant: Assistant, counts: Counts
) -> None:
    from handlers.admission import always_admitted

    reading = MessageReading(DANGER)
    assert always_admitted(reading)  # what a channel asks for a sender over the limit
    reply = assistant.handle(IncomingMessage(DANGER, user="flooder", reading=reading))
    _flush(assistant)
    assert reply.kind == "urgent" and "113" in reply.hotlines
    assert counts.reads_of(DANGER) == 1 and counts.assessments_of(DANGER) == 1


def test_a_reading_of_another_text_is_not_taken_for_the_message(
    assistant: Assistant, counts: Counts
) -> None:
    wrong = MessageReading("xin chào")
    reply = assistant.handle(IncomingMessage(DANGER, user="mixed", reading=wrong))
    assert reply.kind == "urgent"  # the message itself was read and triaged
    assert counts.reads_of(DANGER) == 1 and counts.assessments_of(DANGER) == 1


# ---------------------------------------------------------------------------- web chat
def test_web_chat_reads_each_message_once(
    settings: Settings, assistant: Assistant, counts: Counts
) -> None:
    limited = settings.model_copy(update={"rate_limit_per_minute": 2})
    with serve(create_app(limited, assistant)) as base:

        def chat(text: str, session: str) -> httpx.Response:
            body = {"text": text, "session": session}
            return httpx.post(f"{base}/api/chat", json=body, timeout=30)

        for case, text in CASES.items():
            assert chat(text, f"web-{case}").status_code == 200
        held = [chat(text, "web-flooder").status_code for text in FLOOD]
        danger = chat(DANGER, "web-flooder")
    _flush(assistant)
    assert held[:2] == [200, 200] and held[2] == 429  # over the limit now
    assert danger.status_code == 200 and danger.json()["kind"] == "urgent"
    for case, text in {**CASES, "danger over the limit": DANGER}.items():
        _assert_once(counts, text, case)
    assert counts.assessments_of(DANGER) == 1  # by admission, reused by the core


# ---------------------------------------------------------------------------- Telegram
@pytest.fixture
def fake_tg() -> Iterator[FakeTelegram]:
    api = FakeTelegram()
    with serve(api.app) as url:
        api.url = url
        yield api


def test_telegram_webhook_reads_each_message_once(
    settings: Settings, assistant: Assistant, fake_tg: FakeTelegram, counts: Counts
) -> None:
    secret = "read-once-secret"
    webhook = settings.model_copy(
        update={
            "telegram_token": TOKEN,
            "telegram_api_base_url": f"{fake_tg.url}/bot",
            "telegram_webhook_url": "https://bot.example.org",
            "telegram_webhook_secret": secret,
            "rate_limit_per_minute": 2,
        }
    )
    headers = {"content-type": "application/json", SECRET_HEADER: secret}

    def post(text: str, user_id: int, **where: Any) -> Callable[[], int]:
        update = message_update(text, user_id=user_id, **where)
        body = json.dumps(update, ensure_ascii=False)
        response = httpx.post(f"{base}{WEBHOOK_PATH}", content=body, headers=headers, timeout=10)
        assert response.status_code == 200
        return lambda: len(fake_tg.sent(user_id))

    with serve(create_app(webhook, assistant)) as base:
        fake_tg.wait_for("setWebhook")
        for n, text in enumerate(CASES.values()):
            post(text, USER_ID + 1 + n)
            fake_tg.wait_for("sendMessage", lambda c, n=n: c["chat_id"] == USER_ID + 1 + n)
        for text in FLOOD:  # two answers, then one "slow down"
            post(text, USER_ID)
        fake_tg.wait_for("sendMessage", lambda c: c["chat_id"] == USER_ID, count=3)
        fake_tg.clear()
        post(DANGER, USER_ID)
        [urgent] = fake_tg.wait_for("sendMessage", lambda c: c["chat_id"] == USER_ID)
        # in a group, addressed by @mention: admission reads the words the core answers
        mention = f"@{BOT_USERNAME}"
        post(f"{mention} {IN_A_GROUP}", USER_ID, chat_id=-100, mention=mention)
        [in_group] = fake_tg.wait_for("sendMessage", lambda c: c["chat_id"] == -100)
    _flush(assistant)
    assert "113" in urgent["text"] and "113" in in_group["text"]
    over = {"danger over the limit": DANGER, "in a group": IN_A_GROUP}
    for case, text in {**CASES, **over}.items():
        _assert_once(counts, text, case)
    assert counts.assessments_of(DANGER) == counts.assessments_of(IN_A_GROUP) == 1


# ---------------------------------------------------------------------------- Zalo
@pytest.fixture
def fake_zalo() -> Iterator[FakeZalo]:
    api = FakeZalo()
    with serve(api.app) as url:
        api.url = url
        yield api


def test_zalo_webhook_reads_each_message_once(
    settings: Settings, assistant: Assistant, fake_zalo: FakeZalo, counts: Counts
) -> None:
    z_settings = zalo_settings(settings, fake_zalo, rate_limit_per_minute=2)
    with serve(create_app(z_settings, assistant)) as base:
        for case, text in CASES.items():
            payload = fake_zalo.incoming("user_send_text", f"zalo-{case}", text=text)
            assert post_event(base, payload).status_code == 200
            replies_to(fake_zalo, payload)
        for text in FLOOD:
            payload = fake_zalo.incoming("user_send_text", text=text)
            assert post_event(base, payload).status_code == 200
        danger = fake_zalo.incoming("user_send_text", text=DANGER)
        assert post_event(base, danger).status_code == 200
        [urgent] = replies_to(fake_zalo, danger)
    _flush(assistant)
    assert "113" in urgent.text
    assert sum("nhắn nhanh quá" in s.text for s in fake_zalo.sent) == 1  # it was over
    for case, text in {**CASES, "danger over the limit": DANGER}.items():
        _assert_once(counts, text, case)
    assert counts.assessments_of(DANGER) == 1


# ---------------------------------------------------------------------------- the log's replies
def test_a_reply_stored_before_is_not_redacted_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The assistant's answers repeat: the log's writer redacts each distinct reply text once
    and keeps its stored form under a digest (never the raw text)."""
    redacted: list[str] = []
    real = requestlog._stored_text

    def counting(text: str, *reading: Any) -> str:
        redacted.append(text)
        return real(text, *reading)

    monkeypatch.setattr(requestlog, "_stored_text", counting)
    monkeypatch.setattr(requestlog, "_replies", OrderedDict())
    answer = "Em gọi ngay 111 (miễn phí, 24/7) hoặc nói với thầy cô em tin tưởng nhé."
    log = RequestLog.open(tmp_path / "log.db")
    try:
        for n in range(3):
            said = IncomingMessage(f"em hỏi lần {n}, số em là 0912 345 67{n}", user="u")
            reply = Reply(text=answer, intent="report_abuse", confidence=0.9)
            log.record_exchange(Exchange(said, "hash-u", reply, 1.0))
        assert log.flush(10)
    finally:
        log.close()
    with contextlib.closing(sqlite3.connect(tmp_path / "log.db")) as conn:
        stored = conn.execute("SELECT text, reply_text FROM requests ORDER BY id").fetchall()
    assert redacted.count(answer) == 1  # three rows, one redaction of the reply
    assert [r for _, r in stored] == [real(answer)] * 3
    assert all("0912" not in text for text, _ in stored)
    assert all(isinstance(k, bytes) and len(k) == 16 for k in requestlog._replies)
