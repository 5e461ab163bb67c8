"""Dev check of round 4 (#12, marker `devcheck`): the adversarial messages of
tests/handlers/safety/data/dev_round4.yml (107 urgent across the 15 dangers, 85 harmless of
every hard-negative kind; regional speech, teen code, no diacritics, English and mixed, every
obfuscation style, two words and long stories), written BEFORE the round-4 fixes and never
trained on (checked below).

Measured before any change: urgent recall 96.3% (103/107), first line fits 91.6% (98/107),
English / mixed 90.0% (18/20), false alarms 14.1% (12/85). The fixes were made for the
classes of these failures (docs/safety.md, "Round 4"), so the figures after them flatter: the
floor below only shows a change that loses ground. A second part
(`tests/handlers/safety/data/dev_round4_heldout.yml`, 44 urgent / 26 harmless) was written
after the fixes and measured once before any change it led to (see HELDOUT_FLOOR)."""

from __future__ import annotations

from pathlib import Path

import pytest

from handlers.safety import assess
from handlers.safety import model as model_module
from handlers.safety.evaluate import BlindReport, evaluate_blind, load_blind
from handlers.safety.reading import read_for_safety
from nlu.text import read

pytestmark = pytest.mark.devcheck

DATA = Path(__file__).parent / "data"
SETS = ("dev_round4.yml", "dev_round4_heldout.yml")


def _report(name: str) -> BlindReport:
    return evaluate_blind(load_blind(DATA / name), judge=lambda text: assess(read(text)))


@pytest.mark.parametrize("name", SETS)
def test_the_dev_sets_are_never_trained_on(name: str) -> None:
    trained = {read_for_safety(e.text).sense for e in model_module.load_examples()}
    trained |= {read_for_safety(read(e.text).canonical).sense for e in model_module.load_examples()}
    leaked = [
        case.text
        for case in load_blind(DATA / name)
        if read_for_safety(read(case.text).canonical).sense in trained
    ]
    assert leaked == []


def test_the_round4_dev_figures() -> None:
    report = _report("dev_round4.yml")
    print("\n".join(report.lines()))
    assert report.urgent_recall.value >= 1.0, str(report.urgent_recall)
    assert report.first_line_fits.value >= 1.0, str(report.first_line_fits)
    assert report.false_alarms.value <= 0.0, str(report.false_alarms)


def test_the_heldout_figures() -> None:
    """Written after the first fixes and measured once (figures below); a floor under today's."""
    report = _report("dev_round4_heldout.yml")
    print("\n".join(report.lines()))
    assert report.urgent_recall.hits >= HELDOUT_FLOOR["urgent"], str(report.urgent_recall)
    assert report.first_line_fits.hits >= HELDOUT_FLOOR["first_line"], str(report.first_line_fits)
    assert report.false_alarms.hits <= HELDOUT_FLOOR["false_alarms"], str(report.false_alarms)


# Measured once, before the fixes it then led to: 43/44 escalated, 1/26 false alarms (41/44
# first line fits). Its five failing classes were then fixed (docs/safety.md, Round 4), so the
# floor is today's figure, and this set is no longer unseen.
HELDOUT_FLOOR = {"urgent": 44, "first_line": 44, "false_alarms": 0}
