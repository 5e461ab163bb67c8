"""Safety patterns as data: loading the YAML files, expanding their {NAME} pieces, and
compiling them with a word gate (a pattern runs only on messages holding a word it cannot
match without).

Data (handlers/safety/data/):
* ``fragments.yml``: named pieces shared by patterns (``{SELF}``, ``{KID}``, ``{HIT}``...);
* ``patterns/<danger>.yml``: the patterns of one danger, by kind (cries, situations,
  anchored) and, for some dangers, named cue lists;
* ``gate.yml``: the cues of the "is it happening now" gate.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from handlers.safety.dangers import Danger

DATA_DIR = Path(__file__).resolve().parent / "data"
PATTERN_DIR = DATA_DIR / "patterns"
KINDS = ("cries", "situations", "anchored")

# The regex parser, to learn which words each danger pattern needs (see `required_words`).
_sre: Any = importlib.import_module("re._constants")
_sre_parser: Any = importlib.import_module("re._parser")

_PIECE = re.compile(r"\{([A-Z][A-Z_]*)\}")


def _load_yaml(path: Path) -> dict[str, Any]:
    # libyaml's parser when PyYAML has it: the same safe subset, about 25 times faster (#18)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping")
    return data


@cache
def fragments() -> dict[str, str]:
    raw = _load_yaml(DATA_DIR / "fragments.yml")
    return {str(name): str(value) for name, value in raw.items()}


def expand(template: str, pieces: dict[str, str] | None = None, depth: int = 0) -> str:
    """`{SELF}` -> the piece named SELF (pieces may use pieces); regex `{0,3}` is left alone."""
    pieces = fragments() if pieces is None else pieces
    if depth > 8:
        raise ValueError(f"safety fragments nest too deep: {template[:60]}")

    def piece(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in pieces:
            raise ValueError(f"unknown safety fragment {{{name}}} in {template[:60]}")
        return expand(pieces[name], pieces, depth + 1)

    return _PIECE.sub(piece, template)


def _strings(path: Path, data: dict[str, Any], key: str) -> list[str]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{path}: `{key}` must be a list of strings")
    return list(value)


@dataclass(frozen=True, slots=True)
class DangerFile:
    """One danger's data file, pieces expanded (not yet compiled)."""

    danger: Danger
    path: Path
    kinds: dict[str, tuple[str, ...]]  # "cries" / "situations" / "anchored" -> regexes
    cues: dict[str, tuple[str, ...]]  # any other list in the file, by name
    # A situation told by its signs: `signs_needed` different groups make it urgent (one of
    # them from `signs_required` when that is set); fewer make the level "check".
    signs: dict[str, tuple[str, ...]]
    signs_needed: int
    signs_required: tuple[str, ...]
    signs_check: tuple[str, ...]  # sign groups that alone make the level "check"
    signs_not_enough: tuple[frozenset[str], ...]  # sets of signs that make only a check
    # signs that, alone and in a question about the service's own channels, count for nothing
    signs_channel_question: frozenset[str] = frozenset()


@cache
def danger_files() -> dict[Danger, DangerFile]:
    out: dict[Danger, DangerFile] = {}
    for path in sorted(PATTERN_DIR.glob("*.yml")):
        try:
            danger = Danger(path.stem)
        except ValueError:
            raise ValueError(f"{path}: the file name must be a Danger value") from None
        data = _load_yaml(path)
        kinds = {k: tuple(expand(p) for p in _strings(path, data, k)) for k in KINDS if k in data}
        special = {
            "signs",
            "signs_needed",
            "signs_required",
            "signs_check",
            "signs_not_enough",
            "signs_channel_question",
        }
        cues = {
            str(k): tuple(expand(p) for p in _strings(path, data, k))
            for k in data
            if k not in KINDS and k not in special
        }
        raw_signs = data.get("signs") or {}
        if not isinstance(raw_signs, dict):
            raise ValueError(f"{path}: `signs` must map a sign's name to its patterns")
        signs = {str(k): tuple(expand(p) for p in _strings(path, raw_signs, k)) for k in raw_signs}
        required = tuple(str(k) for k in data.get("signs_required") or ())
        alone = tuple(str(k) for k in data.get("signs_check") or ())
        weak_sets = tuple(
            frozenset(str(k) for k in group) for group in data.get("signs_not_enough") or ()
        )
        channel = frozenset(str(k) for k in data.get("signs_channel_question") or ())
        if not set(required) | set(alone) | channel <= set(signs):
            raise ValueError(f"{path}: `signs_required`/`signs_check` name a missing sign")
        needed = int(data.get("signs_needed", 2))
        groups = (*kinds.values(), *cues.values(), *signs.values())
        known = valid_regexes()  # compiled without error at an earlier start (#18)
        for regex in (r for group in groups for r in group):
            if regex not in known:
                try:
                    re.compile(regex)
                except re.error as exc:
                    raise ValueError(f"{path}: bad pattern {regex[:60]!r}: {exc}") from None
            _valid_used.add(regex)
        out[danger] = DangerFile(
            danger, path, kinds, cues, signs, needed, required, alone, weak_sets, channel
        )
    return out


