"""A channel that is not configured costs no import (#18): without a Telegram token or Zalo
secrets, the app imports neither python-telegram-bot nor the Zalo channel; with them, both
are mounted as before."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.app import load_features
from bot.settings import Settings
from handlers.pipeline import Assistant

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
from bot.app import create_app
from bot.settings import Settings
settings = Settings(_env_file=None, CHILDSAFE_DB=sys.argv[1], CHILDSAFE_SECRET="k" * 40,
                    CHILDSAFE_MODEL_DIR=sys.argv[2])
create_app(settings)
heavy = ("telegram", "bot.telegram", "bot.zalo.channel")
print(json.dumps(sorted(m for m in sys.modules if m == "telegram" or m.startswith(heavy[1:]))))
"""


@pytest.mark.slow
def test_channels_not_configured_are_not_imported(tmp_path: Path) -> None:
    model_dir = ROOT / ".cache" / "nlu-tests"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "c.db"), str(model_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_configured_channels_are_mounted(settings: Settings, assistant: Assistant) -> None:
    names = {f.name for f in load_features(settings, assistant)}
    assert "telegram" not in names and "zalo" not in names
    configured = settings.model_copy(
        update={"telegram_token": "123456:" + "A" * 35, "telegram_webhook_url": None}
    )
    names = {f.name for f in load_features(configured, assistant)}
    assert "telegram" in names
