"""Where the server's start goes (#18): `python bench/startup.py MODEL_DIR WORKDIR [--profile]`
in a fresh interpreter that imports nothing of the project before it starts measuring (run
by its path, not with -m, so that not even the bench package is imported first). Stage
by stage (the big libraries, the project's modules, building the assistant, the first answer,
the web app): resident memory after each and its seconds; with `--profile`, the standard
library's cProfile over all of it instead (the seconds are then the profiler's, not real).
Prints one JSON object. `startup_probe` runs it from the harness."""

from __future__ import annotations

import cProfile
import importlib
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

STAGES = (
    ("NumPy", "numpy"),
    ("Starlette, uvicorn, httpx", "uvicorn"),
    ("the project's modules", "bot.app"),
)
# imported by the server only with Telegram on: measured last, after the web app
TELEGRAM = ("python-telegram-bot (only with Telegram on)", "telegram.ext")
TOP = 15


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def startup(model_dir: Path, workdir: Path, profiled: bool) -> dict[str, Any]:
    stages: list[dict[str, Any]] = [{"stage": "bare interpreter", "rss_mb": _rss_mb()}]
    profile = cProfile.Profile(time.process_time)
    if profiled:
        profile.enable()

    def mark(name: str, began: float) -> None:
        stages.append(
            {"stage": name, "rss_mb": _rss_mb(), "seconds": round(time.perf_counter() - began, 3)}
        )

    for label, module in STAGES:
        began = time.perf_counter()
        importlib.import_module(module)
        mark(f"import {label}", began)
    from bot.app import create_app
    from bot.settings import Settings
    from bot.wiring import build_assistant
    from handlers.models import IncomingMessage

    values: dict[str, Any] = {
        "_env_file": None,
        "CHILDSAFE_DB": workdir / "startup.db",
        "CHILDSAFE_SECRET": "bench-secret-not-real-0123456789abcdef",
        "CHILDSAFE_MODEL_DIR": model_dir,
    }
    settings = Settings(**values)
    began = time.perf_counter()
    assistant = build_assistant(settings)
    mark("build the assistant", began)
    began = time.perf_counter()
    assistant.handle(IncomingMessage("xin chào", user="startup", channel="bench"))
    mark("the first answer (models loaded, patterns compiled)", began)
    began = time.perf_counter()
    create_app(settings, assistant)
    mark("the web app", began)
    began = time.perf_counter()
    importlib.import_module(TELEGRAM[1])
    mark(f"import {TELEGRAM[0]}", began)
    profile.disable()
    assistant.close()
    result: dict[str, Any] = {"stages": stages}
    if profiled:
        from bench.profiling import top_functions

        listing = top_functions(profile, 1, top=80)
        result["profiled_cpu_seconds"] = round(listing["profiled_ms_per_message"] / 1000, 3)
        result["by_cumulative_time"] = [
            row
            for row in listing["by_cumulative_time"]
            if ":" in row["function"]
            and "_bootstrap" not in row["function"]
            and not row["function"].startswith("__init__.py")
        ][:TOP]
    return result


def startup_probe(model_dir: Path, workdir: Path, profiled: bool) -> dict[str, Any]:
    """One run of this module in a fresh interpreter (the harness's clean environment)."""
    from bench.server import clean_environment

    args = [sys.executable, str(Path(__file__).resolve()), str(model_dir), str(workdir)]
    done = subprocess.run(
        args + (["--profile"] if profiled else []),
        cwd=workdir,
        env=clean_environment({}),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench/startup.py failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert isinstance(result, dict)
    return result


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3) or (len(argv) == 3 and argv[2] != "--profile"):
        print("usage: python bench/startup.py MODEL_DIR WORKDIR [--profile]", file=sys.stderr)
        return 2
    print(json.dumps(startup(Path(argv[0]), Path(argv[1]), len(argv) == 3)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
