"""How the safety model's two thresholds are chosen: cross-validation on the training corpus.

    python -m handlers.safety.cv        # the curve, the chosen thresholds, per-kind figures

The training corpus (every `data/train*.yml`) is split 5 ways, three times with different shuffles;
each message is scored by models trained without it, and its out-of-fold p(urgent) is the
mean of the three. For each threshold the curve shows the model's own recall and false-alarm
rate and those of the combined decision (rules OR model). Chosen:

* `URGENT_THRESHOLD`: the lowest threshold at which the model's own false-alarm rate is within
  `FALSE_ALARM_BUDGET`;
* `CHECK_THRESHOLD`: the lowest threshold at which the model's own rate of "check or urgent" on
  harmless messages is within `CHECK_BUDGET` (the honest middle is asked rarely of people who
  are fine).

The budget is the model's, not the combined decision's: the rules' own false alarms (shown
on the "rules alone" line) are fixed in the rules. A combined budget could not be met as soon
as the rules alone spent it, and would silently switch the model off (the grid's top).
The rules were written against this same corpus, so the combined figures flatter them; the
model's own columns and the blind corpus (`childsafe eval --triage`) are the honest measures.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from handlers.safety import model
from handlers.safety.engine import (
    CHECK_BUDGET,
    CHECK_THRESHOLD,
    FALSE_ALARM_BUDGET,
    KIND_CONFIDENT,
    URGENT_THRESHOLD,
    assess,
    prepare_for_model,
)

THRESHOLDS = tuple(round(0.3 + 0.025 * i, 3) for i in range(27))  # 0.3 .. 0.95


@dataclass(frozen=True, slots=True)
class CurvePoint:
    threshold: float
    model_recall: float
    model_false_alarms: float
    recall: float  # rules OR model
    false_alarms: float


def out_of_fold(
    corpus: model.Corpus, folds: int = 5, repeats: int = 3
) -> tuple[np.ndarray, list[str | None]]:
    """Out-of-fold p(urgent) per message (mean over repeats) and, for urgent messages, the
    kind the first repeat's kind model ranked top (None when not confident)."""
    from sklearn.model_selection import StratifiedKFold

    prepared = [prepare_for_model(text) for text in corpus.texts]
    labels = np.array(corpus.labels)
    kinds = [kind for _, kind in corpus.urgent] + [None] * len(corpus.not_urgent)
    p = np.zeros(len(prepared))
    top_kind: list[str | None] = [None] * len(prepared)
    for repeat in range(repeats):
        split = StratifiedKFold(folds, shuffle=True, random_state=repeat)
        for train_rows, test_rows in split.split(prepared, labels):
            union, urgency = model.fit_urgency(
                [prepared[i] for i in train_rows], labels[train_rows]
            )
            test = union.transform([prepared[i] for i in test_rows])
            p[test_rows] += urgency.predict_proba(test)[:, 1] / repeats
            if repeat == 0:
                urgent_train = [i for i in train_rows if labels[i] == 1]
                kind_model = model._classifier().fit(
                    union.transform([prepared[i] for i in urgent_train]),
                    [kinds[i] for i in urgent_train],
                )
                urgent_test = [i for i in test_rows if labels[i] == 1]
                if urgent_test:
                    probs = kind_model.predict_proba(
                        union.transform([prepared[i] for i in urgent_test])
                    )
                    for row, dist in zip(urgent_test, probs, strict=True):
                        best = int(dist.argmax())
                        top_kind[row] = (
                            str(kind_model.classes_[best]) if dist[best] >= KIND_CONFIDENT else None
                        )
    return p, top_kind


def rules_verdicts(texts: Sequence[str]) -> np.ndarray:
    return np.array([assess(text, use_model=False).urgent for text in texts])


def curve(p: np.ndarray, labels: np.ndarray, rules: np.ndarray) -> list[CurvePoint]:
    urgent, calm = labels == 1, labels == 0
    points = []
    for threshold in THRESHOLDS:
        net = p >= threshold
        both = net | rules
        points.append(
            CurvePoint(
                threshold,
                float(net[urgent].mean()),
                float(net[calm].mean()),
                float(both[urgent].mean()),
                float(both[calm].mean()),
            )
        )
    return points


