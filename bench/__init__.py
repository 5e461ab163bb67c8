"""The benchmark harness: how fast, how much memory, how quick to start (issues #8, #19).

Run from the repository root with `make bench` (`python -m bench [--quick] [--out]`). It is
not part of the installed package, nor of `make test`: speed is measured here, never asserted
in timed tests. Writes `bench/results.json` and `bench/RESULTS.md` (the machine it ran on
included). See docs/benchmarks.md.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from bot.settings import PROJECT_ROOT

STAFF_ROWS = (10_000, 100_000)


@click.command()
@click.option(
    "--quick",
    is_flag=True,
    help="Fewer messages and shorter runs (5-8 minutes with Rasa on two shared cores; a full "
    "run takes 10-15).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=PROJECT_ROOT / "bench" / "results.json",
    show_default="bench/results.json",
    help="Where the JSON results go; the Markdown table goes beside it as RESULTS.md.",
)
@click.option(
    "--only",
    type=click.Choice(["all", "staff-log"]),
    default="all",
    show_default=True,
    help="staff-log: only the staff desk over a generated large log (#16), written to "
    "bench/staff-log.json.",
)
@click.option(
    "--render",
    "render_only",
    is_flag=True,
    help="Measure nothing: write RESULTS.md again from the JSON results (after editing "
    "bench/notes.md).",
)
@click.option(
    "--rows",
    type=int,
    default=1_000_000,
    show_default=True,
    help="Rows of the generated log for `--only staff-log`.",
)
def bench(quick: bool, out: Path, only: str, render_only: bool, rows: int) -> None:
    """Benchmark: latency through handle(), HTTP throughput, the Telegram and Zalo webhooks
    from update to reply, memory, cold start, and the staff desk over generated logs.

    With .venv-rasa (`make rasa`) the benchmark trains or reuses the Rasa model, starts its
    own Rasa server and measures it alone and behind the assistant; otherwise the Rasa
    columns say why they are empty.
    """
    from bench.report import render
    from bench.run import Plan, run_all
    from bot.settings import get_settings

    def progress(line: str) -> None:
        click.echo(f"bench: {line}", err=True)

    if render_only:
        results = json.loads(out.read_text(encoding="utf-8"))
        out.with_name("RESULTS.md").write_text(render(results), encoding="utf-8")
        click.echo(f"wrote {out.with_name('RESULTS.md')} from {out}", err=True)
        return

    if only == "staff-log":
        from bench import stafflog

        staff = stafflog.run(rows, progress)
        target = out.with_name("staff-log.json")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(staff, indent=2) + "\n", encoding="utf-8")
        click.echo(f"wrote {target}", err=True)
        for name, value in staff["aims"].items():
            click.echo(f"  {name}: {value}", err=True)
        return

    results = run_all(Plan.make(quick), get_settings(), progress)
    from bench import stafflog

    # 10k and 100k rows here; the million-row figures come from bench/staff-log.json, written
    # by `--only staff-log` (generating and exporting a million rows takes minutes).
    results["staff_log"] = {
        str(n): stafflog.run(n, progress) for n in STAFF_ROWS[: 1 if quick else None]
    }
    million = PROJECT_ROOT / "bench" / "staff-log.json"
    if million.exists():
        results["staff_log_million"] = json.loads(million.read_text(encoding="utf-8"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    markdown = out.with_name("RESULTS.md")
    markdown.write_text(render(results), encoding="utf-8")
    click.echo(f"wrote {out} and {markdown}", err=True)
    for name, value in (results.get("aims") or {}).items():
        click.echo(f"  {name}: {value}", err=True)
    sys.stdout.flush()
