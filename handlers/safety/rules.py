"""The written rules: each danger's patterns (data/patterns/<danger>.yml) run on the safety
reading, and each match is put to the gate (`handlers.safety.gate`).

Kinds of pattern, per danger file:
* ``cries`` ("muốn chết", "đang bị đánh") are urgent by themselves (still gated);
* ``situations`` ("bị đuối nước") need an anchor in a real case: a specific person, something
  happening now or a plea, or simply no sign that the message is a general question;
* ``anchored``: a specific person or "now" is required;
* ``check``: a weak sign, never urgent alone: it makes the level "check" (are you safe?).
Suicide in indirect words: a *final* cue and one more cue (farewell or final) make a cry.
A plea ("cứu với", "help") with nothing more specific is `Danger.UNSPECIFIED`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from handlers.safety.dangers import Danger
from handlers.safety.gate import Gate
from handlers.safety.patterns import Cue, Pattern, compile_patterns, cue_parts, danger_files
from handlers.safety.reading import SafetyReading

_KIND_NAMES = {"cries": "cry", "situations": "situation", "anchored": "anchored"}


@dataclass(frozen=True, slots=True)
class _Signs:
    groups: dict[str, tuple[Pattern, ...]]
    needed: int
    required: frozenset[str]
    alone: frozenset[str]  # groups that alone make a check
    not_enough: tuple[frozenset[str], ...]  # sets of groups that make only a check
    # a question about the service's own channels: these groups alone count for nothing
    channel_signs: frozenset[str]
    channel_question: re.Pattern[str] | None
    channel_service: re.Pattern[str] | None
    channel_someone_else: re.Pattern[str] | None


@dataclass(frozen=True, slots=True)
class _Compiled:
    order: tuple[tuple[str, Danger, Pattern], ...]  # every pattern in the order tried
    always: frozenset[int]  # patterns with no word to gate on
    opened_by: dict[str, tuple[int, ...]]  # a word -> the patterns it opens
    accented: dict[Danger, re.Pattern[str]]  # matched on the lower-cased original
    checks: dict[Danger, tuple[Pattern, ...]]
    signs: dict[Danger, _Signs]
    farewell: Cue
    final: Cue
    plea: Cue
    homework: Cue
    not_a_plea: re.Pattern[str]
    weak_pleas: frozenset[str]


@cache
def compiled() -> _Compiled:
    files = danger_files()
    order: list[tuple[str, Danger, Pattern]] = []
    for kind, name in _KIND_NAMES.items():
        for danger, file in files.items():
            for pattern in compile_patterns(*file.kinds.get(kind, ())):
                order.append((name, danger, pattern))
    opened_by: dict[str, list[int]] = {}
    for i, (_, _, pattern) in enumerate(order):
        for word in pattern.required or ():
            opened_by.setdefault(word, []).append(i)
    accented = {
        danger: re.compile("|".join(parts))
        for danger, file in files.items()
        if (parts := file.cues.get("accented_cries"))
    }
    checks = {
        danger: compile_patterns(*parts)
        for danger, file in files.items()
        if (parts := file.cues.get("check"))
    }
    signs = {
        danger: _Signs(
            {name: compile_patterns(*parts) for name, parts in file.signs.items()},
            file.signs_needed,
            frozenset(file.signs_required),
            frozenset(file.signs_check),
            file.signs_not_enough,
            file.signs_channel_question,
            _joined(file.cues.get("channel_question")),
            _joined(file.cues.get("channel_service")),
            _joined(file.cues.get("channel_someone_else")),
        )
        for danger, file in files.items()
        if file.signs
    }
    return _Compiled(
        signs=signs,
        order=tuple(order),
        always=frozenset(i for i, (_, _, p) in enumerate(order) if p.required is None),
        opened_by={word: tuple(items) for word, items in opened_by.items()},
        accented=accented,
        checks=checks,
        farewell=Cue(*cue_parts(Danger.SUICIDE_SELF_HARM, "farewell_cues")),
        final=Cue(*cue_parts(Danger.SUICIDE_SELF_HARM, "final_cues")),
        plea=Cue(*cue_parts(Danger.UNSPECIFIED, "plea")),
        homework=Cue(*cue_parts(Danger.UNSPECIFIED, "homework")),
        not_a_plea=re.compile("|".join(cue_parts(Danger.UNSPECIFIED, "not_a_plea"))),
        weak_pleas=frozenset(cue_parts(Danger.UNSPECIFIED, "weak_plea")),
    )


def _joined(parts: tuple[str, ...] | None) -> re.Pattern[str] | None:
    """Cues read whatever the case ("tư vấn viên" is read as "TU VAN vien", apart from "tự
    vẫn"); only danger patterns need the harmless words kept apart."""
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE) if parts else None


def _asks_about_a_channel(signs: _Signs, seen: dict[str, str], text: str) -> bool:
    """ "có nhắn tin qua zalo được không ad": only channel signs, in a question whether it can
    be done, and no one else in the message once the service's own words are left out."""
    if not seen or not signs.channel_signs or not seen.keys() <= signs.channel_signs:
        return False
    if signs.channel_question is None or not signs.channel_question.search(text):
        return False
    rest = signs.channel_service.sub(" ", text) if signs.channel_service else text
    return not (signs.channel_someone_else and signs.channel_someone_else.search(rest))


