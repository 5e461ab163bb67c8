"""The whole benchmark, engine by engine: per-message latency, HTTP throughput, memory and
cold start; the Rasa engine side by side when a Rasa server answers at RASA_URL."""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from bench import rasa
from bench.corpus import BenchMessage, describe, message_set
from bench.latency import measure_handle, scratch_dir
from bench.lengths import measure_lengths
from bench.measure import load_average, machine
from bench.profiling import profile_handle
from bench.rasa import RasaServer
from bench.server import Server, run_loadgen, server_env
from bench.startup import startup_probe
from bench.webhooks import measure_webhooks
from bot.settings import Settings

# The targets of issue #18 (embedded engine), checked in `aims`.
TARGET_CPU_MS_PER_MESSAGE = 1.0  # on the benchmark's mix, request log on
TARGET_CPU_MS_4000_CHARS = 5.0
TARGET_P99_MS = 5.0  # through handle()
TARGET_RSS_AFTER_START_MB = 100.0
TARGET_START_SECONDS = 1.0  # start to first answer, model cached
TARGET_TWO_WORKERS_RPS = 600.0  # /api/chat, the load generator on the same cores
RASA_PARSES = 1000  # messages of the mix parsed by Rasa alone

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Plan:
    quick: bool
    handle_messages: int
    levels: tuple[int, ...]
    http_seconds: float
    http_max_requests: int
    warm_starts: int
    cold_starts: int

    @classmethod
    def make(cls, quick: bool) -> Plan:
        if quick:
            return cls(True, 1000, (1, 16, 64), 4.0, 800, 1, 1)
        return cls(False, 5000, (1, 16, 64), 15.0, 4000, 3, 1)


def bench_settings(base: Settings, tmp: Path) -> Settings:
    """Only what the benchmark needs from the caller's configuration: the model cache and
    how to reach Rasa. Nothing else of a developer's .env (no tokens) is used."""
    values: dict[str, Any] = {
        "_env_file": None,
        "CHILDSAFE_DB": tmp / "unused.db",
        "CHILDSAFE_SECRET": "bench-secret-not-real-0123456789abcdef",
        "CHILDSAFE_MODEL_DIR": base.model_dir,
        "RASA_URL": base.rasa_url,
        "RASA_TOKEN": base.rasa_token,
        "RASA_TIMEOUT_SECONDS": base.rasa_timeout_seconds,
    }
    return Settings(**values)


def measure_http(
    plan: Plan,
    settings: Settings,
    engine: str,
    messages: list[BenchMessage],
    progress: Progress,
    peer_cpu: Callable[[], float | None] | None = None,
) -> dict[str, Any]:
    """One `childsafe serve`: `/api/chat` at each concurrency, memory after each run, the
    server's CPU per request (and the peer's, Rasa's, when given). The webhooks are measured
    from update in to reply out by bench.webhooks."""
    payload = [[m.text, m.user] for m in messages]
    result: dict[str, Any] = {"chat": []}
    with scratch_dir("childsafe-bench-http-") as tmp:
        env = server_env(settings, engine, tmp, settings.model_dir)
        with Server(env, tmp) as server:
            result["start_seconds"] = round(server.wait_first_answer(), 3)
            result["memory_after_start"] = server.memory()
            for level in plan.levels:
                progress(f"{engine}: /api/chat with {level} client(s)")
                cpu_before = server.cpu_seconds()
                peer_before = peer_cpu() if peer_cpu else None
                run = run_loadgen(
                    {
                        "url": server.url,
                        "target": "chat",
                        "concurrency": level,
                        "max_requests": plan.http_max_requests,
                        "duration": plan.http_seconds,
                        "warm_up": min(50, 3 * level),
                        "messages": payload,
                    },
                    tmp,
                )
                run["load_average_after"] = load_average()
                cpu_after = server.cpu_seconds()
                peer_after = peer_cpu() if peer_cpu else None
                if cpu_before is not None and cpu_after is not None and run["requests"]:
                    # server CPU per request: steadier than req/s on a shared machine
                    used = (cpu_after - cpu_before) / int(run["requests"])
                    run["server_cpu_ms_per_request"] = round(used * 1000, 3)
                if peer_before is not None and peer_after is not None and run["requests"]:
                    used = (peer_after - peer_before) / int(run["requests"])
                    run["peer_cpu_ms_per_request"] = round(used * 1000, 3)
                run["server_memory"] = server.memory()
                result["chat"].append(run)
            result["memory_after_chat"] = server.memory()
            result["memory_at_end"] = server.memory()
            result["server_alive_at_end"] = server.alive()
    return result


