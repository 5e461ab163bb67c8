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
import threading
from collections.abc import Iterable, Iterator
from dataclasses import astuple, dataclass
from functools import cache
from re import _constants as _sre  # type: ignore[attr-defined]
from re import _parser as _sre_parser  # type: ignore[attr-defined]
from typing import Any

from handlers.safety.dangers import Danger
from handlers.safety.gate import Gate
from handlers.safety.patterns import (
    Cue,
    Pattern,
    compile_patterns,
    cue_parts,
    danger_files,
    reaches_added,
    save_analysis,
)
from handlers.safety.patterns import reaches as stored_reaches
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
    trouble: re.Pattern[str]  # everyday trouble anywhere in the message: a plea is about it
    trouble_but: re.Pattern[str]  # ... unless something frightening is told too
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
    compiled_rules = _Compiled(
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
        trouble=re.compile("|".join(cue_parts(Danger.UNSPECIFIED, "trouble"))),
        trouble_but=re.compile("|".join(cue_parts(Danger.UNSPECIFIED, "trouble_but"))),
        not_a_plea=re.compile("|".join(cue_parts(Danger.UNSPECIFIED, "not_a_plea"))),
        weak_pleas=frozenset(cue_parts(Danger.UNSPECIFIED, "weak_plea")),
    )
    _keep_reaches(
        [p for _, _, p in order]
        + [p for patterns in checks.values() for p in patterns]
        + [p for sign in signs.values() for patterns in sign.groups.values() for p in patterns]
    )
    save_analysis()  # the patterns' guards, required words and reaches, for the next start
    return compiled_rules


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


# ------------------------------------------------------------------ where a match can be
# A long message used to cost every triggered pattern a scan of the whole text (#18). Every
# match holds one of the pattern's required words (`Pattern.required`, proved from the regex)
# and is at most `_Reach.widest` characters long, so it starts in a window just before an
# occurrence of one of those words; the engine also looks at most `behind` characters before
# a start and `ahead` past a match's widest end (lookarounds, word boundaries). `_matches`
# searches only those windows, each bounded (`endpos`) past what any attempt inside it can
# look at, and so gives exactly `regex.finditer(text)`'s matches, in the same order. A safety
# text is words between single spaces: a run that cannot hold a space (`\w+`, `[\w,]+`) is
# no longer than the text's longest word.
_MANY = 24  # a required word found more often than this: one scan from its first window
_SHORT = 600  # a text shorter than this is scanned whole: windows would cost more than they save
_LOOK = {_sre.AT_BOUNDARY, _sre.AT_NON_BOUNDARY, _sre.AT_UNI_BOUNDARY, _sre.AT_UNI_NON_BOUNDARY}
_WORD_CATEGORIES = frozenset(
    {_sre.CATEGORY_WORD, _sre.CATEGORY_DIGIT, _sre.CATEGORY_UNI_WORD, _sre.CATEGORY_UNI_DIGIT}
)
_ONE_CHAR = frozenset({_sre.LITERAL, _sre.NOT_LITERAL, _sre.ANY, _sre.IN})


@dataclass(frozen=True, slots=True)
class _Reach:
    fixed: int  # the widest match: fixed + per_word * the text's longest word
    per_word: int
    behind: int  # the furthest the engine looks before a start (lookbehinds, \b)
    ahead: int  # ... and past the widest end (lookaheads, \b)


class _Unbounded(Exception):
    pass


def _no_space(op: Any, arg: Any) -> bool:
    """One character that is never a space (a literal; a set of literals, ranges, word
    characters and digits)."""
    if op is _sre.LITERAL:
        return not chr(arg).isspace()
    if op is _sre.IN:
        return all(
            (kind is _sre.LITERAL and not chr(value).isspace())
            or (kind is _sre.CATEGORY and value in _WORD_CATEGORIES)
            or (kind is _sre.RANGE and not any(chr(c).isspace() for c in range(*value)))
            for kind, value in arg
        )
    return False


