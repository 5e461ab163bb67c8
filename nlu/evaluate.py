"""`childsafe eval`: the same figures `rasa test nlu` reports (the safety layer's figures
are in `handlers.safety.evaluate`).

Metrics are computed here (not with sklearn.metrics) so that the Rasa engine, which only
answers over HTTP, is measured by exactly the same code as the embedded one.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlu.rasa_data import TESTS_DIR, Example, load_file

TEST_SET = TESTS_DIR / "test_nlu.yml"


@dataclass(slots=True)
class IntentScores:
    precision: float
    recall: float
    f1: float
    support: int
    confused_with: dict[str, int]


@dataclass(slots=True)
class EvalResult:
    accuracy: float
    macro_f1: float
    per_intent: dict[str, IntentScores]
    confusions: list[tuple[str, str, int]]
    n: int
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # text, expected, got

    def latency(self, q: float) -> float:
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "latency_ms": {"p50": round(self.latency(0.5), 3), "p99": round(self.latency(0.99), 3)},
            "per_intent": {
                k: {
                    "precision": round(v.precision, 4),
                    "recall": round(v.recall, 4),
                    "f1": round(v.f1, 4),
                    "support": v.support,
                    "confused_with": v.confused_with,
                }
                for k, v in sorted(self.per_intent.items())
            },
            "confusions": [
                {"expected": a, "predicted": b, "count": c} for a, b, c in self.confusions
            ],
            "errors": [{"text": t, "expected": e, "predicted": p} for t, e, p in self.errors],
        }


def score(
    expected: Sequence[str], predicted: Sequence[str]
) -> tuple[float, float, dict[str, IntentScores], list[tuple[str, str, int]]]:
    labels = sorted(set(expected) | set(predicted))
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    for e, p in zip(expected, predicted, strict=True):
        confusion[e][p] += 1
    per: dict[str, IntentScores] = {}
    for label in labels:
        tp = confusion[label][label]
        fp = sum(confusion[e][label] for e in labels if e != label)
        fn = sum(c for p, c in confusion[label].items() if p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        others = {p: c for p, c in confusion[label].items() if p != label}
        per[label] = IntentScores(precision, recall, f1, tp + fn, others)
    supported = [s for s in per.values() if s.support]
    accuracy = sum(confusion[label][label] for label in labels) / max(1, len(expected))
    macro = statistics.fmean(s.f1 for s in supported) if supported else 0.0
    confusions = sorted(
        ((e, p, c) for e in labels for p, c in confusion[e].items() if p != e),
        key=lambda item: -item[2],
    )
    return accuracy, macro, per, confusions


def evaluate(classify: Callable[[str], str], examples: Sequence[Example]) -> EvalResult:
    predicted: list[str] = []
    latencies: list[float] = []
    for example in examples:
        started = time.perf_counter()
        predicted.append(classify(example.text))
        latencies.append((time.perf_counter() - started) * 1000)
    expected = [e.intent for e in examples]
    accuracy, macro, per, confusions = score(expected, predicted)
    errors = [
        (e.text, e.intent, p) for e, p in zip(examples, predicted, strict=True) if e.intent != p
    ]
    return EvalResult(accuracy, macro, per, confusions, len(examples), latencies, errors)


def load_test_set(path: Path = TEST_SET) -> list[Example]:
    return load_file(path)
