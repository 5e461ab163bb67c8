"""The content review record: content/REVIEW.md, one table row per answer.

Each row says who checked the answer (a role, never a name), when, what changed and what a
legal reviewer should still look at. `childsafe validate --report` prints it as a table, and
`validate` warns about answers the record is missing or dates that disagree with `verified_on`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from content.base import CONTENT_DIR, ContentBase

REVIEW_PATH = CONTENT_DIR / "REVIEW.md"
COLUMNS = ("answer", "checked by", "on", "what changed", "open questions")
_ROW_RE = re.compile(r"^\|(.+)\|\s*$")


@dataclass(frozen=True, slots=True)
class ReviewRow:
    answer: str
    checked_by: str
    on: str
    changed: str
    open_questions: str

    def cells(self) -> tuple[str, ...]:
        return (self.answer, self.checked_by, self.on, self.changed, self.open_questions)


def load_review(path: Path = REVIEW_PATH) -> list[ReviewRow]:
    """The rows of every Markdown table in the record whose header starts with "answer"."""
    rows: list[ReviewRow] = []
    in_table = False
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _ROW_RE.match(line.strip())
        if not match:
            in_table = False
            continue
        cells = [c.strip().strip("`") for c in match.group(1).split("|")]
        if cells[0].lower() == "answer":
            in_table = True
            continue
        if not in_table or set("".join(cells)) <= set("-: "):
            continue
        cells += [""] * (len(COLUMNS) - len(cells))
        rows.append(ReviewRow(*cells[: len(COLUMNS)]))
    return rows


def review_problems(base: ContentBase, rows: Iterable[ReviewRow]) -> list[str]:
    """Answers the record does not list, rows for unknown answers, and dates that disagree."""
    by_id = {row.answer: row for row in rows}
    problems = []
    for answer in base.answers.values():
        row = by_id.get(answer.id)
        if row is None:
            problems.append(f"REVIEW.md: no row for {answer.id}")
        elif row.on != answer.verified_on.isoformat():
            problems.append(
                f"REVIEW.md: {answer.id} checked on {row.on}, verified_on says {answer.verified_on}"
            )
    problems.extend(f"REVIEW.md: {i} is not an answer" for i in by_id if i not in base.answers)
    return problems


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def render_table(rows: Sequence[ReviewRow], max_width: int = 60) -> str:
    """A plain-text table for a terminal: long cells are cut with "…"."""

    def cut(text: str) -> str:
        return text if len(text) <= max_width else text[: max_width - 1] + "…"

    table = [COLUMNS, *(tuple(cut(c) for c in row.cells()) for row in rows)]
    widths = [max(_width(r[i]) for r in table) for i in range(len(COLUMNS))]
    lines = []
    for number, row in enumerate(table):
        lines.append("  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if number == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
