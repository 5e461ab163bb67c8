"""`childsafe ask`, `chat`, `validate`, `sources`, `eval` through the real CLI."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.console import run_console
from handlers.pipeline import Assistant
from tests.servers import CONTRACT_KEYS

ROOT = Path(__file__).resolve().parents[2]


def run_cli(
    args: list[str], stdin: str = "", tmp_path: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["CHILDSAFE_SECRET"] = "cli-test-secret-0123456789abcdef-012345"
    env["CHILDSAFE_MODEL_DIR"] = str(ROOT / ".cache" / "nlu-tests")
    if tmp_path is not None:
        env["CHILDSAFE_DB"] = str(tmp_path / "cli.db")
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


@pytest.mark.slow
def test_ask_prints_one_json_object(tmp_path: Path) -> None:
    result = run_cli(["ask", "con tôi bị bạn đánh ở trường, tôi nên làm gì"], tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    body = json.loads(lines[0])
    assert body.keys() >= CONTRACT_KEYS
    assert 0.0 <= body["confidence"] <= 1.0
    assert body["engine"] == "embedded"


@pytest.mark.slow
def test_ask_jsonl_round_trips_in_order_and_shares_users(tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": "tôi là giáo viên", "user": "t1"}, ensure_ascii=False),
        "xin chào",
        json.dumps({"text": "@intent:report_abuse", "user": "t1"}),
        json.dumps({"text": "@intent:report_abuse"}),
        "",
        json.dumps(
            {"text": "cứu em với, bố đang đánh em", "user": "kid", "channel": "zalo"},
            ensure_ascii=False,
        ),
        "{broken json",
    ]
    result = run_cli(["ask", "--jsonl"], stdin="\n".join(lines) + "\n", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert len(out) == 6  # the blank line is skipped; every other line gets exactly one object
    assert out[0]["audience"] == "teacher"
    assert out[1]["intent"] == "greet"
    assert out[2]["audience"] == "teacher"  # same user: the role carried over
    assert out[3]["audience"] != "teacher"  # no user: a fresh conversation
    assert out[4]["urgent"] is True and out[4]["hotlines"][0] == "113"  # an attack now
    assert "111" in out[4]["hotlines"]
    assert out[5]["text"]  # malformed JSON is read as plain text, never a crash


def test_ask_needs_text_or_jsonl() -> None:
    result = CliRunner().invoke(cli, ["ask"])
    assert result.exit_code != 0
    assert "TEXT" in result.output


def test_console_shows_buttons_as_numbers(assistant: Assistant) -> None:
    stdin = io.StringIO("xin chào\n3\n/khancap\n/thoat\n")
    stdout = io.StringIO()
    run_console(assistant, stdin, stdout, interactive=False)
    text = stdout.getvalue()
    assert "[1] Tôi là phụ huynh" in text
    assert "Kính chào thầy/cô" in text  # "3" picked the teacher button
    assert "113" in text  # /khancap lists the emergency lines


def test_validate_and_sources() -> None:
    runner = CliRunner()
    validated = runner.invoke(cli, ["validate"])
    assert validated.exit_code == 0, validated.output
    listed = runner.invoke(cli, ["sources"])
    assert listed.exit_code == 0
    assert "ND-56-2017" in listed.output and "56/2017/NĐ-CP" in listed.output


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help(command: str) -> None:
    assert cli.commands[command].help, command


@pytest.mark.slow
def test_eval_reports_and_fails_below_a_bar(tmp_path: Path) -> None:
    test_set = tmp_path / "t.yml"
    test_set.write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - xin chào bạn\n    - chao ad\n'
        "- intent: hotline_info\n  examples: |\n    - số tổng đài bảo vệ trẻ em là số mấy\n",
        encoding="utf-8",
    )
    ok = run_cli(["eval", "--test-set", str(test_set), "--folds", "0", "--json"])
    assert ok.returncode == 0, ok.stderr
    report = json.loads(ok.stdout)
    assert report["n"] == 3
    assert {"accuracy", "macro_f1", "per_intent", "confusions", "urgent_recall"} <= report.keys()
    too_high = run_cli(
        ["eval", "--test-set", str(test_set), "--folds", "0", "--min-accuracy", "1.01"]
    )
    assert too_high.returncode == 1
    assert "FAIL: accuracy" in too_high.stderr


def _serve_and_flood(tmp_path: Path, forwarded_allow_ips: str) -> list[int]:
    """Start `childsafe serve`, send sessionless chats from three forwarded addresses."""
    import httpx

    from tests.servers import free_port

    port = free_port()
    env = dict(os.environ)
    env.update(
        CHILDSAFE_SECRET="cli-test-secret-0123456789abcdef-012345",
        CHILDSAFE_MODEL_DIR=str(ROOT / ".cache" / "nlu-tests"),
        CHILDSAFE_DB=str(tmp_path / "serve.db"),
        CHILDSAFE_RATE_LIMIT_PER_MINUTE="1",
        CHILDSAFE_FORWARDED_ALLOW_IPS=forwarded_allow_ips,
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        statuses = []
        for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
            for _ in range(3):
                r = httpx.post(
                    f"{base}/api/chat",
                    json={"text": "xin chào"},
                    headers={"X-Forwarded-For": address},
                    timeout=10,
                )
                statuses.append(r.status_code)
        return statuses
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.slow
def test_serve_trusts_forwarded_addresses_only_when_configured(tmp_path: Path) -> None:
    untrusted = _serve_and_flood(tmp_path / "a", "")
    trusted = _serve_and_flood(tmp_path / "b", "127.0.0.1")
    # untrusted: every request comes from 127.0.0.1, one bucket, so the later ones are refused
    assert untrusted.count(200) < 3
    # trusted: each forwarded address has its own bucket and gets its first message through
    assert trusted.count(200) >= 3
    assert trusted.count(200) > untrusted.count(200)