def cue_parts(danger: Danger, name: str) -> tuple[str, ...]:
    file = danger_files().get(danger)
    return file.cues.get(name, ()) if file else ()


@cache
def gate_parts() -> dict[str, tuple[str, ...]]:
    path = DATA_DIR / "gate.yml"
    data = _load_yaml(path)
    return {str(k): tuple(expand(p) for p in _strings(path, data, k)) for k in data}


def gate_regex(name: str) -> re.Pattern[str]:
    """A gate cue as one regex (its alternatives joined)."""
    parts = gate_parts()[name]
    return re.compile(parts[0] if len(parts) == 1 else "|".join(f"(?:{p})" for p in parts))


def data_files() -> tuple[Path, ...]:
    """Every data file the engine reads (the learned model's fingerprint includes them)."""
    return (DATA_DIR / "fragments.yml", DATA_DIR / "gate.yml", *sorted(PATTERN_DIR.glob("*.yml")))


# Derived from the parsed regex, so the gate can never hide a match: when a word cannot be
# proved necessary, the regex simply always runs.
_EDGE = "\x00"  # a word boundary: consumes nothing
_MAX_EXPANSIONS = 256
_SEPARATORS = frozenset((" ", _EDGE, ",", "|"))


def _expand(items: Any) -> set[str] | None:
    """Every string a run of literal-only regex items can match; None if not literal-only."""
    out = {""}
    for op, arg in items:
        options: set[str] | None
        if op is _sre.LITERAL:
            options = {chr(arg)}
        elif op is _sre.AT and arg is _sre.AT_BOUNDARY:
            options = {_EDGE}
        elif op in (_sre.ASSERT, _sre.ASSERT_NOT):
            options = {""}  # zero width: the next character follows directly
        elif op is _sre.SUBPATTERN:
            options = _expand(arg[3])
        elif op is _sre.BRANCH:
            options = set()
            for branch in arg[1]:
                sub = _expand(branch)
                if sub is None:
                    return None
                options |= sub
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and arg[1] == 1 and arg[0] in (0, 1):
            options = _expand(arg[2])
            if options is not None and arg[0] == 0:
                options.add("")
        elif op is _sre.IN and all(kind is _sre.LITERAL for kind, _ in arg):
            options = {chr(code) for _, code in arg}
        else:
            return None
        if options is None:
            return None
        out = {a + b for a in out for b in options}
        if len(out) > _MAX_EXPANSIONS:
            return None
    return out


def _is_space(item: Any) -> bool:
    op, arg = item
    return (op is _sre.LITERAL and arg == 32) or (op is _sre.AT and arg is _sre.AT_BOUNDARY)


def _edge_is_space(items: Any, last: bool) -> bool:
    """Every match of this sequence ends (last=True) or starts with a space."""
    items = list(items)
    if not items:
        return False
    op, arg = items[-1] if last else items[0]
    if op is _sre.BRANCH:
        return all(_edge_is_space(branch, last) for branch in arg[1])
    if op is _sre.SUBPATTERN:
        return _edge_is_space(arg[3], last)
    return _is_space((op, arg))


def _space_before(items: Any, index: int) -> bool:
    """The character before items[index] is surely a space (optional gaps looked through)."""
    for k in range(index - 1, -1, -1):
        op, arg = items[k]
        if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and _edge_is_space(arg[2], last=True):
            if arg[0] >= 1:
                return True
            continue
        return _edge_is_space([items[k]], last=True)
    return False


def _space_after(items: Any, index: int) -> bool:
    """The character at items[index] is surely a space (optional gaps looked through)."""
    for k in range(index, len(items)):
        op, arg = items[k]
        if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and _edge_is_space(arg[2], last=False):
            if arg[0] >= 1:
                return True
            continue
        return _edge_is_space([items[k]], last=False)
    return False


