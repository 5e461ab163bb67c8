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
        f"{m['os']}. Load average at start: {m['load_average_at_start']}, at the end: "
        f"{results.get('load_average_at_end')}{' (quick run)' if plan['quick'] else ''}.",
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
            "Each measured in this run; where one is missed, the profile below and the notes "
            "at the end say where the time goes and what was tried.",
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
    lines += comparison_section(results)
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
        ("CPU per message, our process (ms)", lambda s: s["handle"]["cpu_ms_per_message"], 2),
        (
            "CPU per message, Rasa's process (ms)",
            lambda s: s["handle"].get("peer_cpu_ms_per_message"),
            2,
        ),
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
        "## `/api/chat` on loopback (load generator in its own process)",
        "",
        "Requests per second answered 200, latency per request (ms), and CPU time per request "
        "(ms; on a shared machine the steadier figure: one core gives 1000 / that many "
        "requests a second): the server's, and for Rasa the server's + Rasa's own. One server "
        'process; the load generator shares the two cores. "Fell back": Rasa did not answer '
        "within `RASA_TIMEOUT_SECONDS` (0.8 s) or its circuit was open, and the embedded "
        "engine answered instead (those requests cost Rasa nothing).",
        "",
        "| clients | "
        + " | ".join(f"{e} req/s | p50 | p95 | p99 | CPU/req" for e in engines)
        + " |",
        "|---|" + "---|---|---|---|---|" * len(engines),
    ]
    for index, level in enumerate(plan["levels"]):
        cells = []
        for name in engines:
            section = _engine(results, name)
            if not section or index >= len(section["http"]["chat"]):
                cells.append(f"{_status(results, name)} | | | |")
                continue
            run = section["http"]["chat"][index]
            lat = run["latency_ms"]
            bad = run["requests"] - run["ok"] + sum(run["errors"].values())
            rps = _num(run["ok_per_second"], 0) + (f" ({bad} not 200)" if bad else "")
            fell_back = (run.get("answered_by") or {}).get("embedded-fallback")
            if fell_back:  # Rasa too slow: the embedded engine answered instead
                rps += f" ({fell_back:,} of {run['ok']:,} fell back)"
            cpu = _num(run.get("server_cpu_ms_per_request"), 2)
            if run.get("peer_cpu_ms_per_request") is not None:
                cpu += f" + {_num(run['peer_cpu_ms_per_request'], 2)}"
            cells.append(
                f"{rps} | {_num(lat.get('p50'), 1)} | {_num(lat.get('p95'), 1)} | "
                f"{_num(lat.get('p99'), 1)} | {cpu}"
            )
        lines.append(f"| {level} | " + " | ".join(cells) + " |")

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

    lines += webhook_section(results)
    lines += past_the_bound_section(results)
    lines += profile_section(results)
    lines += startup_section(results)
    lines += staff_section(results)
    lines += notes_section()
    lines += ["", f"Whole run: {results.get('seconds', 0):,.0f} s.", ""]
    return "\n".join(lines)


