"""`childsafe serve` as a child process: started with a clean environment in a scratch
directory (no developer `.env`, no real tokens: nothing reaches the network), timed to its
first answer, its memory read from /proc, stopped by its pid."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx

from bench.measure import process_cpu_seconds, process_memory_mb
from bot.settings import PROJECT_ROOT, Settings

# Variables of the parent's environment never passed on: settings the benchmark sets itself.
PREFIXES_DROPPED = ("CHILDSAFE_", "TELEGRAM_", "ZALO_", "RASA_")
START_TIMEOUT = 300.0  # a cold model cache trains at start-up
PROBE = {"text": "xin chào", "session": "bench-probe"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_environment(extra: Mapping[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(PREFIXES_DROPPED)}
    env.update(extra)
    env.setdefault("PYTHONUNBUFFERED", "1")
    # the children run in scratch directories: make sure they import this checkout
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH")) if p)
    return env


class Child:
    """A Python module run as a child process in `workdir`, killed by its own pid."""

    def __init__(self, args: list[str], env: Mapping[str, str], workdir: Path) -> None:
        self.log_path = workdir / f"{args[1].replace('.', '-')}-{time.time_ns()}.log"
        self._log = self.log_path.open("wb")
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, *args],
            cwd=workdir,
            env=clean_environment(env),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def output(self) -> str:
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-4000:]

    def stop(self, grace: float = 15.0) -> None:
        """SIGTERM (uvicorn drains and closes the log), then SIGKILL if it takes too long."""
        terminate(self.process, grace)
        self._log.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class Server(Child):
    def __init__(self, env: Mapping[str, str], workdir: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = ["-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        super().__init__(args, env, workdir)

    def wait_first_answer(self, timeout: float = START_TIMEOUT) -> float:
        """Seconds from spawning to the first answered `POST /api/chat`."""
        deadline = time.monotonic() + timeout
        with httpx.Client(base_url=self.url, timeout=5.0) as client:
            while time.monotonic() < deadline:
                if not self.alive():
                    raise RuntimeError(f"the server exited:\n{self.output()}")
                try:
                    response = client.post("/api/chat", json=PROBE)
                except httpx.HTTPError:
                    time.sleep(0.02)
                    continue
                if response.status_code == 200 and response.json().get("text"):
                    return time.perf_counter() - self.started
                raise RuntimeError(f"first answer was HTTP {response.status_code}")
        raise RuntimeError(f"no answer within {timeout:.0f} s:\n{self.output()}")

    def memory(self) -> dict[str, float] | None:
        return process_memory_mb(self.pid)

    def cpu_seconds(self) -> float | None:
        return process_cpu_seconds(self.pid)


def wait_for_port(url: str, path: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(url + path, timeout=2.0)
            return
        time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


def run_loadgen(config: dict[str, Any], workdir: Path) -> dict[str, Any]:
    """One load-generator run in its own process (bench.loadgen); its JSON result."""
    path = workdir / f"loadgen-{time.time_ns()}.json"
    path.write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, "-m", "bench.loadgen", str(path)],
        cwd=workdir,
        env=clean_environment({}),
        capture_output=True,
        text=True,
        timeout=float(str(config["duration"])) + 180,
        check=False,
    )
    path.unlink(missing_ok=True)
    if completed.returncode != 0:
        raise RuntimeError(f"load generator failed:\n{completed.stderr[-4000:]}")
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert isinstance(result, dict)
    return result


# The benchmark's clients are a few hundred sessions sending as fast as they can; the
# limiter stays in the path (its buckets are checked) but never holds anyone back.
UNLIMITED = "1000000"


def server_env(settings: Settings, engine: str, tmp: Path, model_dir: Path) -> dict[str, str]:
    env = {
        "CHILDSAFE_DB": str(tmp / "serve.db"),
        "CHILDSAFE_SECRET": "bench-secret-not-real-0123456789abcdef",
        "CHILDSAFE_MODEL_DIR": str(model_dir),
        "CHILDSAFE_NLU": engine,
        "CHILDSAFE_LOG_REQUESTS": "true",
        "CHILDSAFE_RATE_LIMIT_PER_MINUTE": UNLIMITED,
    }
    if engine == "rasa":
        env["RASA_URL"] = settings.rasa_url
        env["RASA_TOKEN"] = settings.rasa_token or ""
        env["RASA_TIMEOUT_SECONDS"] = str(settings.rasa_timeout_seconds)
    return env


def terminate(process: subprocess.Popen[Any], grace: float) -> None:
    """SIGTERM, then SIGKILL if the process takes longer than `grace` seconds to go."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