def _whole_words(expansion: str, left_edge: bool, right_edge: bool) -> list[str]:
    pieces = re.split(r"([ \x00,|])", expansion)  # word, separator, word, ...
    words = []
    for i in range(0, len(pieces), 2):
        word = pieces[i]
        if not word.isalnum():
            continue
        left_ok = pieces[i - 1] in _SEPARATORS if i > 0 else left_edge
        right_ok = pieces[i + 1] in _SEPARATORS if i + 1 < len(pieces) else right_edge
        if left_ok and right_ok:
            words.append(word)
    return words


def _first_chars(items: Any) -> set[str] | None:
    """The characters a match of this sequence can start with; None if any."""
    for op, arg in items:
        if op in (_sre.ASSERT, _sre.ASSERT_NOT, _sre.AT):
            continue  # zero width
        if op is _sre.LITERAL:
            return {chr(arg)}
        if op is _sre.SUBPATTERN:
            first = _first_chars(arg[3])
            if first is not None and arg[1] & re.IGNORECASE:
                first |= {c.upper() for c in first}
            return first
        if op is _sre.BRANCH:
            out: set[str] = set()
            for branch in arg[1]:
                sub = _first_chars(branch)
                if sub is None:
                    return None
                out |= sub
            return out
        if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and arg[0] >= 1:
            return _first_chars(arg[2])
        if op is _sre.IN and all(kind is _sre.LITERAL for kind, _ in arg):
            return {chr(code) for _, code in arg}
        return None
    return None


def _first_letter_guard(spaced: str, items: list[Any] | None = None) -> str:
    """` (?:danh|dap|...)...` -> ` (?=[dt...])(?:danh|dap|...)...`: one character test lets
    `re` pass over most spaces before trying a long list of alternatives. `items`: the parsed
    `spaced`, when the caller has it."""
    if items is None:
        try:
            items = list(_sre_parser.parse(spaced).data)
        except Exception:
            return spaced
    first = _first_chars(items[1:]) if items[:1] == [(_sre.LITERAL, 32)] else None
    if not first or len(first) > 12 or not all(c.isalnum() for c in first):
        return spaced
    return " (?=[" + "".join(sorted(first)) + "])" + spaced[1:]


def required_words(
    pattern: str, common: frozenset[str] = frozenset(), items: list[Any] | None = None
) -> frozenset[str] | None:
    """Words of which every match of `pattern` has at least one as a whole word (the text
    being single-space-separated words); None when that cannot be shown. `items`: the parsed
    `pattern`, when the caller has it."""
    if items is None:
        try:
            items = list(_sre_parser.parse(pattern).data)
        except Exception:  # a parser change in a future Python: fall back to always running
            return None
    # each item's strings once; a run's strings are then grown item by item (what
    # `_expand(items[i : j + 1])` gives, without expanding the run again for every j)
    options = [_expand([item]) for item in items]
    candidates: list[frozenset[str]] = []
    i = 0
    while i < len(items):
        expansions: set[str] = set()
        run = {""}
        j = i
        while j < len(items) and (step := options[j]) is not None:
            grown = {a + b for a in run for b in step}
            if len(grown) > _MAX_EXPANSIONS:
                break
            expansions = run = grown
            j += 1
        if j == i:
            i += 1
            continue
        left_edge, right_edge = _space_before(items, i), _space_after(items, j)
        per_expansion = [set(_whole_words(e, left_edge, right_edge)) for e in expansions]
        if all(per_expansion):
            rank = lambda w: (w in common, -len(w), w)  # noqa: E731
            if shared := set.intersection(*per_expansion):  # a word every expansion has
                candidates.append(frozenset({min(shared, key=rank)}))
            candidates.append(frozenset(min(words, key=rank) for words in per_expansion))
        i = j
    if not candidates:
        return None
    return min(candidates, key=lambda words: (len(words & common), len(words)))


def rx(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in parts))


@dataclass(frozen=True, slots=True)
class Pattern:
    """A safety regex and the words it needs. Compiled on first use (#18): a message opens
    only the few patterns whose words it holds, and compiling all of them (hundreds) was most
    of the first answer's time. `source` may be given compiled (then kept as it is)."""

    source: str | re.Pattern[str]
    # One of these words is in every match: when none is in the message, skip the regex.
    required: frozenset[str] | None
    _regex: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.source, re.Pattern):
            object.__setattr__(self, "_regex", self.source)
            object.__setattr__(self, "source", self.source.pattern)

    @property
    def regex(self) -> re.Pattern[str]:
        regex = self._regex
        if regex is None:  # two threads may both compile it: the same regex either way
            regex = re.compile(self.source)
            object.__setattr__(self, "_regex", regex)
        return regex

    @property
    def compiled(self) -> bool:
        return self._regex is not None

    @property
    def text(self) -> str:
        """The regex's source (a str once made, whatever `source` was given as)."""
        return self.source if isinstance(self.source, str) else self.source.pattern


