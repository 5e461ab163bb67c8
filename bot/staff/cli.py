"""Staff commands over the request log: report, purge, export-training, eval-redaction,
and the staff desk's accounts (`childsafe staff add|list|remove|passwd|unlock`).

Each command calls handlers.logquery / handlers.requestlog / handlers.redact_eval; no
logic lives here beyond parsing options and laying out text.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bot.settings import PROJECT_ROOT, Settings, get_settings

if TYPE_CHECKING:
    from bot.staff.auth import AuthStore

DEFAULT_CORPUS = PROJECT_ROOT / "tests" / "data" / "redaction_corpus.yml"
HELDOUT_CORPUS = PROJECT_ROOT / "tests" / "data" / "redaction_heldout.yml"
# (#17, round 5) a second dev split, written blind, measured once, then tuned on
DEV5_CORPUS = PROJECT_ROOT / "tests" / "data" / "redaction_dev5.yml"
DEV6_CORPUS = PROJECT_ROOT / "tests" / "data" / "redaction_dev6.yml"
# eval-redaction's named splits: the corpus and the report's title ("{name}": its file name)
REDACTION_SPLITS: dict[str, tuple[Path, str]] = {
    "heldout": (HELDOUT_CORPUS, "Held-out split ({name}, never used to tune)"),
    "dev": (DEFAULT_CORPUS, "Dev split ({name}, the rules were tuned on it)"),
    "dev5": (DEV5_CORPUS, "Dev split v5 ({name}, written blind, then tuned on)"),
    "dev6": (DEV6_CORPUS, "Dev split v6 ({name}, written blind, then tuned on)"),
}
_AGE_RE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([dwh]?)\s*", re.IGNORECASE)

db_option = click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="SQLite database of the request log (default: CHILDSAFE_DB).",
)
date_type = click.DateTime(formats=["%Y-%m-%d"])


def _settings(db: Path | None) -> Settings:
    settings = get_settings()
    return settings.model_copy(update={"db_path": db}) if db is not None else settings


def parse_age(value: str) -> float:
    """ "90d", "12w", "36h" (or a bare number of days) as days."""
    match = _AGE_RE.fullmatch(value)
    if not match:
        raise click.BadParameter(f"{value!r}: use a number with d, w or h, e.g. 90d, 12w, 36h")
    number = float(match.group(1))
    unit = match.group(2).lower() or "d"
    return number * {"d": 1.0, "w": 7.0, "h": 1 / 24}[unit]


@click.command()
@click.option("--since", type=date_type, default=None, help="First day, YYYY-MM-DD (Vietnam time).")
@click.option(
    "--until", type=date_type, default=None, help="Last day, YYYY-MM-DD (default: today)."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of text.")
@db_option
def report(
    since: dt.datetime | None, until: dt.datetime | None, as_json: bool, db: Path | None
) -> None:
    """Messages per day by topic and by channel, urgent messages, fallback rate,
    low-confidence count, review queue and failed writes (default: the last 7 days).

    Example:

        childsafe report --since 2026-11-01 --json
    """
    from handlers.logquery import LogUnavailable, connect_readonly, summary, today

    last = until.date() if until else today()
    first = since.date() if since else last - dt.timedelta(days=6)
    if first > last:
        raise click.UsageError("--since is after --until")
    settings = _settings(db)
    try:
        conn = connect_readonly(settings.db_path)
    except LogUnavailable as exc:
        raise click.ClickException(str(exc)) from exc
    with contextlib.closing(conn):
        figures = summary(conn, first, last)
    if as_json:
        click.echo(json.dumps(figures.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(format_summary(figures.to_json()))


def format_summary(data: dict[str, Any]) -> str:
    """The report as text for a terminal (Vietnamese labels: staff read it)."""
    lines = [
        f"Nhật ký yêu cầu {data['since']} → {data['until']}",
        f"  Tin nhắn: {data['total']}   khẩn cấp: {data['urgent']}   "
        f"không trả lời được: {data['fallback']} ({100 * data['fallback_rate']:.1f}%)   "
        f"độ tin cậy thấp: {data['low_confidence']}",
        f"  Chờ rà soát: {data['review_queue']}   ghi lỗi: {data['failed_writes']}"
        + (f"   bỏ qua: {data['dropped']}" if data["dropped"] else ""),
    ]
    channels = sorted(data["by_channel"], key=lambda c: -data["by_channel"][c])
    if data["days"]:
        lines += ["", "Theo ngày và kênh:"]
        header = f"  {'ngày':<10} {'tổng':>6} {'khẩn':>5} {'không TL':>8}"
        header += "".join(f" {c[:9]:>9}" for c in channels)
        lines.append(header)
        for day in data["days"]:
            row = f"  {day['day']:<10} {day['total']:>6} {day['urgent']:>5} {day['fallback']:>8}"
            row += "".join(f" {day['by_channel'].get(c, 0):>9}" for c in channels)
            lines.append(row)
        lines += ["", "Theo ngày và chủ đề:"]
        for day in data["days"]:
            topics = sorted(day["by_intent"].items(), key=lambda item: (-item[1], item[0]))
            lines.append(f"  {day['day']}: " + ", ".join(f"{i} {n}" for i, n in topics))
        lines += ["", "Chủ đề nhiều nhất:"]
        for item in data["top_intents"]:
            label = item["label"] if item["label"] != item["intent"] else ""
            lines.append(f"  {item['count']:>6}  {item['intent']:<22} {label}".rstrip())
    else:
        lines += ["", "Không có tin nhắn nào trong khoảng này."]
    return "\n".join(lines)


@click.command()
@click.option(
    "--older-than",
    "older_than",
    default=None,
    help="Age like 90d, 12w or 36h (default: CHILDSAFE_RETENTION_DAYS days).",
)
@db_option
def purge(older_than: str | None, db: Path | None) -> None:
    """Delete logged messages older than the retention period.

    Example:

        childsafe purge --older-than 90d
    """
    from handlers.requestlog import RequestLog

    settings = _settings(db)
    days = parse_age(older_than) if older_than else float(settings.retention_days)
    if days <= 0:
        raise click.BadParameter("the age must be more than zero", param_hint="--older-than")
    request_log = RequestLog.open(settings.db_path)
    try:
        removed = request_log.purge_older_than(days)
    finally:
        request_log.close()
    click.echo(f"purged {removed} row(s) older than {days:g} day(s) from {settings.db_path}")
    if settings.audit_retention_days > 0:  # the staff audit log keeps its own period (#17)
        from bot.staff.auth import auth_store

        audit_days = float(settings.audit_retention_days)
        gone = auth_store(settings).purge_audit_older_than(audit_days)
        click.echo(f"purged {gone} audit entr(ies) older than {audit_days:g} day(s)")


@click.command(name="export-training")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (default: standard output).",
)
@click.option(
    "--safety",
    is_flag=True,
    help="Write the safety labels instead (false alarm, should have been urgent, urgent "
    "replies marked fine) in the format of handlers/safety/data/train.yml.",
)
@db_option
def export_training(out: Path | None, safety: bool, db: Path | None) -> None:
    """Write the staff-labelled messages as Rasa NLU training data (YAML), by intent.

    The text is the redacted text; placeholders such as <TÊN> become neutral words
    ("An", "số này", ...) so examples read like real messages. Labels that are no intent of
    the model are left out and counted. With --safety: the reviewed safety cases as
    `{text, urgent, danger}` entries, to read and add to handlers/safety/data/train.yml.

    Example:

        childsafe export-training --out nlu/data/from_staff.yml
        childsafe export-training --safety --out reviewed-safety.yml
    """
    from handlers.logquery import LogUnavailable, connect_readonly, export_safety
    from handlers.logquery import export_training as export

    settings = _settings(db)
    try:
        conn = connect_readonly(settings.db_path)
    except LogUnavailable as exc:
        raise click.ClickException(str(exc)) from exc
    if safety:
        with contextlib.closing(conn):
            cases = export_safety(conn)
        if out is None:
            sys.stdout.write(cases.yaml_text)
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(cases.yaml_text, encoding="utf-8")
        click.echo(f"{cases.urgent} urgent and {cases.not_urgent} harmless case(s)", err=True)
        return
    with contextlib.closing(conn):
        result = export(conn)
    if out is None:
        sys.stdout.write(result.yaml_text)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(result.yaml_text, encoding="utf-8")
    click.echo(f"{result.examples} example(s) for {result.intents} intent(s)", err=True)
    for label, n in sorted(result.unknown_labels.items()):
        click.echo(f"skipped {n} message(s) labelled {label!r}: not an intent", err=True)


@click.command(name="eval-redaction")
@click.option(
    "--split",
    type=click.Choice(list(REDACTION_SPLITS)),
    default="heldout",
    show_default=True,
    help="heldout: tests/data/redaction_heldout.yml, never used to tune the rules; "
    "dev: tests/data/redaction_corpus.yml, the messages the rules were tuned on; "
    "dev5: tests/data/redaction_dev5.yml, written blind, measured once, then tuned on; "
    "dev6: tests/data/redaction_dev6.yml, written blind alongside held-out v6, tuned on.",
)
@click.option(
    "--corpus",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Another annotated corpus (overrides --split).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of text.")
@click.option("-v", "--verbose", is_flag=True, help="List every miss and false alarm.")
def eval_redaction(split: str, corpus: Path | None, as_json: bool, verbose: bool) -> None:
    """Recall and precision of the redactor per type, and protected numbers wrongly
    redacted. Exit 1 if a bar is missed: recall 0.99 for phones, IDs, emails, accounts and
    cards; 0.95 for names, addresses and dates of birth; precision 0.9 for every type.

    Example:

        childsafe eval-redaction --split heldout --json
    """
    from handlers.redact_eval import (
        CorpusError,
        evaluate,
        format_report,
        load_corpus,
        missed_bars,
    )

    path = corpus or REDACTION_SPLITS[split][0]
    if not path.exists():
        raise click.ClickException(f"no corpus at {path}; give --corpus")
    try:
        messages = load_corpus(path)
    except CorpusError as exc:
        raise click.ClickException(str(exc)) from exc
    report = evaluate(messages)
    failures = missed_bars(report)
    name = "corpus" if corpus else split
    if as_json:
        payload: dict[str, Any] = report.to_json()
        payload["split"] = name
        payload["corpus"] = str(path)
        payload["targets_met"] = not failures
        payload["targets_missed"] = failures
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        title = (
            f"Corpus {path.name}" if corpus else REDACTION_SPLITS[split][1].format(name=path.name)
        )
        click.echo(format_report(report, title))
        if verbose:
            for miss in report.misses:
                click.echo(f"miss  {miss.kind:<8} {miss.value!r}  ->  {miss.got}")
            for alarm in report.false_alarms:
                click.echo(f"alarm {alarm.kind:<8} {alarm.value!r}  ->  {alarm.got}")
            for value, text in report.protected_redacted:
                click.echo(f"protected {value!r}  ->  {text}")
        click.echo("\ntargets met" if not failures else f"\ntargets missed: {', '.join(failures)}")
    if failures:
        sys.exit(1)


PASSWORD_ENV = "CHILDSAFE_STAFF_PASSWORD"


@click.group()
def staff() -> None:
    """Accounts of the staff desk (/staff): add, list, remove, passwd, unlock.

    Passwords are read from CHILDSAFE_STAFF_PASSWORD if set, else asked for twice without
    echo on a terminal, else read as one line from standard input.

    Example:

        childsafe staff add lan --role admin
    """


def _auth(db: Path | None) -> AuthStore:
    from bot.staff.auth import auth_store

    settings = _settings(db)
    return auth_store(settings)


def _read_password() -> str:
    from bot.staff.auth import PASSWORD_RULE

    if env := os.environ.get(PASSWORD_ENV):
        return env
    if sys.stdin.isatty():
        click.echo(PASSWORD_RULE, err=True)
        password: str = click.prompt(
            "Mật khẩu / password", hide_input=True, confirmation_prompt=True, err=True
        )
        return password
    return sys.stdin.readline().rstrip("\r\n")


@staff.command(name="add")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(["viewer", "counsellor", "admin"]),
    default="viewer",
    show_default=True,
    help="viewer: read and export; counsellor: also take handoffs in the live inbox; "
    "admin: everything, with labelling and the audit log.",
)
@db_option
def staff_add(name: str, role: str, db: Path | None) -> None:
    """Add a staff user (password: see `childsafe staff --help`).

    Example:

        CHILDSAFE_STAFF_PASSWORD=... childsafe staff add lan --role admin
    """
    from bot.staff.auth import AuthError

    auth = _auth(db)
    try:
        user = auth.add_user(name, _read_password(), role)
    except AuthError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"added staff user {user.username!r} ({user.role}) to {auth.db_path}")


@staff.command(name="list")
@db_option
def staff_list(db: Path | None) -> None:
    """List staff users: name, role, created, last login."""
    users = _auth(db).users()
    if not users:
        click.echo("no staff users yet: childsafe staff add NAME [--role viewer|counsellor|admin]")
        return
    for user in users:
        click.echo(
            f"{user.username:<24} {user.role:<10} created {user.created_at[:16]}  "
            f"last login {(user.last_login_at or 'never')[:16]}"
        )


@staff.command(name="remove")
@click.argument("name")
@db_option
def staff_remove(name: str, db: Path | None) -> None:
    """Remove a staff user; their sessions end at once."""
    if not _auth(db).remove_user(name):
        raise click.ClickException(f"no staff user {name!r}")
    click.echo(f"removed staff user {name!r}")


@staff.command(name="passwd")
@click.argument("name")
@db_option
def staff_passwd(name: str, db: Path | None) -> None:
    """Set a staff user's password (read like `add`); their sessions end at once."""
    from bot.staff.auth import AuthError

    try:
        _auth(db).set_password(name, _read_password())
    except AuthError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"password changed for {name!r}")


