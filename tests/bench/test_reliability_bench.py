"""The benchmark's own parts (#8), small and fast, so `make bench` does not rot between runs:
the message mix, percentiles, the load generator against the real app on loopback, and the
report. (The webhook platforms and Rasa's measurement: tests/bench/test_bench_platform.py and
tests/bench/test_bench_rasa.py.) (The benchmark itself is `make bench`, never `make test`.)"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench import loadgen
from bench.corpus import MAX_CHARS, MIX, describe, message_set, strip_diacritics, teen_spelling
from bench.measure import machine, percentile, process_cpu_seconds, process_memory_mb
from bench.report import render
from bench.run import Plan, aims, comparison
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


def _section(rps: float, p50: float, peak: float, cpu: float = 1.2) -> dict[str, Any]:
    runs = [
        {
            "concurrency": level,
            "requests": 100,
            "ok": 100,
            "errors": {},
            "ok_per_second": rps,
            "latency_ms": {"p50": 3.0, "p95": 9.0, "p99": 20.0},
            "server_cpu_ms_per_request": 2.0,
        }
        for level in (1, 16, 64)
    ]
    return {
        "status": "ok",
        "handle": {
            "latency_ms": {"p50": p50, "p95": 4.0, "p99": 9.0, "max": 30.0},
            "latency_ms_by_kind": {"short": {"p50": 0.5, "p95": 1.0, "p99": 2.0}},
            "cpu_ms_per_message": cpu,
            "messages_per_second_one_thread": 600.0,
            "answered_by": {"embedded": 1000},
            "log": {"rows_written": 1000},
        },
        "http": {
            "chat": runs,
            "memory_after_start": {"rss_mb": 150.0},
            "memory_at_end": {"rss_mb": peak, "peak_rss_mb": peak},
        },
        "cold_start": {"warm_model_cache_median": 2.5, "empty_model_cache_median": 9.0},
        "lengths": {
            "50": {"messages": 60, "cpu_ms_per_message": 0.4, "handle_latency_ms": {"p50": 0.3}},
            "4000": {"messages": 60, "cpu_ms_per_message": 7.5, "handle_latency_ms": {"p50": 6}},
        },
        "workers": {
            "levels": [16],
            "setups": {"2 workers": [{**runs[1], "ok_per_second": 650.0}]},
        },
    }


def _results(rasa: dict[str, Any]) -> dict[str, Any]:
    return {
        "machine": machine(),
        "plan": {"quick": True, "levels": [1, 16, 64]},
        "messages": describe(message_set(100)),
        "engines": {"embedded": _section(250.0, 1.5, 180.0), "rasa": rasa},
        "seconds": 60.0,
    }


def test_the_report_shows_the_targets_and_says_why_rasa_was_not_run() -> None:
    results = _results({"status": "not run: .venv-rasa is absent"})
    results["aims"] = aims(results)
    results["comparison"] = comparison(results)
    met = {name: aim["met"] for name, aim in results["aims"].items()}
    assert met == {
        "cpu_ms_per_message_mix": False,  # 1.2 > 1.0
        "cpu_ms_4000_chars": False,  # 7.5 > 5
        "p99_ms_handle": False,  # 9 > 5
        "rss_mb_after_start": False,  # 150 > 100
        "start_to_first_answer_s": False,  # 2.5 > 1
        "chat_rps_two_workers": True,  # 650 >= 600
    }
    assert results["comparison"] == []
    page = render(results)
    assert "| CPU for a 4,000-character message (ms) | 7.50 | ≤ 5.0 | no |" in page
    assert "| 4,000 | 60 | 7.50 |" in page
    assert "| p50 (ms) | 1.50 | not run: .venv-rasa is absent |" in page
    assert "Rasa: not run: .venv-rasa is absent. Only the embedded engine" in page
    assert "| 16 | 250 | 3.0 | 9.0 | 20.0 | 2.00 |" in page
    assert "make bench" in page and str(results["machine"]["cpu"]) in page
    assert Plan.make(quick=True).handle_messages < Plan.make(quick=False).handle_messages


def test_the_rasa_path_counts_both_processes_against_embedded() -> None:
    rasa = _section(100.0, 6.0, 200.0, cpu=2.0)
    rasa["handle"]["peer_cpu_ms_per_message"] = 4.0
    rasa["http"]["chat"][1]["peer_cpu_ms_per_request"] = 3.0
    results = _results(rasa)
    results["rasa_alone"] = {
        "train": {"seconds": 20.0},
        "start_seconds": 12.0,
        "memory_after_start": {"rss_mb": 600.0},
        "memory_at_end": {"rss_mb": 650.0},
        "parse": {"parses": 1000, "cpu_ms_per_parse": 3.6, "latency_ms": {"p50": 5.0}},
    }
    zalo = {
        "concurrency": 16,
        "updates": 10,
        "answered": 10,
        "statuses": {"200": 10},
        "unanswered_within_s": {"60.0": 0},
        "update_to_reply_ms": {"p50": 8.0, "p95": 20.0, "p99": 30.0},
        "replies_per_second": 90.0,
        "server_cpu_ms_per_answer": 6.0,
    }
    results["engines"]["embedded"]["webhooks"] = {"zalo": {"closed": [zalo]}}
    rasa["webhooks"] = {
        "zalo": {"closed": [{**zalo, "replies_per_second": 45.0, "peer_cpu_ms_per_answer": 3.0}]}
    }
    rows = {row["measure"].split(" (")[0]: row for row in comparison(results)}
    answer = rows["CPU per Zalo answer, 16 people"]
    assert (answer["embedded"], answer["rasa_path"], answer["rasa_path_vs_embedded"]) == (
        6.0,
        9.0,
        1.5,
    )
    assert rows["Zalo webhook, 16 people, update to reply"]["rasa_path_vs_embedded"] == 0.5
    cpu = rows["CPU per message through `handle()`, the mix"]
    assert (cpu["embedded"], cpu["rasa_path"], cpu["rasa_alone"]) == (1.2, 6.0, 3.6)
    assert cpu["rasa_path_vs_embedded"] == 5.0 and cpu["rasa_alone_vs_embedded"] == 3.0
    memory = rows["resident memory after start"]
    assert (memory["embedded"], memory["rasa_path"], memory["rasa_alone"]) == (150, 750, 600)
    assert memory["rasa_path_vs_embedded"] == 5.0
    start = rows["start to first answer, model cached"]
    assert start["rasa_path"] == 12.0  # started together: ready when the later one is
    request = rows["CPU per `/api/chat` request, 16 clients"]
    assert request["rasa_path"] == 5.0 and request["rasa_path_vs_embedded"] == 2.5
    results["comparison"] = comparison(results)
    page = render(results)
    cpu_row = "| CPU per message through `handle()`, the mix (ms) | 1.20 | 6.00 | 3.60 | 5.00× |"
    assert cpu_row in page
    assert "| 16 | 250 | 3.0 | 9.0 | 20.0 | 2.00 | 100 | 3.0 | 9.0 | 20.0 | 2.00 + 3.00 |" in page
    assert "| zalo | rasa | 16 | 10 | 10 | 45.0 | 8.0 | 20.0 | 30.0 | 6.00 + 3.00 | 0 |" in page


@pytest.mark.slow
def test_the_start_up_probe_measures_each_stage_in_a_fresh_interpreter(tmp_path: Path) -> None:
    from bench.startup import STAGES, startup_probe
    from tests.conftest import MODEL_CACHE

    result = startup_probe(MODEL_CACHE, tmp_path, profiled=False)
    names = [stage["stage"] for stage in result["stages"]]
    assert names[0] == "bare interpreter" and len(names) == 1 + len(STAGES) + 4
    assert all(stage["rss_mb"] > 0 for stage in result["stages"])
    assert all(stage["seconds"] >= 0 for stage in result["stages"][1:])
    profiled = startup_probe(MODEL_CACHE, tmp_path, profiled=True)
    functions = [row["function"] for row in profiled["by_cumulative_time"]]
    assert any(name.startswith("handlers/pipeline.py") for name in functions)