WORKER_SETUPS = (
    ("1 worker", {"CHILDSAFE_WORKERS": "1"}),
    ("2 workers", {"CHILDSAFE_WORKERS": "2"}),
    ("1 worker, log off", {"CHILDSAFE_WORKERS": "1", "CHILDSAFE_LOG_REQUESTS": "false"}),
)
WORKER_LEVELS = (16, 64)


def measure_workers(
    plan: Plan, settings: Settings, messages: list[BenchMessage], progress: Progress
) -> dict[str, Any]:
    """`/api/chat` with one and two worker processes (shared state in SQLite), measured in
    the same run, and with the log off: what writing each row before answering costs."""
    payload = [[m.text, m.user] for m in messages]
    result: dict[str, Any] = {"levels": list(WORKER_LEVELS), "setups": {}}
    for label, extra in WORKER_SETUPS:
        with scratch_dir("childsafe-bench-workers-") as tmp:
            env = {**server_env(settings, "embedded", tmp, settings.model_dir), **extra}
            runs = []
            with Server(env, tmp) as server:
                server.wait_first_answer()
                for level in WORKER_LEVELS:
                    progress(f"workers: /api/chat, {label}, {level} clients")
                    run = run_loadgen(
                        {
                            "url": server.url,
                            "target": "chat",
                            "concurrency": level,
                            "max_requests": plan.http_max_requests,
                            "duration": plan.http_seconds,
                            # enough to reach (and warm) every worker before measuring
                            "warm_up": max(100, 3 * level),
                            "messages": payload,
                        },
                        tmp,
                    )
                    run["load_average_after"] = load_average()
                    runs.append(run)
            result["setups"][label] = runs
    return result