@staff.command(name="unlock")
@click.argument("name")
@db_option
def staff_unlock(name: str, db: Path | None) -> None:
    """Forget a name's failed logins, ending a lockout (an address lock still runs out)."""
    forgotten = _auth(db).unlock(name)
    click.echo(f"unlocked {name!r} ({forgotten} failed login(s) forgotten)")


@click.command(name="privacy-check")
@click.argument("db", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--limit", default=50, show_default=True, help="Findings to list at most.")
def privacy_check(db: Path, limit: int) -> None:
    """Scan a database, every table and the full-text index included, for anything that
    looks like personal data; list where (never the datum itself). Exit 1 if any is found.
    Run it after an upgrade, and after restoring a backup.

    Example:

        childsafe privacy-check data/childsafe.db
    """
    import sqlite3

    from handlers.privacy_scan import scan_database

    try:
        report = scan_database(db)
    except sqlite3.Error as exc:
        raise click.ClickException(f"{db}: not a readable SQLite database ({exc})") from exc
    findings = report.findings or []
    for finding in findings[:limit]:
        click.echo(str(finding))
    if len(findings) > limit:
        click.echo(f"... and {len(findings) - limit} more")
    summary = f"{report.tables} table(s), {report.values} value(s) read"
    if findings:
        click.echo(f"{len(findings)} value(s) look like personal data ({summary})")
        sys.exit(1)
    click.echo(f"no personal data found ({summary})")


def register(cli: click.Group) -> None:
    for command in (report, purge, export_training, eval_redaction, privacy_check, staff):
        cli.add_command(command)