def _measure(items: Any, look: list[int]) -> tuple[int, int]:
    """(fixed, per_word) bounding a match of `items`; lookaround widths go into `look`
    ([behind, ahead]). Raises _Unbounded when there is no such bound."""
    fixed = per_word = 0
    for op, arg in items:
        if op in _ONE_CHAR:
            fixed += 1
            continue
        if op is _sre.AT:
            if arg not in _LOOK:
                raise _Unbounded  # ^, $, \A, \Z: an edge a window would fake
            look[0], look[1] = max(look[0], 1), max(look[1], 1)
            continue
        if op in (_sre.ASSERT, _sre.ASSERT_NOT):
            direction, body = arg
            inner = [0, 0]
            width = _measure(body, inner)
            if width[1]:
                raise _Unbounded
            if direction < 0:
                look[0] = max(look[0], width[0] + inner[0])
            else:
                look[1] = max(look[1], width[0] + inner[1])
            look[0], look[1] = max(look[0], inner[0]), max(look[1], inner[1])
            continue
        if op is _sre.SUBPATTERN:
            sub = _measure(arg[3], look)
        elif op is _sre.BRANCH:
            widths = [_measure(branch, look) for branch in arg[1]]
            sub = (max(w[0] for w in widths), max(w[1] for w in widths))
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
            _, high, body = arg
            if high != _sre.MAXREPEAT:
                one = _measure(body, look)
                sub = (one[0] * high, one[1] * high)
            elif len(body) == 1 and _no_space(*body[0]):
                sub = (0, 1)  # a run inside one word
            else:
                raise _Unbounded
        else:
            raise _Unbounded  # back-references, conditionals, atomic groups...
        fixed, per_word = fixed + sub[0], per_word + sub[1]
    return fixed, per_word


@cache
def _reach(regex: re.Pattern[str]) -> _Reach | None:
    """How far a match of `regex` and the engine's look around it can reach; None when
    unbounded or unknown (the regex then runs on the whole text). Kept with the patterns'
    analysis on disk (`_keep_reaches`), so a restart does not parse the regex again (#18)."""
    if regex.flags != re.UNICODE:  # not a rule's pattern (those have no flags)
        return _reach_of(regex.pattern, regex.flags)
    known = stored_reaches()
    if regex.pattern in known:
        value = known[regex.pattern]
        return None if value is None else _Reach(*value)
    found = _reach_of(regex.pattern, regex.flags)
    known[regex.pattern] = None if found is None else list(astuple(found))
    return found


def _keep_reaches(patterns: Iterable[Pattern]) -> None:
    """The reaches of all the rules' patterns, for the next start (computed when missing:
    when the analysis on disk was missing or the data changed)."""
    known = stored_reaches()
    added = False
    for pattern in patterns:
        if pattern.text not in known:
            found = _reach_of(pattern.text, re.UNICODE)
            known[pattern.text] = None if found is None else list(astuple(found))
            added = True
    if added:
        reaches_added()


def _reach_of(pattern: str, flags: int) -> _Reach | None:
    try:
        parsed = _sre_parser.parse(pattern, flags)
        if parsed.getwidth()[0] == 0:
            return None  # an empty match would step finditer on by one: not worth it
        look = [0, 0]
        fixed, per_word = _measure(list(parsed.data), look)
    except _Unbounded:
        return None
    except Exception:  # a parser change in a future Python: run on the whole text
        return None
    return _Reach(fixed, per_word, look[0] + 1, look[1] + 1)


class _Spots:
    """Where each word of a safety text starts (a word: a whole run of word characters, as a
    required word is found), and its longest run of characters that are not spaces."""

    __slots__ = ("longest", "text", "where")

    def __init__(self, text: str) -> None:
        self.text = text
        self.where: dict[str, list[int]] = {}
        for match in _WORD.finditer(text):
            self.where.setdefault(match.group().lower(), []).append(match.start())
        self.longest = max(map(len, text.split()), default=0)


_WORD = re.compile(r"\w+")
_last_spots = threading.local()  # the spots of the text this thread reads now (one message)


def _spots_of(text: str) -> _Spots:
    spots: _Spots | None = getattr(_last_spots, "spots", None)
    if spots is None or spots.text is not text:
        spots = _last_spots.spots = _Spots(text)
    return spots


