"""`childsafe validate`: the answer base is complete, cited, current, clean and fits a bubble.

Errors make `validate` fail; warnings are printed for a reviewer. The language checks
(`language_problems`, `markup_problems`) are plain functions so the tests and authoring
tools use exactly the rules `validate` applies.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from content.audience import Audience
from content.base import (
    BUBBLE_LIMIT,
    CONVERSATION_PLACEHOLDERS,
    DIRECTIVES_DIR,
    UNVERIFIED,
    Answer,
    ContentBase,
    Deployment,
    Document,
    Fact,
    markup_to_plain,
    render_text,
)
from content.bubble import source_line
from content.review import REVIEW_PATH, load_review, review_problems
from nlu.intents import ALL_INTENTS, LABELS, TOPICAL_INTENTS
from nlu.text import read

AUDIENCES_SERVED = (Audience.PARENT, Audience.STUDENT, Audience.TEACHER, Audience.ANY)
EMERGENCY_LINES = frozenset({"111", "112", "113", "114", "115"})
ZALO_TEXT_LIMIT = 2000  # Zalo OA text message limit
TELEGRAM_CALLBACK_MAX_BYTES = 64  # Telegram callback_data limit; payloads are "@answer:<id>"
BUTTON_LABEL_MAX = 40  # longer labels are cut on small phone screens
NON_TOPICAL_PREFIXES = ("urgent.", "cmd.", "core.", "role.", "smalltalk.", "place.")

# Phone lines: the 11x short codes, 1800/1900 numbers and 10/11-digit numbers from 0.
_LINE_RE = re.compile(r"(?<![\d.,/])(11\d|1[89]00[\s.]?\d{4}|0\d{9,10})(?!\d|[.,/]\d)")
_LOCAL_NUMBER_RE = re.compile(r"(?<![\d.,/])(1[89]00[\s.]?\d{4}|0\d{9,10})(?!\d|[.,/]\d)")
_PLACEHOLDER_RE = re.compile(r"\{([a-z_]+)(?::[a-z0-9_.]+)?\}")
_FACT_PLACEHOLDER_RE = re.compile(r"\{(fact|current):([a-z0-9_.]+)\}")

# An answer stating an [S] fact, or citing an [S] document, says so in these plain words.
CERTAINTY_MARKERS = ("theo thông tin báo chí", "chưa đối chiếu được văn bản gốc")
# Numbers people act on: each one in an answer must be a fact in content/facts.yml.
_NUMBER_RES = (
    ("amount", re.compile(r"\d{1,3}(?:\.\d{3})+\s*(?:đồng|đ)(?!\w)")),
    ("age", re.compile(r"\d+\s*tuổi(?!\w)")),
    ("deadline", re.compile(r"\d+\s*(?:giờ|ngày|phút|tuần|tháng)(?!\w)")),
    ("height", re.compile(r"\d+(?:,\d+)?\s*mét(?!\w)")),
)
# Bodies abolished in 2025 (the Ministry of Labour, War Invalids and Social Affairs; every
# district-level office): named only as history, in a sentence that says so.
_FORMER_BODY_RE = re.compile(
    r"Bộ Lao động\s*[-–]\s*Thương binh và Xã hội|Bộ LĐ-?TB&XH|Bộ LĐTBXH"
    r"|Sở Lao động\s*[-–]\s*Thương binh và Xã hội|Sở LĐ-?TB&XH"
    r"|Phòng LĐ-?TB&XH|Phòng Lao động|Phòng GD&ĐT|Phòng Giáo dục"
    r"|cấp huyện|UBND huyện|Ủy ban nhân dân huyện|quận, huyện|huyện ủy",
    re.IGNORECASE,
)
_HISTORICAL_RE = re.compile(
    r"trước đây|trước 01/7/2025|\bcũ\b|đã bỏ|đã bãi bỏ|không còn|đã giải thể|khi ban hành"
    r"|năm 2024|\(2024\)|, 2024\)|/2024\)",
    re.IGNORECASE,
)
_GOTO_KINDS = ("intent:", "cmd:", "role:", "tel:")


@dataclass(slots=True)
class Report:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# ---------------------------------------------------------------------- language checks

# OCR debris seen in the scanned directives ("Chi thi s6 28-CT/TW cta Bo Chinh tri").
_OCR_DEBRIS = [
    (re.compile(r"\bs[06]\b"), "OCR debris 's6'/'s0' (số)"),
    (re.compile(r"\b(?:cta|ctia|ciia|cia|ctra|cla)\b", re.IGNORECASE), "OCR debris (của)"),
    (re.compile(r"\btr[éè¢]\b", re.IGNORECASE), "OCR debris 'tré' (trẻ)"),
    (re.compile(r"\bP(?:ang|ao|ay|ai|iéu|éc|oi|ình)\b"), "OCR debris 'P…' for 'Đ…'"),
    (re.compile(r"\bchi thi\b", re.IGNORECASE), "unaccented 'Chi thi' (Chỉ thị)"),
    (re.compile(r"[|¢€¥©®�ðþ\\^~`]"), "stray character"),
    # Vietnamese writes "iê/yê" and "uô/ươ" only with the hat or horn: "hién", "duoc" are OCR.
    (re.compile(r"[iy][eéèẻẽẹ][nmtcpu]|[uư][oóòỏõọ][nmtcpi]", re.IGNORECASE),
     "vowel without its hat or horn (iê, uô, ươ)"),
]  # fmt: skip
MIN_ACCENTED_SHARE = 0.5  # of 12+ words: real answers sit at 0.7 or more, OCR far lower
# Tokens mixing letters and digits ("s6", "1ap", "000đ") are OCR or typing slips; a document
# number's tail after "/" ("121/2020/QH14") and these are fine.
_MIXED_TOKEN_RE = re.compile(r"(?<![\w/])(?=\w*\d)(?=\w*[^\W\d_])\w+")
_MIXED_ALLOWED = frozenset({"tongdai111"})
# Words that are never written without diacritics: seeing one means the text lost its accents.
UNACCENTED_WORDS = frozenset(
    {
        "khong", "duoc", "nguoi", "cua", "nhung", "nhieu", "hoac", "neu", "cac", "mot",
        "viec", "truong", "dieu", "quyen", "tuoi", "vao", "den", "biet", "hoc", "vien",
        "phai", "thuong", "giup", "nuoc", "duong", "huong", "chinh", "phap", "luat", "nhan",
        "tinh", "gia", "dinh",
        "ve", "cho", "lam", "thi", "chi", "xa", "hoi", "tre",
    }
)  # fmt: skip
# Single words above that are also real unaccented words only count inside these pairs.
_AMBIGUOUS = frozenset({"nhan", "tinh", "gia", "dinh", "ve", "cho", "lam", "thi", "chi", "xa",
                        "hoi", "tre"})  # fmt: skip
_UNACCENTED_PAIRS = frozenset(
    {
        ("tre", "em"), ("gia", "dinh"), ("xa", "hoi"), ("bao", "ve"), ("chi", "thi"),
        ("nhan", "dan"), ("thi", "hanh"), ("cho", "tre"), ("lam", "viec"), ("tinh", "huong"),
    }
)  # fmt: skip


@cache
def _vietnamese_letters() -> frozenset[str]:
    tones = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]
    vowels = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"]
    letters = set("abcdefghijklmnopqrstuvwxyzđ")
    for vowel in vowels:
        for tone in tones:
            letters.add(unicodedata.normalize("NFC", vowel + tone))
    return frozenset(letters | {c.upper() for c in letters})


# Names of newspapers and techniques cited in the sources line: not Vietnamese words.
_FOREIGN_NAMES_RE = re.compile(r"\b(?:VietNamNet|vietnam\.vn|VnExpress|Afamily|Heimlich)\b", re.I)


def language_problems(text: str) -> list[str]:
    """Lost diacritics, OCR debris and stray characters in text shown to people."""
    problems: list[str] = []
    text = _FOREIGN_NAMES_RE.sub("", text)
    if unicodedata.normalize("NFC", text) != text:
        problems.append("text is not NFC-normalised (decomposed diacritics)")
    for pattern, label in _OCR_DEBRIS:
        if match := pattern.search(text):
            problems.append(f"{label}: {match.group(0)!r}")
    for match in _MIXED_TOKEN_RE.finditer(text):
        if match.group(0).lower() not in _MIXED_ALLOWED:
            problems.append(f"letters and digits glued together: {match.group(0)!r}")
    letters = _vietnamese_letters()
    for char in sorted(set(text)):
        if char.isalpha() and "LATIN" in unicodedata.name(char, "") and char not in letters:
            problems.append(f"letter {char!r} is not Vietnamese (OCR?)")
    words = re.findall(r"[^\W\d_]+", text.lower())
    syllables = [w for w in re.findall(r"[^\W\d_]+", text) if len(w) > 1 and not w.isupper()]
    accented = [w for w in syllables if unicodedata.normalize("NFD", w) != w or "đ" in w.lower()]
    if len(syllables) >= 12 and len(accented) < MIN_ACCENTED_SHARE * len(syllables):
        problems.append(f"only {len(accented)} of {len(syllables)} words carry diacritics")
    seen: set[str] = set()
    for word in words:
        if word in UNACCENTED_WORDS and word not in _AMBIGUOUS and word not in seen:
            seen.add(word)
            problems.append(f"word without diacritics: {word!r}")
    for pair in itertools.pairwise(words):
        if pair in _UNACCENTED_PAIRS:
            problems.append(f"words without diacritics: {' '.join(pair)!r}")
    return problems


def markup_problems(text: str) -> list[str]:
    """Only `**bold**` (within one line) and lines starting with "• " are allowed."""
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.count("**") % 2:
            problems.append(f"line {number}: unbalanced ** (bold must close on its line)")
        if "****" in line:
            problems.append(f"line {number}: empty bold")
        if "*" in line.replace("**", ""):
            problems.append(f"line {number}: single '*' (only **bold** is allowed)")
        if re.match(r"\s*(?:[-+*]\s|#)", line):
            problems.append(f"line {number}: Markdown list or heading; use '• ' bullets")
        if "•" in line and (line.count("•") > 1 or not re.match(r"• \S", line)):
            problems.append(f"line {number}: '•' must start the line and be followed by a space")
        if re.search(r"__|\[[^\]]*\]\(|</?[a-zA-Z][^>]*>", line):
            problems.append(f"line {number}: Markdown link, underline or HTML tag")
        if line != line.strip():
            problems.append(f"line {number}: leading or trailing spaces")
    return problems


# ---------------------------------------------------------------------- rendering helpers


def sources_line(answer: Answer, documents: Mapping[str, Document]) -> str:
    """The citation line the pipeline appends under a reply."""
    return source_line(answer.sources, documents)


def shown_text(answer: Answer, deployment: Deployment, documents: Mapping[str, Document]) -> str:
    """What a user sees for this answer: the rendered text and its citation line."""
    body = render_text(answer.text, deployment, documents, extra=CONVERSATION_PLACEHOLDERS)
    footer = sources_line(answer, documents)
    return f"{body}\n\n{footer}" if footer else body


# ---------------------------------------------------------------------- the validation


def validate(
    base: ContentBase,
    deployment: Deployment,
    today: dt.date | None = None,
    max_age_days: int = 365,
    intents: tuple[str, ...] = ALL_INTENTS,
    review: Path | None = REVIEW_PATH,
) -> Report:
    report = Report()
    today = today or dt.date.today()
    allowed_lines = set(EMERGENCY_LINES)
    if deployment.local_line:
        allowed_lines.add(deployment.local_line)

    _check_deployment(base, deployment, report)
    _check_registry(base, report)
    _check_coverage(base, intents, report)
    targets = {b.goto for a in base.answers.values() for b in a.buttons}
    for answer in base.answers.values():
        _check_answer(answer, base, deployment, today, max_age_days, intents, allowed_lines, report)
        needs_route = (
            answer.intent in TOPICAL_INTENTS
            and not answer.main
            and not answer.id.startswith(NON_TOPICAL_PREFIXES)  # urgent.*: chosen by triage
        )
        if needs_route and not answer.keywords and answer.id not in targets:
            report.errors.append(
                f"{answer.path}:{answer.id}: sub-answer unreachable (no keywords, no button)"
            )
    _check_keyword_overlap(base, report)
    if review is not None and review.is_file():
        report.warnings.extend(review_problems(base, load_review(review)))
    return report


def _check_deployment(base: ContentBase, deployment: Deployment, report: Report) -> None:
    line = deployment.local_line
    if line is None:
        return
    if not re.fullmatch(r"\d{3,11}", line):
        report.errors.append(f"deployment: local line {line!r} is not a phone number")
    if line in EMERGENCY_LINES:
        report.errors.append(f"deployment: local line {line} is a national emergency number")
    for source in deployment.local_line_sources:
        if source.doc not in base.documents:
            report.errors.append(f"deployment: local line source {source.doc!r} not in registry")
    if not deployment.local_line_sources:
        report.warnings.append(f"deployment: local line {line} cites no document")


def _check_coverage(base: ContentBase, intents: Iterable[str], report: Report) -> None:
    for intent in intents:
        for audience in AUDIENCES_SERVED:
            main = base.main_answer(intent, audience)
            if main is None or not main.serves(audience):
                report.errors.append(f"intent {intent!r} has no main answer for {audience.value}")
        for audience in AUDIENCES_SERVED:
            exact = [a.id for a in base.for_intent(intent) if a.main and audience in a.audiences]
            if len(exact) > 1:
                report.warnings.append(
                    f"intent {intent!r}: several main answers for {audience.value}: {exact}"
                )


def _check_answer(
    answer: Answer,
    base: ContentBase,
    deployment: Deployment,
    today: dt.date,
    max_age_days: int,
    intents: tuple[str, ...],
    allowed_lines: set[str],
    report: Report,
) -> None:
    where = f"{answer.path}:{answer.id}"
    errors = report.errors
    if answer.intent not in intents and not answer.id.startswith(NON_TOPICAL_PREFIXES):
        errors.append(f"{where}: unknown intent {answer.intent!r}")
    if answer.topical and answer.intent in TOPICAL_INTENTS and not answer.sources:
        errors.append(f"{where}: a topical answer must cite at least one source")
    for source in answer.sources:
        doc = base.documents.get(source.doc)
        if doc is None:
            errors.append(f"{where}: source {source.doc!r} is not in the registry")
        elif doc.status == "replaced":
            errors.append(f"{where}: cites {source.doc}, replaced by {doc.replaced_by}")
        if not source.ref.strip():
            errors.append(f"{where}: source {source.doc} has no article or section")

    age = (today - answer.verified_on).days
    if age > max_age_days:
        errors.append(
            f"{where}: verified_on {answer.verified_on} is {age} days old (max {max_age_days})"
        )
    if answer.verified_on > today:
        errors.append(f"{where}: verified_on {answer.verified_on} is in the future")

    known = set(deployment.placeholders({})) | set(CONVERSATION_PLACEHOLDERS)
    unknown = set(_PLACEHOLDER_RE.findall(answer.text)) - known
    unknown -= {"fact", "current"}
    for _, key in _FACT_PLACEHOLDER_RE.findall(answer.text):
        if key not in base.facts:
            errors.append(f"{where}: placeholder names unknown fact {key!r}")
    if unknown:
        errors.append(f"{where}: unknown placeholder(s) {sorted(unknown)}")
    for number in _LOCAL_NUMBER_RE.findall(answer.text):
        errors.append(f"{where}: hard-coded line {number}; use {{local_line}} placeholders")

    rendered = render_text(
        answer.text,
        deployment,
        base.documents,
        base.facts,
        extra={**CONVERSATION_PLACEHOLDERS, **DEPLOYMENT_TERMS},
    )
    shown = shown_text(answer, deployment, base.documents)
    _check_certainty_and_facts(where, answer, rendered, base, today, report)
    if len(shown) > BUBBLE_LIMIT:
        errors.append(f"{where}: {len(shown)} characters shown, over {BUBBLE_LIMIT}")
    if len(markup_to_plain(shown)) > ZALO_TEXT_LIMIT:
        errors.append(f"{where}: over Zalo's {ZALO_TEXT_LIMIT}-character limit")
    if "{" in rendered or "}" in rendered:
        errors.append(f"{where}: unfilled placeholder in text")
    errors.extend(f"{where}: {p}" for p in markup_problems(rendered))
    for text in (rendered, answer.title, *(b.label for b in answer.buttons)):
        errors.extend(f"{where}: {p}" for p in language_problems(text))
    for number in _LINE_RE.findall(rendered):
        compact = re.sub(r"[\s.]", "", number)
        if compact not in allowed_lines:
            errors.append(f"{where}: phone line {number} is not a configured hotline")

    for keyword in answer.keywords:
        if not keyword.strip() or read(keyword).folded != keyword:
            errors.append(
                f"{where}: keyword {keyword!r} is not folded "
                f"(write {read(keyword).folded!r}: lowercase, no diacritics, đ→d)"
            )

    for button in answer.buttons:
        _check_button(where, button.label, button.goto, base, intents, allowed_lines, report)


def has_certainty_marker(text: str) -> bool:
    plain = markup_to_plain(text).lower()
    return any(marker in plain for marker in CERTAINTY_MARKERS)


def stated_facts(text: str, facts: Mapping[str, Fact]) -> list[tuple[Fact, int, int]]:
    """The facts a text states, found by their wordings: longest first, never overlapping."""
    plain = markup_to_plain(text).lower()
    phrases = sorted(
        ((phrase, fact) for fact in facts.values() for phrase in fact.phrases),
        key=lambda pair: -len(pair[0]),
    )
    taken: list[tuple[int, int]] = []
    found: list[tuple[Fact, int, int]] = []
    for phrase, fact in phrases:
        for match in re.finditer(re.escape(phrase), plain):
            start, end = match.span()
            if any(start < b and a < end for a, b in taken):
                continue
            taken.append((start, end))
            found.append((fact, start, end))
    return sorted(found, key=lambda item: item[1])


# The deployment's own terms (how long it keeps messages, #17): a setting, not a legal fact,
# so the fact check reads a neutral word in their place.
DEPLOYMENT_TERMS = {"retention_kept": "(thời hạn lưu)", "retention_days": "(số ngày lưu)"}


def unmatched_numbers(text: str, facts: Mapping[str, Fact]) -> list[tuple[str, str]]:
    """Amounts, ages, deadlines and heights in `text` that no fact's wording covers."""
    plain = markup_to_plain(text).lower()
    spans = [(start, end) for _, start, end in stated_facts(text, facts)]
    loose: list[tuple[str, str]] = []
    for kind, pattern in _NUMBER_RES:
        for match in pattern.finditer(plain):
            if not any(a <= match.start() and match.end() <= b for a, b in spans):
                loose.append((kind, match.group(0)))
    return loose


