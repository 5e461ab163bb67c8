"""The cited answer base: answers and the registry of documents they cite, as data.

Answer text is Vietnamese with full diacritics, in a tiny markup: `**bold**` and lines
starting with "• ". Placeholders filled per deployment: `{province}`, `{local_line}`,
`{local_line_name}`, `{local_line_citation}`, `{local_line_sentence}` (a whole sentence
naming the line and the documents it is cited from, or nothing when the deployment has no
local line), `{local_line_status}` (that sentence, or one saying there is none) and
`{local_line_advice}` (the line offered for counselling after a list of places to report),
`{local_line_welcome}` (the greeting's line: the local line with its hours, or nothing),
`{local_line_hours}`, `{brand_name}` and `{brand_of}` (" của <centre>", or nothing).
`markup_to_html` and `markup_to_plain` turn the markup into what Telegram (HTML parse mode)
and Zalo (plain text) show.

Amounts, age limits and deadlines are data in `facts.yml` (each with its source, certainty and
validity period). `{fact:ID}` renders a fact's value and `{current:ID}` the phrase "mức hiện
hành theo <document> (từ <date>)"; `validate` matches every number in an answer against the
facts. See docs/content.md.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from content.audience import Audience

CONTENT_DIR = Path(__file__).resolve().parent
ANSWERS_DIR = CONTENT_DIR / "answers"
REGISTRY_PATH = CONTENT_DIR / "registry.yml"
FACTS_PATH = CONTENT_DIR / "facts.yml"
DIRECTIVES_DIR = CONTENT_DIR / "directives"

BUBBLE_LIMIT = 1800


class ContentError(ValueError):
    """The answer base or the registry is malformed."""


@dataclass(frozen=True, slots=True)
class Document:
    id: str
    number: str
    title: str
    issuer: str
    date: str
    status: str
    effective: str | None = None
    note: str | None = None
    file: str | None = None

    short_label: str | None = None
    certainty: str = "V"  # V | S | 3P | U, as the reference sheet tags it
    url: str = ""  # where a person can read it ("/sources/<file>" for the directives)
    url_note: str | None = None
    replaced_by: str | None = None
    replaces: tuple[str, ...] = ()

    @property
    def short(self) -> str:
        """A citation label people recognise: 'Nghị định 56/2017/NĐ-CP'."""
        if self.short_label:
            return self.short_label
        kind = _KIND_BY_ID_PREFIX.get(self.id.split("-")[0])
        return f"{kind} {self.number}" if kind else f"{self.title} {self.number}"


_KIND_BY_ID_PREFIX = {
    "ND": "Nghị định",
    "TT": "Thông tư",
    "QD": "Quyết định",
    "NQ": "Nghị quyết",
    "CT": "Chỉ thị",
    "KH": "Kế hoạch",
    "CV": "Công văn",
}


CERTAINTIES = ("V", "S", "3P", "U")
UNVERIFIED = frozenset({"3P", "U"})


@dataclass(frozen=True, slots=True)
class Source:
    doc: str
    ref: str


@dataclass(frozen=True, slots=True)
class Fact:
    """An amount, age limit, deadline or dated rule, as the reference sheet states it."""

    id: str
    kind: str  # amount | age | deadline | rule
    value: str  # how answers write it: "500.000 đồng/tháng", "dưới 16 tuổi", "12 giờ"
    phrases: tuple[str, ...]  # lowercase wordings that state it (the value first)
    certainty: str  # V | S | 3P | U
    sources: tuple[Source, ...]
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None  # last day the rule applies, where known
    note: str = ""

    def in_force(self, today: dt.date) -> bool:
        starts = self.valid_from is None or self.valid_from <= today
        return starts and (self.valid_until is None or today <= self.valid_until)

    def current_phrase(self, documents: Mapping[str, Document]) -> str:
        """ "mức hiện hành theo Nghị định 76/2024/NĐ-CP (từ 01/7/2024)"."""
        doc = documents.get(self.sources[0].doc) if self.sources else None
        label = doc.short if doc else (self.sources[0].doc if self.sources else "")
        since = f" (từ {vn_date(self.valid_from)})" if self.valid_from else ""
        return f"mức hiện hành theo {label}{since}"


def vn_date(day: dt.date) -> str:
    """01/7/2024: two-digit day, month without a leading zero, as the answers write dates."""
    return f"{day.day:02d}/{day.month}/{day.year}"


@dataclass(frozen=True, slots=True)
class AnswerButton:
    label: str
    goto: str  # an answer id, "intent:<name>", "cmd:<name>" or "tel:<number>"


@dataclass(frozen=True, slots=True)
class Answer:
    id: str
    intent: str
    audiences: tuple[Audience, ...]
    title: str
    text: str
    sources: tuple[Source, ...]
    buttons: tuple[AnswerButton, ...]
    verified_on: dt.date
    keywords: tuple[str, ...] = ()  # folded phrases that select this sub-answer
    main: bool = False  # the default answer of its intent for its audiences
    topical: bool = True
    path: str = ""

    def serves(self, audience: Audience) -> bool:
        return Audience.ANY in self.audiences or audience in self.audiences


@dataclass(frozen=True, slots=True)
class Deployment:
    province: str
    local_line: str | None
    local_line_name: str
    local_line_sources: tuple[Source, ...] = ()
    note: str = ""  # said after the line: "Hải Dương nay thuộc TP Hải Phòng; chưa rõ …"
    # the privacy notice's terms (#17): how long messages are kept, who reads them
    retention_days: int = 90  # 0: no automatic deletion
    data_reader: str = "trung tâm đã triển khai trợ lý này"
    # branding (#20): the centre's name ("" = neutral) and when the local line answers
    brand_name: str = ""
    local_line_hours: str = ""

    def citation(self, documents: Mapping[str, Document] | None = None) -> str:
        """Where the local line is written down: "Công văn 363/PGDĐT …, mục 1; …"."""
        docs = registry_documents() if documents is None else documents
        return "; ".join(cite(source, docs) for source in self.local_line_sources)

    def placeholders(self, documents: Mapping[str, Document] | None = None) -> dict[str, str]:
        citation = self.citation(documents) if self.local_line else ""
        sentence = ""
        if self.local_line:
            sentence = f"Ở {self.province}: **{self.local_line}** – {self.local_line_name}"
            sentence += f" (theo {citation})." if citation else "."
            sentence += f" {self.note}" if self.note else ""
        status = sentence or (
            f"Mình chưa có số đường dây riêng nào đã được kiểm chứng của {self.province}. "
            "Ở đó, hãy liên hệ UBND và công an xã, phường nơi trẻ sống; trên cả nước, "
            "gọi **111** (miễn phí, 24/7)."
        )
        # The local line is a counselling line, not one of the places Nghị định 56/2017,
        # Điều 25 lists for reporting abuse: where an answer lists those, it comes after them.
        advice = ""
        if self.local_line:
            advice = (
                f"Để được tư vấn thêm (không thay cho việc báo tin ở trên), ở {self.province} "
                f"còn có **{self.local_line}** – {self.local_line_name}"
            )
            advice += f" (theo {citation})." if citation else "."
        # The greeting's line: short, so /start still fits one screen (the hotline answers
        # name the line in full, with where it is written down).
        welcome = ""
        if self.local_line:
            hours = f" ({self.local_line_hours})" if self.local_line_hours else ""
            welcome = f"Ở {self.province} còn có đường dây hỗ trợ **{self.local_line}**{hours}."
        if self.retention_days > 0:
            kept = f"{self.retention_days} ngày, sau đó tự động bị xóa"
        else:
            kept = "cho đến khi bạn xóa (gõ /xoa) hoặc cán bộ xóa"
        return {
            "retention_days": str(self.retention_days),
            "retention_kept": kept,
            "data_reader": self.data_reader,
            "province": self.province,
            "local_line": self.local_line or "",
            "local_line_name": self.local_line_name if self.local_line else "",
            "local_line_citation": citation,
            "local_line_sentence": sentence,
            "local_line_status": status,
            "local_line_advice": advice,
            "local_line_hours": self.local_line_hours,
            "local_line_welcome": welcome,
            "brand_name": self.brand_name,
            "brand_of": f" của {self.brand_name}" if self.brand_name else "",
        }


def parse_source_list(spec: str) -> tuple[Source, ...]:
    """`DOC-ID:ref;DOC-ID:ref` (a bare number as ref means a section: "1" → "mục 1")."""
    sources = []
    for item in spec.split(";"):
        doc, _, ref = item.partition(":")
        doc, ref = doc.strip(), ref.strip()
        if not doc:
            continue
        if re.fullmatch(r"[\dIVX]+(?:\.\d+)*", ref):
            ref = f"mục {ref}"
        sources.append(Source(doc, ref))
    return tuple(sources)


@dataclass(slots=True)
class ContentBase:
    answers: dict[str, Answer]
    documents: dict[str, Document]
    facts: dict[str, Fact] = field(default_factory=lambda: _shipped_facts())
    by_intent: dict[str, list[Answer]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for answer in self.answers.values():
            self.by_intent.setdefault(answer.intent, []).append(answer)

    def get(self, answer_id: str) -> Answer | None:
        return self.answers.get(answer_id)

    def for_intent(self, intent: str) -> list[Answer]:
        return self.by_intent.get(intent, [])

    def main_answer(self, intent: str, audience: Audience) -> Answer | None:
        candidates = [a for a in self.for_intent(intent) if a.main]
        exact = [a for a in candidates if audience in a.audiences]
        if exact:
            return exact[0]
        general = [a for a in candidates if a.serves(audience)]
        if general:
            return general[0]
        return candidates[0] if candidates else None


def _as_date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ContentError(f"{where}: verified_on must be YYYY-MM-DD, got {value!r}") from exc


def _parse_answer(raw: dict[str, Any], path: Path) -> Answer:
    where = f"{path.name}:{raw.get('id', '?')}"
    try:
        audiences_raw = raw.get("audience", ["any"])
        if isinstance(audiences_raw, str):
            audiences_raw = [audiences_raw]
        return Answer(
            id=str(raw["id"]),
            intent=str(raw["intent"]),
            audiences=tuple(Audience(a) for a in audiences_raw),
            title=str(raw.get("title", "")),
            text=str(raw["text"]).strip(),
            sources=tuple(
                Source(doc=str(s["doc"]), ref=str(s["ref"])) for s in raw.get("sources", [])
            ),
            buttons=tuple(
                AnswerButton(label=str(b["label"]), goto=str(b["goto"]))
                for b in raw.get("buttons", [])
            ),
            verified_on=_as_date(raw["verified_on"], where),
            keywords=tuple(str(k) for k in raw.get("keywords", [])),
            main=bool(raw.get("main", False)),
            topical=bool(raw.get("topical", True)),
            path=path.name,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ContentError(f"{where}: {exc}") from exc


def _load_yaml(path: Path) -> Any:
    """`yaml.safe_load`, with libyaml's parser when PyYAML has it: the same safe subset and
    the same constructors, about ten times faster (start-up reads every answer)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)


