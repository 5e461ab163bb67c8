"""Every dependency in pyproject.toml is used, every import is declared, and the lock matches.

Import names come from the installed distributions' own metadata
(`importlib.metadata.packages_distributions()`: "yaml" -> PyYAML, "sklearn" ->
scikit-learn, ...), so no table of names is kept by hand. A dependency that is used without
being imported (a tool the Makefile runs, a pytest plugin, type stubs, a library another
library loads) names the evidence of its use, and that evidence is checked too.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections.abc import Iterator
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
RUNTIME = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]
DEV = [Requirement(r) for r in PYPROJECT["project"]["optional-dependencies"]["dev"]]
PACKAGES = ("bot", "nlu", "content", "handlers")  # the installed code
FIRST_PARTY = {*PACKAGES, "bench", "tests"}
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")

# Used without an import of their own: (why, file, a pattern that shows the use there).
USED_WITHOUT_IMPORT = {
    "python-multipart": (
        "Starlette's Request.form() parses the staff desk's forms with it",
        "bot/staff/routes.py",
        r"await request\.form\(\)",
    ),
    "pytest-asyncio": (
        "the plugin that runs the async tests",
        "pyproject.toml",
        r'asyncio_mode = "auto"',
    ),
    "types-pyyaml": ("type stubs of PyYAML for mypy", "Makefile", r"\$\(BIN\)/mypy"),
    "ruff": ("lint and format check", "Makefile", r"\$\(BIN\)/ruff check"),
    "mypy": ("type check", "Makefile", r"\$\(BIN\)/mypy"),
    "mkdocs": ("the manual's build", "Makefile", r"\$\(BIN\)/mkdocs build --strict"),
    "uv": ("resolves the lock files", "Makefile", r"\$\(BIN\)/uv pip compile"),
    "pytest-xdist": ("runs make test-fast on every core", "Makefile", r"pytest -q -n auto"),
}


def _python_files(*folders: str) -> Iterator[Path]:
    for folder in folders:
        yield from (ROOT / folder).rglob("*.py")


@cache
def _imported_top_level(folders: tuple[str, ...]) -> frozenset[str]:
    names: set[str] = set()
    for path in _python_files(*folders):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
    return frozenset(names)


@cache
def _owners() -> dict[str, list[str]]:
    return dict(packages_distributions())


@cache
def _distributions_of(modules: frozenset[str]) -> dict[str, str]:
    """Third-party distribution (canonical name) -> one module of it that is imported."""
    owners = _owners()
    found: dict[str, str] = {}
    for module in sorted(modules - FIRST_PARTY - set(sys.stdlib_module_names)):
        for dist in owners.get(module, []):
            found.setdefault(canonicalize_name(dist), module)
    return found


def _name(requirement: Requirement) -> str:
    return canonicalize_name(requirement.name)


def test_the_import_scan_finds_what_the_code_imports() -> None:
    runtime = _distributions_of(_imported_top_level(PACKAGES))
    assert {"starlette", "scikit-learn", "pyyaml", "python-telegram-bot"} <= set(runtime)
    assert "pytest" in _distributions_of(_imported_top_level(("tests",)))


@pytest.mark.parametrize("requirement", RUNTIME, ids=str)
def test_every_runtime_dependency_is_imported_by_the_package(requirement: Requirement) -> None:
    name = _name(requirement)
    if name in USED_WITHOUT_IMPORT:
        return  # checked by test_every_use_without_import_is_real
    imported = _distributions_of(_imported_top_level(PACKAGES))
    assert name in imported, (
        f"{requirement.name} is a dependency but nothing in {', '.join(PACKAGES)} imports it: "
        "remove it, or name the evidence of its use in USED_WITHOUT_IMPORT"
    )


@pytest.mark.parametrize("requirement", DEV, ids=str)
def test_every_dev_dependency_is_used(requirement: Requirement) -> None:
    name = _name(requirement)
    if name in USED_WITHOUT_IMPORT:
        return
    imported = _distributions_of(_imported_top_level(("tests", "bench")))
    assert name in imported, f"{requirement.name} (dev) is imported by no test and no benchmark"


@pytest.mark.parametrize("name", sorted(USED_WITHOUT_IMPORT))
def test_every_use_without_import_is_real(name: str) -> None:
    why, file, pattern = USED_WITHOUT_IMPORT[name]
    declared = {_name(r) for r in RUNTIME + DEV}
    assert name in declared, f"{name} is listed as used ({why}) but is no dependency"
    text = (ROOT / file).read_text(encoding="utf-8")
    assert re.search(pattern, text), f"{name}: {why}, but {file} no longer shows it"


def test_every_third_party_import_is_declared() -> None:
    """A module imported by the package must come from a runtime dependency (not only through
    another one's dependencies); tests and benchmarks may also use the dev ones."""
    runtime = {_name(r) for r in RUNTIME}
    dev = {_name(r) for r in DEV}
    package = _distributions_of(_imported_top_level(PACKAGES))
    undeclared = {d: m for d, m in package.items() if d not in runtime}
    assert not undeclared, f"imported by the package but not a dependency: {undeclared}"
    others = _distributions_of(_imported_top_level(("tests", "bench")))
    undeclared = {d: m for d, m in others.items() if d not in runtime | dev}
    assert not undeclared, f"imported by tests or bench but not a dependency: {undeclared}"


def _locked(path: Path) -> dict[str, list[str]]:
    pins: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if match := re.match(r"([A-Za-z0-9._-]+)==([^\s;\\]+)", line):
            pins.setdefault(canonicalize_name(match[1]), []).append(match[2])
    return pins


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [("requirements.lock", RUNTIME), ("requirements-dev.lock", RUNTIME + DEV)],
    ids=["runtime", "dev"],
)
def test_the_locks_pin_every_dependency_within_its_range(
    lock: str, requirements: list[Requirement]
) -> None:
    """A dependency added or a range changed without `make lock` fails here."""
    path = ROOT / lock
    text = path.read_text(encoding="utf-8")
    assert "--hash=sha256:" in text
    pins = _locked(path)
    for requirement in requirements:
        versions = pins.get(_name(requirement))
        assert versions, f"{requirement.name} is not in {lock}: run `make lock`"
        for version in versions:
            assert requirement.specifier.contains(version, prereleases=True), (
                f"{lock} pins {requirement.name}=={version}, outside {requirement}: run `make lock`"
            )
    for line in text.splitlines():
        if re.match(r"[A-Za-z0-9._-]+==", line):
            assert line.rstrip().endswith("\\"), f"{lock}: {line.split()[0]} has no hash"