def measure_cold_start(
    plan: Plan, settings: Settings, engine: str, progress: Progress
) -> dict[str, Any]:
    """Seconds from spawning `childsafe serve` to its first `/api/chat` answer."""
    warm: list[float] = []
    cold: list[float] = []
    with scratch_dir("childsafe-bench-start-") as tmp:
        for n in range(plan.warm_starts):
            progress(f"{engine}: cold start {n + 1}/{plan.warm_starts} (model cache warm)")
            run_dir = tmp / f"warm-{n}"
            run_dir.mkdir()
            with Server(server_env(settings, engine, run_dir, settings.model_dir), run_dir) as s:
                warm.append(round(s.wait_first_answer(), 3))
        if engine == "embedded":
            for n in range(plan.cold_starts):
                progress(f"{engine}: cold start {n + 1}/{plan.cold_starts} (empty model cache)")
                run_dir = tmp / f"cold-{n}"
                run_dir.mkdir()
                empty_cache = run_dir / "model-cache"
                with Server(server_env(settings, engine, run_dir, empty_cache), run_dir) as s:
                    cold.append(round(s.wait_first_answer(), 3))
    result: dict[str, Any] = {
        "warm_model_cache_seconds": warm,
        "warm_model_cache_median": sorted(warm)[len(warm) // 2] if warm else None,
    }
    if cold:
        result["empty_model_cache_seconds"] = cold
        result["empty_model_cache_median"] = sorted(cold)[len(cold) // 2]
    return result


def run_all(plan: Plan, base: Settings, progress: Progress) -> dict[str, Any]:
    started = time.perf_counter()
    messages = message_set(plan.handle_messages)
    results: dict[str, Any] = {
        "version": 2,
        "machine": machine(),
        "plan": asdict(plan),
        "messages": describe(messages),
        "engines": {},
    }
    with scratch_dir("childsafe-bench-") as tmp, contextlib.ExitStack() as stack:
        settings = bench_settings(base, tmp)
        progress("training or loading the embedded model")
        from nlu.embedded import EmbeddedEngine

        _ = EmbeddedEngine(settings.model_dir).model  # later runs start with a warm cache
        rasa_server, why_not_rasa = start_rasa(tmp, stack, progress, results)
        for engine in ("embedded", "rasa"):
            if engine == "rasa" and (rasa_server is None or why_not_rasa is not None):
                results["engines"]["rasa"] = {"status": why_not_rasa}
                progress(str(why_not_rasa))
                continue
            section: dict[str, Any] = {"status": "ok"}
            engine_settings = settings
            peer = None
            if engine == "rasa":
                assert rasa_server is not None
                engine_settings = settings.model_copy(
                    update={"rasa_url": rasa_server.url, "rasa_token": rasa_server.token}
                )
                peer = rasa_server.cpu_seconds
            progress(f"{engine}: {len(messages)} messages through Assistant.handle()")
            section["handle"] = measure_handle(engine_settings, messages, engine, peer)
            if engine == "embedded":
                progress("embedded: CPU per message by length (50, 500, 2,000, 4,000 chars)")
                section["lengths"] = measure_lengths(settings)
                progress("embedded: profile of the mix and of 4,000-character messages")
                section["profile"] = profile_handle(settings, messages)
                progress("embedded: start-up stage by stage, then under cProfile")
                section["startup"] = {
                    "stages": startup_probe(settings.model_dir, tmp, profiled=False)["stages"],
                    "profile": startup_probe(settings.model_dir, tmp, profiled=True),
                }
            section["http"] = measure_http(plan, engine_settings, engine, messages, progress, peer)
            section["cold_start"] = measure_cold_start(plan, engine_settings, engine, progress)
            if engine == "embedded":
                section["workers"] = measure_workers(plan, settings, messages, progress)
            section["webhooks"] = measure_webhooks(
                plan, engine_settings, messages, progress, engine, peer
            )
            results["engines"][engine] = section
        if rasa_server is not None and "rasa_alone" in results:
            results["rasa_alone"]["memory_at_end"] = rasa_server.memory()
    results["aims"] = aims(results)
    results["comparison"] = comparison(results)
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["load_average_at_end"] = load_average()
    return results


def start_rasa(
    tmp: Path, stack: contextlib.ExitStack, progress: Progress, results: dict[str, Any]
) -> tuple[RasaServer | None, str | None]:
    """Train (or reuse) the Rasa model and start the benchmark's own Rasa server; measure
    Rasa alone (start-up, memory, CPU per parse) into `results["rasa_alone"]`. Without
    .venv-rasa, or if Rasa fails, the reason instead."""
    why = rasa.why_not()
    if why is not None:
        return None, why
    try:
        trained = rasa.train(progress)
        progress("rasa: starting `rasa run --enable-api` (token generated, loopback)")
        server = stack.enter_context(rasa.RasaServer(Path(trained["model"]), tmp))
        start_seconds = server.wait_ready()
        after_start = server.memory()
        progress("rasa alone: /model/parse of the mix")
        texts = [m.text for m in message_set(RASA_PARSES)]
        parses = rasa.measure_parses(server, texts)
    except (RuntimeError, OSError, subprocess.SubprocessError, httpx.HTTPError) as exc:
        reason = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__
        return None, f"not run: Rasa failed ({reason})"
    results["rasa_alone"] = {
        "train": trained,
        "start_seconds": round(start_seconds, 3),
        "memory_after_start": after_start,
        "parse": parses,
        "memory_after_parses": server.memory(),
    }
    return server, None


def aims(results: dict[str, Any]) -> dict[str, Any]:
    """The targets of issue #18, checked against the embedded engine's numbers: for each,
    (measured, target, met)."""
    embedded = results["engines"].get("embedded") or {}
    if embedded.get("status") != "ok":
        return {}
    handle = embedded["handle"]
    long = (embedded.get("lengths") or {}).get("4000") or {}
    rss = (embedded["http"].get("memory_after_start") or {}).get("rss_mb")
    start = embedded["cold_start"].get("warm_model_cache_median")
    two = ((embedded.get("workers") or {}).get("setups") or {}).get("2 workers") or []
    two_rps = max((r["ok_per_second"] for r in two), default=None)

    def at_most(value: float | None, target: float) -> dict[str, Any]:
        return {"measured": value, "target": target, "met": value is not None and value <= target}

    return {
        "cpu_ms_per_message_mix": at_most(handle["cpu_ms_per_message"], TARGET_CPU_MS_PER_MESSAGE),
        "cpu_ms_4000_chars": at_most(long.get("cpu_ms_per_message"), TARGET_CPU_MS_4000_CHARS),
        "p99_ms_handle": at_most(handle["latency_ms"].get("p99"), TARGET_P99_MS),
        "rss_mb_after_start": at_most(rss, TARGET_RSS_AFTER_START_MB),
        "start_to_first_answer_s": at_most(start, TARGET_START_SECONDS),
        "chat_rps_two_workers": {
            "measured": two_rps,
            "target": TARGET_TWO_WORKERS_RPS,
            "met": two_rps is not None and two_rps >= TARGET_TWO_WORKERS_RPS,
        },
    }


def _add(*values: float | None) -> float | None:
    return None if any(v is None for v in values) else round(sum(v for v in values if v), 3)


def _ratio(value: float | None, base: float | None) -> float | None:
    return round(value / base, 2) if value is not None and base else None


def _webhook_run(section: dict[str, Any], kind: str, level: int) -> dict[str, Any] | None:
    runs = ((section.get("webhooks") or {}).get(kind) or {}).get("closed") or []
    return next((r for r in runs if r["concurrency"] == level), None)


def comparison(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Embedded, the Rasa path (our process and Rasa's together) and Rasa alone, side by side,
    with each against the embedded figure. Empty when either engine was not measured."""
    engines = results["engines"]
    emb, ras = engines.get("embedded") or {}, engines.get("rasa") or {}
    alone = results.get("rasa_alone") or {}
    if emb.get("status") != "ok" or ras.get("status") != "ok" or not alone:
        return []

    def rss(section: dict[str, Any], key: str) -> float | None:
        return (section.get(key) or {}).get("rss_mb")

    def chat(section: dict[str, Any], level: int) -> dict[str, Any]:
        runs = section["http"]["chat"]
        return next((r for r in runs if r["concurrency"] == level), runs[-1] if runs else {})

    parse = alone["parse"]
    level = 16
    e_chat, r_chat = chat(emb, level), chat(ras, level)
    rows = [
        (
            "CPU per message through `handle()`, the mix (ms)",
            emb["handle"]["cpu_ms_per_message"],
            _add(ras["handle"]["cpu_ms_per_message"], ras["handle"].get("peer_cpu_ms_per_message")),
            parse["cpu_ms_per_parse"],
        ),
        (
            "p50 through `handle()` (ms; Rasa alone: one `/model/parse`)",
            emb["handle"]["latency_ms"]["p50"],
            ras["handle"]["latency_ms"]["p50"],
            parse["latency_ms"].get("p50"),
        ),
        (
            "p99 through `handle()` (ms; Rasa alone: one `/model/parse`)",
            emb["handle"]["latency_ms"]["p99"],
            ras["handle"]["latency_ms"]["p99"],
            parse["latency_ms"].get("p99"),
        ),
        (
            "resident memory after start (MB)",
            rss(emb["http"], "memory_after_start"),
            _add(rss(ras["http"], "memory_after_start"), rss(alone, "memory_after_start")),
            rss(alone, "memory_after_start"),
        ),
        (
            "resident memory after the runs (MB)",
            rss(emb["http"], "memory_at_end"),
            _add(rss(ras["http"], "memory_at_end"), rss(alone, "memory_at_end")),
            rss(alone, "memory_at_end"),
        ),
        (
            "start to first answer, model cached (s; both started together: the later)",
            emb["cold_start"].get("warm_model_cache_median"),
            max(
                ras["cold_start"].get("warm_model_cache_median") or 0.0,
                alone.get("start_seconds") or 0.0,
            )
            or None,
            alone.get("start_seconds"),
        ),
        (
            f"`/api/chat`, {level} clients, one worker (req/s)",
            e_chat.get("ok_per_second"),
            r_chat.get("ok_per_second"),
            None,
        ),
        (
            f"CPU per `/api/chat` request, {level} clients (ms)",
            e_chat.get("server_cpu_ms_per_request"),
            _add(r_chat.get("server_cpu_ms_per_request"), r_chat.get("peer_cpu_ms_per_request")),
            r_chat.get("peer_cpu_ms_per_request"),
        ),
    ]
    e_zalo, r_zalo = _webhook_run(emb, "zalo", level), _webhook_run(ras, "zalo", level)
    if e_zalo and r_zalo:
        rows += [
            (
                f"Zalo webhook, {level} people, update to reply (replies/s)",
                e_zalo.get("replies_per_second"),
                r_zalo.get("replies_per_second"),
                None,
            ),
            (
                f"CPU per Zalo answer, {level} people (ms)",
                e_zalo.get("server_cpu_ms_per_answer"),
                _add(r_zalo.get("server_cpu_ms_per_answer"), r_zalo.get("peer_cpu_ms_per_answer")),
                r_zalo.get("peer_cpu_ms_per_answer"),
            ),
        ]
    return [
        {
            "measure": label,
            "embedded": embedded,
            "rasa_path": path,
            "rasa_alone": rasa_alone,
            "rasa_path_vs_embedded": _ratio(path, embedded),
            "rasa_alone_vs_embedded": _ratio(rasa_alone, embedded),
        }
        for label, embedded, path, rasa_alone in rows
    ]
