"""How the triage safety net's threshold is chosen, and how a batch of messages is scored.

    python -m handlers.triage_cv                  # the cross-validated curve and the threshold
    python -m handlers.triage_cv --evaluate F.yml # rules alone vs rules + net on a batch

Cross-validation: the development corpus (`handlers/data/triage_dev.yml`) is split 5 ways,
three times with different shuffles; each message is scored by nets trained without it, and its
out-of-fold p(urgent) is the mean of the three. For each threshold the curve shows the net's own
recall and false-alarm rate, and those of the combined decision (rules OR net). The chosen
threshold is the lowest whose combined false-alarm rate stays within the budget.

The rules were written against this same corpus, so the combined figures flatter them; the
net's own columns and a batch written afterwards (`--evaluate`) are the honest measures.
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
import yaml

from handlers import triage_model
from handlers.normalise import normalise
from handlers.triage import (
    KIND_CONFIDENT,
    NET_FALSE_ALARM_BUDGET,
    NET_THRESHOLD,
    prepare_for_net,
    triage,
)

THRESHOLDS = tuple(round(0.5 + 0.025 * i, 3) for i in range(19))  # 0.5 .. 0.95


@dataclass(frozen=True, slots=True)
class CurvePoint:
    threshold: float
    net_recall: float
    net_false_alarms: float
    recall: float  # rules OR net
    false_alarms: float


def out_of_fold(
    corpus: triage_model.Corpus, folds: int = 5, repeats: int = 3
) -> tuple[np.ndarray, list[str | None]]:
    """Out-of-fold p(urgent) per message (mean over repeats) and, for urgent messages, the
    kind the first repeat's kind model ranked top (None for not-urgent ones)."""
    from sklearn.model_selection import StratifiedKFold

    prepared = [prepare_for_net(text) for text in corpus.texts]
    labels = np.array(corpus.labels)
    kinds = [kind for _, kind in corpus.urgent] + [None] * len(corpus.not_urgent)
    p = np.zeros(len(prepared))
    top_kind: list[str | None] = [None] * len(prepared)
    for repeat in range(repeats):
        split = StratifiedKFold(folds, shuffle=True, random_state=repeat)
        for train_rows, test_rows in split.split(prepared, labels):
            union, urgency = triage_model.fit_urgency(
                [prepared[i] for i in train_rows], labels[train_rows]
            )
            test = union.transform([prepared[i] for i in test_rows])
            p[test_rows] += urgency.predict_proba(test)[:, 1] / repeats
            if repeat == 0:
                urgent_train = [i for i in train_rows if labels[i] == 1]
                kind_model = triage_model._classifier().fit(
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
    return np.array([triage(normalise(text), use_net=False).urgent for text in texts])


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
    within = [point.threshold for point in points if point.false_alarms <= budget]
    return min(within) if within else max(THRESHOLDS)


def cross_validation_report(path: Path = triage_model.DATA_FILE) -> str:
    corpus = triage_model.load_corpus(path)
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
        "threshold  net recall  net false alarms  rules+net recall  rules+net false alarms",
    ]
    for point in points:
        lines.append(
            f"{point.threshold:9.3f}  {point.net_recall:10.3f}  {point.net_false_alarms:16.3f}"
            f"  {point.recall:16.3f}  {point.false_alarms:22.3f}"
        )
    chosen = choose_threshold(points, NET_FALSE_ALARM_BUDGET)
    lines.append(
        f"lowest threshold within the {NET_FALSE_ALARM_BUDGET:.0%} false-alarm budget: "
        f"{chosen} (in use: {NET_THRESHOLD})"
    )
    urgent_kinds = [k for _, k in corpus.urgent]
    guessed = top_kind[: len(urgent_kinds)]
    confident = [(g, k) for g, k in zip(guessed, urgent_kinds, strict=True) if g is not None]
    right = sum(g == k for g, k in confident)
    lines.append(
        f"kind model (out of fold): confident on {len(confident)}/{len(urgent_kinds)}, "
        f"right on {right}/{len(confident)} of those"
    )
    wrong = Counter(f"{k} -> {g}" for g, k in confident if g != k)
    lines += [f"  {pair}: {n}" for pair, n in wrong.most_common(8)]
    return "\n".join(lines)


def evaluate_batch(path: Path) -> str:
    """Rules alone and rules + net on a YAML batch shaped like the corpus."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    urgent_groups = data["urgent"]
    if isinstance(urgent_groups, list):
        urgent_groups = {"?": urgent_groups}
    urgent = [(str(t), str(k)) for k, texts in urgent_groups.items() for t in texts]
    calm = [str(t) for t in data["not_urgent"]]
    lines = [f"{path.name}: {len(urgent)} urgent / {len(calm)} not urgent"]
    for use_net in (False, True):
        verdicts = [triage(normalise(t), use_net=use_net) for t, _ in urgent]
        alarms = [triage(normalise(t), use_net=use_net) for t in calm]
        hits = sum(v.urgent for v in verdicts)
        false = sum(v.urgent for v in alarms)
        name = "rules + net" if use_net else "rules alone"
        lines.append(
            f"{name}: recall {hits}/{len(urgent)} = {hits / max(1, len(urgent)):.3f}; "
            f"false alarms {false}/{len(calm)} = {false / max(1, len(calm)):.3f}"
        )
        if use_net:
            lines += [
                f"  missed [{kind}]: {text}"
                for (text, kind), v in zip(urgent, verdicts, strict=True)
                if not v.urgent
            ]
            lines += [
                f"  false alarm {v.reasons}: {text}"
                for text, v in zip(calm, alarms, strict=True)
                if v.urgent
            ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--evaluate", type=Path, help="a YAML batch to score instead")
    args = parser.parse_args(argv)
    print(evaluate_batch(args.evaluate) if args.evaluate else cross_validation_report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
