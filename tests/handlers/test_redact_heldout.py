"""Redaction measured on tests/data/redaction_heldout.yml (#17).

That file holds held-out v3: 242 messages written blind by someone who never saw the rules,
measured once (2026-12-07) after the rules were frozen for it. Held-out v1 and v2 were each
measured once and then tuned on; both are in the dev split now.

Where v3 misses a bar, the test is a strict expected failure carrying the figure measured:
it fails as soon as the bar is met, so the mark must then go. Never tune on v3's misses (do
not print them); when the rules change for these forms, write a new blind split to measure.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from handlers.redact_eval import (
    PRECISION_BAR,
    RECALL_BARS,
    EvalReport,
    evaluate,
    load_corpus,
    missed_bars,
)

ROOT = Path(__file__).resolve().parents[2]
HELDOUT = ROOT / "tests" / "data" / "redaction_heldout.yml"
DEV = ROOT / "tests" / "data" / "redaction_corpus.yml"


@pytest.fixture(scope="module")
def heldout() -> EvalReport:
    return evaluate(load_corpus(HELDOUT))


def test_the_corpus_has_300_messages_and_a_separate_heldout_split() -> None:
    dev, held = load_corpus(DEV), load_corpus(HELDOUT)
    assert len(dev) + len(held) >= 300
    assert len(held) >= 100
    assert not {m.text for m in dev} & {m.text for m in held}  # no message in both


def test_the_heldout_split_holds_every_disguised_form() -> None:
    texts = [m for m in load_corpus(HELDOUT)]
    values = [(kind, value) for m in texts for kind, value in m.pii]

    def some(kind: str, test: object) -> bool:
        return any(k == kind and test(v) for k, v in values)  # type: ignore[operator]

    assert some("SĐT", lambda v: any(c in v for c in "lOo") and any(c.isdigit() for c in v))
    assert some("SĐT", lambda v: "chín" in v or "chin" in v)  # spelled out
    assert some("SĐT", lambda v: "\u200b" in v)  # invisible characters
    assert some("SĐT", lambda v: "０" in v or "９" in v)  # fullwidth digits
    assert some("EMAIL", lambda v: "[at]" in v) and some("EMAIL", lambda v: " @ " in v)
    assert some("TÊN", lambda v: v.islower()) and some("TÊN", lambda v: v.isupper())
    assert some("TÊN", lambda v: any("\u0400" <= c <= "\u04ff" for c in v))  # Cyrillic
    assert some("NGÀY_SINH", lambda v: "/" in v) and some("NGÀY_SINH", lambda v: "tháng" in v)
    assert some("STK", lambda v: True) and some("CCCD", lambda v: True)
    keeps = [v for m in texts for v in m.keep]
    # ordinary words that look like names: flowers, "mai" (tomorrow), a song title
    assert any("hồng" in v.lower() for v in keeps) and any(
        v.lower().startswith("mai") for v in keeps
    )
    assert any("Bông" in v for v in keeps)


# measured once on v3 (2026-12-07); precision was 100% for every type. TRƯỜNG (88.9%, 8 of
# 9) has passed since the school rules of round 4 (#17, redact2), which were written on new
# dev examples only: the strict mark flipped and went
NOT_MET = {
    "EMAIL": "held-out v3: recall 89.5% (17 of 19)",
    "TÊN": "held-out v3: recall 91.2% (73 of 80)",
    "NGÀY_SINH": "held-out v3: recall 88.9% (16 of 18)",
    "ĐỊA_CHỈ": "held-out v3: recall 82.1% (23 of 28)",
}


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param(k, marks=pytest.mark.xfail(strict=True, reason=NOT_MET[k]))
        if k in NOT_MET
        else k
        for k in sorted(RECALL_BARS)
    ],
)
def test_heldout_recall_and_precision_meet_the_bars(heldout: EvalReport, kind: str) -> None:
    score = heldout.by_type.get(kind)
    if score is None:
        pytest.skip(f"no {kind} in the held-out split")
    d = score.as_dict()
    misses = [m.value for m in heldout.misses if m.kind == kind]
    alarms = [m.value for m in heldout.false_alarms if m.kind == kind]
    if d["recall"] is not None:
        assert d["recall"] >= RECALL_BARS[kind], (d, misses)
    if d["precision"] is not None:
        assert d["precision"] >= PRECISION_BAR, (d, alarms)


def test_heldout_ordinary_words_survive(heldout: EvalReport) -> None:
    assert heldout.protected_redacted == []


def test_missed_bars_names_what_is_missed() -> None:
    report = evaluate(load_corpus(HELDOUT), finder=lambda text: [])
    missed = missed_bars(report)
    assert any(m.startswith("SĐT recall") for m in missed)
    assert any(m.startswith("TÊN recall") for m in missed)
