"""`childsafe serve` as a real child process on a loopback port: to kill it with SIGKILL, to
run two of them on one database, or several workers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.conftest import MODEL_CACHE
from tests.servers import free_port

REPO = Path(__file__).resolve().parent.parent


def server_env(db_path: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CHILDSAFE_", "TELEGRAM_", "ZALO_", "RASA_"))
    }
    env.update(
        {
            "CHILDSAFE_DB": str(db_path),
            "CHILDSAFE_SECRET": "test-secret-0123456789abcdef-0123456789",
            "CHILDSAFE_MODEL_DIR": str(MODEL_CACHE),
            "PYTHONPATH": str(REPO),
            **extra,
        }
    )
    return env


class Server:
    def __init__(self, env: dict[str, str], cwd: Path, *args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = cwd / f"server-{self.port}.log"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "serve", "--port", str(self.port), *args],
                cwd=cwd,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a kill reaches its workers too
            )

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited: {self.output()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"server not ready: {self.output()}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL, to the whole process group: nothing gets to clean up."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@contextmanager
def running(env: dict[str, str], cwd: Path, *args: str) -> Iterator[Server]:
    server = Server(env, cwd, *args)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()
