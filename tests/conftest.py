"""Shared fixtures: a real Assistant on the real content and NLU data, logging to a tmp file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.wiring import build_assistant
from handlers.pipeline import Assistant

MODEL_CACHE = Path(__file__).resolve().parent.parent / ".cache" / "nlu-tests"

pytest_plugins = [
    "tests.browser",
    "tests.redisserver",
    "tests.slowguard",
    "pytester",
]  # live_server, browser_page, artifact_dir; redis_url; unmarked tests start no process


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # a developer's .env (a real bot token) must never reach the tests
        CHILDSAFE_DB=tmp_path / "childsafe.db",
        CHILDSAFE_SECRET="test-secret-0123456789abcdef-0123456789",
        CHILDSAFE_MODEL_DIR=MODEL_CACHE,
    )


@pytest.fixture
def assistant(settings: Settings) -> Iterator[Assistant]:
    bot = build_assistant(settings)
    yield bot
    bot.close()