def load_documents(path: Path = REGISTRY_PATH) -> dict[str, Document]:
    raw = _load_yaml(path)
    documents: dict[str, Document] = {}
    for item in raw["documents"]:
        doc = Document(
            id=str(item["id"]),
            number=str(item["number"]),
            title=str(item["title"]),
            issuer=str(item["issuer"]),
            date=str(item["date"]),
            status=str(item["status"]),
            effective=str(item["effective"]) if item.get("effective") else None,
            note=item.get("status_note") or item.get("date_note"),
            file=item.get("file"),
            short_label=item.get("short"),
            certainty=str(item.get("certainty", "U")),
            url=str(item.get("url") or ""),
            url_note=item.get("url_note"),
            replaced_by=item.get("replaced_by"),
            replaces=tuple(str(r) for r in item.get("replaces", []) or []),
        )
        if doc.certainty not in CERTAINTIES:
            raise ContentError(f"registry: {doc.id}: certainty must be one of {CERTAINTIES}")
        if doc.id in documents:
            raise ContentError(f"registry: duplicate document id {doc.id}")
        documents[doc.id] = doc
    return documents


def _optional_date(value: Any, where: str) -> dt.date | None:
    return None if value in (None, "") else _as_date(value, where)


def load_facts(path: Path = FACTS_PATH) -> dict[str, Fact]:
    raw = _load_yaml(path) or {}
    facts: dict[str, Fact] = {}
    for item in raw.get("facts", []):
        where = f"facts: {item.get('id', '?')}"
        try:
            value = str(item["value"])
            phrases = [value, *(str(p) for p in item.get("phrases", []))]
            fact = Fact(
                id=str(item["id"]),
                kind=str(item["kind"]),
                value=value,
                phrases=tuple(dict.fromkeys(p.lower() for p in phrases)),
                certainty=str(item["certainty"]),
                sources=tuple(Source(str(s["doc"]), str(s["ref"])) for s in item["sources"]),
                valid_from=_optional_date(item.get("valid_from"), where),
                valid_until=_optional_date(item.get("valid_until"), where),
                note=str(item.get("note", "")).strip(),
            )
        except (KeyError, TypeError) as exc:
            raise ContentError(f"{where}: {exc}") from exc
        if fact.certainty not in CERTAINTIES:
            raise ContentError(f"{where}: certainty must be one of {CERTAINTIES}")
        if fact.kind not in ("amount", "age", "deadline", "rule"):
            raise ContentError(f"{where}: kind must be amount, age, deadline or rule")
        if fact.id in facts:
            raise ContentError(f"facts: duplicate fact id {fact.id}")
        facts[fact.id] = fact
    return facts


