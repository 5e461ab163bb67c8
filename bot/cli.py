"""`childsafe`: the command line. Each command calls the Python API; no logic lives here.

Feature modules add their own commands to `cli` (see `_register_feature_commands`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import logging
import sys
from pathlib import Path
from typing import Any, TextIO

import click

from bot.settings import MissingSecretError, Settings, get_settings
from handlers.models import IncomingMessage


def _settings(db: Path | None = None, engine: str | None = None) -> Settings:
    settings = get_settings()
    updates: dict[str, Any] = {}
    if db is not None:
        updates["db_path"] = db
    if engine is not None:
        updates["nlu_engine"] = engine
    return settings.model_copy(update=updates) if updates else settings


db_option = click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="SQLite database the pipeline logs to (default: CHILDSAFE_DB).",
)
engine_option = click.option(
    "--engine", default=None, help="NLU engine: embedded (default) or rasa (CHILDSAFE_NLU)."
)


@click.group()
@click.version_option(package_name="childsafe")
@click.option("-v", "--verbose", is_flag=True, help="Log at debug level.")
def cli(verbose: bool) -> None:
    """Trợ lý thông tin bảo vệ trẻ em: child-protection information assistant for Vietnam."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # Bot API URLs carry the token
    for stream in (sys.stdout, sys.stderr):  # Vietnamese stays readable under any locale
        if isinstance(stream, io.TextIOWrapper) and stream.encoding.lower() != "utf-8":
            stream.reconfigure(encoding="utf-8")


def _line_to_message(line: str, channel: str) -> IncomingMessage | None:
    line = line.rstrip("\n")
    if not line.strip():
        return None
    if line.lstrip().startswith("{"):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            return IncomingMessage(text=line, channel=channel)
        if isinstance(obj, dict):
            user = obj.get("user")
            return IncomingMessage(
                text=str(obj.get("text") or ""),
                user=str(user) if user is not None else None,
                channel=str(obj.get("channel") or channel),
            )
    return IncomingMessage(text=line, channel=channel)


@cli.command()
@click.argument("text", required=False)
@click.option(
    "--jsonl", is_flag=True, help="Read standard input line by line; one JSON object out per line."
)
@click.option("--user", default=None, help="A user id, so several calls can share a conversation.")
@click.option("--channel", default="cli", show_default=True)
@click.option(
    "--pretty", is_flag=True, help="Text for a person to read (sources, lines, buttons), not JSON."
)
@db_option
@engine_option
def ask(
    text: str | None,
    jsonl: bool,
    user: str | None,
    channel: str,
    pretty: bool,
    db: Path | None,
    engine: str | None,
) -> None:
    """Answer one message as JSON (the scriptable interface).

    Example:

        childsafe ask "con tôi bị bạn đánh ở trường"

        childsafe ask --pretty "em bị bắt nạt trên mạng"

        printf 'xin chao\\n{"text": "toi la giao vien", "user": "u1"}\\n' | childsafe ask --jsonl
    """
    from bot.wiring import build_assistant

    if not jsonl and text is None:
        raise click.UsageError("give TEXT, or --jsonl to read standard input")
    assistant = build_assistant(_settings(db, engine))
    try:
        if not jsonl:
            reply = assistant.handle(IncomingMessage(text=text or "", user=user, channel=channel))
            if pretty:
                click.echo(format_reply(reply.to_json()))
            else:
                click.echo(json.dumps(reply.to_json(), ensure_ascii=False))
            return
        _ask_lines(assistant, sys.stdin, channel, pretty)
    finally:
        assistant.close()


def _ask_lines(assistant: Any, stream: TextIO, channel: str, pretty: bool = False) -> None:
    for line in stream:
        message = _line_to_message(line, channel)
        if message is None:
            continue
        reply = assistant.handle(message)
        if pretty:
            sys.stdout.write(format_reply(reply.to_json()) + "\n\n")
        else:
            sys.stdout.write(json.dumps(reply.to_json(), ensure_ascii=False) + "\n")
        sys.stdout.flush()


def format_reply(data: dict[str, Any]) -> str:
    """A reply (`Reply.to_json()`) as text for a person at a terminal."""
    head = f"[{data['kind']}] {data['intent']} ({data['confidence']:.2f}, {data['engine']})"
    if data["urgent"]:
        head += " URGENT " + ", ".join(data["danger"])
    lines = [head, "", str(data["text"]).strip()]
    if data["sources"]:
        lines += ["", "Nguồn / sources:"]
        for source in data["sources"]:
            title, ref = str(source["title"] or ""), str(source["ref"] or "")
            where = title if ref in title else ", ".join(p for p in (title, ref) if p)
            url = f" <{source['url']}>" if source.get("url") else ""
            lines.append(f"  - {where or source['doc']}{url}")
    if data["hotlines"]:
        lines += ["", "Đường dây / lines: " + ", ".join(str(h) for h in data["hotlines"])]
    if data["buttons"]:
        lines += ["", "Nút / buttons: " + " | ".join(str(b) for b in data["buttons"])]
    return "\n".join(lines)


