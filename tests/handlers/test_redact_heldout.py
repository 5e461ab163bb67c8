"""Redaction measured on the held-out splits (#17).

- tests/data/redaction_heldout.yml, held-out v3: 242 messages written blind by someone who
  never saw the rules, measured once (2026-12-07, morning) after the rules were frozen for it.
- tests/data/redaction_heldout_v4.yml, held-out v4: 268 messages written blind the same way
  while round 4 of the rules was being written on new dev examples; measured once after
  round 4 landed (2026-12-07, 14:31 UTC), the figures below.
Held-out v1 and v2 were each measured once and then tuned on; both are in the dev split now.

Where a split misses a bar, the test is a strict expected failure carrying the figure
measured: it fails as soon as the bar is met, so the mark must then go. Since round 6 (#17,
redact4) v3, v4 and v5 are dev splits, read message by message; the blind measure is
held-out v6 (tests/data/redaction_heldout_v6.yml), held back by the lead and measured once
after rounds 6 and 7 had landed.
"""

from __future__ import annotations

from functools import cache
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
HELDOUT_V4 = ROOT / "tests" / "data" / "redaction_heldout_v4.yml"
HELDOUT_V5 = ROOT / "tests" / "data" / "redaction_heldout_v5.yml"
HELDOUT_V6 = ROOT / "tests" / "data" / "redaction_heldout_v6.yml"
DEV = ROOT / "tests" / "data" / "redaction_corpus.yml"
SPLITS = {"v3": HELDOUT, "v4": HELDOUT_V4, "v5": HELDOUT_V5, "v6": HELDOUT_V6}


@cache
def _report(split: str) -> EvalReport:
    return evaluate(load_corpus(SPLITS[split]))


def test_missed_bars_names_what_is_missed() -> None:
    report = evaluate(load_corpus(HELDOUT), finder=lambda text: [])
    missed = missed_bars(report)
    assert any(m.startswith("SĐT recall") for m in missed)
    assert any(m.startswith("TÊN recall") for m in missed)


def test_the_corpus_has_300_messages_and_separate_heldout_splits() -> None:
    dev, held, v4 = load_corpus(DEV), load_corpus(HELDOUT), load_corpus(HELDOUT_V4)
    assert len(dev) + len(held) >= 300
    assert len(held) >= 100 and len(v4) >= 100
    dev_texts = {m.text for m in dev}
    assert not dev_texts & {m.text for m in held}  # no message in both
    assert not dev_texts & {m.text for m in v4}


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


