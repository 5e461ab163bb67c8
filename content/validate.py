"""`childsafe validate`: the answer base is complete, cited, current and fits a chat bubble."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from content.base import BUBBLE_LIMIT, ContentBase, Deployment, render_text
from handlers.models import Audience
from handlers.topics import ALL_INTENTS, TOPICAL_INTENTS

AUDIENCES_SERVED = (Audience.PARENT, Audience.STUDENT, Audience.TEACHER)
EMERGENCY_LINES = {"111", "112", "113", "114", "115"}
# A run of digits that looks like a phone line: 3-digit short codes and 1800/1900 numbers.
_LINE_RE = re.compile(r"(?<![\d.,/])(1[0-9]{2}|1[89]00[\s.]?\d{4}|0\d{9,10})(?![\d.,/])")
_GOTO_KINDS = ("intent:", "cmd:", "role:", "tel:")


@dataclass(slots=True)
class Report:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def validate(
    base: ContentBase,
    deployment: Deployment,
    today: dt.date | None = None,
    max_age_days: int = 365,
    intents: tuple[str, ...] = ALL_INTENTS,
) -> Report:
    report = Report()
    today = today or dt.date.today()
    allowed_lines = set(EMERGENCY_LINES)
    if deployment.local_line:
        allowed_lines.add(deployment.local_line)

    for intent in intents:
        for audience in AUDIENCES_SERVED:
            if base.main_answer(intent, audience) is None:
                report.errors.append(f"intent {intent!r} has no main answer for {audience.value}")

    for answer in base.answers.values():
        where = f"{answer.path}:{answer.id}"
        if answer.intent not in intents and not answer.id.startswith(("urgent.", "cmd.", "core.", "role.")):
            report.errors.append(f"{where}: unknown intent {answer.intent!r}")
        if answer.topical and answer.intent in TOPICAL_INTENTS and not answer.sources:
            report.errors.append(f"{where}: a topical answer must cite at least one source")
        for source in answer.sources:
            if source.doc not in base.documents:
                report.errors.append(f"{where}: source {source.doc!r} is not in the registry")
            if not source.ref.strip():
                report.errors.append(f"{where}: source {source.doc} has no article or section")
        age = (today - answer.verified_on).days
        if age > max_age_days:
            report.errors.append(
                f"{where}: verified_on {answer.verified_on} is {age} days old (max {max_age_days})"
            )
        if answer.verified_on > today:
            report.errors.append(f"{where}: verified_on {answer.verified_on} is in the future")
        rendered = render_text(answer.text, deployment)
        if len(rendered) > BUBBLE_LIMIT:
            report.errors.append(f"{where}: {len(rendered)} characters, over {BUBBLE_LIMIT}")
        if rendered.count("**") % 2:
            report.errors.append(f"{where}: unbalanced ** markup")
        for number in _LINE_RE.findall(rendered):
            compact = re.sub(r"[\s.]", "", number)
            if compact not in allowed_lines:
                report.errors.append(f"{where}: phone line {number} is not a configured hotline")
        for button in answer.buttons:
            if button.goto.startswith("tel:"):
                if button.goto[4:] not in allowed_lines:
                    report.errors.append(f"{where}: button calls unconfigured line {button.goto}")
            elif button.goto.startswith("intent:"):
                if button.goto[7:] not in intents:
                    report.errors.append(f"{where}: button goes to unknown intent {button.goto}")
            elif not button.goto.startswith(_GOTO_KINDS) and button.goto not in base.answers:
                report.errors.append(f"{where}: button goes to unknown answer {button.goto!r}")
        if "{" in rendered or "}" in rendered:
            report.errors.append(f"{where}: unfilled placeholder in text")
    return report
