"""Dev set 4 (#12, helper safety3): nlu/tests/triage_dev4.yml, 201 messages (105 urgent over
the 15 dangers, 52 disguised; 96 harmless, 8 of each of 12 hard-negative kinds) written blind by
another helper in the blind corpora's format. It was TUNED ON: its failures were read, their
classes fixed (pinned in other words in test_safety_round5.py), and a third of it was copied into
handlers/safety/data/train_dev4.yml, so its figures are not blind.

Measured once before any change it led to (after the round-5 fixes written from the team's own
probes): urgent recall 83.8% (88/105), obfuscated 84.6% (44/52), first line fits 75.2%
(79/105), false alarms 8.3% (8/96). On the code before round 5: 79.0%, 80.8%, 72.4%, 9.4%.
The floor below is today's figure, so a change that loses ground on it fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from handlers.safety import assess
from handlers.safety.evaluate import evaluate_blind, load_blind
from nlu.text import read

pytestmark = pytest.mark.slow

DEV4 = Path(__file__).parents[3] / "nlu" / "tests" / "triage_dev4.yml"
# 105 / 105 when tuned; after the round-5 widening corpus (1,661 messages) one sextortion
# message whose threat names only where ("đe dọa tung lên tiktok nếu ko chuyển khoản", the photo
# named before) gets the check, not the alarm (the gate reads "người ta" as anyone)
FLOOR = {"urgent": 104, "obfuscated": 52, "first_line": 104, "false_alarms": 0}


def test_the_dev4_figures_hold() -> None:
    report = evaluate_blind(load_blind(DEV4), judge=lambda text: assess(read(text)))
    print("\n".join(report.lines()))
    assert (report.n_urgent, report.n_harmless) == (105, 96)
    assert report.urgent_recall.hits >= FLOOR["urgent"], str(report.urgent_recall)
    assert report.obfuscated_recall.hits >= FLOOR["obfuscated"], str(report.obfuscated_recall)
    assert report.first_line_fits.hits >= FLOOR["first_line"], str(report.first_line_fits)
    assert report.false_alarms.hits <= FLOOR["false_alarms"], str(report.false_alarms)