def choose_threshold(points: Sequence[CurvePoint], budget: float) -> float:
    within = [point.threshold for point in points if point.model_false_alarms <= budget]
    return min(within) if within else max(THRESHOLDS)


def cross_validation_report(path: Path | None = None) -> str:
    examples = model.load_examples(path)
    corpus = model.load_corpus(path)
    labels = np.array(corpus.labels)
    started = time.perf_counter()
    p, top_kind = out_of_fold(corpus)
    rules = rules_verdicts(corpus.texts)
    points = curve(p, labels, rules)
    lines = [
        f"corpus: {len(corpus.urgent)} urgent / {len(corpus.not_urgent)} not urgent; "
        f"5-fold x 3, {time.perf_counter() - started:.0f} s",
        f"rules alone: recall {rules[labels == 1].mean():.3f}, "
        f"false alarms {rules[labels == 0].mean():.3f}",
        "threshold  model recall  model false alarms  rules+model recall  rules+model false alarms",
    ]
    for point in points:
        lines.append(
            f"{point.threshold:9.3f}  {point.model_recall:12.3f}  {point.model_false_alarms:18.3f}"
            f"  {point.recall:18.3f}  {point.false_alarms:24.3f}"
        )
    urgent_at = choose_threshold(points, FALSE_ALARM_BUDGET)
    check_at = choose_threshold(points, CHECK_BUDGET)
    lines.append(
        f"urgent: lowest threshold within the model's {FALSE_ALARM_BUDGET:.0%} false-alarm budget: "
        f"{urgent_at} (in use: {URGENT_THRESHOLD})"
    )
    lines.append(
        f"check: lowest threshold within the model's {CHECK_BUDGET:.0%} check budget: "
        f"{check_at} (in use: {CHECK_THRESHOLD})"
    )
    # Out of fold at the thresholds in use: what each kind of hard negative would get.
    not_urgent = [e for e in examples if not e.urgent]
    calm_p = p[len(corpus.urgent) :]
    calm_rules = rules[len(corpus.urgent) :]
    by_kind: Counter[str] = Counter()
    alarms: Counter[str] = Counter()
    checks: Counter[str] = Counter()
    for example, prob, rule in zip(not_urgent, calm_p, calm_rules, strict=True):
        kind = example.kind or "migrated"
        by_kind[kind] += 1
        alarms[kind] += bool(rule or prob >= URGENT_THRESHOLD)
        checks[kind] += bool(not rule and CHECK_THRESHOLD <= prob < URGENT_THRESHOLD)
    lines.append("harmless, out of fold, by kind: alarms / checks / total")
    lines += [f"  {k:14} {alarms[k]:4} {checks[k]:4} {n:5}" for k, n in sorted(by_kind.items())]
    urgent_p = p[: len(corpus.urgent)]
    urgent_rules = rules[: len(corpus.urgent)]
    by_danger: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    for (_, kind), prob, rule in zip(corpus.urgent, urgent_p, urgent_rules, strict=True):
        by_danger[kind] += 1
        caught[kind] += bool(rule or prob >= URGENT_THRESHOLD)
    lines.append("urgent, out of fold, by danger: escalated / total")
    lines += [f"  {k:18} {caught[k]:4} {n:5}" for k, n in sorted(by_danger.items())]
    urgent_kinds = [k for _, k in corpus.urgent]
    guessed = top_kind[: len(urgent_kinds)]
    confident = [(g, k) for g, k in zip(guessed, urgent_kinds, strict=True) if g is not None]
    right = sum(g == k for g, k in confident)
    lines.append(
        f"kind model (out of fold): confident on {len(confident)}/{len(urgent_kinds)}, "
        f"right on {right}/{len(confident)} of those"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=None, help="default: data/train*.yml")
    args = parser.parse_args(argv)
    print(cross_validation_report(args.corpus))
    return 0


if __name__ == "__main__":
    sys.exit(main())
