"""Imports run one way (issue #19): bot > handlers > content > nlu, and no feature module
imports back from the app that loads it. The contracts live in pyproject.toml
([tool.importlinter]); `make check` runs `lint-imports`, and this test runs the same
contracts so `make test` catches a violation too.

The second test shows the check can fail: it copies the source tree, adds one import that
runs the wrong way, and expects the same contracts to reject it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "content", "nlu")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd), "COLUMNS": "200"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", "--config", str(cwd / "pyproject.toml")],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _copy_tree(to: Path) -> None:
    shutil.copy(ROOT / "pyproject.toml", to / "pyproject.toml")
    for package in PACKAGES:
        for source in (ROOT / package).rglob("*.py"):
            target = to / source.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)


def test_the_tree_keeps_the_import_contracts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(sys, "path", list(sys.path))  # lint_imports puts the cwd first
    status = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    out = capsys.readouterr().out
    assert status == 0, out
    assert "2 kept, 0 broken" in out


@pytest.mark.slow
@pytest.mark.parametrize(
    ("module", "bad_import", "contract"),
    [
        ("nlu/engine.py", "import bot.settings", "Layers"),
        ("content/base.py", "import handlers.models", "Layers"),
        ("handlers/pipeline.py", "import bot.wiring", "Layers"),
        ("bot/web/routes.py", "import bot.app", "Feature modules never import bot.app"),
    ],
)
def test_an_import_against_the_layers_is_caught(
    tmp_path: Path, module: str, bad_import: str, contract: str
) -> None:
    _copy_tree(tmp_path)
    target = tmp_path / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{bad_import}  # noqa\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "1 broken" in result.stdout
    assert f"{contract}" in result.stdout
    assert bad_import.split()[-1] in result.stdout
