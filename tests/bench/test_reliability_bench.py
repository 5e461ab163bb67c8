"""The benchmark's own parts (#8), small and fast, so `make bench` does not rot between runs:
the message mix, percentiles, the load generator against the real app on loopback, the
Bot API stand-in, and the report. (The benchmark itself is `make bench`, never `make test`.)"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench import loadgen
from bench.botapi import build_app as bot_api
from bench.corpus import MAX_CHARS, MIX, describe, message_set, strip_diacritics, teen_spelling
from bench.measure import machine, percentile, process_cpu_seconds, process_memory_mb
from bench.report import render
from bench.run import Plan, aims
from bot.app import create_app
from bot.settings import Settings
from handlers.pipeline import Assistant
from tests.servers import serve


def test_the_message_mix_is_deterministic_varied_and_answerable() -> None:
    messages = message_set(3000)
    assert messages == message_set(3000)
    kinds = describe(messages)["by_kind"]
    assert isinstance(kinds, dict) and set(kinds) == set(MIX)
    for kind, share in MIX.items():
        assert abs(kinds[kind] / 3000 - share) < 0.03, kind
    assert all(len(m.text) <= MAX_CHARS for m in messages)
    long = [m for m in messages if m.kind == "long_story"]
    assert max(len(m.text) for m in long) > 2000
    assert len({m.user for m in messages}) > 200


def test_spelling_variants() -> None:
    assert strip_diacritics("Đứa bé bị đánh ở trường") == "Dua be bi danh o truong"
    assert teen_spelling("em không biết phải làm gì với bạn") == "e ko bik phải làm j vs bn"


def test_percentiles_interpolate() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 99) == pytest.approx(99.01)
    assert percentile([3.0], 95) == 3.0
    assert math.isnan(percentile([], 50))


def test_this_process_can_be_measured() -> None:
    import os

    memory = process_memory_mb(os.getpid())
    assert memory is not None and 0 < memory["rss_mb"] <= memory["peak_rss_mb"]
    cpu = process_cpu_seconds(os.getpid())
    assert cpu is not None and cpu > 0
    facts = machine()
    assert facts["cores"] and facts["python"]


@pytest.fixture
def chat_url(settings: Settings, assistant: Assistant) -> Iterator[str]:
    with serve(create_app(settings, assistant)) as url:
        yield url


def test_the_load_generator_drives_the_chat_api(chat_url: str) -> None:
    messages = [[m.text, m.user] for m in message_set(40)]
    result = asyncio.run(
        loadgen.run(
            {
                "url": chat_url,
                "target": "chat",
                "concurrency": 4,
                "max_requests": 30,
                "duration": 60,
                "warm_up": 4,
                "messages": messages,
            }
        )
    )
    assert result["requests"] == 30 and result["ok"] == 30 and not result["errors"]
    assert result["latency_ms"]["count"] == 30 and result["requests_per_second"] > 0
    assert sum(result["answered_by"].values()) == 30


def test_the_bot_api_stand_in_answers_like_the_bot_api() -> None:
    with serve(bot_api()) as url, httpx.Client(base_url=url, timeout=10) as client:
        me = client.post("/bot123:x/getMe").json()
        sent = client.post("/bot123:x/sendMessage", data={"chat_id": "42", "text": "chào"}).json()
        hook = client.post("/bot123:x/setWebhook", json={"url": "https://x.example"}).json()
        stats = client.get("/stats").json()
    assert me["ok"] and me["result"]["is_bot"]
    assert sent["ok"] and sent["result"]["chat"]["id"] == 42 and sent["result"]["text"] == "chào"
    assert hook == {"ok": True, "result": True}
    assert stats == {"getMe": 1, "sendMessage": 1, "setWebhook": 1}


def test_a_telegram_update_from_the_load_generator_is_a_real_update() -> None:
    from telegram import Bot, Update

    payload = loadgen.telegram_update(7, 10_000_001, "em muốn hỏi")
    update = Update.de_json(json.loads(json.dumps(payload)), Bot("123:abc"))
    assert update.message is not None and update.message.text == "em muốn hỏi"
    assert update.effective_user is not None and update.effective_user.id == 10_000_001


def _section(rps: float, p50: float, peak: float) -> dict[str, Any]:
    run = {
        "requests": 100,
        "ok": 100,
        "errors": {},
        "ok_per_second": rps,
        "latency_ms": {"p50": 3.0, "p95": 9.0, "p99": 20.0},
    }
    return {
        "status": "ok",
        "handle": {
            "latency_ms": {"p50": p50, "p95": 4.0, "p99": 9.0, "max": 30.0},
            "latency_ms_by_kind": {"short": {"p50": 0.5, "p95": 1.0, "p99": 2.0}},
            "cpu_ms_per_message": 1.2,
            "messages_per_second_one_thread": 600.0,
            "answered_by": {"embedded": 1000},
            "log": {"rows_written": 1000},
        },
        "http": {
            "chat": [run, run, run],
            "telegram": [run, run, run],
            "memory_after_start": {"rss_mb": 150.0},
            "memory_at_end": {"peak_rss_mb": peak},
        },
        "cold_start": {"warm_model_cache_median": 2.5, "empty_model_cache_median": 9.0},
        "lengths": {
            "50": {"messages": 60, "cpu_ms_per_message": 0.4, "handle_latency_ms": {"p50": 0.3}},
            "4000": {"messages": 60, "cpu_ms_per_message": 7.5, "handle_latency_ms": {"p50": 6}},
        },
        "workers": {"levels": [16], "setups": {"2 workers": [{**run, "ok_per_second": 650.0}]}},
    }


def test_the_report_shows_engines_side_by_side_and_the_aims(tmp_path: Path) -> None:
    results: dict[str, Any] = {
        "machine": machine(),
        "plan": {"quick": True, "levels": [1, 16, 64]},
        "messages": describe(message_set(100)),
        "engines": {
            "embedded": _section(250.0, 1.5, 180.0),
            "rasa": {"status": "not run: no Rasa server"},
        },
        "seconds": 60.0,
    }
    results["aims"] = aims(results)
    met = {name: aim["met"] for name, aim in results["aims"].items()}
    assert met == {
        "cpu_ms_per_message_mix": False,  # 1.2 > 1.0
        "cpu_ms_4000_chars": False,  # 7.5 > 5
        "p99_ms_handle": False,  # 9 > 5
        "rss_mb_after_start": False,  # 150 > 100
        "start_to_first_answer_s": False,  # 2.5 > 1
        "chat_rps_two_workers": True,  # 650 >= 600
    }
    page = render(results)
    assert "| CPU for a 4,000-character message (ms) | 7.50 | ≤ 5.0 | no |" in page
    assert "| 4,000 | 60 | 7.50 |" in page
    assert "| p50 (ms) | 1.50 | not run: no Rasa server |" in page
    assert "`POST /webhooks/telegram` | 64 | 250" in page
    assert "make bench" in page and str(results["machine"]["cpu"]) in page
    assert Plan.make(quick=True).handle_messages < Plan.make(quick=False).handle_messages
