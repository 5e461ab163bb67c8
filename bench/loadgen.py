"""The load generator: `python -m bench.loadgen CONFIG.json`, in its own process, so the
server under test has its CPU to itself as far as the machine allows.

`concurrency` clients (an `httpx.AsyncClient` each, one connection each) send the messages in
turn until `max_requests` are done or `duration` seconds have passed, whichever is first;
every request has a timeout. Target: `chat` (`POST /api/chat`). (The webhooks are driven by
bench/platforms.py, which also plays the platform and so sees the replies.) Prints one JSON
object.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench.measure import summary_ms

REQUEST_TIMEOUT = 30.0


async def run(config: dict[str, Any]) -> dict[str, Any]:
    url: str = config["url"]
    target: str = config.get("target", "chat")
    if target != "chat":
        raise ValueError(f"unknown target {target!r}: the load generator drives /api/chat")
    concurrency = int(config["concurrency"])
    max_requests = int(config["max_requests"])
    duration = float(config["duration"])
    warm_up = int(config.get("warm_up", 0))
    messages: list[list[str]] = config["messages"]  # [text, user]

    next_index = 0
    statuses: dict[str, int] = {}
    engines: dict[str, int] = {}
    errors: dict[str, int] = {}
    samples: list[float] = []

    def take() -> int:
        nonlocal next_index
        index = next_index
        next_index += 1
        return index

    async def one(client: httpx.AsyncClient, index: int, record: bool) -> None:
        text, user = messages[index % len(messages)]
        started = time.perf_counter()
        try:
            response = await client.post("/api/chat", json={"text": text, "session": user})
        except httpx.HTTPError as exc:
            if record:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
            return
        elapsed = (time.perf_counter() - started) * 1000
        if not record:
            return
        samples.append(elapsed)
        statuses[str(response.status_code)] = statuses.get(str(response.status_code), 0) + 1
        if response.status_code == 200:
            engine = str(response.json().get("engine"))
            engines[engine] = engines.get(engine, 0) + 1

    # One client (one keep-alive connection) per simulated user: a shared pool of 64
    # connections costs httpx more CPU per request than the server spends answering it.
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    timeout = httpx.Timeout(REQUEST_TIMEOUT)
    clients = [
        httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout) for _ in range(concurrency)
    ]
    try:
        await asyncio.gather(
            *(one(clients[n % concurrency], take(), record=False) for n in range(warm_up))
        )
        deadline = time.monotonic() + duration

        async def worker(client: httpx.AsyncClient) -> None:
            while time.monotonic() < deadline:
                index = take()
                if index >= warm_up + max_requests:
                    return
                await one(client, index, record=True)

        started = time.perf_counter()
        cpu_started = time.process_time()
        await asyncio.gather(*(worker(client) for client in clients))
        seconds = time.perf_counter() - started
        client_cpu = time.process_time() - cpu_started
    finally:
        for client in clients:
            await client.aclose()

    done = len(samples)
    ok = statuses.get("200", 0)
    return {
        "target": target,
        "concurrency": concurrency,
        "requests": done,
        "ok": ok,
        "statuses": dict(sorted(statuses.items())),
        "errors": errors,
        "seconds": round(seconds, 3),
        "requests_per_second": round(done / seconds, 1) if seconds else 0.0,
        "ok_per_second": round(ok / seconds, 1) if seconds else 0.0,
        "latency_ms": summary_ms(samples),
        "answered_by": dict(sorted(engines.items())),
        # the load generator's own CPU: on two cores it competes with the server it measures
        "client_cpu_ms_per_request": round(client_cpu / done * 1000, 3) if done else None,
    }


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m bench.loadgen CONFIG.json", file=sys.stderr)
        return 2
    config = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    result = asyncio.run(run(config))
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
