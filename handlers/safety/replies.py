"""The help that fits the danger and the person: the urgent reply and the safety check.

The urgent reply opens with the primary danger's first line (fire 114, a body in danger
115, an attack or abduction now 113, abuse, sextortion, grooming and suicidal thoughts
111), lists the other lines, always 111, and gives a call button for every line it names.
The steps come from content/answers/urgent.yml: `urgent.<danger>.<voice>` when the person
has their own text (a student, an adult reporting), else `urgent.<danger>`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from content.base import Answer, ContentBase, Source, cite
from content.bubble import source_line
from handlers.models import Button, SourceRef
from handlers.safety.dangers import LINE_LABELS, NATIONAL_LINE, Danger, lines_for
from handlers.safety.person import Voice

# An answer's text for this user (placeholders filled for their deployment and place).
Body = Callable[[Answer], str]

# Payloads of the two answers to the safety check.
IN_DANGER = "@safety:danger"
JUST_ASKING = "@safety:info"


@dataclass(slots=True)
class Composed:
    """A reply's text and buttons before the pipeline adds intent and state."""

    text: str
    buttons: list[Button]
    answer_id: str | None = None
    sources: list[SourceRef] = field(default_factory=list)


def call_button(line: str) -> Button:
    return Button(f"📞 Gọi {line}", f"@tel:{line}", phone=line)


def voiced(content: ContentBase, base_id: str, voice: Voice) -> Answer | None:
    """`<base_id>.<voice>` if the content has it, else `<base_id>`."""
    return content.get(f"{base_id}.{voice.value}") or content.get(base_id)


def lines_named(text: str, known: Sequence[str]) -> list[str]:
    """Every known line the text names, in the order it first names them."""
    found = []
    for number in dict.fromkeys(known):
        if match := re.search(rf"(?<!\d){re.escape(number)}(?!\d)", text):
            found.append((match.start(), number))
    return [number for _, number in sorted(found)]


def ordered_lines(dangers: Sequence[Danger], lines: Sequence[str]) -> tuple[str, ...]:
    """The lines to show: the assessed ones if they start right, else the table's; 111 always."""
    table = lines_for(dangers)
    chosen = list(lines) if lines and lines[0] == table[0] else list(table)
    for line in table:
        if line not in chosen:
            chosen.append(line)
    if NATIONAL_LINE not in chosen:
        chosen.append(NATIONAL_LINE)
    return tuple(chosen)


def compose_urgent(
    content: ContentBase,
    body: Body,
    dangers: Sequence[Danger],
    lines: Sequence[str],
    voice: Voice,
    cannot_call: bool,
    known_lines: Sequence[str],
) -> Composed:
    dangers = tuple(dangers) or (Danger.UNSPECIFIED,)
    shown = ordered_lines(dangers, lines)
    first, *others = shown
    parts = [f"🆘 Gọi ngay **{first}** – {LINE_LABELS[first]}"]
    parts += [f"• **{n}** – {LINE_LABELS[n]}" for n in others]
    text = "\n".join(parts)
    cited: list[Source] = []
    steps = voiced(content, f"urgent.{dangers[0].value}", voice)
    other_ways = voiced(content, "urgent.cannot_call", voice) if cannot_call else None
    for part in (other_ways, steps):
        if part is not None:
            text += "\n\n" + body(part)
            cited += [s for s in part.sources if s not in cited]
    if cited:
        text += "\n\n" + source_line(cited, content.documents)
    sources = [SourceRef(s.doc, s.ref, cite(s, content.documents)) for s in cited]
    buttons = [call_button(n) for n in lines_named(text, [*shown, *known_lines])]
    return Composed(text, buttons, steps.id if steps else None, sources)


def compose_check(
    content: ContentBase,
    body: Body,
    dangers: Sequence[Danger],
    voice: Voice,
) -> Composed:
    """ "Bạn có đang an toàn không?" with its two answers and the fitting line to call."""
    dangers = tuple(dangers) or (Danger.UNSPECIFIED,)
    question = voiced(content, "urgent.check", voice)
    if question is None:
        raise LookupError("content is missing the required answer 'urgent.check'")
    text = body(question)
    first = lines_for(dangers)[0]
    shown = [first] if first == NATIONAL_LINE else [first, NATIONAL_LINE]
    text += "\n" + "\n".join(f"☎️ **{n}** – {LINE_LABELS[n]}" for n in shown)
    student = voice is Voice.STUDENT
    buttons = [
        Button("🆘 Em đang gặp nguy hiểm" if student else "🆘 Đang gặp nguy hiểm", IN_DANGER),
        Button("Em chỉ hỏi thông tin" if student else "Chỉ hỏi thông tin", JUST_ASKING),
        *(call_button(n) for n in shown),
    ]
    return Composed(text, buttons, question.id)


def line_reminder(dangers: Sequence[Danger], voice: Voice) -> tuple[str, list[Button]]:
    """The fitting line, added under a topical answer when the check was just asked."""
    first = lines_for(tuple(dangers) or (Danger.UNSPECIFIED,))[0]
    shown = [first] if first == NATIONAL_LINE else [first, NATIONAL_LINE]
    who = "em" if voice is Voice.STUDENT else "bạn"
    names = " hoặc ".join(f"**{n}**" for n in shown)
    text = f"☎️ Nếu {who} đang gặp nguy hiểm, gọi ngay {names}."
    return text, [call_button(n) for n in shown]