def _windows(pattern: Pattern, text: str) -> tuple[int, list[tuple[int, int]] | None, int]:
    """(where the first match can start; the windows of starts, merged and in order, or None
    to scan on from there; how far past a window's last start the engine can look)."""
    reach = _reach(pattern.regex) if pattern.required is not None else None
    if reach is None or pattern.required is None:
        return 0, None, 0
    spots = _spots_of(text)
    widest = reach.fixed + reach.per_word * spots.longest
    found = [(len(word), spots.where.get(word, ())) for word in pattern.required]
    if sum(len(ats) for _, ats in found) > _MANY:
        first = min(at + size for size, ats in found for at in ats[:1]) - widest
        return max(0, first), None, 0
    spans = sorted((max(0, at + size - widest), at) for size, ats in found for at in ats)
    merged: list[tuple[int, int]] = []
    for low, high in spans:
        if merged and low <= merged[-1][1] + 1:
            if high > merged[-1][1]:
                merged[-1] = (merged[-1][0], high)
        else:
            merged.append((low, high))
    return 0, merged, widest + reach.ahead + 1


def _matches(pattern: Pattern, text: str) -> Iterator[re.Match[str]]:
    """`pattern.regex.finditer(text)`: the same matches in the same order, searched for only
    where they can be (`_windows`)."""
    if len(text) < _SHORT:
        return pattern.regex.finditer(text)
    first, windows, past = _windows(pattern, text)
    if windows is None:
        return pattern.regex.finditer(text, first)
    return _in_windows(pattern, text, windows, past)


def _in_windows(
    pattern: Pattern, text: str, windows: list[tuple[int, int]], past: int
) -> Iterator[re.Match[str]]:
    search = pattern.regex.search
    pos = 0
    for low, high in windows:
        pos = max(pos, low)
        while pos <= high:
            # no attempt starting at or before `high` looks at or past `high + past`
            match = search(text, pos, high + past)
            if match is None or match.start() > high:
                break
            yield match
            pos = match.end()


def _first_admitted(
    patterns: Iterable[Pattern], danger: Danger, kind: str, text: str, gate: Gate
) -> str | None:
    for pattern in patterns:
        for match in _matches(pattern, text):
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
                    for m in _matches(pattern, text)
                    if gate.admits_sign(m.start() + 1, m.end(), danger)
                ),
                None,
            )
            if match is not None:
                seen[name] = match.group(0).strip()
                break
    return seen


def _about_everyday_trouble(text: str, start: int, end: int, rules: _Compiled) -> bool:
    """ "mai thi rồi mà chưa học gì, cứu em với", "cứu, wifi lại rớt": a plea whose sentence
    names an everyday trouble (homework, an exam, the network, a game), in a message that tells
    nothing frightening, is about that trouble. A plea in a sentence of its own stands."""
    lower = text.lower()
    left = lower.rfind("|", 0, start) + 1
    right = lower.find("|", end)
    sentence = lower[left : len(lower) if right < 0 else right]
    return bool(rules.trouble.search(sentence)) and not rules.trouble_but.search(lower)


@dataclass(frozen=True, slots=True)
class RuleFindings:
    urgent: dict[Danger, str]  # danger -> the reason (kind:matched words)
    check: dict[Danger, str]  # weak signs: ask whether they are safe
    gate: Gate
    # a plea about an everyday trouble ("cứu, quên mật khẩu zalo rồi"): the model's alarm on
    # the same words is lowered to a check
    trouble_plea: bool = False


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
    trouble_plea = False
    if not found and not reading.command:
        for match in rules.plea.finditer(text, words):
            if (
                not rules.not_a_plea.match(text, match.end())
                and not rules.homework.search(
                    text, text.rfind("|", 0, match.start()) + 1, match.start()
                )
                and gate.admits(match.start() + 1, match.end(), Danger.UNSPECIFIED, "plea")
            ):
                if _about_everyday_trouble(text, match.start(), match.end(), rules):
                    trouble_plea = True
                    continue
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
    return RuleFindings(found, check, gate, trouble_plea and not found)
