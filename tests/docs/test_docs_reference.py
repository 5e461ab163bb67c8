"""The configuration reference (docs/configuration.md) names every setting and every command.

Settings are enumerated from `Settings.model_fields` (their environment names), commands by
walking the `childsafe` click group, so a setting or command added without a row fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from bot.cli import cli
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "configuration.md"
ENV_EXAMPLE = ROOT / ".env.example"


def _table_first_cells(text: str) -> list[str]:
    """The first cell of every Markdown table row."""
    cells = []
    for line in text.splitlines():
        if line.startswith("|") and not re.match(r"\|\s*-", line):
            cells.append(re.split(r"(?<!\\)\|", line)[1].strip())  # `\|` is no border
    return cells


def _env_names() -> list[str]:
    return sorted(field.alias or name.upper() for name, field in Settings.model_fields.items())


def _command_paths(group: click.Group, prefix: str = "childsafe") -> list[str]:
    paths = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        paths.append(path)
        if isinstance(command, click.Group):
            paths.extend(_command_paths(command, path))
    return paths


def _documented_commands(cells: list[str]) -> set[str]:
    """`childsafe staff add NAME [--role …]` documents "childsafe staff add" (words before
    the first argument or option)."""
    documented = set()
    for cell in cells:
        for code in re.findall(r"`(childsafe [^`]*)`", cell):
            words = []
            for word in code.split():
                if not re.fullmatch(r"[a-z][a-z0-9-]*", word):
                    break
                words.append(word)
            documented.add(" ".join(words))
    return documented


@pytest.fixture(scope="module")
def cells() -> list[str]:
    return _table_first_cells(REFERENCE.read_text(encoding="utf-8"))


def test_the_settings_and_commands_are_enumerated() -> None:
    names = _env_names()
    assert "CHILDSAFE_DB" in names and "TELEGRAM_TOKEN" in names and len(names) > 30
    paths = _command_paths(cli)
    assert "childsafe serve" in paths and "childsafe staff add" in paths


@pytest.mark.parametrize("name", _env_names())
def test_every_setting_has_a_row(name: str, cells: list[str]) -> None:
    assert f"`{name}`" in cells, f"{name} has no row in docs/configuration.md"


@pytest.mark.parametrize("name", _env_names())
def test_every_setting_is_in_the_env_example(name: str) -> None:
    """`.env.example` shows every setting, set or commented out (`# NAME=`)."""
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    assert re.search(rf"^(# )?{name}=", text, re.M), f"{name} is missing from .env.example"


@pytest.mark.parametrize("path", _command_paths(cli))
def test_every_command_has_a_row(path: str, cells: list[str]) -> None:
    assert path in _documented_commands(cells), f"`{path}` has no row in docs/configuration.md"


def test_the_reference_documents_nothing_that_does_not_exist(cells: list[str]) -> None:
    """A removed setting or command loses its row too."""
    env = set(_env_names())
    for cell in cells:
        for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", cell):
            assert name in env, f"docs/configuration.md documents {name}, which is no setting"
    assert _documented_commands(cells) <= set(_command_paths(cli))


def test_the_readme_stays_short_and_its_links_resolve() -> None:
    """The README says what it is, the two commands, a screenshot, the sketch and links; the
    rest belongs in the manual (docs/)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 200, "README.md is over 200 lines: move it into docs/"
    targets = re.findall(r"\]\(([^)#\s]+)[^)]*\)|src=\"([^\"]+)\"", readme)
    local = [a or b for a, b in targets if not (a or b).startswith(("http://", "https://"))]
    assert "docs/index.md" in local and "docs/configuration.md" in local
    for target in local:
        assert (ROOT / target).exists(), f"README.md links to {target}, which does not exist"


# Links may leave the repository only for the official source of what a page explains.
OFFICIAL_HOSTS = (
    "t.me",
    "telegram.org",
    "zalo.me",
    "zaloapp.com",
    "gov.vn",
    "rasa.com",
    "docker.com",  # the Docker deployment (docs/deploying.md)
)


def test_the_manual_links_outside_only_to_official_sources() -> None:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for host in re.findall(r"\]\(https?://([^/)\s]+)", text):
            official = any(host == h or host.endswith("." + h) for h in OFFICIAL_HOSTS)
            assert official, f"{page.relative_to(ROOT)} links to {host}: link inside the repository"
