"""Run and print `childsafe eval`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from bot.settings import Settings
from handlers.normalise import normalise
from nlu.crossval import cross_validate
from nlu.evaluate import EvalResult, evaluate, evaluate_triage, load_test_set, load_triage_cases
from nlu.rasa_data import load_dir


def run_eval(
    settings: Settings,
    test_set: Path | None,
    folds: int,
    min_accuracy: float | None,
    min_macro_f1: float | None,
    min_urgent_recall: float | None,
    as_json: bool,
    engine: str | None,
) -> bool:
    from bot.wiring import build_engine

    nlu = build_engine(settings, engine)
    examples = load_test_set(test_set) if test_set else load_test_set()
    result = evaluate(lambda text: nlu.parse(normalise(text).folded).intent, examples)
    triage_result = evaluate_triage(load_triage_cases())
    cv = cross_validate(load_dir(), folds) if folds >= 2 else None

    if as_json:
        out = result.to_json()
        out["engine"] = nlu.name
        out["urgent_recall"] = triage_result.urgent_recall
        out["triage"] = {
            "n_urgent": triage_result.n_urgent,
            "n_not_urgent": triage_result.n_not_urgent,
            "missed": triage_result.missed,
            "false_alarms": triage_result.false_alarms,
            "false_alarm_rate": triage_result.false_alarm_rate,
        }
        if cv:
            out["cross_validation"] = cv.__class__.__name__ and {
                "folds": cv.folds,
                "accuracy_mean": cv.accuracy_mean,
                "accuracy_sd": cv.accuracy_sd,
                "macro_f1_mean": cv.macro_f1_mean,
                "macro_f1_sd": cv.macro_f1_sd,
            }
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        _print(result, nlu.name)
        click.echo(
            f"\nurgent recall: {triage_result.urgent_recall:.3f} "
            f"({triage_result.n_urgent} urgent, {triage_result.n_not_urgent} not urgent; "
            f"false alarms {triage_result.false_alarm_rate:.3f})"
        )
        for text in triage_result.missed:
            click.echo(f"  MISSED urgent: {text}")
        for text in triage_result.false_alarms:
            click.echo(f"  false alarm: {text}")
        if cv:
            click.echo(
                f"\n{cv.folds}-fold cross-validation on the training data: accuracy "
                f"{cv.accuracy_mean:.3f} (sd {cv.accuracy_sd:.3f}), macro-F1 "
                f"{cv.macro_f1_mean:.3f} (sd {cv.macro_f1_sd:.3f})"
            )
    failures = []
    if min_accuracy is not None and result.accuracy < min_accuracy:
        failures.append(f"accuracy {result.accuracy:.3f} < {min_accuracy}")
    if min_macro_f1 is not None and result.macro_f1 < min_macro_f1:
        failures.append(f"macro-F1 {result.macro_f1:.3f} < {min_macro_f1}")
    if min_urgent_recall is not None and triage_result.urgent_recall < min_urgent_recall:
        failures.append(f"urgent recall {triage_result.urgent_recall:.3f} < {min_urgent_recall}")
    for failure in failures:
        click.echo(f"FAIL: {failure}", err=True)
    return not failures


def _print(result: EvalResult, engine: str) -> None:
    click.echo(f"engine: {engine}   test examples: {result.n}")
    click.echo(f"accuracy: {result.accuracy:.3f}   macro-F1: {result.macro_f1:.3f}")
    click.echo(
        f"latency per message: p50 {result.latency(0.5):.2f} ms, "
        f"p99 {result.latency(0.99):.2f} ms\n"
    )
    click.echo(f"{'intent':<22}{'precision':>10}{'recall':>8}{'f1':>8}{'support':>9}")
    for name, s in sorted(result.per_intent.items()):
        click.echo(f"{name:<22}{s.precision:>10.3f}{s.recall:>8.3f}{s.f1:>8.3f}{s.support:>9}")
    if result.confusions:
        click.echo("\nconfusions (expected → predicted: count):")
        for expected, predicted, count in result.confusions[:20]:
            click.echo(f"  {expected} → {predicted}: {count}")
