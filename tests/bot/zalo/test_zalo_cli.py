"""`childsafe zalo status|refresh|sign` against the fake OAuth server."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.settings import Settings, get_settings
from bot.zalo.tokens import FILE_NAME
from tests.fake_zalo import (
    ACCESS_TOKEN,
    APP_ID,
    APP_SECRET,
    OA_SECRET_KEY,
    REFRESH_TOKEN,
    FakeZalo,
    event,
    signed,
)
from tests.servers import serve


@pytest.fixture
def fake() -> Iterator[FakeZalo]:
    api = FakeZalo()
    with serve(api.app) as url:
        api.url = url
        yield api


@pytest.fixture
def env(settings: Settings, fake: FakeZalo, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.chdir(settings.db_path.parent)  # no .env here
    for name in ("APP_ID", "APP_SECRET", "OA_SECRET_KEY", "ACCESS_TOKEN", "REFRESH_TOKEN"):
        monkeypatch.delenv(f"ZALO_{name}", raising=False)
    return {
        "CHILDSAFE_DB": str(settings.db_path),
        "ZALO_APP_ID": APP_ID,
        "ZALO_APP_SECRET": APP_SECRET,
        "ZALO_OA_SECRET_KEY": OA_SECRET_KEY,
        "ZALO_ACCESS_TOKEN": ACCESS_TOKEN,
        "ZALO_REFRESH_TOKEN": REFRESH_TOKEN,
        "ZALO_API_BASE_URL": fake.url,
        "ZALO_OAUTH_BASE_URL": fake.url,
    }


def run(args: list[str], env: dict[str, str], stdin: bytes | None = None) -> tuple[int, str]:
    from bot.cli import cli

    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["zalo", *args], env=env, input=stdin)
    finally:
        get_settings.cache_clear()
    return result.exit_code, result.output


def test_status_names_what_is_missing(env: dict[str, str]) -> None:
    off = {name: "" for name in env if name.startswith("ZALO_") and "URL" not in name}
    code, output = run(["status"], {**env, **off})
    assert code == 0 and output.startswith("Zalo: off") and "ZALO_OA_SECRET_KEY" in output
    code, output = run(["status"], {**env, "ZALO_OA_SECRET_KEY": "", "ZALO_REFRESH_TOKEN": ""})
    assert "incomplete; missing ZALO_OA_SECRET_KEY, ZALO_REFRESH_TOKEN" in output
    code, output = run(["status"], {**env, "CHILDSAFE_PUBLIC_URL": "https://bot.example.org/"})
    assert "Zalo: configured" in output
    assert "https://bot.example.org/webhooks/zalo" in output
    assert "from the environment (no saved pair yet)" in output


def test_refresh_saves_the_new_pair_and_status_shows_it_without_the_tokens(
    env: dict[str, str], fake: FakeZalo, settings: Settings
) -> None:
    code, output = run(["refresh"], env)
    assert code == 0, output
    assert "refreshed; new pair saved" in output
    saved = json.loads((settings.db_path.parent / FILE_NAME).read_text())
    assert saved["refresh_token"] == "refresh-1"
    assert fake.refreshes == [
        {"refresh_token": REFRESH_TOKEN, "app_id": APP_ID, "grant_type": "refresh_token"}
    ]
    code, output = run(["status"], env)
    assert "tokens: saved pair" in output and "UTC" in output
    code, output = run(["refresh"], env)  # from the saved pair, not the spent environment one
    assert code == 0 and fake.refreshes[-1]["refresh_token"] == "refresh-1"
    for secret in ("refresh-1", "refresh-2", "access-2", APP_SECRET, OA_SECRET_KEY):
        assert secret not in output


def test_a_refused_refresh_fails_with_a_pointer_to_the_readme(env: dict[str, str]) -> None:
    code, output = run(["refresh"], {**env, "ZALO_APP_SECRET": "wrong"})
    assert code != 0 and "new grant may be needed" in output
    code, output = run(["refresh"], {**env, "ZALO_REFRESH_TOKEN": ""})
    assert code != 0 and "ZALO_REFRESH_TOKEN" in output


def test_sign_prints_the_header_zalo_would_send(env: dict[str, str], tmp_path: Path) -> None:
    payload = event("user_send_text", text="xin chào")
    body, headers = signed(payload)
    path = tmp_path / "event.json"
    path.write_bytes(body)
    code, output = run(["sign", str(path)], env)
    assert code == 0, output
    assert output.strip() == headers["X-ZEvent-Signature"]
    expected = hashlib.sha256(
        APP_ID.encode() + body + payload["timestamp"].encode() + OA_SECRET_KEY.encode()
    ).hexdigest()
    assert output.strip() == f"mac={expected}"
    code, output = run(["sign", "-"], env, stdin=body)
    assert output.strip() == f"mac={expected}"
    path.write_text("[1, 2]")
    code, output = run(["sign", str(path)], env)
    assert code != 0 and "JSON object" in output
