"""Without the handoff (no `CHILDSAFE_CASE_KEY`), serving never imports `cryptography` (#18:
about 8 MB resident); with a key, case records are sealed and opened as before."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from handlers.handoff.crypto import CaseCipher

PROBE = """
import sys
from pathlib import Path
from bot.app import create_app
from bot.settings import Settings
from bot.wiring import build_assistant
from handlers.models import IncomingMessage

settings = Settings(
    _env_file=None,
    CHILDSAFE_DB=Path(sys.argv[1]) / "probe.db",
    CHILDSAFE_SECRET="probe-secret-not-real-0123456789abcdef",
    CHILDSAFE_MODEL_DIR=Path(sys.argv[2]),
)
assistant = build_assistant(settings)
assistant.handle(IncomingMessage("xin chào", user="probe", channel="web"))
create_app(settings, assistant)
assistant.close()
print(sorted(m for m in sys.modules if m.split(".")[0] == "cryptography"))
"""


@pytest.mark.slow  # a fresh interpreter builds the app
def test_serving_without_the_handoff_never_imports_cryptography(tmp_path: Path) -> None:
    from tests.conftest import MODEL_CACHE

    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHILDSAFE_", "TELEGRAM_"))}
    root = Path(__file__).resolve().parents[3]
    env["PYTHONPATH"] = str(root)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path), str(MODEL_CACHE)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_a_case_key_still_seals_and_opens_records() -> None:
    from cryptography.fernet import Fernet

    key = Fernet.generate_key().decode()
    cipher = CaseCipher(key)
    token = cipher.seal("địa chỉ trả lời")
    assert token != "địa chỉ trả lời".encode()
    assert cipher.open(token) == "địa chỉ trả lời"
    assert CaseCipher(Fernet.generate_key().decode()).open(token) is None  # another key
