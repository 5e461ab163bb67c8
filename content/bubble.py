"""Replies sized for a chat bubble: compact source lines and long answers cut after their
essentials (the rest is sent when the user presses "Xem thêm")."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from content.base import Document, Source

BUBBLE_CHARS = 800  # a reply longer than this leads with its essentials
SOURCE_PREFIX = "📚 Nguồn: "

_ABBREVIATED = {"ND": "NĐ", "TT": "TT"}  # decrees and circulars: "NĐ 56/2017"
_SAME_ARTICLE = re.compile(r"(Điều \d+[a-zđ]?(?:, \d+[a-zđ]?)*), Điều (\d+[a-zđ]?)(?![\d–-])")


def compact_label(doc: Document | None, doc_id: str) -> str:
    """'NĐ 56/2017', 'TT 09/2020', 'Luật Trẻ em 2016', 'Kế hoạch 276-KH/TU'."""
    if doc is None:
        return doc_id
    prefix = doc_id.split("-")[0]
    number = re.match(r"(\d+/\d{4})/", doc.number)
    if prefix in _ABBREVIATED and number:
        return f"{_ABBREVIATED[prefix]} {number.group(1)}"
    return doc.short


def compact_refs(refs: Iterable[str]) -> str:
    """'Điều 4', 'Điều 6' → 'Điều 4, 6' (only whole articles are merged)."""
    unique: list[str] = []
    for ref in refs:
        if ref and ref not in unique:
            unique.append(ref)
    joined = ", ".join(unique)
    while (merged := _SAME_ARTICLE.sub(r"\1, \2", joined)) != joined:
        joined = merged
    return joined


def _by_document(sources: Iterable[Source]) -> dict[str, list[str]]:
    """Each cited document once, in the order first cited, with the articles cited of it."""
    by_doc: dict[str, list[str]] = {}
    for source in sources:
        by_doc.setdefault(source.doc, []).append(source.ref)
    return by_doc


def source_line(sources: Iterable[Source], documents: Mapping[str, Document]) -> str:
    """Each document once, with its articles: '📚 Nguồn: Luật Trẻ em 2016 (Điều 4, 6); NĐ
    56/2017 (Điều 23).'"""
    parts = []
    for doc_id, refs in _by_document(sources).items():
        label = compact_label(documents.get(doc_id), doc_id)
        articles = compact_refs(refs)
        parts.append(f"{label} ({articles})" if articles else label)
    return SOURCE_PREFIX + "; ".join(parts) + "." if parts else ""


def source_list(sources: Iterable[Source], documents: Mapping[str, Document]) -> str:
    """Each document on its own line, in full, with its articles: what a teacher asking
    "cơ sở pháp lý là gì" needs to look it up."""
    lines = []
    for doc_id, refs in _by_document(sources).items():
        doc = documents.get(doc_id)
        articles = compact_refs(refs)
        head = f"• **{compact_label(doc, doc_id)}**" + (f": {articles}" if articles else "")
        if doc is None:
            lines.append(head)
            continue
        detail = f"{doc.title}, số {doc.number}, {doc.issuer}"
        if doc.status == "partly_replaced":
            detail += " (đã được sửa đổi một phần)"
        if doc.certainty == "S":
            detail += " (theo thông tin báo chí, chưa đối chiếu được văn bản gốc)"
        lines.append(f"{head}\n  {detail}.")
        if doc.url.startswith("https://"):
            lines.append(f"  {doc.url}")
    return "\n".join(lines)


def split_essentials(body: str, room: int) -> tuple[str, str]:
    """The leading lines of `body` that fit in `room` characters, and the rest. The first
    line (the title or the first sentence) always stays in front."""
    lines = body.split("\n")
    used = 0
    for index, line in enumerate(lines):
        if index and used + len(line) + 1 > room:
            cut = _keep_lists_whole(lines, index, room)
            return "\n".join(lines[:cut]), "\n".join(lines[cut:]).strip("\n")
        used += len(line) + 1
    return body, ""


def _keep_lists_whole(lines: list[str], cut: int, room: int) -> int:
    """Move the cut back to the line that introduces a list ("Khi bạo lực xảy ra:") when it
    would fall inside the list, so no heading is left with half its points; but never so far
    back that less than a third of the room is sent first."""
    start = cut
    while start > 1 and lines[start].lstrip().startswith("•"):
        start -= 1
    inside_list = lines[cut].lstrip().startswith("•") and start < cut
    if inside_list and sum(len(line) + 1 for line in lines[:start]) >= room // 3:
        return start
    if cut > 1 and lines[cut - 1].rstrip().endswith(":"):
        return cut - 1
    return cut
