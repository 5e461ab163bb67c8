"""Run and print `childsafe eval`."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from bot.settings import MissingSecretError, Settings
from handlers.safety.evaluate import TriageResult, evaluate_triage, load_triage_cases
from nlu.crossval import CrossValidation, cross_validate
from nlu.engine import NLUEngine, NLUResult
from nlu.evaluate import EvalResult, evaluate, load_test_set
from nlu.rasa_data import Example, load_dir
from nlu.text import read

ENGINE_CHOICES = ("embedded", "rasa", "both")
WARM_UP_TEXT = "xin chao"


def measure(nlu: NLUEngine, examples: Sequence[Example]) -> EvalResult:
    """Classify the test set with one engine. An engine with a strict mode (Rasa) is asked
    strictly: an evaluation of Rasa must fail, not quietly measure its fallback."""
    parse: Callable[[str], NLUResult] = getattr(nlu, "parse_strict", nlu.parse)
    parse(WARM_UP_TEXT)  # model loading and the first connection are not per-message latency
    return evaluate(lambda text: parse(read(text).folded).intent, examples)


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

    examples = load_test_set(test_set) if test_set else load_test_set()
    chosen = engine or settings.nlu_engine
    names = ["embedded", "rasa"] if chosen == "both" else [chosen]
    results: dict[str, EvalResult] = {}
    for name in names:
        try:
            nlu = build_engine(settings, name)
        except MissingSecretError as exc:
            click.echo(f"FAIL: {exc}", err=True)
            return False
        try:
            results[nlu.name] = measure(nlu, examples)
        except RuntimeError as exc:  # RasaError: the server cannot answer
            click.echo(f"FAIL: {nlu.name} cannot answer: {exc}", err=True)
            if nlu.name == "rasa":
                click.echo("start it with `make rasa-serve` (RASA_URL, RASA_TOKEN)", err=True)
            return False
        finally:
            if callable(close := getattr(nlu, "close", None)):
                close()
    triage_result = evaluate_triage(load_triage_cases())
    cv = cross_validate(load_dir(), folds) if folds >= 2 and "embedded" in results else None
    if len(results) > 1:
        _report_many(results, triage_result, cv, as_json)
    else:
        [(name, result)] = results.items()
        _report_one(name, result, triage_result, cv, as_json)
    failures = []
    for name, result in results.items():
        label = f"{name}: " if len(results) > 1 else ""
        if min_accuracy is not None and result.accuracy < min_accuracy:
            failures.append(f"{label}accuracy {result.accuracy:.3f} < {min_accuracy}")
        if min_macro_f1 is not None and result.macro_f1 < min_macro_f1:
            failures.append(f"{label}macro-F1 {result.macro_f1:.3f} < {min_macro_f1}")
    if min_urgent_recall is not None and triage_result.urgent_recall < min_urgent_recall:
        failures.append(f"urgent recall {triage_result.urgent_recall:.3f} < {min_urgent_recall}")
    for failure in failures:
        click.echo(f"FAIL: {failure}", err=True)
    return not failures


def _triage_json(triage_result: TriageResult) -> dict[str, Any]:
    return {
        "n_urgent": triage_result.n_urgent,
        "n_not_urgent": triage_result.n_not_urgent,
        "missed": triage_result.missed,
        "false_alarms": triage_result.false_alarms,
        "false_alarm_rate": triage_result.false_alarm_rate,
    }


def _cv_json(cv: CrossValidation) -> dict[str, Any]:
    return {
        "folds": cv.folds,
        "accuracy_mean": cv.accuracy_mean,
        "accuracy_sd": cv.accuracy_sd,
        "macro_f1_mean": cv.macro_f1_mean,
        "macro_f1_sd": cv.macro_f1_sd,
    }


def _report_many(
    results: dict[str, EvalResult],
    triage_result: TriageResult,
    cv: CrossValidation | None,
    as_json: bool,
) -> None:
    if as_json:
        out: dict[str, Any] = {
            "engines": {name: result.to_json() for name, result in results.items()},
            "urgent_recall": triage_result.urgent_recall,
            "triage": _triage_json(triage_result),
        }
        if cv:
            out["cross_validation"] = _cv_json(cv)
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    for name, result in results.items():
        _print(result, name)
        click.echo("")
    click.echo(side_by_side(results, triage_result.urgent_recall))
    _print_triage(triage_result)
    if cv:
        _print_cv(cv)


def side_by_side(results: dict[str, EvalResult], urgent_recall: float) -> str:
    """One column per engine, the same held-out examples through each."""
    names = list(results)
    rows: list[tuple[str, list[str]]] = [
        ("test examples", [str(r.n) for r in results.values()]),
        ("accuracy", [f"{r.accuracy:.3f}" for r in results.values()]),
        ("macro-F1", [f"{r.macro_f1:.3f}" for r in results.values()]),
        ("urgent recall*", [f"{urgent_recall:.3f}" for _ in names]),
        ("p50 latency (ms)", [f"{r.latency(0.5):.2f}" for r in results.values()]),
        ("p99 latency (ms)", [f"{r.latency(0.99):.2f}" for r in results.values()]),
    ]
    width = max(12, *(len(n) + 2 for n in names))
    lines = [f"{'':<18}" + "".join(f"{n:>{width}}" for n in names)]
    lines += [f"{label:<18}" + "".join(f"{v:>{width}}" for v in vals) for label, vals in rows]
    lines.append(
        "* urgent recall is the safety triage's, which runs before any NLU engine and is the "
        "same whichever engine classifies"
    )
    return "\n".join(lines)


def _print_triage(triage_result: TriageResult) -> None:
    click.echo(
        f"\nurgent recall: {triage_result.urgent_recall:.3f} "
        f"({triage_result.n_urgent} urgent, {triage_result.n_not_urgent} not urgent; "
        f"false alarms {triage_result.false_alarm_rate:.3f})"
    )
    for text in triage_result.missed:
        click.echo(f"  MISSED urgent: {text}")
    for text in triage_result.false_alarms:
        click.echo(f"  false alarm: {text}")


def _print_cv(cv: CrossValidation) -> None:
    click.echo(
        f"\n{cv.folds}-fold cross-validation of the embedded engine on the training data: "
        f"accuracy {cv.accuracy_mean:.3f} (sd {cv.accuracy_sd:.3f}), macro-F1 "
        f"{cv.macro_f1_mean:.3f} (sd {cv.macro_f1_sd:.3f})"
    )


def _report_one(
    name: str,
    result: EvalResult,
    triage_result: TriageResult,
    cv: CrossValidation | None,
    as_json: bool,
) -> None:
    if as_json:
        out = result.to_json()
        out["engine"] = name
        out["urgent_recall"] = triage_result.urgent_recall
        out["triage"] = _triage_json(triage_result)
        if cv:
            out["cross_validation"] = _cv_json(cv)
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    _print(result, name)
    _print_triage(triage_result)
    if cv:
        _print_cv(cv)


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
