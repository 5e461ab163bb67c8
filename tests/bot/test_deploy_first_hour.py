"""The first hour (#20): `make run PORT=… HOST=…`, readable `childsafe ask` (and `--pretty`),
progress while the models load, and `make test`'s dependency targets without root or apt-get."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAKE = shutil.which("make")
needs_make = pytest.mark.skipif(MAKE is None, reason="make is not installed")


def cli_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHILDSAFE_")}
    env["CHILDSAFE_SECRET"] = "first-hour-test-" + "0" * 32
    env["CHILDSAFE_MODEL_DIR"] = str(ROOT / ".cache" / "nlu-tests")
    env["CHILDSAFE_DB"] = str(tmp_path / "first-hour.db")
    env.update(extra)
    return env


def run_ask(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "ask", *args],
        capture_output=True,
        env=env,
        cwd=ROOT,
        timeout=180,
    )


@pytest.mark.slow
def test_ask_prints_readable_utf8_even_under_an_ascii_locale(tmp_path: Path) -> None:
    env = cli_env(tmp_path, PYTHONIOENCODING="ascii", LC_ALL="C", LANG="C")
    result = run_ask(["xin chào"], env)
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    out = result.stdout.decode("utf-8")  # raises if it is not UTF-8
    assert "\\u" not in out  # no escaped Vietnamese
    assert "Chào" in out
    assert json.loads(out)["intent"] == "greet"


@pytest.mark.slow
def test_ask_pretty_is_text_for_a_person(tmp_path: Path) -> None:
    result = run_ask(["--pretty", "thủ tục báo tin trẻ bị xâm hại"], cli_env(tmp_path))
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    out = result.stdout.decode("utf-8")
    assert not out.lstrip().startswith("{")
    first = out.splitlines()[0]
    assert first.startswith("[") and "embedded" in first  # [kind] intent (confidence, engine)
    assert "Nguồn / sources:" in out and "\n  - " in out
    assert "111" in out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.mark.slow
@needs_make
def test_make_run_serves_on_the_port_and_host_given(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(MAKE), "--no-print-directory", "run", f"PORT={port}", "HOST=127.0.0.1"],
            cwd=ROOT,
            env=cli_env(tmp_path),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # make and the server it starts: one process group
        )
    try:
        deadline = time.monotonic() + 150
        body = b""
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = r.read()
                    break
            except OSError:
                time.sleep(0.5)
        text = log.read_text(encoding="utf-8", errors="replace")
        assert body, f"no answer on port {port}: {text}"
        assert json.loads(body).get("ok", True)
        assert f"serving on http://127.0.0.1:{port}" in text
        assert "1/2 done" in text and "2/2" in text  # model progress, not silence
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


# ---------------------------------------------------------------------- deps without root
ABSENT = ["CHROMIUM=childsafe-test-no-chromium", "REDIS_SERVER=childsafe-test-no-redis"]


def run_deps(
    prefix: list[str], env: dict[str, str], cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*prefix, str(MAKE), "-s", "--no-print-directory", "browser-deps", "redis-deps", *ABSENT],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_explains_and_succeeds(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stderr
    message = result.stderr
    assert "not installing chromium fonts-noto-color-emoji (needs root and apt-get)" in message
    assert "the browser tests (tests marked browser) skip until then" in message
    assert "not installing redis-server (needs root and apt-get)" in message
    assert "sudo apt-get install redis-server" in message
    assert "apt-get update" not in result.stdout  # nothing was attempted


@pytest.mark.slow
@needs_make
def test_deps_targets_explain_instead_of_failing_for_a_non_root_user() -> None:
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: cannot drop to a non-root user")
        prefix = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
    else:
        prefix = []
        assert_explains_and_succeeds(run_deps(prefix, dict(os.environ)))
        return
    # The checkout may sit in a directory only root can enter (`mktemp -d` makes it 0700): the
    # user we drop to reads the same Makefile from a directory anyone can enter.
    readable = Path(tempfile.mkdtemp(prefix="childsafe-deps-"))
    try:
        readable.chmod(0o755)
        shutil.copy2(ROOT / "Makefile", readable / "Makefile")
        (readable / "Makefile").chmod(0o644)
        assert_explains_and_succeeds(run_deps(prefix, dict(os.environ), cwd=readable))
    finally:
        shutil.rmtree(readable, ignore_errors=True)


@pytest.mark.slow
@needs_make
def test_deps_targets_explain_instead_of_failing_without_apt_get(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"  # a PATH with `id` (and `fc-list` if any) but no apt-get
    bin_dir.mkdir()
    for tool in ("id", "fc-list", "grep"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    env = {**os.environ, "PATH": str(bin_dir)}
    assert_explains_and_succeeds(run_deps([], env))