_LEADING_BOUNDARY = re.compile(r"((?:\(\?<!(?:[^()]|\([^()]*\))*\))*)\\b")


def leading_space(part: str) -> str:
    """`\\bword` -> ` word`: the reading always has exactly one space before a word, and a
    literal first character lets `re` skip ahead instead of trying every position."""
    found = _LEADING_BOUNDARY.match(part)
    if not found:
        raise ValueError(f"a safety pattern must start with \\b: {part[:40]}")
    return " " + found.group(1) + part[found.end() :]


def compile_patterns(*parts: str) -> tuple[Pattern, ...]:
    """Each part as a `Pattern`: its regex (compiled on first use) and its required words,
    both from one parse of the part (or from the analysis kept on disk)."""
    return tuple(Pattern(*_analysed(leading_space(part))) for part in parts)


def _analyse(spaced: str) -> tuple[str, frozenset[str] | None]:
    try:
        items = list(_sre_parser.parse(spaced).data)
    except Exception:  # a parser change in a future Python: no guard, always run
        items = None
    return _first_letter_guard(spaced, items), required_words(spaced, COMMON_WORDS, items)


# ------------------------------------------------------------ the analysis, kept on disk
# Parsing every pattern for its guard and its required words was most of building the rules
# at the first message (#18). The results depend only on the pattern, this module's code and
# Python's regex parser, so they are kept in the model directory under a fingerprint of the
# last two, by pattern: a pattern not found there (new or changed data) is analysed again.
_ANALYSIS_KEY = hashlib.sha256(Path(__file__).read_bytes() + sys.version.encode()).hexdigest()
_ANALYSIS_PREFIX = "safety-patterns-"
_analysis: dict[str, tuple[str, frozenset[str] | None]] | None = None
_analysis_used: set[str] = set()
_analysis_new = False
# The data files' regexes that compiled without error (the check `danger_files` makes).
_valid: frozenset[str] | None = None
_valid_used: set[str] = set()
# Facts the rules derive from a pattern's regex (how far a match reaches), by its source.
_reaches: dict[str, list[int] | None] = {}
_reaches_new = False


def analysis_path() -> Path:
    from handlers.safety.model import cache_dir  # the same directory as the models

    return cache_dir() / f"{_ANALYSIS_PREFIX}{_ANALYSIS_KEY[:16]}.json"


def _load() -> None:
    global _analysis, _valid, _reaches
    _analysis, _valid, _reaches = _load_analysis(analysis_path())


def reaches() -> dict[str, list[int] | None]:
    """The reaches kept on disk, by regex source (the rules add to it: `reaches_added`)."""
    if _analysis is None:
        _load()
    return _reaches


def reaches_added() -> None:
    global _reaches_new
    _reaches_new = True


def valid_regexes() -> frozenset[str]:
    if _valid is None:
        _load()
    assert _valid is not None
    return _valid


def _analysed(spaced: str) -> tuple[str, frozenset[str] | None]:
    global _analysis_new
    if _analysis is None:
        _load()
    assert _analysis is not None
    _analysis_used.add(spaced)
    found = _analysis.get(spaced)
    if found is None:
        found = _analyse(spaced)
        _analysis[spaced] = found
        _analysis_new = True
    return found


def _load_analysis(
    path: Path,
) -> tuple[
    dict[str, tuple[str, frozenset[str] | None]], frozenset[str], dict[str, list[int] | None]
]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("key") != _ANALYSIS_KEY:
            return {}, frozenset(), {}
        out: dict[str, tuple[str, frozenset[str] | None]] = {}
        for spaced, (guarded, required) in data["patterns"].items():
            if not isinstance(guarded, str) or not (required is None or isinstance(required, list)):
                return {}, frozenset(), {}
            out[spaced] = (guarded, None if required is None else frozenset(map(str, required)))
        valid = data["valid"]
        if not isinstance(valid, list) or not all(isinstance(v, str) for v in valid):
            return {}, frozenset(), {}
        reach: dict[str, list[int] | None] = {}
        for source, value in data["reach"].items():
            if value is not None and not (
                isinstance(value, list)
                and len(value) == 4
                and all(isinstance(v, int) and v >= 0 for v in value)
            ):
                return {}, frozenset(), {}
            reach[source] = value
        return out, frozenset(valid), reach
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}, frozenset(), {}  # none yet, or unreadable: analysed and checked again