def load_content(
    answers_dir: Path = ANSWERS_DIR, registry: Path = REGISTRY_PATH, facts: Path = FACTS_PATH
) -> ContentBase:
    answers: dict[str, Answer] = {}
    for path in sorted(answers_dir.glob("*.yml")):
        raw = _load_yaml(path) or {}
        for item in raw.get("answers", []):
            answer = _parse_answer(item, path)
            if answer.id in answers:
                raise ContentError(f"{path.name}: duplicate answer id {answer.id}")
            answers[answer.id] = answer
    return ContentBase(answers=answers, documents=load_documents(registry), facts=load_facts(facts))


@cache
def default_content() -> ContentBase:
    return load_content()


@cache
def registry_documents() -> dict[str, Document]:
    """The registry as shipped, for citing the local line where no ContentBase is at hand."""
    return load_documents()


@cache
def registry_facts() -> dict[str, Fact]:
    """The facts as shipped (amounts, ages, deadlines), for rendering `{fact:…}` placeholders."""
    return load_facts()


def _shipped_facts() -> dict[str, Fact]:
    return dict(registry_facts())


_PLACEHOLDER_RE = re.compile(r"\{([a-z_]+)(?::([a-z0-9_.]+))?\}")

# Placeholders the conversation fills (handlers.pipeline), with sample values for validation.
CONVERSATION_PLACEHOLDERS: dict[str, str] = {
    "place": "TP Cần Thơ",
    "place_note": "Sóc Trăng nay thuộc TP Cần Thơ (từ 1/7/2025).",
    "answer_title": "Bao lâu có quyết định trợ cấp",
    "source_list": "• **NĐ 20/2021**: Điều 6",
}
# What they say when a text is rendered outside a conversation: neutral, never a sample.
CONVERSATION_DEFAULTS: dict[str, str] = {
    "place": "nơi bạn ở",
    "place_note": "",
    "answer_title": "câu trả lời ở trên",
    "source_list": "",
}