def _answered(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {count:,}" for name, count in counts.items())


def comparison_section(results: dict[str, Any]) -> list[str]:
    """Embedded, the Rasa path (both processes) and Rasa alone in one table, with ratios."""
    rows = results.get("comparison") or []
    lines = ["", "## Embedded NLU against Rasa (both processes counted)", ""]
    if not rows:
        why = _status(results, "rasa")
        return [*lines, f"Rasa: {why}. Only the embedded engine was measured.", ""]
    alone = results.get("rasa_alone") or {}
    parse = alone.get("parse") or {}
    lines += [
        "The benchmark trains (or reuses) the project's Rasa 3.6 model (`nlu/config.yml`, "
        f"{_num((alone.get('train') or {}).get('seconds'), 0)} s this run) and starts its own "
        "`rasa run --enable-api` from `.venv-rasa` with a generated token on loopback. "
        '"Rasa path" is the assistant with `CHILDSAFE_NLU=rasa`: our process and Rasa\'s '
        'together (CPU read from both, memory added). "Rasa alone" is Rasa\'s own process: '
        f"{_num(parse.get('parses'), 0)} `/model/parse` calls of the mix, folded as the "
        "assistant sends them, one after another. Ratios are against the embedded figure.",
        "",
        "| measure | embedded | Rasa path (ours + Rasa) | Rasa alone | Rasa path ÷ embedded "
        "| Rasa alone ÷ embedded |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['measure']} | {_num(row['embedded'], 2)} | {_num(row['rasa_path'], 2)} | "
            f"{_num(row['rasa_alone'], 2)} | {_ratio_cell(row['rasa_path_vs_embedded'])} | "
            f"{_ratio_cell(row['rasa_alone_vs_embedded'])} |"
        )
    return [*lines, ""]


def _ratio_cell(value: float | None) -> str:
    return "–" if value is None else f"{value:,.2f}×"


def webhook_section(results: dict[str, Any]) -> list[str]:
    measured = {
        name: section["webhooks"]
        for name in ENGINES
        if (section := _engine(results, name)) and section.get("webhooks")
    }
    if not measured:
        return []
    lines = [
        "",
        "## Telegram and Zalo webhooks, update in to reply out",
        "",
        "Against the loopback fakes of both platforms (tests/fake_telegram.py, "
        "tests/fake_zalo.py), which are also the load generator (bench/platforms.py, its own "
        "process): each simulated person posts an update to the webhook as the platform does, "
        "and waits until the answer reaches the platform's API before writing again. Replies "
        "per second are answers delivered; latency is from posting the update to the "
        "platform receiving the answer; CPU per answer is the server's (and Rasa's, after "
        "+). Telegram's answers go through python-telegram-bot's rate limiter (Telegram's "
        'limit: about 30 API calls a second per bot), and each answer is two calls ("typing…" '
        "first, then the message).",
        "",
        "| platform | engine | people | updates | answered | replies/s | p50 (ms) | p95 | p99 "
        "| CPU per answer (ms) | not answered in 60 s |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for kind in ("telegram", "zalo"):
        for engine, hooks in measured.items():
            section = hooks.get(kind) or {}
            if "closed" not in section:
                status = section.get("status", "not run")
                lines.append(f"| {kind} | {engine} | {status} | | | | | | | | |")
                continue
            for run in section["closed"]:
                lat = run["update_to_reply_ms"]
                refused = sum(v for k, v in run["statuses"].items() if k != "200")
                updates = _num(run["updates"], 0) + (f" ({refused} not 200)" if refused else "")
                cpu = _num(run.get("server_cpu_ms_per_answer"), 2)
                if run.get("peer_cpu_ms_per_answer") is not None:
                    cpu += f" + {_num(run['peer_cpu_ms_per_answer'], 2)}"
                lines.append(
                    f"| {kind} | {engine} | {run['concurrency']} | {updates} | "
                    f"{_num(run['answered'], 0)} | {_num(run['replies_per_second'], 1)} | "
                    f"{_num(lat.get('p50'), 1)} | {_num(lat.get('p95'), 1)} | "
                    f"{_num(lat.get('p99'), 1)} | {cpu} | "
                    f"{sum(run['unanswered_within_s'].values())} |"
                )
    return lines


def past_the_bound_section(results: dict[str, Any]) -> list[str]:
    hooks = (_engine(results, "embedded") or {}).get("webhooks")
    if not hooks:
        return []
    bound = hooks.get("bound")
    lines = [
        "",
        "## Past the intake's bound",
        "",
        f"A server whose intake holds {bound} updates accepted and not yet answered "
        f"(`CHILDSAFE_INBOX_MAX_PENDING={bound}`, all workers together) gets four times as "
        "many at once, from as many people, over 64 connections. Past the bound the webhook "
        "answers 503 with `Retry-After` before storing anything; the platform (here the load "
        "generator) sends each refused update again after `Retry-After`, until all are taken. "
        "Latency counts from the delivery that was taken.",
        "",
        "| platform | updates | first delivery: taken / refused | refusals with Retry-After "
        "| resend rounds | taken and answered | taken, never answered | all answered after (s) "
        "| p50 / p99 update to reply (ms) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for kind in ("telegram", "zalo"):
        run = (hooks.get(kind) or {}).get("past_the_bound")
        if not run:
            continue
        first = run["first_delivery"]
        refusals = run["refusals"]
        with_header = refusals.get("with Retry-After", 0)
        total_refusals = sum(refusals.values())
        lat = run["update_to_reply_ms"]
        lines.append(
            f"| {kind} | {run['updates']} | {first.get('200', 0)} / "
            f"{sum(v for k, v in first.items() if k != '200')} | {with_header} of "
            f"{total_refusals} | {run['resend_rounds']} | {run['answered']} of "
            f"{run['taken_in_the_end']} | {run['acknowledged_not_answered']} | "
            f"{_num(run['seconds_to_answer_all'], 1)} | {_num(lat.get('p50'), 0)} / "
            f"{_num(lat.get('p99'), 0)} |"
        )
    return lines


def profile_section(results: dict[str, Any], top: int = 12) -> list[str]:
    profile = (_engine(results, "embedded") or {}).get("profile")
    if not profile:
        return []
    lines = [
        "",
        "## Where the CPU goes (cProfile, embedded engine, request log on)",
        "",
        "`Assistant.handle()` under the standard library's cProfile with a thread-CPU clock "
        "(bench/profiling.py), after a warm-up; the calling thread only (the request log's "
        "writer thread, which redacts and commits, is not in it). Own time: in the function "
        "itself; cumulative: with everything it calls. Profiling slows Python down, so the "
        "totals are larger than the CPU figures above; the shares are what counts.",
    ]
    for name, label in (("mix", "the mix"), ("4000_chars", "4,000-character messages")):
        run = profile.get(name)
        if not run:
            continue
        lines += [
            "",
            f"**{label}** ({run['messages']:,} messages, "
            f"{_num(run['profiled_ms_per_message'], 2)} ms per message under the profiler), "
            "by own time:",
            "",
            "| function | calls/msg | own ms/msg | share | cumulative ms/msg |",
            "|---|---|---|---|---|",
        ]
        for row in run["by_own_time"][:top]:
            share = row["own_share"]
            lines.append(
                f"| `{row['function']}` | {_num(row['calls_per_message'], 1)} | "
                f"{_num(row['own_ms_per_message'], 3)} | "
                f"{'–' if share is None else f'{share:.0%}'} | "
                f"{_num(row['cumulative_ms_per_message'], 3)} |"
            )
        lines += ["", "By cumulative time (what a call costs with everything under it):", ""]
        lines += ["| function | cumulative ms/msg | calls/msg |", "|---|---|---|"]
        for row in run["by_cumulative_time"][:top]:
            lines.append(
                f"| `{row['function']}` | {_num(row['cumulative_ms_per_message'], 3)} | "
                f"{_num(row['calls_per_message'], 1)} |"
            )
    return lines


def staff_section(results: dict[str, Any]) -> list[str]:
    runs: dict[str, Any] = dict(results.get("staff_log") or {})
    million = results.get("staff_log_million")
    if million:
        runs[str(million["rows"])] = million
    if not runs:
        return []
    lines = [
        "",
        "## Staff desk on 10k, 100k and 1M logged rows (#16)",
        "",
        "A generated request log (bench/stafflog.py: 120 days, the log's own schema, "
        "triggers and daily rollup); worst of the repeated runs, in seconds. The 10k and 100k "
        "rows are measured by this run; the million rows by `python -m bench --only "
        "staff-log` (bench/staff-log.json), which generating and exporting a million rows "
        "makes too slow for every run. Aim: overview and report under 0.5 s at a million rows.",
        "",
        "| rows | overview 7 / 30 / 90 / 366 days | `childsafe report` 7 / 30 days "
        "| review counts, largest section | CSV export peak memory (MB) | measured |",
        "|---|---|---|---|---|---|",
    ]
    for rows, run in sorted(runs.items(), key=lambda item: int(item[0])):
        overview = " / ".join(_num(v["max_s"], 3) for v in run["overview"].values())
        report = " / ".join(_num(v["max_s"], 3) for v in run["report"].values())
        review = max(v["max_s"] for v in run["review_counts"].values())
        peaks = [e["peak_python_mb"] for e in run["export_csv"].values()]
        where = "bench/staff-log.json" if run is million else "this run"
        lines.append(
            f"| {int(rows):,} | {overview} | {report} | {_num(review, 3)} | "
            f"{_num(min(peaks), 1)}–{_num(max(peaks), 1)} | {where} |"
        )
    return lines


def notes_section() -> list[str]:
    """bench/notes.md, written by hand: what was tried, what the figures mean."""
    from pathlib import Path

    notes = Path(__file__).with_name("notes.md")
    if not notes.exists():
        return []
    return ["", notes.read_text(encoding="utf-8").strip()]


def startup_section(results: dict[str, Any]) -> list[str]:
    start = (_engine(results, "embedded") or {}).get("startup")
    if not start:
        return []
    lines = [
        "",
        "## Start-up and memory, stage by stage (embedded engine)",
        "",
        "A fresh interpreter (bench/startup.py, run by its path so nothing of the project is "
        "imported first) does what `childsafe serve` does before its first answer, one stage "
        "at a time: resident memory after each stage and its seconds. (uvicorn's own start "
        "and the first HTTP request come on top: compare the start-up figure above.)",
        "",
        "| stage | resident after it (MB) | seconds |",
        "|---|---|---|",
    ]
    for stage in start["stages"]:
        lines.append(
            f"| {stage['stage']} | {_num(stage['rss_mb'], 1)} | {_num(stage.get('seconds'), 3)} |"
        )
    profile = start.get("profile") or {}
    if profile.get("by_cumulative_time"):
        lines += [
            "",
            "The same under cProfile "
            f"({_num(profile.get('profiled_cpu_seconds'), 2)} s of CPU with the profiler's "
            "overhead), by cumulative time:",
            "",
            "| function | cumulative ms | calls |",
            "|---|---|---|",
        ]
        for row in profile["by_cumulative_time"]:
            lines.append(
                f"| `{row['function']}` | {_num(row['cumulative_ms_per_message'], 0)} | "
                f"{_num(row['calls_per_message'], 0)} |"
            )
    return lines
