"""Telegram and Zalo webhooks from update in to reply out (#18), against the loopback fakes of
both platforms (bench.platforms, in its own process: the platform's API and its load generator).

For each platform, one `childsafe serve` with only that channel on:
- people writing and waiting for the answer (`closed`), at each concurrency of the plan: the
  replies delivered per second and the time from posting the update to the platform receiving
  the answer (p50/p95/p99), with the server's CPU time per answer;
- past the bound (`burst`): a second server whose intake holds `BOUND` updates
  (`CHILDSAFE_INBOX_MAX_PENDING`) gets four times as many at once. What it does with them:
  how many it took and refused (503, with or without `Retry-After`), whether every taken one
  was answered, and how long until all, the refused ones resent after `Retry-After`, were.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

from bench.corpus import BenchMessage
from bench.latency import scratch_dir
from bench.measure import load_average
from bench.server import Child, Server, free_port, server_env, wait_for_port

PLATFORMS = ("telegram", "zalo")
BOUND = 100  # CHILDSAFE_INBOX_MAX_PENDING of the past-the-bound run
BURST = 4 * BOUND
BURST_CONCURRENCY = 64
SECRET = "bench-webhook-secret"
Progress = Callable[[str], None]


def platform_env(kind: str, api: str) -> dict[str, str]:
    """The channel's settings pointing at the loopback platform (the fakes' credentials)."""
    if kind == "telegram":
        from tests.fake_telegram import TOKEN

        return {
            "TELEGRAM_TOKEN": TOKEN,
            "TELEGRAM_WEBHOOK_URL": "https://bench.invalid",
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "TELEGRAM_API_BASE_URL": f"{api}/bot",
        }
    from tests.fake_zalo import ACCESS_TOKEN, APP_ID, APP_SECRET, OA_SECRET_KEY, REFRESH_TOKEN

    return {
        "ZALO_APP_ID": APP_ID,
        "ZALO_APP_SECRET": APP_SECRET,
        "ZALO_OA_SECRET_KEY": OA_SECRET_KEY,
        "ZALO_ACCESS_TOKEN": ACCESS_TOKEN,
        "ZALO_REFRESH_TOKEN": REFRESH_TOKEN,
        "ZALO_API_BASE_URL": api,
        "ZALO_OAUTH_BASE_URL": api,
    }


@contextlib.contextmanager
def platform(kind: str, workdir: Path) -> Iterator[str]:
    """bench.platforms in its own process; its base URL."""
    port = free_port()
    with Child(["-m", "bench.platforms", kind, str(port)], {}, workdir) as child:
        url = f"http://127.0.0.1:{port}"
        wait_for_port(url, "/bench/stats")
        if not child.alive():
            raise RuntimeError(child.output())
        yield url


def platform_stats(url: str) -> dict[str, int]:
    with contextlib.suppress(httpx.HTTPError, ValueError):
        value = httpx.get(url + "/bench/stats", timeout=5.0).json()
        if isinstance(value, dict):
            return {str(k): int(v) for k, v in value.items()}
    return {}


def drive(api: str, config: dict[str, Any], timeout: float) -> dict[str, Any]:
    response = httpx.post(api + "/bench/run", json=config, timeout=timeout)
    response.raise_for_status()
    result = response.json()
    assert isinstance(result, dict)
    return result


def ready(kind: str, api: str, server: Server) -> None:
    server.wait_first_answer()
    if kind == "telegram":  # the Application is up once the webhook is registered
        deadline = time.monotonic() + 60
        while platform_stats(api).get("setWebhook", 0) == 0:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the webhook was never registered:\n{server.output()}")
            time.sleep(0.1)


def measure_platform(
    kind: str,
    env: dict[str, str],
    levels: tuple[int, ...],
    seconds: float,
    max_updates: int,
    texts: list[str],
    progress: Progress,
    past_the_bound: bool = True,
    peer_cpu: Callable[[], float | None] | None = None,
) -> dict[str, Any]:
    result: dict[str, Any] = {"closed": []}
    with scratch_dir(f"childsafe-bench-{kind}-") as tmp, platform(kind, tmp) as api:
        serving = {**env, **platform_env(kind, api), "CHILDSAFE_DB": str(tmp / "serve.db")}
        with Server(serving, tmp) as server:
            ready(kind, api, server)
            person = 0
            for level in levels:
                progress(f"webhooks: {kind}, {level} people writing and waiting for answers")
                cpu_before = server.cpu_seconds()
                peer_before = peer_cpu() if peer_cpu else None
                run = drive(
                    api,
                    {
                        "mode": "closed",
                        "url": server.url,
                        "secret": SECRET,
                        "concurrency": level,
                        "duration": seconds,
                        "max_updates": max_updates,
                        "warm_up": min(20, 2 * level),
                        "texts": texts,
                        "first_person": person,
                    },
                    timeout=seconds + 300,
                )
                person += level + 1000
                cpu_after = server.cpu_seconds()
                peer_after = peer_cpu() if peer_cpu else None
                if cpu_before is not None and cpu_after is not None and run["answered"]:
                    used = (cpu_after - cpu_before) / int(run["answered"])
                    run["server_cpu_ms_per_answer"] = round(used * 1000, 3)
                if peer_before is not None and peer_after is not None and run["answered"]:
                    used = (peer_after - peer_before) / int(run["answered"])
                    run["peer_cpu_ms_per_answer"] = round(used * 1000, 3)
                run["load_average_after"] = load_average()
                run["server_memory"] = server.memory()
                result["closed"].append(run)
        if not past_the_bound:
            return result
        bounded = {
            **serving,
            "CHILDSAFE_DB": str(tmp / "bounded.db"),
            "CHILDSAFE_INBOX_MAX_PENDING": str(BOUND),
        }
        with Server(bounded, tmp) as server:
            ready(kind, api, server)
            progress(f"webhooks: {kind}, {BURST} updates at once past a bound of {BOUND}")
            burst = drive(
                api,
                {
                    "mode": "burst",
                    "url": server.url,
                    "secret": SECRET,
                    "count": BURST,
                    "concurrency": BURST_CONCURRENCY,
                    "texts": texts,
                    "first_person": 1_000_000,
                },
                timeout=900,
            )
            burst["bound"] = BOUND
            burst["server_memory"] = server.memory()
            burst["server_alive_at_end"] = server.alive()
            result["past_the_bound"] = burst
    return result


def measure_webhooks(
    plan: Any,
    settings: Any,
    messages: list[BenchMessage],
    progress: Progress,
    engine: str = "embedded",
    peer_cpu: Callable[[], float | None] | None = None,
) -> dict[str, Any]:
    """Both platforms with the benchmark's server settings for `engine`; past the bound
    with the embedded engine only (the intake does not depend on the engine)."""

    texts = [m.text for m in messages]
    result: dict[str, Any] = {"levels": list(plan.levels), "bound": BOUND, "engine": engine}

    def tell(line: str) -> None:
        progress(f"{engine}: {line}")

    for kind in PLATFORMS:
        env = server_env(settings, engine, Path("unused"), settings.model_dir)
        try:
            result[kind] = measure_platform(
                kind,
                env,
                tuple(plan.levels),
                plan.http_seconds,
                plan.http_max_requests,
                texts,
                tell,
                past_the_bound=engine == "embedded",
                peer_cpu=peer_cpu,
            )
        except (RuntimeError, httpx.HTTPError) as exc:
            result[kind] = {"status": f"failed: {str(exc).strip()[:300]}"}
            progress(f"webhooks: {kind} failed: {exc}")
    return result