def _distinct(matches: list[re.Match[str]]) -> set[str]:
    """The texts of non-overlapping matches (sorted by start)."""
    found: set[str] = set()
    reach = 0
    for match in matches:
        if match.start() >= reach:
            found.add(match.group(0).strip())
            reach = match.end()
    return found


def _first_admitted(
    patterns: Iterable[Pattern], danger: Danger, kind: str, text: str, gate: Gate
) -> str | None:
    for pattern in patterns:
        for match in pattern.regex.finditer(text):
            start, end = match.span()
            if gate.admits(start + 1, end, danger, kind):  # +1: the pattern's leading space
                return f"{kind}:{match.group(0).strip()}"
    return None


def _candidates(words: frozenset[str]) -> dict[tuple[str, Danger], list[Pattern]]:
    """The patterns worth running on a message with these words, by kind and danger."""
    rules = compiled()
    chosen = set(rules.always)
    for word in rules.opened_by.keys() & words:
        chosen.update(rules.opened_by[word])
    out: dict[tuple[str, Danger], list[Pattern]] = {}
    for i in sorted(chosen):
        kind, danger, pattern = rules.order[i]
        out.setdefault((kind, danger), []).append(pattern)
    return out


def _signs_seen(
    groups: dict[str, tuple[Pattern, ...]],
    text: str,
    words: frozenset[str],
    danger: Danger,
    gate: Gate,
) -> dict[str, str]:
    """The sign groups with an admitted match in the text, and the words each matched."""
    seen: dict[str, str] = {}
    for name, patterns in groups.items():
        for pattern in patterns:
            if pattern.required is not None and pattern.required.isdisjoint(words):
                continue
            match = next(
                (
                    m
                    for m in pattern.regex.finditer(text)
                    if gate.admits_sign(m.start() + 1, m.end(), danger)
                ),
                None,
            )
            if match is not None:
                seen[name] = match.group(0).strip()
                break
    return seen


@dataclass(frozen=True, slots=True)
class RuleFindings:
    urgent: dict[Danger, str]  # danger -> the reason (kind:matched words)
    check: dict[Danger, str]  # weak signs: ask whether they are safe
    gate: Gate


def find(reading: SafetyReading) -> RuleFindings:
    rules = compiled()
    text = f" {reading.sense} "
    gate = Gate(text, reading.lower)
    words = gate.words
    found: dict[Danger, str] = {}
    for danger, accented in rules.accented.items():
        if match := accented.search(reading.lower):
            found[danger] = f"cry:{match.group(0)}"
    for (kind, danger), patterns in _candidates(words).items():
        if danger not in found and (reason := _first_admitted(patterns, danger, kind, text, gate)):
            found[danger] = reason
    check: dict[Danger, str] = {}
    for danger, signs in rules.signs.items():
        if danger in found:
            continue
        seen = _signs_seen(signs.groups, text, words, danger, gate)
        if _asks_about_a_channel(signs, seen, text):
            continue
        told = " + ".join(f"{k}={v}" for k, v in sorted(seen.items()))
        enough = len(seen) >= signs.needed and (
            not signs.required or bool(signs.required & seen.keys())
        )
        if enough and frozenset(seen) in signs.not_enough:
            check[danger] = f"signs:{told}"
        elif enough:
            found[danger] = f"signs:{told}"
        elif signs.alone & seen.keys():
            check[danger] = f"sign:{told}"
    if Danger.SUICIDE_SELF_HARM not in found:
        final = _distinct(rules.final.finditer(text, words))
        cues = final | _distinct(rules.farewell.finditer(text, words))
        if final and len(cues) >= 2:
            found[Danger.SUICIDE_SELF_HARM] = "cues:" + " + ".join(sorted(cues))
    weak_plea: str | None = None
    if not found and not reading.command:
        for match in rules.plea.finditer(text, words):
            if (
                not rules.not_a_plea.match(text, match.end())
                and not rules.homework.search(
                    text, text.rfind("|", 0, match.start()) + 1, match.start()
                )
                and gate.admits(match.start() + 1, match.end(), Danger.UNSPECIFIED, "plea")
            ):
                plea = match.group(0).strip()
                if plea in rules.weak_pleas:
                    weak_plea = weak_plea or plea
                    continue
                found[Danger.UNSPECIFIED] = f"plea:{plea}"
                break
    if found:
        check = {}
    elif weak_plea is not None:
        check[Danger.UNSPECIFIED] = f"plea:{weak_plea}"
    else:
        for danger, weak in rules.checks.items():
            for pattern in weak:
                if pattern.required is not None and pattern.required.isdisjoint(words):
                    continue
                match = pattern.regex.search(text)
                if match and gate.admits(match.start() + 1, match.end(), danger, "situation"):
                    check[danger] = f"check:{match.group(0).strip()}"
                    break
    return RuleFindings(found, check, gate)
