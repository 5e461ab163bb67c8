"""The benchmark's results as a Markdown page (bench/RESULTS.md), engines side by side."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ENGINES = ("embedded", "rasa")
Getter = Callable[[dict[str, Any]], Any]


def _num(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _engine(results: dict[str, Any], name: str) -> dict[str, Any] | None:
    section = results["engines"].get(name)
    return section if section and section.get("status") == "ok" else None


def _status(results: dict[str, Any], name: str) -> str:
    section = results["engines"].get(name) or {}
    return str(section.get("status", "not run"))


def render(results: dict[str, Any]) -> str:
    m = results["machine"]
    plan = results["plan"]
    corpus = results["messages"]
    lines = [
        "# Benchmark results",
        "",
        f"Measured {m['date']} on **{m['cpu']}**, {m['cores']} cores "
        f"({m['usable_cores']} usable), {_num(m['ram_gb'])} GB RAM, Python {m['python']}, "
        f"{m['os']}. Load average at start: {m['load_average_at_start']}"
        f"{' (quick run)' if plan['quick'] else ''}.",
        "",
        "Reproduce with `make bench` (full) or `make bench BENCH_ARGS=--quick`; the numbers come "
        "from `bench/results.json`. A shared or busy machine inflates the wall-clock "
        "figures; CPU time per message is the steadier one.",
        "",
        f"Message mix: {corpus['messages']:,} messages from {corpus['users']} senders "
        f"({', '.join(f'{k} {v}' for k, v in corpus['by_kind'].items())}); median "
        f"{corpus['chars_median']} characters, longest {corpus['chars_max']:,}.",
        "",
    ]
    engines = [e for e in ENGINES if e in results["engines"]]
    header = "| | " + " | ".join(engines) + " |"
    rule = "|---|" + "---|" * len(engines)

    lines += [
        "## Per message through `Assistant.handle()`, request log on (SQLite, WAL)",
        "",
        header,
        rule,
    ]
    rows: list[tuple[str, Getter, int]] = [
        ("p50 (ms)", lambda s: s["handle"]["latency_ms"]["p50"], 2),
        ("p95 (ms)", lambda s: s["handle"]["latency_ms"]["p95"], 2),
        ("p99 (ms)", lambda s: s["handle"]["latency_ms"]["p99"], 2),
        ("max (ms)", lambda s: s["handle"]["latency_ms"]["max"], 1),
        ("CPU per message (ms)", lambda s: s["handle"]["cpu_ms_per_message"], 2),
        ("messages/s, one thread", lambda s: s["handle"]["messages_per_second_one_thread"], 0),
        ("rows logged", lambda s: s["handle"]["log"]["rows_written"], 0),
        ("answered by", lambda s: _answered(s["handle"]["answered_by"]), 0),
    ]
    for label, get, digits in rows:
        cells = []
        for name in engines:
            section = _engine(results, name)
            cells.append(_num(get(section), digits) if section else _status(results, name))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    embedded = _engine(results, "embedded")
    if embedded:
        lines += ["", "By kind of message (embedded; p50 / p95 ms):", ""]
        lines += ["| kind | p50 | p95 | p99 |", "|---|---|---|---|"]
        for kind, s in embedded["handle"]["latency_ms_by_kind"].items():
            lines.append(
                f"| {kind} | {_num(s['p50'], 2)} | {_num(s['p95'], 2)} | {_num(s['p99'], 2)} |"
            )

    lines += [
        "",
        "## HTTP on loopback (load generator in its own process)",
        "",
        "Requests per second answered 200, latency per request (ms), and the server's CPU "
        "time per request (ms; on a shared machine the steadier figure: one core gives "
        "1000 / that many requests a second). One server process (the conversation state "
        "lives in it); the load generator takes the other core. `/api/chat` returns the "
        "answer; the Telegram webhook accepts the update (200 at once) and the reply goes to a "
        "loopback Bot API stand-in, paced by Telegram's own limits (python-telegram-bot's "
        "rate limiter, about 30 messages a second), so its CPU figure also covers answering "
        "earlier updates.",
        "",
        "| endpoint | clients | "
        + " | ".join(f"{e} req/s | p50 | p95 | p99 | server CPU/req" for e in engines)
        + " |",
        "|---|---|" + "---|---|---|---|---|" * len(engines),
    ]
    for target, label in (("chat", "`POST /api/chat`"), ("telegram", "`POST /webhooks/telegram`")):
        for index, level in enumerate(plan["levels"]):
            cells = []
            for name in engines:
                section = _engine(results, name)
                if not section or index >= len(section["http"][target]):
                    cells.append(f"{_status(results, name)} | | | |")
                    continue
                run = section["http"][target][index]
                lat = run["latency_ms"]
                bad = run["requests"] - run["ok"] + sum(run["errors"].values())
                rps = _num(run["ok_per_second"], 0) + (f" ({bad} not 200)" if bad else "")
                cells.append(
                    f"{rps} | {_num(lat.get('p50'), 1)} | {_num(lat.get('p95'), 1)} | "
                    f"{_num(lat.get('p99'), 1)} | {_num(run.get('server_cpu_ms_per_request'), 2)}"
                )
            lines.append(f"| {label} | {level} | " + " | ".join(cells) + " |")

    workers = (_engine(results, "embedded") or {}).get("workers")
    if workers:
        setups = workers["setups"]
        lines += [
            "",
            "## `/api/chat` with 1 and 2 worker processes (embedded engine, same run)",
            "",
            "`childsafe serve --workers N`: the workers share conversation state and rate "
            "limits through SQLite (`<db>-state.db`) and each commits its request-log row "
            'before answering (group commit). "log off" is one worker with '
            '`CHILDSAFE_LOG_REQUESTS=false`: the difference to "1 worker" is what logging '
            "every exchange before answering costs. The load generator shares the machine.",
            "",
            "| clients | " + " | ".join(f"{label} req/s | p50 | p95" for label in setups) + " |",
            "|---|" + "---|---|---|" * len(setups),
        ]
        for index, level in enumerate(workers["levels"]):
            cells = []
            for runs in setups.values():
                if index >= len(runs):
                    cells.append("– | | ")
                    continue
                run = runs[index]
                lat = run["latency_ms"]
                bad = run["requests"] - run["ok"] + sum(run["errors"].values())
                rps = _num(run["ok_per_second"], 0) + (f" ({bad} not 200)" if bad else "")
                cells.append(f"{rps} | {_num(lat.get('p50'), 1)} | {_num(lat.get('p95'), 1)}")
            lines.append(f"| {level} | " + " | ".join(cells) + " |")

    lines += ["", "## Memory and start-up", "", header, rule]
    mem_rows: list[tuple[str, Getter]] = [
        (
            "resident after start (MB)",
            lambda s: (s["http"].get("memory_after_start") or {}).get("rss_mb"),
        ),
        (
            "peak resident after the `/api/chat` runs (MB)",
            lambda s: (s["http"].get("memory_after_chat") or {}).get("peak_rss_mb"),
        ),
        (
            "peak resident, whole run (MB; includes the webhook's backlog of updates)",
            lambda s: (s["http"].get("memory_at_end") or {}).get("peak_rss_mb"),
        ),
        (
            "start to first answer, model cached (s)",
            lambda s: s["cold_start"].get("warm_model_cache_median"),
        ),
        (
            "start to first answer, empty model cache (s)",
            lambda s: s["cold_start"].get("empty_model_cache_median"),
        ),
    ]
    for label, get in mem_rows:
        cells = []
        for name in engines:
            section = _engine(results, name)
            cells.append(_num(get(section), 1) if section else _status(results, name))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    lengths = (_engine(results, "embedded") or {}).get("lengths")
    if lengths:
        lines += [
            "",
            "## CPU per message by length (embedded engine, request log on)",
            "",
            "Different everyday messages cut to each length, each from its own sender; process "
            "CPU time (all threads, the log writer's redaction included) per message.",
            "",
            "| characters | messages | CPU per message (ms) | handle() p50 (ms) | p99 (ms) |",
            "|---|---|---|---|---|",
        ]
        for length, row in lengths.items():
            lat = row["handle_latency_ms"]
            lines.append(
                f"| {int(length):,} | {row['messages']} | {_num(row['cpu_ms_per_message'], 2)} | "
                f"{_num(lat.get('p50'), 2)} | {_num(lat.get('p99'), 2)} |"
            )

    aims = results.get("aims") or {}
    if aims:
        labels = {
            "cpu_ms_per_message_mix": ("CPU per message on the mix, log on (ms)", "≤"),
            "cpu_ms_4000_chars": ("CPU for a 4,000-character message (ms)", "≤"),
            "p99_ms_handle": ("p99 through `handle()` (ms)", "≤"),
            "rss_mb_after_start": ("resident memory after start (MB)", "≤"),
            "start_to_first_answer_s": ("start to first answer, model cached (s)", "≤"),
            "chat_rps_two_workers": (
                "`/api/chat`, 2 workers, load generator included (req/s)",
                "≥",
            ),
        }
        lines += [
            "",
            "## Targets (issue #18, embedded engine)",
            "",
            "| measure | measured | target | met |",
            "|---|---|---|---|",
        ]
        for key, (label, sign) in labels.items():
            aim = aims.get(key)
            if not aim:
                continue
            lines.append(
                f"| {label} | {_num(aim['measured'], 2)} | {sign} {_num(aim['target'], 1)} | "
                f"{_num(aim['met'])} |"
            )
    lines += ["", f"Whole run: {results.get('seconds', 0):,.0f} s.", ""]
    return "\n".join(lines)


def _answered(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {count:,}" for name, count in counts.items())
