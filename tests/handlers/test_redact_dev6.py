"""Redaction on dev split v6 (#17, round 6): tests/data/redaction_dev6.yml, 201 messages written
blind by helper redblind6 alongside held-out v6, measured before round 6 touched it for
(docs/privacy.md has the figures), then tuned on. Its figures are dev figures, not blind.

Where its annotations differ from the dev corpus the redactor follows the dev corpus, on
purpose: a birth year alone ("sinh năm 2015") is an age, not a date of birth (the assistant
needs it to answer who is a child); a hamlet named as where someone lives ("bên xóm Chài"), a
nursery's name ("nhóm trẻ tư thục Bé Ngoan"), a profile's display name ("nick zalo … là
'Hoàng Tử Sầu'") and a nickname given as someone's ("nó là Dương Quá đó") are redacted. Those
are the only misses and protected strings it may have.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from handlers.redact_eval import EvalReport, evaluate, load_corpus, missed_bars

ROOT = Path(__file__).resolve().parents[2]
DEV6 = ROOT / "tests" / "data" / "redaction_dev6.yml"
DEV = ROOT / "tests" / "data" / "redaction_corpus.yml"
# the protected strings the redactor removes on purpose (see the module's docstring)
POLICY_KEEPS = {"xóm Chài", "Bé Ngoan", "Hoàng Tử Sầu", "Dương Quá"}


@cache
def _report() -> EvalReport:
    return evaluate(load_corpus(DEV6))


def test_dev6_is_well_formed_and_apart_from_the_dev_corpus() -> None:
    messages = load_corpus(DEV6)
    assert len(messages) >= 200
    assert not {m.text for m in messages} & {m.text for m in load_corpus(DEV)}


@pytest.mark.parametrize(
    "kind",
    [
        "SĐT",
        "EMAIL",
        "MXH",
        "CCCD",
        "CMND",
        "STK",
        "THẺ",
        "TÊN",
        "ĐỊA_CHỈ",
        pytest.param(
            "NGÀY_SINH",
            marks=pytest.mark.xfail(
                strict=True, reason="dev6 annotates a birth year alone; 10 of 11 (90.9%)"
            ),
        ),
        "TRƯỜNG",
        "BIỂN_SỐ",
    ],
)
def test_dev6_meets_the_bars_for_each_kind(kind: str) -> None:
    report = _report()
    assert report.by_type[kind].gold > 0
    missed = [m for m in missed_bars(report) if m.startswith(f"{kind} ")]
    assert not missed, (missed, [(m.value, m.got) for m in report.misses if m.kind == kind])


def test_dev6_birth_date_misses_are_only_birth_years() -> None:
    misses = [m.value for m in _report().misses if m.kind == "NGÀY_SINH"]
    assert all(value.isdigit() and len(value) == 4 for value in misses)


def test_dev6_protects_everything_but_its_policy_differences() -> None:
    lost = {value for value, _ in _report().protected_redacted}
    assert lost <= POLICY_KEEPS, lost - POLICY_KEEPS
