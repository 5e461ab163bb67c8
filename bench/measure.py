"""Small measuring helpers: percentiles, the machine, a process's memory."""

from __future__ import annotations

import datetime as dt
import os
import platform
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) of already sorted values, linearly interpolated."""
    if not sorted_values:
        return float("nan")
    position = (len(sorted_values) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def summary_ms(samples_ms: Sequence[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    if not ordered:
        return {"count": 0}
    return {
        "count": len(ordered),
        "p50": round(percentile(ordered, 50), 3),
        "p95": round(percentile(ordered, 95), 3),
        "p99": round(percentile(ordered, 99), 3),
        "mean": round(sum(ordered) / len(ordered), 3),
        "max": round(ordered[-1], 3),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except (OSError, ValueError):
        pass
    return None


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def machine() -> dict[str, object]:
    """What the numbers were measured on (the report's header)."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "ram_gb": _ram_gb(),
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "load_average_at_start": load_average(),
        "packages": {
            name: _version(name)
            for name in (
                "starlette",
                "uvicorn",
                "httpx",
                "scikit-learn",
                "numpy",
                "python-telegram-bot",
                "uvloop",
                "httptools",
            )
        },
    }


def process_memory_mb(pid: int) -> dict[str, float] | None:
    """Resident memory now and at its peak (VmRSS, VmHWM) of a Linux process, in MB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found: dict[str, float] = {}
    for line in status.splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found["rss_mb" if name == "VmRSS" else "peak_rss_mb"] = round(
                int(rest.split()[0]) / 1024, 1
            )
    return found or None


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU time a Linux process has used so far (all its threads)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        ticks = os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        return None
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime (fields 14 and 15)


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if fields and int(fields[1]) == pid:  # ppid (field 4)
            found.append(int(entry.name))
    return found


def process_tree(pid: int) -> list[int]:
    """The process and every descendant it has now (a server's workers, say)."""
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(_children(current))
    return tree


def process_tree_cpu_seconds(pid: int) -> float | None:
    """CPU time used so far by a process and its living descendants."""
    values = [process_cpu_seconds(p) for p in process_tree(pid)]
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def process_tree_memory_mb(pid: int) -> dict[str, float] | None:
    """Resident memory of a process and its descendants, summed (now and at each's peak)."""
    values = [process_memory_mb(p) for p in process_tree(pid)]
    known = [v for v in values if v]
    if not known:
        return None
    return {
        "rss_mb": round(sum(v.get("rss_mb", 0.0) for v in known), 1),
        "peak_rss_mb": round(sum(v.get("peak_rss_mb", 0.0) for v in known), 1),
        "processes": len(known),
    }
