"""Rasa's own process, measured (#18): the benchmark trains (or reuses) the project's Rasa
model and starts its own `rasa run --enable-api` from `.venv-rasa`, the way the test suite
does (a generated token, a free loopback port, no telemetry), then measures it alone: the
seconds from spawning to a loaded model, its resident memory, and the CPU time it spends per
`/model/parse` of the benchmark's messages (folded, as the assistant sends them). The Rasa
path (our process and Rasa's together) is measured by the rest of the harness with this
server's address; `cpu_seconds` and `memory` read Rasa's process tree from /proc.

Without `.venv-rasa` nothing is started and the reason is returned instead (`make rasa`)."""

from __future__ import annotations

import os
import secrets
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx

from bench.measure import process_tree_cpu_seconds, process_tree_memory_mb, summary_ms
from bench.server import free_port, terminate
from bot.settings import PROJECT_ROOT

RASA_VENV = PROJECT_ROOT / ".venv-rasa"
RASA = RASA_VENV / "bin" / "rasa"
# The same files `make rasa-train` writes (both gitignored): folded data and the model.
RASA_DATA = PROJECT_ROOT / "build" / "rasa-data"
RASA_CACHE = PROJECT_ROOT / "build" / "rasa-cache"
MODEL_DIR = PROJECT_ROOT / "nlu" / "models"
MODEL_NAME = "childsafe-nlu"
CONFIG = PROJECT_ROOT / "nlu" / "config.yml"
START_TIMEOUT = 300.0
TRAIN_TIMEOUT = 1800.0

Progress = Callable[[str], None]


def why_not() -> str | None:
    """None when Rasa can be started here; else why its columns stay empty."""
    if not RASA.exists():
        return "not run: .venv-rasa is absent (`make rasa` builds Rasa 3.6 with Python 3.10)"
    return None


def rasa_env(cache: Path = RASA_CACHE) -> dict[str, str]:
    """The Makefile's RASA_ENV: no telemetry (no network), Rasa's cache under build/."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RASA_")}
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        RASA_CACHE_DIRECTORY=str(cache),
        TF_CPP_MIN_LOG_LEVEL="2",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        PYTHONWARNINGS="ignore",
    )
    return env


def train(
    progress: Progress,
    config: Path = CONFIG,
    out: Path = MODEL_DIR,
    data: Path = RASA_DATA,
    name: str = MODEL_NAME,
) -> dict[str, Any]:
    """`make rasa-train` without make: folded nlu/data, then `rasa train nlu` (Rasa itself
    skips the work when nothing changed). The model's path and the seconds it took."""
    from nlu.export_folded import export

    started = time.perf_counter()
    export(PROJECT_ROOT / "nlu" / "data", data)
    progress("rasa: training (or reusing) the NLU model with .venv-rasa")
    done = subprocess.run(
        [
            str(RASA),
            "train",
            "nlu",
            "--config",
            str(config),
            "--nlu",
            str(data),
            "--out",
            str(out),
            "--fixed-model-name",
            name,
        ],
        cwd=PROJECT_ROOT,
        env=rasa_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TRAIN_TIMEOUT,
        check=False,
    )
    model = out / f"{name}.tar.gz"
    if done.returncode != 0 or not model.exists():
        raise RuntimeError(f"rasa train failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return {"model": str(model), "seconds": round(time.perf_counter() - started, 1)}


class RasaServer:
    """`rasa run --enable-api` on a free loopback port with a generated token."""

    def __init__(self, model: Path, workdir: Path, port: int | None = None) -> None:
        self.model = model
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = secrets.token_urlsafe(32)
        self.log_path = workdir / f"rasa-run-{time.time_ns()}.log"
        self._log = self.log_path.open("wb")
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [
                str(RASA),
                "run",
                "--enable-api",
                "-m",
                str(model),
                # One argument with "=": a token may begin with "-" (token_urlsafe does, 1 in 64)
                f"--auth-token={self.token}",
                "-i",
                "127.0.0.1",
                "-p",
                str(self.port),
            ],
            cwd=workdir,
            env=rasa_env(),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-3000:]

    def wait_ready(self, timeout: float = START_TIMEOUT) -> float:
        """Seconds from spawning until `/status` names a loaded model."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"rasa run exited:\n{self.output()}")
            try:
                status = httpx.get(
                    f"{self.url}/status", params={"token": self.token}, timeout=2, trust_env=False
                )
                if status.status_code == 200 and status.json().get("model_file"):
                    return time.perf_counter() - self.started
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"rasa run not ready in {timeout:.0f} s:\n{self.output()}")

    def cpu_seconds(self) -> float | None:
        return process_tree_cpu_seconds(self.pid)

    def memory(self) -> dict[str, float] | None:
        return process_tree_memory_mb(self.pid)

    def stop(self) -> None:
        terminate(self.process, 20)
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


def measure_parses(server: RasaServer, texts: Sequence[str], warm_up: int = 50) -> dict[str, Any]:
    """Rasa alone: `POST /model/parse` of each text in turn over one keep-alive connection;
    the wall time per parse and Rasa's own CPU time per parse (its process tree)."""
    from nlu.text import read

    folded = [read(text).folded or "." for text in texts]
    samples: list[float] = []
    intents: dict[str, int] = {}
    with httpx.Client(
        base_url=server.url, params={"token": server.token}, timeout=30, trust_env=False
    ) as client:
        for text in folded[:warm_up]:
            client.post("/model/parse", json={"text": text}).raise_for_status()
        cpu_before = server.cpu_seconds()
        started = time.perf_counter()
        for text in folded:
            began = time.perf_counter()
            response = client.post("/model/parse", json={"text": text})
            samples.append((time.perf_counter() - began) * 1000)
            response.raise_for_status()
            name = str((response.json().get("intent") or {}).get("name"))
            intents[name] = intents.get(name, 0) + 1
        wall = time.perf_counter() - started
        cpu_after = server.cpu_seconds()
    cpu_ms = None
    if cpu_before is not None and cpu_after is not None:
        cpu_ms = round((cpu_after - cpu_before) / len(folded) * 1000, 3)
    return {
        "parses": len(folded),
        "cpu_ms_per_parse": cpu_ms,
        "latency_ms": summary_ms(samples),
        "parses_per_second_one_client": round(len(folded) / wall, 1) if wall else None,
        "intents_seen": len(intents),
    }