def save_analysis() -> None:
    """Keep the analysis of the patterns used so far, when some were analysed anew (the rules
    call this once built). Never fails: a read-only directory only costs the next start."""
    global _analysis_new, _valid, _reaches_new
    if _analysis is None or not (_analysis_new or _reaches_new or _valid_used - valid_regexes()):
        return
    path = analysis_path()
    patterns = {
        spaced: [guarded, None if required is None else sorted(required)]
        for spaced, (guarded, required) in _analysis.items()
        if spaced in _analysis_used
    }
    sources = {guarded for guarded, _ in patterns.values()}
    reach = {source: value for source, value in _reaches.items() if source in sources}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp")
        tmp.write_text(
            json.dumps(
                {
                    "key": _ANALYSIS_KEY,
                    "patterns": patterns,
                    "valid": sorted(_valid_used),
                    "reach": reach,
                },
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )
        tmp.replace(path)
        for old in path.parent.glob(f"{_ANALYSIS_PREFIX}*.json"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        return
    _analysis_new = _reaches_new = False
    _valid = frozenset(_valid_used)


def _alternatives(part: str) -> list[str]:
    """`\\b(?:a|b|c)\\b` -> [`\\ba\\b`, `\\bb\\b`, `\\bc\\b`] (anything else: [part])."""
    if not (part.startswith(r"\b(?:") and part.endswith(r")\b")):
        return [part]
    body, depth, start, out = part[5:-3], 0, 0, []
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            i += 2
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "|" and depth == 0:
            out.append(body[start:i])
            start = i + 1
        i += 1
    out.append(body[start:])
    return [rf"\b{alternative}\b" for alternative in out] if depth == 0 else [part]


class Cue:
    """A cue read both over a short window (one regex) and over the whole message (one
    gated regex per alternative, so a long message pays only for the words it has)."""

    __slots__ = ("_parts", "_whole")

    def __init__(self, *parts: str) -> None:
        self._whole = re.compile("|".join(f"(?:{leading_space(p)})" for p in parts))
        self._parts = compile_patterns(*(a for p in parts for a in _alternatives(p)))

    def search(self, text: str, pos: int = 0, endpos: int = 2**31) -> re.Match[str] | None:
        return self._whole.search(text, pos, endpos)

    def finditer(self, text: str, words: frozenset[str]) -> list[re.Match[str]]:
        found = [
            match
            for part in self._parts
            if part.required is None or not part.required.isdisjoint(words)
            for match in part.regex.finditer(text)
        ]
        return sorted(found, key=lambda match: match.start())

    def found_in(self, text: str, words: frozenset[str]) -> bool:
        return found_in(self._parts, text, words)

    @property
    def parts(self) -> tuple[Pattern, ...]:
        return self._parts

    def parts_with(self, words: frozenset[str]) -> tuple[Pattern, ...]:
        """The parts that can match a text of these words (or of any subset of them): read
        many windows of one text with `found_in(cue.parts_with(all_its_words), ...)`."""
        return tuple(
            part
            for part in self._parts
            if part.required is None or not part.required.isdisjoint(words)
        )

    @property
    def pattern(self) -> str:
        return self._whole.pattern


def found_in(parts: Sequence[Pattern], text: str, words: frozenset[str]) -> bool:
    """Does one of `parts` match `text` (whose words are `words`)?"""
    return any(
        part.regex.search(text)
        for part in parts
        if part.required is None or not part.required.isdisjoint(words)
    )


def split_words(text: str) -> list[str]:
    return text.split()


def word_set(text: str) -> frozenset[str]:
    return frozenset(split_words(text))


# Too frequent to be worth gating on (the most frequent words of the NLU data and content).
COMMON_WORDS = word_set(
    """co tre em khong hoc bao bi lam con cho ban dieu tu duoc doc so nguoi truong tro ve cua la
    an goi nha va the noi gi cap van khi nhan giao can de o bo chi hai ho di tin thi hay tuoi voi
    ke do on dung ai dau sinh xa dinh cong hoi thay anh phong luc ngay mang nao phai toan muc
    dang me biet trong dan toi minh duong viec qua gia dong chuyen thong cam tren hoac tinh ly
    day mat may tam cac sao muon vi nghi roi neu thuong tien den nang ca tui to e giup mot nho
    doi theo nhung moi nuoc be da se ma nay lai rat ba ong chu co"""
)