@cli.command()
@db_option
@engine_option
def chat(db: Path | None, engine: str | None) -> None:
    """Chat with the assistant in the terminal; buttons appear as numbered choices."""
    from bot.console import run_console
    from bot.wiring import build_assistant

    assistant = build_assistant(_settings(db, engine))
    try:
        run_console(assistant, sys.stdin, sys.stdout, interactive=sys.stdin.isatty())
    finally:
        assistant.close()


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: CHILDSAFE_WORKERS, 1); they act as one assistant.",
)
@db_option
@engine_option
def serve(host: str, port: int, workers: int | None, db: Path | None, engine: str | None) -> None:
    """Serve the assistant: web chat, API, webhooks and the staff desk, on one port."""
    import os

    import uvicorn

    from bot.app import check_can_share, create_app
    from bot.web.branding import BrandingError
    from handlers.shared import SharedStateError

    settings = _settings(db, engine)
    count = workers or settings.workers
    _prepare_models(force=False)  # not silently inside the first request
    try:
        check_can_share(settings, count)
        app = create_app(settings)  # with several workers: only to fail here, loudly
    except (MissingSecretError, SharedStateError, BrandingError) as exc:
        raise click.ClickException(str(exc)) from exc
    plural = f" with {count} workers" if count > 1 else ""
    click.echo(f"childsafe: serving on http://{host}:{port}{plural}", err=True)
    trusted = settings.forwarded_allow_ips.strip()
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "warning",
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted or None,
    }
    if count == 1:
        uvicorn.run(app, **options)
        return
    app.state.assistant.close()  # each worker builds its own (the key file now exists)
    os.environ["CHILDSAFE_DB"] = str(settings.db_path)  # what --db / --engine chose
    os.environ["CHILDSAFE_NLU"] = settings.nlu_engine
    uvicorn.run("bot.app:app_from_env", factory=True, workers=count, **options)


def _prepare_models(force: bool) -> None:
    """Load (or, when their data changed or `force`, train) the intent and safety models,
    one progress line per step on stderr: the first training takes about half a minute."""
    import time

    from handlers.safety import safety_model
    from nlu.embedded import EmbeddedEngine

    verb = "training" if force else "loading (training if their data changed)"
    click.echo(f"childsafe: {verb} the models; the first time takes about 30 s", err=True)
    started = time.monotonic()
    click.echo("  1/2 the intent model (nlu/data) ...", err=True)
    engine = EmbeddedEngine(get_settings().model_dir)
    model = engine.retrain() if force else engine.load_or_train()
    click.echo(
        f"  1/2 done: {len(model.intents)} intents, fingerprint {model.fingerprint} "
        f"({time.monotonic() - started:.1f} s)",
        err=True,
    )
    step = time.monotonic()
    click.echo("  2/2 the safety model (handlers/safety/data) ...", err=True)
    net = safety_model(retrain=force)
    if net is None:
        click.echo("  2/2 unavailable: the safety rules run alone (see the log)", err=True)
    else:
        click.echo(
            f"  2/2 done: fingerprint {net.fingerprint} ({time.monotonic() - step:.1f} s)",
            err=True,
        )


@cli.command()
@click.option(
    "--compare/--no-compare",
    default=True,
    show_default=True,
    help="Measure the held-out figures before and after, and report what changed.",
)
def train(compare: bool) -> None:
    """Train the embedded NLU model from nlu/data and the safety model from
    handlers/safety/data/train*.yml (both cached; retrained when their data changes), then
    report the held-out figures before and after (intent accuracy and macro F1 on the NLU
    test set; urgent recall and false alarms on the blind triage corpus)."""
    model_dir = get_settings().model_dir
    if not compare:
        _prepare_models(force=True)
        return
    from bot import trainreport
    from nlu.embedded import EmbeddedEngine

    before = trainreport.measure(trainreport.scorer_of(trainreport.latest_export(model_dir)))
    _prepare_models(force=True)
    after = trainreport.measure(EmbeddedEngine(model_dir).load_or_train().scorer)
    for line in trainreport.lines(before, after):
        click.echo(line)