def former_bodies_as_current(text: str) -> list[str]:
    """Sentences naming the former Bộ LĐ-TB&XH or a district-level office without saying
    that it is history (abolished in 2025)."""
    found = []
    for sentence in re.split(r"(?<=[.;!?])\s+|\n", markup_to_plain(text)):
        match = _FORMER_BODY_RE.search(sentence)
        if match and not _HISTORICAL_RE.search(sentence):
            found.append(match.group(0))
    return found


def _check_certainty_and_facts(
    where: str, answer: Answer, rendered: str, base: ContentBase, today: dt.date, report: Report
) -> None:
    errors = report.errors
    marked = has_certainty_marker(rendered)
    cited = {source.doc for source in answer.sources}
    for source in answer.sources:
        doc = base.documents.get(source.doc)
        if doc is None:
            continue
        if doc.certainty in UNVERIFIED:
            errors.append(f"{where}: cites {doc.id}, which the registry marks {doc.certainty}")
        elif doc.certainty == "S" and not marked:
            errors.append(
                f"{where}: cites {doc.id} (known only from press summaries [S]) without saying "
                f"so ({' / '.join(repr(m) for m in CERTAINTY_MARKERS)})"
            )
    for kind, number in unmatched_numbers(rendered, base.facts):
        errors.append(f"{where}: {kind} {number!r} is not a fact in content/facts.yml")
    plain = markup_to_plain(rendered)
    for fact in dict.fromkeys(fact for fact, _, _ in stated_facts(rendered, base.facts)):
        if fact.certainty in UNVERIFIED:
            errors.append(f"{where}: states {fact.id}, which the sheet marks {fact.certainty}")
        elif fact.certainty == "S" and not marked:
            errors.append(
                f"{where}: states {fact.id} [S] without saying so "
                f"({' / '.join(repr(m) for m in CERTAINTY_MARKERS)})"
            )
        if fact.valid_until and fact.valid_until < today:
            errors.append(f"{where}: states {fact.id}, whose period ended on {fact.valid_until}")
        if fact.valid_from and fact.valid_from > today:
            errors.append(f"{where}: states {fact.id}, which applies only from {fact.valid_from}")
        fact_docs = {s.doc for s in fact.sources}
        if not fact_docs & cited:
            errors.append(f"{where}: states {fact.id} without citing {sorted(fact_docs)}")
        if fact.kind == "amount":
            current = fact.current_phrase(base.documents).split(" (từ")[0]
            if current.lower() not in plain.lower():
                errors.append(f"{where}: amount {fact.value!r} without '{current} (từ …)'")
    for name in former_bodies_as_current(rendered):
        errors.append(f"{where}: names {name!r} as if current (abolished in 2025)")


