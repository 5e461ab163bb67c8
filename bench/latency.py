"""Latency per message through `Assistant.handle()`, with the request log writing to a real
SQLite file, as every channel calls it. Wall time per call (what a user waits for, minus
the network) and process CPU time per message (which other load on the machine does not
inflate); then the log is flushed and its rows counted, so no message went unlogged."""

from __future__ import annotations

import contextlib
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bench.corpus import BenchMessage
from bench.measure import load_average, summary_ms
from bot.settings import Settings
from handlers.models import IncomingMessage

WARM_UP = 200


@contextlib.contextmanager
def scratch_dir(prefix: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix=prefix) as name:
        yield Path(name)


def measure_handle(
    settings: Settings,
    messages: list[BenchMessage],
    engine: str = "embedded",
    peer_cpu: Callable[[], float | None] | None = None,
) -> dict[str, Any]:
    """`peer_cpu`: another process's CPU seconds so far (Rasa's), read over the same window,
    so that the Rasa path counts both processes."""
    from bot.wiring import build_assistant

    with scratch_dir("childsafe-bench-") as tmp:
        bench_settings = settings.model_copy(
            update={"db_path": tmp / "bench.db", "logging_enabled": True, "nlu_engine": engine}
        )
        assistant = build_assistant(bench_settings)
        request_log = assistant.request_log
        try:
            for m in messages[:WARM_UP]:  # the model loaded, caches and the log's schema made
                assistant.handle(IncomingMessage(m.text, user=f"warm-{m.user}", channel="bench"))
            if request_log is not None:
                request_log.flush(60)
            load_before = load_average()
            samples: list[float] = []
            by_kind: dict[str, list[float]] = {}
            engines: dict[str, int] = {}
            peer_started = peer_cpu() if peer_cpu else None
            cpu_started = time.process_time()
            wall_started = time.perf_counter()
            for m in messages:
                started = time.perf_counter()
                reply = assistant.handle(IncomingMessage(m.text, user=m.user, channel="bench"))
                elapsed = (time.perf_counter() - started) * 1000
                samples.append(elapsed)
                by_kind.setdefault(m.kind, []).append(elapsed)
                engines[reply.engine] = engines.get(reply.engine, 0) + 1
            wall = time.perf_counter() - wall_started
            flush_started = time.perf_counter()
            flushed = request_log.flush(120) if request_log is not None else False
            flush_seconds = time.perf_counter() - flush_started
            cpu = time.process_time() - cpu_started
            peer_ended = peer_cpu() if peer_cpu else None
            stats = request_log.stats() if request_log is not None else None
        finally:
            assistant.close()
        rows = _count_rows(tmp / "bench.db")
    if rows is not None:
        rows -= len(messages[:WARM_UP])  # the warm-up's rows
    peer_ms = None
    if peer_started is not None and peer_ended is not None:
        peer_ms = round((peer_ended - peer_started) / len(messages) * 1000, 3)
    return {
        "engine": engine,
        "peer_cpu_ms_per_message": peer_ms,
        "latency_ms": summary_ms(samples),
        "latency_ms_by_kind": {kind: summary_ms(v) for kind, v in sorted(by_kind.items())},
        "cpu_ms_per_message": round(cpu / len(messages) * 1000, 3),
        "messages_per_second_one_thread": round(len(messages) / wall, 1),
        "answered_by": dict(sorted(engines.items())),
        "log": {
            "flushed": flushed,
            "flush_seconds_after_last_message": round(flush_seconds, 3),
            "rows_written": rows,
            "failed": stats.failed if stats else None,
        },
        "load_average_before": load_before,
    }


def _count_rows(db_path: Path) -> int | None:
    try:
        with contextlib.closing(sqlite3.connect(db_path)) as conn:
            (total,) = conn.execute("SELECT COUNT(*) FROM requests").fetchone()
    except sqlite3.Error:
        return None
    return int(total)
