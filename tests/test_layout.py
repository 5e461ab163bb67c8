"""The tests mirror the tree (#19): a test of `bot/telegram/…` lives in `tests/bot/telegram/`,
of `handlers/safety/…` in `tests/handlers/safety/`, and so on. Only project-wide tests (the
dependencies, the import layers, this layout, the slow-test guard) stay at `tests/` itself."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT_WIDE = {
    "test_dependencies.py",
    "test_import_layers.py",
    "test_layout.py",
    "test_slowguard.py",
}


def layout_faults(root: Path) -> list[str]:
    """What breaks the mirror under root/tests: stray folders, tests left at the top, folders
    that are not packages (each test module has one dotted name, imported once)."""
    tests = root / "tests"
    faults: list[str] = []
    for path in sorted(tests.rglob("test_*.py")):
        where = path.parent.relative_to(tests)
        if where == Path("."):
            if path.name not in PROJECT_WIDE:
                faults.append(f"{path.relative_to(root)}: move it beside what it tests")
            continue
        if not (root / where).is_dir():
            faults.append(f"{path.relative_to(root)}: {where}/ is not a folder of the tree")
        if not (path.parent / "__init__.py").is_file():
            faults.append(f"{path.relative_to(root)}: its folder has no __init__.py")
    return faults


def test_the_tests_mirror_the_tree() -> None:
    assert layout_faults(ROOT) == []


def test_a_test_out_of_place_is_named(tmp_path: Path) -> None:
    (tmp_path / "handlers").mkdir()
    (tmp_path / "tests" / "handlers").mkdir(parents=True)
    (tmp_path / "tests" / "handlers" / "test_ok.py").write_text("")
    (tmp_path / "tests" / "handlers" / "__init__.py").write_text("")
    assert layout_faults(tmp_path) == []

    (tmp_path / "tests" / "test_pipeline.py").write_text("")
    (tmp_path / "tests" / "channels").mkdir()
    (tmp_path / "tests" / "channels" / "test_zalo.py").write_text("")
    assert layout_faults(tmp_path) == [
        "tests/channels/test_zalo.py: channels/ is not a folder of the tree",
        "tests/channels/test_zalo.py: its folder has no __init__.py",
        "tests/test_pipeline.py: move it beside what it tests",
    ]