def _check_registry(base: ContentBase, report: Report) -> None:
    errors = report.errors
    for doc in base.documents.values():
        if doc.status == "replaced" and doc.replaced_by not in base.documents:
            errors.append(f"registry: {doc.id} is replaced but names no known replacement")
        for older in doc.replaces:
            if older not in base.documents or base.documents[older].replaced_by != doc.id:
                errors.append(f"registry: {doc.id} replaces {older}, which does not say so")
        if doc.certainty in UNVERIFIED:
            continue
        if not doc.url:
            errors.append(f"registry: {doc.id} has no url where it can be read")
        elif doc.url.startswith("/sources/"):
            if not (DIRECTIVES_DIR / doc.url.removeprefix("/sources/")).is_file():
                errors.append(f"registry: {doc.id}: {doc.url} is not in content/directives/")
        elif not doc.url.startswith(("https://", "http://")):
            errors.append(f"registry: {doc.id}: url {doc.url!r} is not a web address")
    for fact in base.facts.values():
        for source in fact.sources:
            if source.doc not in base.documents:
                errors.append(f"facts: {fact.id} cites {source.doc!r}, not in the registry")


def _check_button(
    where: str,
    label: str,
    goto: str,
    base: ContentBase,
    intents: tuple[str, ...],
    allowed_lines: set[str],
    report: Report,
) -> None:
    if goto.startswith("tel:"):
        if goto[4:] not in allowed_lines:
            report.errors.append(f"{where}: button calls unconfigured line {goto}")
    elif goto.startswith("intent:"):
        if goto[7:] not in intents:
            report.errors.append(f"{where}: button goes to unknown intent {goto}")
    elif not goto.startswith(_GOTO_KINDS) and goto not in base.answers:
        report.errors.append(f"{where}: button goes to unknown answer {goto!r}")
    payload = f"@{goto}" if goto.startswith(_GOTO_KINDS) else f"@answer:{goto}"
    if len(payload.encode()) > TELEGRAM_CALLBACK_MAX_BYTES:
        report.errors.append(f"{where}: button payload {payload!r} over 64 bytes (Telegram)")
    if len(label) > BUTTON_LABEL_MAX:
        report.warnings.append(f"{where}: button label {label!r} is long")


def _check_keyword_overlap(base: ContentBase, report: Report) -> None:
    """The same keyword on two sub-answers for the same people makes the choice arbitrary,
    and a keyword inside the topic's own name ("cap xa" in "tro cap xa hoi") fires on every
    question about the topic."""
    for intent, answers in base.by_intent.items():
        topic = f" {read(LABELS.get(intent, '')).folded} "
        owners: dict[str, list[Answer]] = {}
        for answer in answers:
            for keyword in answer.keywords:
                owners.setdefault(keyword, []).append(answer)
                if f" {keyword} " in topic:
                    report.warnings.append(
                        f"{answer.id}: keyword {keyword!r} is in the topic name {topic.strip()!r}"
                    )
        for keyword, owned in owners.items():
            for i, first in enumerate(owned):
                for second in owned[i + 1 :]:
                    if _share_audience(first, second):
                        report.warnings.append(
                            f"{intent}: keyword {keyword!r} on both {first.id} and {second.id}"
                        )


def _share_audience(a: Answer, b: Answer) -> bool:
    # An answer for one audience overriding a general one with the same keywords is deliberate.
    return bool(set(a.audiences) & set(b.audiences))
