"""How the safety layer is measured on messages it never trained on.

* `evaluate_blind` (``childsafe eval --triage``): the blind test corpus
  ``nlu/tests/triage_blind.yml``, written apart from the training corpus and never trained on.
  Entries: ``{text, urgent, danger, first_line, style, kind, lang}``. The report holds
  aggregates only (never a message): recall per danger, false alarms overall and per kind of
  hard negative, recall per obfuscation style, English crisis recall, how often the first line
  fits, and how many got "check".
* `evaluate_triage`: the older held-out set ``nlu/tests/triage_cases.yml`` (urgent recall and
  false alarms), shown by ``childsafe eval`` beside the NLU figures.

"Escalated" means level "urgent": a "check" on an urgent message does not count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from handlers.safety.engine import Assessment, assess
from nlu.rasa_data import TESTS_DIR

TRIAGE_SET = TESTS_DIR / "triage_cases.yml"
BLIND_SET = TESTS_DIR / "triage_blind.yml"
# a second blind set, written apart the same way and measured once (docs/safety.md, Figures)
BLIND_SET_V3 = TESTS_DIR / "triage_blind3.yml"
BLIND_SET_V4 = TESTS_DIR / "triage_blind4.yml"  # measured once, then a dev set (round 6)
DEV_SET_V5 = TESTS_DIR / "triage_dev5.yml"  # the dev twin of v5, same writer
BLIND_SET_V5 = TESTS_DIR / "triage_blind5.yml"  # held back by the lead, measured once

# The bars of issue #12 ("Done when").
BAR_URGENT_RECALL = 1.0
BAR_FALSE_ALARMS = 0.02
BAR_OBFUSCATED_RECALL = 0.98
BAR_FIRST_LINE = 1.0

Assess = Callable[[str], Assessment]


# ----------------------------------------------------------------- the older held-out set


@dataclass(frozen=True, slots=True)
class TriageCase:
    text: str
    urgent: bool


def load_triage_cases(path: Path = TRIAGE_SET) -> list[TriageCase]:
    if not path.exists():
        return []
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    cases = [TriageCase(str(t), True) for t in raw.get("urgent", [])]
    cases += [TriageCase(str(t), False) for t in raw.get("not_urgent", [])]
    return cases


@dataclass(slots=True)
class TriageResult:
    urgent_recall: float
    false_alarm_rate: float
    missed: list[str]
    false_alarms: list[str]
    n_urgent: int
    n_not_urgent: int


def evaluate_triage(cases: Sequence[TriageCase], judge: Assess = assess) -> TriageResult:
    missed = [c.text for c in cases if c.urgent and not judge(c.text).urgent]
    false_alarms = [c.text for c in cases if not c.urgent and judge(c.text).urgent]
    n_urgent = sum(c.urgent for c in cases)
    n_not = len(cases) - n_urgent
    return TriageResult(
        urgent_recall=1 - len(missed) / n_urgent if n_urgent else 1.0,
        false_alarm_rate=len(false_alarms) / n_not if n_not else 0.0,
        missed=missed,
        false_alarms=false_alarms,
        n_urgent=n_urgent,
        n_not_urgent=n_not,
    )


# ----------------------------------------------------------------- the blind corpus


@dataclass(frozen=True, slots=True)
class BlindCase:
    text: str
    urgent: bool
    danger: str | None
    first_line: str | None
    style: str
    kind: str | None
    lang: str


def _entries(data: Any) -> list[Any]:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in ("cases", "examples", "messages", "entries"):
            if isinstance(data.get(key), list):
                return list(data[key])
    raise ValueError("the blind corpus must be a list of entries")


def load_blind(path: Path = BLIND_SET) -> list[BlindCase]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for entry in _entries(raw):
        if not isinstance(entry, dict) or "text" not in entry:
            raise ValueError("a blind entry needs `text` and `urgent`")
        first_line = entry.get("first_line")
        out.append(
            BlindCase(
                text=str(entry["text"]),
                urgent=bool(entry.get("urgent")),
                danger=str(entry["danger"]) if entry.get("danger") else None,
                first_line=str(first_line) if first_line not in (None, "") else None,
                style=str(entry.get("style") or "plain"),
                kind=str(entry["kind"]) if entry.get("kind") else None,
                lang=str(entry.get("lang") or "vi"),
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class Rate:
    hits: int
    total: int

    @property
    def value(self) -> float:
        return self.hits / self.total if self.total else 1.0

    def __str__(self) -> str:
        return f"{self.value:6.1%} ({self.hits}/{self.total})"


def _rate(counter: Counter[str], totals: Counter[str]) -> dict[str, Rate]:
    return {key: Rate(counter[key], totals[key]) for key in sorted(totals)}


@dataclass(slots=True)
class BlindReport:
    n_urgent: int
    n_harmless: int
    urgent_recall: Rate  # urgent messages escalated (level "urgent")
    recall_by_danger: dict[str, Rate]
    danger_named: Rate  # escalated urgent messages whose expected danger is among the dangers
    false_alarms: Rate  # harmless messages escalated
    false_alarms_by_kind: dict[str, Rate]
    recall_by_style: dict[str, Rate]
    obfuscated_recall: Rate  # style != plain
    recall_by_lang: dict[str, Rate]
    english_recall: Rate  # lang en or mixed
    first_line_fits: Rate  # urgent messages with an expected first line: escalated with it
    checks_on_urgent: int
    checks_on_harmless: int
    alarms_by_source: dict[str, int]  # what raised each false alarm: cry, situation, model...
    misses_by_level: dict[str, int]  # what the missed urgent messages got: check or none
    failures: list[str] = field(default_factory=list)  # which bars are not met

    @property
    def bars_met(self) -> bool:
        return not self.failures

    def as_dict(self) -> dict[str, Any]:
        def rates(d: dict[str, Rate]) -> dict[str, list[int]]:
            return {k: [r.hits, r.total] for k, r in d.items()}

        return {
            "n_urgent": self.n_urgent,
            "n_harmless": self.n_harmless,
            "urgent_recall": self.urgent_recall.value,
            "recall_by_danger": rates(self.recall_by_danger),
            "danger_named": self.danger_named.value,
            "false_alarm_rate": self.false_alarms.value,
            "false_alarms_by_kind": rates(self.false_alarms_by_kind),
            "recall_by_style": rates(self.recall_by_style),
            "obfuscated_recall": self.obfuscated_recall.value,
            "recall_by_lang": rates(self.recall_by_lang),
            "english_recall": self.english_recall.value,
            "first_line_fits": self.first_line_fits.value,
            "checks_on_urgent": self.checks_on_urgent,
            "checks_on_harmless": self.checks_on_harmless,
            "alarms_by_source": self.alarms_by_source,
            "misses_by_level": self.misses_by_level,
            "bars_met": self.bars_met,
            "failures": self.failures,
        }

    def lines(self) -> list[str]:
        out = [
            f"blind triage corpus: {self.n_urgent} urgent, {self.n_harmless} harmless",
            f"urgent recall (level urgent): {self.urgent_recall}",
            f"obfuscated urgent escalated:  {self.obfuscated_recall}",
            f"English / mixed crisis recall: {self.english_recall}",
            f"first line fits the danger:   {self.first_line_fits}",
            f"expected danger named:        {self.danger_named}",
            f"false alarms (harmless -> urgent): {self.false_alarms}",
            f'"check" asked: {self.checks_on_urgent} urgent, {self.checks_on_harmless} harmless',
            "recall per danger:",
            *(f"  {k:20} {r}" for k, r in self.recall_by_danger.items()),
            "recall per obfuscation style:",
            *(f"  {k:20} {r}" for k, r in self.recall_by_style.items()),
            "recall per language:",
            *(f"  {k:20} {r}" for k, r in self.recall_by_lang.items()),
            "false alarms per kind of hard negative:",
            *(f"  {k:20} {r}" for k, r in self.false_alarms_by_kind.items()),
            "false alarms by what raised them: "
            + ", ".join(f"{k} {n}" for k, n in sorted(self.alarms_by_source.items())),
            "missed urgent messages got: "
            + ", ".join(f"{k} {n}" for k, n in sorted(self.misses_by_level.items())),
        ]
        out.append("bars met" if self.bars_met else "bars NOT met: " + "; ".join(self.failures))
        return out


def _source(result: Assessment) -> str:
    """What raised an alarm, from its first reason ("cry:...", "model:p=...")."""
    reason = result.reasons[0] if result.reasons else "?"
    return reason.split(":", 1)[0]


def evaluate_blind(cases: Sequence[BlindCase], judge: Assess = assess) -> BlindReport:
    hit: Counter[str] = Counter()
    total: Counter[str] = Counter()
    by_style, style_total = Counter[str](), Counter[str]()
    by_lang, lang_total = Counter[str](), Counter[str]()
    fa_kind, kind_total = Counter[str](), Counter[str]()
    escalated = named = fa = fits = fit_total = obf = obf_total = en = en_total = 0
    checks_urgent = checks_harmless = 0
    sources: Counter[str] = Counter()
    misses: Counter[str] = Counter()
    n_urgent = sum(c.urgent for c in cases)
    for case in cases:
        result = judge(case.text)
        if case.urgent:
            ok = result.level == "urgent"
            escalated += ok
            if not ok:
                got = "none" if result.level == "none" else f"check ({_source(result)})"
                misses[got] += 1
            checks_urgent += result.level == "check"
            danger = case.danger or "unspecified"
            total[danger] += 1
            hit[danger] += ok
            named += ok and any(d.value == danger for d in result.dangers)
            style_total[case.style] += 1
            by_style[case.style] += ok
            if case.style != "plain":
                obf_total += 1
                obf += ok
            lang_total[case.lang] += 1
            by_lang[case.lang] += ok
            if case.lang in ("en", "mixed"):
                en_total += 1
                en += ok
            if case.first_line:
                fit_total += 1
                fits += ok and bool(result.lines) and result.lines[0] == case.first_line
        else:
            alarm = result.level == "urgent"
            fa += alarm
            if alarm:
                sources[_source(result)] += 1
            checks_harmless += result.level == "check"
            kind = case.kind or "other"
            kind_total[kind] += 1
            fa_kind[kind] += alarm
    n_harmless = len(cases) - n_urgent
    report = BlindReport(
        n_urgent=n_urgent,
        n_harmless=n_harmless,
        urgent_recall=Rate(escalated, n_urgent),
        recall_by_danger=_rate(hit, total),
        danger_named=Rate(named, n_urgent),
        false_alarms=Rate(fa, n_harmless),
        false_alarms_by_kind=_rate(fa_kind, kind_total),
        recall_by_style=_rate(by_style, style_total),
        obfuscated_recall=Rate(obf, obf_total),
        recall_by_lang=_rate(by_lang, lang_total),
        english_recall=Rate(en, en_total),
        first_line_fits=Rate(fits, fit_total),
        checks_on_urgent=checks_urgent,
        checks_on_harmless=checks_harmless,
        alarms_by_source=dict(sources),
        misses_by_level=dict(misses),
    )
    if report.urgent_recall.value < BAR_URGENT_RECALL:
        report.failures.append(f"urgent recall {report.urgent_recall} < {BAR_URGENT_RECALL:.0%}")
    if report.false_alarms.value > BAR_FALSE_ALARMS:
        report.failures.append(f"false alarms {report.false_alarms} > {BAR_FALSE_ALARMS:.0%}")
    if report.obfuscated_recall.value < BAR_OBFUSCATED_RECALL:
        report.failures.append(
            f"obfuscated urgent {report.obfuscated_recall} < {BAR_OBFUSCATED_RECALL:.0%}"
        )
    if report.first_line_fits.value < BAR_FIRST_LINE:
        report.failures.append(f"first line fits {report.first_line_fits} < {BAR_FIRST_LINE:.0%}")
    return report
