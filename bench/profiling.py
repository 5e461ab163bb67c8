"""Where the CPU goes (#18): `Assistant.handle()` under the standard library's cProfile, on the
benchmark's mix and on 4,000-character messages, the request log on. The top functions by
their own time and by the time under them, per message, for the targets the report explains.

cProfile sees the calling thread only: the request log's writer thread (redaction and the
SQLite commit) is not in these listings; its CPU is in the harness's process CPU figures."""

from __future__ import annotations

import cProfile
import pstats
import time
from pathlib import Path
from typing import Any

from bench.corpus import BenchMessage
from bench.latency import scratch_dir
from bench.lengths import texts_of_length
from bot.settings import PROJECT_ROOT, Settings
from handlers.models import IncomingMessage

TOP = 15
MIX_MESSAGES = 1500
LONG_MESSAGES = 40


def where(key: tuple[str, int, str]) -> str:
    """`path:line(function)`, the path relative to the project or to site-packages."""
    filename, line, name = key
    path = filename
    if filename.startswith(str(PROJECT_ROOT)):
        path = str(Path(filename).relative_to(PROJECT_ROOT))
    elif "site-packages/" in filename:
        path = filename.split("site-packages/", 1)[1]
    elif filename.startswith("~") or filename.startswith("<"):
        return name
    else:
        path = Path(filename).name
    return f"{path}:{line}({name})"


def top_functions(profile: cProfile.Profile, messages: int, top: int = TOP) -> dict[str, Any]:
    stats = pstats.Stats(profile)
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, Any]] = stats.stats  # type: ignore[attr-defined]
    total = sum(tt for _, _, tt, _, _ in raw.values())

    def rows(index: int) -> list[dict[str, Any]]:
        ordered = sorted(raw.items(), key=lambda item: item[1][index], reverse=True)[:top]
        return [
            {
                "function": where(key),
                "calls_per_message": round(nc / messages, 2),
                "own_ms_per_message": round(tt / messages * 1000, 4),
                "cumulative_ms_per_message": round(ct / messages * 1000, 4),
                "own_share": round(tt / total, 3) if total else None,
            }
            for key, (_, nc, tt, ct, _) in ordered
        ]

    return {
        "messages": messages,
        "profiled_ms_per_message": round(total / messages * 1000, 3),
        "by_own_time": rows(2),
        "by_cumulative_time": rows(3),
    }


def profile_handle(settings: Settings, messages: list[BenchMessage]) -> dict[str, Any]:
    """The mix (its first `MIX_MESSAGES`) and `LONG_MESSAGES` of 4,000 characters."""
    from bot.wiring import build_assistant

    result: dict[str, Any] = {}
    with scratch_dir("childsafe-bench-profile-") as tmp:
        assistant = build_assistant(
            settings.model_copy(update={"db_path": tmp / "profile.db", "logging_enabled": True})
        )
        try:
            for m in messages[:200]:  # warm: the model, the caches, the log's schema
                assistant.handle(IncomingMessage(m.text, user=f"warm-{m.user}", channel="bench"))
            runs = {
                "mix": [(m.text, m.user) for m in messages[:MIX_MESSAGES]],
                "4000_chars": [
                    (text, f"profile-long-{i}")
                    for i, text in enumerate(texts_of_length(4000, LONG_MESSAGES, seed=99))
                ],
            }
            for name, batch in runs.items():
                profile = cProfile.Profile(time.thread_time)  # CPU time of this thread
                profile.enable()
                for text, user in batch:
                    assistant.handle(IncomingMessage(text, user=user, channel="bench"))
                profile.disable()
                result[name] = top_functions(profile, len(batch))
            if assistant.request_log is not None:
                assistant.request_log.flush(60)
        finally:
            assistant.close()
    return result