@cli.command()
@click.option(
    "--test-set", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None
)
@click.option("--folds", default=5, show_default=True, help="k for cross-validation (0: skip).")
@click.option("--min-accuracy", type=float, default=None)
@click.option("--min-macro-f1", type=float, default=None)
@click.option("--min-urgent-recall", type=float, default=None)
@click.option("--json", "as_json", is_flag=True)
@click.option(
    "--triage",
    is_flag=True,
    help="Measure the safety layer on the blind triage corpus instead (aggregates only).",
)
@click.option(
    "--corpus",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="With --triage: another corpus in the blind corpus's format.",
)
@click.option("--bars", is_flag=True, help="With --triage: exit 1 when a Done-when bar is not met.")
@click.option(
    "--engine",
    type=click.Choice(["embedded", "rasa", "both"]),
    default=None,
    help="Engine to measure (default: CHILDSAFE_NLU); both: side by side on the same test set.",
)
def eval(
    test_set: Path | None,
    folds: int,
    min_accuracy: float | None,
    min_macro_f1: float | None,
    min_urgent_recall: float | None,
    as_json: bool,
    triage: bool,
    corpus: Path | None,
    bars: bool,
    engine: str | None,
) -> None:
    """Evaluate the NLU on the held-out test set, like `rasa test nlu`; exit 1 below a bar.
    With --triage: the safety layer on the blind triage corpus."""
    if triage:
        _eval_triage(corpus, as_json, bars)
        return
    from bot.evalreport import run_eval

    ok = run_eval(
        _settings(),
        test_set=test_set,
        folds=folds,
        min_accuracy=min_accuracy,
        min_macro_f1=min_macro_f1,
        min_urgent_recall=min_urgent_recall,
        as_json=as_json,
        engine=engine,
    )
    if not ok:
        sys.exit(1)


def _eval_triage(corpus: Path | None, as_json: bool, bars: bool) -> None:
    from handlers.safety.evaluate import BLIND_SET, evaluate_blind, load_blind

    path = corpus or BLIND_SET
    if not path.exists():
        raise click.ClickException(f"no blind triage corpus at {path}")
    report = evaluate_blind(load_blind(path))
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        for line in report.lines():
            click.echo(line)
    if bars and not report.bars_met:
        sys.exit(1)


@cli.command()
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None)
@click.option(
    "--max-age-days",
    type=int,
    default=None,
    help="Review age: answers verified longer ago fail (default: CHILDSAFE_REVIEW_MAX_AGE_DAYS).",
)
@click.option(
    "--report", is_flag=True, help="Also print the review record (content/REVIEW.md) as a table."
)
def validate(today: dt.datetime | None, max_age_days: int | None, report: bool) -> None:
    """Check the answer base: coverage, sources, certainty, facts and their validity periods,
    replaced documents, hotlines, language, bubble size, review age."""
    from bot.wiring import deployment_from
    from content.base import load_content
    from content.validate import validate as run_validate

    settings = get_settings()
    base = load_content()
    result = run_validate(
        base,
        deployment_from(settings),
        today=today.date() if today else None,
        max_age_days=settings.review_max_age_days if max_age_days is None else max_age_days,
    )
    if report:
        from content.review import load_review, render_table

        click.echo(render_table(load_review()))
        click.echo()
    for warning in result.warnings:
        click.echo(f"warning: {warning}")
    for error in result.errors:
        click.echo(f"error: {error}", err=True)
    click.echo(
        f"{len(base.answers)} answers, {len(base.documents)} documents, {len(base.facts)} facts: "
        + ("ok" if result.ok else f"{len(result.errors)} error(s)")
    )
    if not result.ok:
        sys.exit(1)


@cli.command()
@click.option("--json", "as_json", is_flag=True)
def sources(as_json: bool) -> None:
    """List the registry of documents the answers cite, and how many answers cite each."""
    from content.base import load_content

    base = load_content()
    cited_by: dict[str, list[str]] = {doc_id: [] for doc_id in base.documents}
    for answer in base.answers.values():
        for doc_id in dict.fromkeys(s.doc for s in answer.sources):
            cited_by.setdefault(doc_id, []).append(answer.id)
    if as_json:
        payload = [
            {**dataclasses.asdict(doc), "short": doc.short, "cited_by": cited_by[doc.id]}
            for doc in base.documents.values()
        ]
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    rows = [("id", "trích dẫn", "ngày", "hiệu lực", "độ tin cậy", "số câu trả lời", "đọc ở đâu")]
    rows += [
        (
            d.id,
            d.short,
            d.date,
            d.status + (f" → {d.replaced_by}" if d.replaced_by else ""),
            d.certainty,
            str(len(cited_by[d.id])),
            d.url,
        )
        for d in base.documents.values()
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(6)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:6], widths, strict=True)]
        click.echo("  ".join([*cells, row[6]]).rstrip())


def _register_feature_commands() -> None:
    """Feature modules that add commands; each is optional so the core stands alone."""
    import importlib

    for module in ("bot.telegram.cli", "bot.zalo.cli", "bot.staff.cli"):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name and module.startswith(exc.name):
                continue
            raise
        mod.register(cli)


_register_feature_commands()


def main() -> None:
    try:
        cli()
    except MissingSecretError as exc:  # e.g. CHILDSAFE_NLU=rasa without RASA_TOKEN
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
