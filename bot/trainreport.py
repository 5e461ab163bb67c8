"""What `childsafe train` reports (#16): the held-out figures before and after retraining,
so a staff export added to the training data shows what it changed.

Intent figures: accuracy and macro F1 of the embedded model on the held-out NLU test set
(nlu/tests, never trained on). Triage figures: urgent recall and false-alarm rate of the
safety layer on the blind triage corpus. "Before" is the model exported last (whatever data
it was trained on); "after" the one just trained.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from handlers.safety.evaluate import BLIND_SET, evaluate_blind, load_blind
from nlu.compiled import CompiledScorer, load_arrays
from nlu.evaluate import evaluate, load_test_set
from nlu.text import read


@dataclass(frozen=True, slots=True)
class HeldOut:
    accuracy: float | None  # None: no model to measure
    macro_f1: float | None
    urgent_recall: float | None
    false_alarms: float | None


def latest_export(model_dir: Path) -> Path | None:
    """The intent model exported last, if any."""
    found = sorted(model_dir.glob("embedded-*.npz"), key=lambda p: p.stat().st_mtime)
    return found[-1] if found else None


def intent_figures(scorer: CompiledScorer | None) -> tuple[float | None, float | None]:
    if scorer is None:
        return None, None
    classes = scorer.classes

    def predict(text: str) -> str:
        return str(classes[int(scorer.probabilities(read(text).folded).argmax())])

    result = evaluate(predict, load_test_set())
    return result.accuracy, result.macro_f1


def triage_figures() -> tuple[float | None, float | None]:
    """The safety layer as it runs now (its model as currently loaded)."""
    if not BLIND_SET.exists():
        return None, None
    report = evaluate_blind(load_blind(BLIND_SET))
    return report.urgent_recall.value, report.false_alarms.value


def measure(scorer: CompiledScorer | None) -> HeldOut:
    accuracy, macro_f1 = intent_figures(scorer)
    recall, alarms = triage_figures()
    return HeldOut(accuracy, macro_f1, recall, alarms)


def scorer_of(path: Path | None) -> CompiledScorer | None:
    if path is None:
        return None
    try:
        return CompiledScorer.from_arrays(load_arrays(path))
    except (OSError, ValueError, KeyError, EOFError):
        return None


def _cell(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def _change(before: float | None, after: float | None) -> str:
    if before is None or after is None:
        return ""
    points = 100 * (after - before)
    return "no change" if abs(points) < 0.05 else f"{points:+.1f} pts"


def lines(before: HeldOut, after: HeldOut) -> list[str]:
    rows = (
        ("intent accuracy (held-out)", before.accuracy, after.accuracy),
        ("intent macro F1 (held-out)", before.macro_f1, after.macro_f1),
        ("urgent recall (blind triage)", before.urgent_recall, after.urgent_recall),
        ("false alarms (blind triage)", before.false_alarms, after.false_alarms),
    )
    out = [f"{'held-out figure':30} {'before':>8} {'after':>8}  change"]
    for name, old, new in rows:
        out.append(f"{name:30} {_cell(old):>8} {_cell(new):>8}  {_change(old, new)}")
    return out