def render_text(
    text: str,
    deployment: Deployment,
    documents: Mapping[str, Document] | None = None,
    facts: Mapping[str, Fact] | None = None,
    extra: Mapping[str, str] | None = None,
) -> str:
    """Fill the placeholders; `extra` adds conversation values ({place}, {answer_title} …)."""
    values = deployment.placeholders(documents) | CONVERSATION_DEFAULTS | dict(extra or {})
    docs = registry_documents() if documents is None else documents
    known = registry_facts() if facts is None else facts

    def fill(match: re.Match[str]) -> str:
        name, key = match.group(1), match.group(2)
        if key is None:
            return values.get(name, match.group(0))
        fact = known.get(key)
        if fact is None or name not in ("fact", "current"):
            return match.group(0)
        return fact.value if name == "fact" else fact.current_phrase(docs)

    rendered = _PLACEHOLDER_RE.sub(fill, text)
    # a placeholder that rendered empty must not leave a blank bullet or line behind
    lines = [line for line in rendered.splitlines() if line.strip() not in ("", "•")]
    return "\n".join(lines) if lines else rendered.strip()


def cite(source: Source, documents: Mapping[str, Document]) -> str:
    doc = documents.get(source.doc)
    label = doc.short if doc else source.doc
    return f"{label}, {source.ref}" if source.ref else label


def source_url(source: Source, documents: Mapping[str, Document]) -> str | None:
    """Where a person can open the cited document, or None when the registry has no link."""
    doc = documents.get(source.doc)
    return doc.url or None if doc else None


_BOLD_RE = re.compile(r"\*\*(.+?)\*\*")


def markup_to_html(text: str) -> str:
    """Telegram HTML parse mode: escape everything, then `**x**` → `<b>x</b>`."""
    return _BOLD_RE.sub(r"<b>\1</b>", html.escape(text, quote=False))


def markup_to_plain(text: str) -> str:
    """Zalo and SMS-style channels: the same text with the bold markers dropped."""
    return _BOLD_RE.sub(r"\1", text)