# measured once on v3 (2026-12-07); precision was 100% for every type. TRƯỜNG (88.9%) has
# passed since round 4; EMAIL (89.5%) and TÊN (91.2%) since round 5 (#17, redact3: rules
# written on new dev messages and dev5, never on this split): the strict marks flipped and went.
# Remeasured after round 5 (2026-12-07 18:30 UTC):
# Round 6 (#17, redact4) read v3, v4 and v5 as dev splits (none is blind any longer):
# NGÀY_SINH 88.9% -> 100% (its mark went).
# Round 7 (#17, redact5): an address is scored on its home part (down to the ward or
# commune), the district and province after it kept (handlers/redact_eval.address_datum); one of
# v3's two address misses ("…, cu chi") was a district the redactor now keeps.
NOT_MET_V3: dict[str, str] = {}
# measured once on v4 (2026-12-07 14:31 UTC), after round 4; remeasured after round 5
# (18:30 UTC): MXH 75.0% -> 100%, SĐT 97.7% -> 100%, NGÀY_SINH 94.1% -> 100%, TRƯỜNG
# 88.0% -> 96.0% (schools are now scored on their proper name, the corpora's convention, which
# counts for part of this), TÊN 91.9% -> 94.1%, ĐỊA_CHỈ 75.0% -> 85.7%; precision 98.7%
# (addresses 96.5%, names 97.7%); 4 of 359 protected strings still redacted
# rounds 6 and 7: ĐỊA_CHỈ 85.7% -> 100%, EMAIL 94.4% -> 100%, TÊN 94.1% -> 98.5%: every mark went
NOT_MET_V4: dict[str, str] = {}
# v5 (326 messages written blind by redblind5, who also wrote the dev5 split that round 5 was
# tuned on), measured once after round 5 (2026-12-07 18:35 UTC): recall emails, IDs, accounts,
# cards, plates 100%, dates of birth 95.2%, addresses 95.1% (both met); precision 94.4% overall
# Round 6 (#17, redact4) read v5 as a dev split (it is no longer blind): MXH 88.5% -> 100%,
# SĐT 98.1% -> 100%, TRƯỜNG 90.5% -> 100%, TÊN precision 88.6% -> 98.2% (recall 98.2% ->
# 100%); every mark went.
NOT_MET_V5: dict[str, str] = {}
# v6 (319 messages written blind by redblind6 alongside dev6, never read), measured once after
# rounds 6 and 7 had landed (2026-12-07 21:15 UTC); emails, IDs, accounts, cards, profiles and
# plates 100%, precision 94.9% overall (every type >= 0.9); 22 of 412 protected redacted.
# Its dev twin dev6, before rounds 6-7: TÊN 94.2%, ĐỊA_CHỈ 93.1%, NGÀY_SINH 90.9%, SĐT 100%.
_V6 = "held-out v6, measured once (2026-12-07 21:15 UTC): "
NOT_MET_V6: dict[str, str] = {
    "SĐT": _V6 + "phones 98.1% (52 of 53)",
    "TÊN": _V6 + "names 93.5%",
    "TRƯỜNG": _V6 + "schools 94.1%",
    "ĐỊA_CHỈ": _V6 + "addresses 91.8%",
    # part of it a policy difference: redblind6 labels a birth year alone ("sinh năm 2015") as
    # a date of birth; the redactor reads it as an age and keeps it
    "NGÀY_SINH": _V6 + "dates of birth 77.8%",
}
NOT_MET = {"v3": NOT_MET_V3, "v4": NOT_MET_V4, "v5": NOT_MET_V5, "v6": NOT_MET_V6}


def test_heldout_v6_does_not_fall_back() -> None:
    """A floor a little under v6's one measurement: a change that loses ground fails here."""
    report = _report("v6")
    floors = {"SĐT": 0.96, "TÊN": 0.92, "TRƯỜNG": 0.91, "ĐỊA_CHỈ": 0.89, "NGÀY_SINH": 0.75}
    for kind, floor in floors.items():
        recall = report.by_type[kind].as_dict()["recall"]
        assert recall is not None and recall >= floor, (kind, recall)
    for kind in ("EMAIL", "CCCD", "CMND", "STK", "THẺ", "MXH", "BIỂN_SỐ"):
        assert report.by_type[kind].as_dict()["recall"] == 1.0, kind
    assert len(report.protected_redacted) <= 24


@pytest.mark.parametrize(
    ("split", "kind"),
    [
        pytest.param(split, k, marks=pytest.mark.xfail(strict=True, reason=NOT_MET[split][k]))
        if k in NOT_MET[split]
        else (split, k)
        for split in sorted(SPLITS)
        for k in sorted(RECALL_BARS)
    ],
)
def test_heldout_recall_and_precision_meet_the_bars(split: str, kind: str) -> None:
    heldout = _report(split)
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


@pytest.mark.parametrize(
    "split",
    [
        "v3",
        pytest.param(
            "v4",
            marks=pytest.mark.xfail(strict=True, reason="held-out v4: 4 of 359 protected redacted"),
        ),
        pytest.param(
            "v5",
            # part of it the districts after an address, which v5 keeps and the corpora redact
            marks=pytest.mark.xfail(
                strict=True,
                # round 6: 19 -> 1 (8 districts written next to an address are counted apart,
                # see redact_eval._district_after_address; the one left is a pupil's school
                # code, "mã học sinh", which the redactor removes on purpose: it names a child)
                reason="held-out v5: 1 of 257 protected redacted (a pupil's school code)",
            ),
        ),
        pytest.param(
            "v6",
            marks=pytest.mark.xfail(
                strict=True, reason="held-out v6, measured once: 22 of 412 protected redacted"
            ),
        ),
    ],
)
def test_heldout_ordinary_words_survive(split: str) -> None:
    assert _report(split).protected_redacted == []
