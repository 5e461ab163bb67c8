"""Measure the redactor against an annotated corpus (`childsafe eval-redaction`).

Per type: recall (a gold span counts when every character of it is redacted, under any
placeholder), typed recall (under its own placeholder), and precision (a predicted span
counts when it overlaps some gold span). Also: protected numbers (hotlines, money, dates,
ages, classes) that were wrongly redacted, and characters redacted outside any gold span.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from handlers.redact import TYPES, Span, find_spans
from nlu.text import fold

Finder = Callable[[str], list[Span]]


@dataclass(frozen=True, slots=True)
class CorpusMessage:
    text: str
    pii: tuple[tuple[str, str], ...] = ()
    keep: tuple[str, ...] = ()
    holdout: bool = False


class CorpusError(ValueError):
    """The corpus file is malformed or an annotation does not occur in its message."""


def load_corpus(path: Path) -> list[CorpusMessage]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = data.get("messages") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise CorpusError(f"{path}: expected a mapping with a 'messages' list")
    messages = []
    for number, item in enumerate(items, 1):
        text = unicodedata.normalize("NFC", str(item.get("text", "")))
        pii = tuple(
            (str(kind), unicodedata.normalize("NFC", str(value)))
            for kind, value in item.get("pii") or []
        )
        pii = tuple((kind, _datum(kind, v)) for kind, v in pii)
        keep = tuple(unicodedata.normalize("NFC", str(v)) for v in item.get("keep") or [])
        for kind, value in pii:
            if kind not in TYPES:
                raise CorpusError(f"message {number}: unknown type {kind!r}")
            if not _occurrences(text, value):
                raise CorpusError(f"message {number}: {value!r} does not occur in its text")
        for value in keep:
            if value not in text:
                raise CorpusError(f"message {number}: keep {value!r} does not occur in its text")
        messages.append(CorpusMessage(text, pii, keep, item.get("set") == "holdout"))
    return messages


# The corpora's convention: a school's datum is its proper name, not its kind or level
# ("trường THCS Lê Lợi" -> "Lê Lợi"); the redactor keeps "trường THCS" readable for staff.
# An annotation that includes them is scored on the name alone.
_SCHOOL_KIND = re.compile(
    r"^(?:(?:trường|truong|school)\s+)?(?:(?:thcs|thpt|th|ptcs|ptth|ptdtnt|ptdtbt|tiểu học"
    r"|tieu hoc|mầm non|mam non|mẫu giáo|mau giao|trung học cơ sở|trung hoc co so"
    r"|trung học phổ thông|trung hoc pho thong|liên cấp|lien cap|cấp [123]|cap [123]|c[123]"
    r"|chuyên|chuyen|tư thục|tu thuc|dân lập|dan lap|quốc tế|quoc te|và|va|&"
    # (#17, round 6) a day nursery's kind too: "nhà trẻ Sơn Ca", "nhóm trẻ Hoa Mai"
    r"|nhà trẻ|nha tre|nhóm trẻ|nhom tre|nhóm lớp|nhom lop|cơ sở mầm non|co so mam non)\s+)*",
    re.IGNORECASE,
)


# (#17, round 6) and a date of birth's datum is the date: "ngày 7 tháng 7 năm 2017" is
# scored on "7 tháng 7 năm 2017" (the other corpora annotate it so; the redactor keeps the
# word "ngày" readable, as it keeps "trường THCS")
_DAY_WORD = re.compile(r"^(?:ngày|ngay)\s+(?=\d)", re.IGNORECASE)


def _datum(kind: str, value: str) -> str:
    if kind == "TRƯỜNG":
        return school_name(value)
    if kind == "NGÀY_SINH":
        return _DAY_WORD.sub("", value)
    if kind == "ĐỊA_CHỈ":
        return address_datum(value)
    return value


def school_name(value: str) -> str:
    """The proper name in a school annotation: "trường THCS Lê Lợi" -> "Lê Lợi"."""
    name = _SCHOOL_KIND.sub("", value)
    return name if len(name) >= 2 else value


# (#17, round 7) Likewise an address's datum is its home part, down to the ward or commune:
# a district, town or province written after it ("…, Ba Đình, Hà Nội", "… P.13 Q.3", "…,
# District 1, HCMC") identifies nobody and the redactor keeps it for staff. The older corpora
# put it in the address, the newer (v5, dev5, dev6) keep it; both are scored on the home part.
_COARSE_PART = re.compile(
    r"(?:quan|huyen|thi xa|thanh pho|tinh|district|city|province)(?:\s|$)"
    r"|(?:q|h|tx|tp|t)\s?\.|tp\s|q\d{1,2}$|.+\s(?:district|city|province)$"
)
_LAST_PART = re.compile(r"(?:\s*[,;\-–]\s*|\s+)([^,;\-–]+?)\s*$")
_LAST_WORDS = re.compile(
    r"\s+(?:(?:q|h|tx|tp)\.\s?\S.*|q\d{1,2}|tp|(?:quan|huyen|thi xa|thanh pho|tinh) \w[\w ]*)$"
)


def _last_place(folded: str, places: frozenset[str]) -> re.Match[str] | None:
    """A place of two words or more ending the annotation after a name, with no comma:
    "… phuong tan hiep bien hoa" (not "kiệt 77 Hải Phòng", a street)."""
    for size in (4, 3, 2):
        m = re.search(rf"([^\W\d]+) ((?:[^\W\d]+ ){{{size - 1}}}[^\W\d]+)$", folded)
        if m is not None and m.group(2) in places and m.group(1) not in _STREET_WORDS:
            return re.search(rf" {re.escape(m.group(2))}$", folded)
    return None


_STREET_WORDS = frozenset(
    {
        "duong",
        "pho",
        "kiet",
        "hem",
        "ngo",
        "ngach",
        "phuong",
        "xa",
        "thon",
        "xom",
        "ap",
        "ban",
        "so",
    }
)


def address_datum(value: str) -> str:
    """The home part of an address annotation: "số 5 ngõ 12 Khâm Thiên, Đống Đa, Hà Nội" ->
    "số 5 ngõ 12 Khâm Thiên"."""
    from handlers.redact_gazetteer import COARSE_PLACES

    while True:
        folded = fold(value)  # same length as value: spans carry over
        part = _LAST_PART.search(folded)
        if part is None:
            return value
        name = part.group(1).strip(" .")
        separated = bool(folded[part.start() : part.start(1)].strip())
        coarse = (separated or " " not in name) and (
            bool(_COARSE_PART.match(name)) or name in COARSE_PLACES
        )
        if not coarse:
            words = _LAST_WORDS.search(folded) or _last_place(folded, COARSE_PLACES)
            if words is None or words.start() == 0:
                return value  # "45/12 Lê Văn Sỹ P.13 Q.3", "… phuong tan hiep bien hoa"
            value = value[: words.start()].rstrip(" ,.;-–")
            continue
        if part.start() == 0:
            return value
        value = value[: part.start()].rstrip(" ,.;-–")


def _occurrences(text: str, value: str) -> list[tuple[int, int]]:
    pattern = rf"(?<!\w){re.escape(value)}(?!\w)" if value[:1].isalnum() else re.escape(value)
    return [m.span() for m in re.finditer(pattern, text)]


def gold_spans(message: CorpusMessage) -> list[Span]:
    return [
        Span(start, end, kind)
        for kind, value in message.pii
        for start, end in _occurrences(message.text, value)
    ]


@dataclass(slots=True)
class TypeScore:
    gold: int = 0
    covered: int = 0
    covered_as_type: int = 0
    predicted: int = 0
    predicted_correct: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "gold": self.gold,
            "recall": _ratio(self.covered, self.gold),
            "typed_recall": _ratio(self.covered_as_type, self.gold),
            "predicted": self.predicted,
            "precision": _ratio(self.predicted_correct, self.predicted),
        }


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass(slots=True)
class Miss:
    text: str
    kind: str
    value: str
    got: str  # the message as redacted


@dataclass(slots=True)
class EvalReport:
    messages: int = 0
    by_type: dict[str, TypeScore] = field(default_factory=dict)
    protected: int = 0
    protected_redacted: list[tuple[str, str]] = field(default_factory=list)
    # a district or city kept by the annotator, written right after an address and redacted
    # with it: allowed either way (see `_district_after_address`), so counted apart
    districts_with_address: list[tuple[str, str]] = field(default_factory=list)
    chars_redacted: int = 0
    chars_outside_gold: int = 0
    seconds: float = 0.0
    misses: list[Miss] = field(default_factory=list)
    false_alarms: list[Miss] = field(default_factory=list)

    def score(self, kind: str) -> TypeScore:
        return self.by_type.setdefault(kind, TypeScore())

    @property
    def overall(self) -> TypeScore:
        total = TypeScore()
        for s in self.by_type.values():
            total.gold += s.gold
            total.covered += s.covered
            total.covered_as_type += s.covered_as_type
            total.predicted += s.predicted
            total.predicted_correct += s.predicted_correct
        return total

    def to_json(self) -> dict[str, Any]:
        return {
            "messages": self.messages,
            "types": {k: self.by_type[k].as_dict() for k in TYPES if k in self.by_type},
            "overall": self.overall.as_dict(),
            "protected": {
                "total": self.protected,
                "redacted": len(self.protected_redacted),
                "rate": _ratio(len(self.protected_redacted), self.protected),
                "examples": [{"keep": k, "text": t} for k, t in self.protected_redacted],
                "districts_with_address": len(self.districts_with_address),
            },
            "chars_redacted_outside_gold": self.chars_outside_gold,
            "chars_redacted": self.chars_redacted,
            "ms_per_message": round(1000 * self.seconds / self.messages, 3)
            if self.messages
            else None,
            "misses": [{"type": m.kind, "value": m.value, "redacted": m.got} for m in self.misses],
            "false_alarms": [
                {"type": m.kind, "value": m.value, "redacted": m.got} for m in self.false_alarms
            ],
        }


def evaluate(messages: Iterable[CorpusMessage], finder: Finder = find_spans) -> EvalReport:
    from handlers.redact import apply_spans

    report = EvalReport()
    for message in messages:
        report.messages += 1
        started = time.perf_counter()
        predicted = finder(message.text)
        report.seconds += time.perf_counter() - started
        gold = gold_spans(message)
        redacted = apply_spans(message.text, predicted)
        covered = [False] * len(message.text)
        for span in predicted:
            for index in range(span.start, span.end):
                covered[index] = True
        for g in gold:
            score = report.score(g.type)
            score.gold += 1
            if all(covered[g.start : g.end]):
                score.covered += 1
                same = [p for p in predicted if p.type == g.type]
                if all(any(p.start <= x < p.end for p in same) for x in range(g.start, g.end)):
                    score.covered_as_type += 1
            else:
                report.misses.append(
                    Miss(message.text, g.type, message.text[g.start : g.end], redacted)
                )
        for p in predicted:
            score = report.score(p.type)
            score.predicted += 1
            if any(p.start < g.end and g.start < p.end for g in gold):
                score.predicted_correct += 1
            else:
                report.false_alarms.append(
                    Miss(message.text, p.type, message.text[p.start : p.end], redacted)
                )
            inside = sum(
                1 for x in range(p.start, p.end) if not any(g.start <= x < g.end for g in gold)
            )
            report.chars_outside_gold += inside
            report.chars_redacted += p.end - p.start
        for value in message.keep:
            for start, end in _occurrences(message.text, value) or [_first(message.text, value)]:
                if any(g.start <= start and end <= g.end for g in gold):
                    continue  # (round 7) the keep "3" inside the phone "0 9 0 6 2 3 8 …"
                report.protected += 1
                if not any(p.start < end and start < p.end for p in predicted):
                    continue
                if _district_after_address(message.text, start, end, gold, predicted):
                    report.districts_with_address.append((value, redacted))
                else:
                    report.protected_redacted.append((value, redacted))
    return report


# (#17, round 6) The policy for a district, town, city or province written right after (or
# just before) an address ("số 9 ngõ 120 Khương Trung, quận Đống Đa"): alone it identifies
# no one, so it is no personal datum and a corpus may keep it; as the end of the address it
# may go with it. The corpora differ (the dev corpus annotates it inside the address, dev5
# and v5 keep it), and either protects the child, so such a keep, redacted by the span that
# covers the address next to it, is counted apart and is no protected string lost.
# Everywhere else ("ở quận 7 có…") a district stays.
_COARSE_PLACE_RE = re.compile(
    r"(?:(?:q|p|tp|tx|tt|h|quận|quan|huyện|huyen|thị xã|thi xa|thị trấn|thi tran|thành phố"
    r"|thanh pho|tỉnh|tinh|district|city|province|ward|town)\.?\s*[\w ]+(?:,\s*)?)+",
    re.IGNORECASE,
)
_BETWEEN_RE = re.compile(r"[\s,;\-–—]*")
# a place's proper name: capitalised words, no digit ("Liên Chiểu", "Cần Thơ", "Ba Dinh")
_PLACE_NAME_RE = re.compile(r"(?:[A-ZĐÀ-Ỹ][\w'’]*)(?: [A-ZĐÀ-Ỹ][\w'’]*){0,3}")
# what may stand between an address and a place kept after it: separators, an administrative
# word ("phường 2, TP. Vĩnh Long"), another place ("Ninh Kiều, Cần Thơ")
_BETWEEN_PLACES_RE = re.compile(
    r"(?:[\s,;\-–—]|(?<!\w)(?:tp|tx|tt|q|h|p|quận|huyện|thị xã|thị trấn|thành phố|tỉnh|phường"
    r"|xã)\.?(?!\w)|(?<!\w)[A-ZĐÀ-Ỹ][\w'’]*|(?<!\w)\d{1,2}(?!\w))*",
    re.IGNORECASE,
)


def _between_places(gap: str) -> bool:
    return _BETWEEN_PLACES_RE.fullmatch(gap) is not None and len(gap) <= 40


def _district_after_address(
    text: str, start: int, end: int, gold: list[Span], predicted: list[Span]
) -> bool:
    from handlers import redact_lexicon as lex
    from nlu.text import fold

    value = text[start:end]
    named = _PLACE_NAME_RE.fullmatch(value) is not None  # "Liên Chiểu", "Cần Thơ"
    if not (named or _COARSE_PLACE_RE.fullmatch(value) or fold(value.lower()) in lex.PLACES):
        return False
    address = next(
        (
            g
            for g in gold
            if g.type == "ĐỊA_CHỈ"
            and (
                (g.end <= start and _between_places(text[g.end : start]))
                # written before it: "P. 5, Q. 8, hẻm 118 Dương Bá Trạc"
                or (end <= g.start and _between_places(text[end : g.start]))
            )
        ),
        None,
    )
    if address is None:
        return False
    # redacted with the address, or (round 7) as an address's own home part: the ward of
    # "P. 5, Q. 8, hẻm 118 …" is redacted and its district kept
    overlapping = [p for p in predicted if p.start < end and start < p.end]
    return all(p.type == "ĐỊA_CHỈ" for p in overlapping) and any(
        (p.start < address.end and address.start < p.end and p.start <= start and p.end >= end)
        or (start <= p.start and p.end <= end and p.end - p.start < end - start)
        for p in overlapping
    )


# The bars of #17, per type: recall for the identifiers, recall for the rest, precision.
RECALL_BARS: dict[str, float] = {
    **dict.fromkeys(("SĐT", "CCCD", "CMND", "EMAIL", "STK", "THẺ"), 0.99),
    **dict.fromkeys(("TÊN", "ĐỊA_CHỈ", "NGÀY_SINH", "TRƯỜNG", "MXH", "BIỂN_SỐ"), 0.95),
}
PRECISION_BAR = 0.9


def missed_bars(report: EvalReport) -> list[str]:
    """The bars the report misses, as readable strings; empty when all are met."""
    missed = []
    for kind, score in report.by_type.items():
        d = score.as_dict()
        bar = RECALL_BARS.get(kind, 0.95)
        if d["recall"] is not None and d["recall"] < bar:
            missed.append(f"{kind} recall {d['recall']:.3f} < {bar}")
        if d["precision"] is not None and d["precision"] < PRECISION_BAR:
            missed.append(f"{kind} precision {d['precision']:.3f} < {PRECISION_BAR}")
    if report.protected_redacted:
        missed.append(f"protected numbers redacted: {len(report.protected_redacted)}")
    return missed


def _first(text: str, value: str) -> tuple[int, int]:
    start = text.index(value)
    return start, start + len(value)


def format_report(report: EvalReport, title: str = "") -> str:
    lines = [title] if title else []
    lines.append(f"{report.messages} messages")
    lines.append(
        f"{'type':<10} {'gold':>5} {'recall':>8} {'typed':>8} {'pred':>5} {'precision':>10}"
    )
    for kind in TYPES:
        if kind not in report.by_type:
            continue
        d = report.by_type[kind].as_dict()
        lines.append(
            f"{kind:<10} {d['gold']:>5} {_pct(d['recall']):>8} {_pct(d['typed_recall']):>8} "
            f"{d['predicted']:>5} {_pct(d['precision']):>10}"
        )
    o = report.overall.as_dict()
    lines.append(
        f"{'all':<10} {o['gold']:>5} {_pct(o['recall']):>8} {_pct(o['typed_recall']):>8} "
        f"{o['predicted']:>5} {_pct(o['precision']):>10}"
    )
    lines.append(
        f"protected numbers redacted: {len(report.protected_redacted)} of {report.protected}"
    )
    if report.districts_with_address:
        lines.append(
            "districts or cities kept by the corpus, redacted inside the address next to them "
            f"(allowed either way): {len(report.districts_with_address)}"
        )
    lines.append(
        f"characters redacted outside any gold span: {report.chars_outside_gold} "
        f"of {report.chars_redacted}"
    )
    if report.messages:
        lines.append(f"speed: {1000 * report.seconds / report.messages:.3f} ms per message")
    return "\n".join(lines)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"
