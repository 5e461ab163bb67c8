"""CPU per message against message length (#18): 50, 500, 2,000 and 4,000 characters.

Each length gets messages cut from the corpus's everyday sentences (no two alike, each from
its own sender, so no repeat or flood rule short-cuts them), handled through
`Assistant.handle()` with the request log on; the process CPU time (every thread: the
redaction and the writer included, after a flush) is divided by the messages handled. CPU
time, not wall time: the machine may be shared."""

from __future__ import annotations

import random
import time
from typing import Any

from bench.corpus import _load_sources
from bench.latency import scratch_dir
from bench.measure import summary_ms
from bot.settings import Settings
from handlers.models import IncomingMessage

LENGTHS = (50, 500, 2000, 4000)


def texts_of_length(length: int, count: int, seed: int = 18) -> list[str]:
    """`count` different messages of exactly `length` characters (cut at the end)."""
    _, _, everyday = _load_sources()
    rng = random.Random(seed + length)
    out = []
    for _ in range(count):
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) < length:
            parts.append(rng.choice(everyday).strip())
        out.append(" ".join(parts)[:length])
    return out


def measure_lengths(settings: Settings, per_length: int = 60) -> dict[str, Any]:
    from bot.wiring import build_assistant

    result: dict[str, Any] = {}
    with scratch_dir("childsafe-bench-lengths-") as tmp:
        bench_settings = settings.model_copy(
            update={"db_path": tmp / "bench.db", "logging_enabled": True}
        )
        assistant = build_assistant(bench_settings)
        request_log = assistant.request_log
        try:
            for i, text in enumerate(texts_of_length(500, 20, seed=1)):  # warm up
                assistant.handle(IncomingMessage(text, user=f"warm-{i}", channel="bench"))
            if request_log is not None:
                request_log.flush(60)
            for length in LENGTHS:
                texts = texts_of_length(length, per_length)
                samples = []
                cpu_started = time.process_time()
                for i, text in enumerate(texts):
                    started = time.perf_counter()
                    assistant.handle(
                        IncomingMessage(text, user=f"len{length}-{i}", channel="bench")
                    )
                    samples.append((time.perf_counter() - started) * 1000)
                if request_log is not None:
                    request_log.flush(120)
                cpu = time.process_time() - cpu_started
                result[str(length)] = {
                    "messages": len(texts),
                    "cpu_ms_per_message": round(cpu / len(texts) * 1000, 3),
                    "handle_latency_ms": summary_ms(samples),
                }
        finally:
            assistant.close()
    return result
