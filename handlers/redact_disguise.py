"""Personal data written to hide it (#17): what the redactor undoes before its rules run.

The redactor reads the canonical text of `nlu.text` (invisible characters deleted, fullwidth
digits and look-alike letters mapped), so "0\u200b912" and "０９１２" are already digits there.
What is left is undone here, in a rewrite of the canonical text that remembers, for each of
its characters, the canonical span it came from:
- digits written as letters inside a number ("09l2 345 678", "o9o3", "O912.OOO.l23");
- digits spelled out in Vietnamese or English words ("không chín một hai...", "035 7 tám
  chín 1234", "zero nine one...");
- digit groups cut by emoji or symbols ("0912😂345😂678", "0912_345_678");
then, in a second rewrite (`undisguise_letters`, joined to the first by `compose`):
- letters typed apart, where they spell syllables ("H ù n g", "N.G.Ọ.C");
- digits typed for letters inside a name ("Tu4n", "Ng0c").

Two kinds are found here directly, on the canonical text:
- obfuscated emails ("ten[at]gmail[dot]com", "thu.trang @ gmail . com", "a còng ... chấm com",
  "ten (at) yahoo (dot) com (dot) vn");
- dates of birth ("sinh ngày 12/03/2011", "5 tháng 9 năm 2014", "ngày sinh: 01.06.2013",
  "DOB: 2011-04-12", "born March 3, 2011", and a full date whose year makes it a child's
  birth date).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from nlu.text import fold
from nlu.text.syllables import is_syllable, segment

# Letters people type for digits inside a number.
_LETTER_DIGITS = {"o": "0", "O": "0", "l": "1", "I": "1", "i": "1", "|": "1", "S": "5", "B": "8"}
_SPELLED = {
    "không": "0", "khong": "0", "hông": "0", "linh": "0", "ko": "0", "hok": "0",
    "một": "1", "mot": "1", "mốt": "1",
    "hai": "2",
    "ba": "3",
    "bốn": "4", "bon": "4", "tư": "4",
    "năm": "5", "nam": "5", "lăm": "5", "lam": "5",
    "sáu": "6", "sau": "6",
    "bảy": "7", "bay": "7", "bẩy": "7",
    "tám": "8", "tam": "8",
    "chín": "9", "chin": "9",
    # English mixed in: "zero nine one two ..."
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
_SPELLED_WORD = "|".join(sorted(_SPELLED, key=len, reverse=True))
# between digit groups: what numbers are usually written with, and what is put there to hide
# them ("0912😂345😂678", "0912_345_678", "0912*345*678")
_ODD_SEP = "_*~|;\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff\ufe0f"
_SEP = rf"[ .,\-–{_ODD_SEP}]{{1,3}}"
_ODD_SEP_RE = re.compile(rf"[{_ODD_SEP}]")
# a word before a number that says what it is: an account or an ID may start with any digit
_NUMBER_CUE_RE = re.compile(
    r"(?<!\w)(?:stk|tk|số tk|so tk|tài khoản|tai khoan|ngân hàng|ngan hang|bank|cccd|cmnd|"
    r"căn cước|can cuoc|định danh|dinh danh|chứng minh|chung minh|thẻ|the|sđt|sdt|zalo)(?!\w)",
    re.IGNORECASE,
)
# A run of tokens each a number, a spelled digit, or digits mixed with look-alike letters.
# (#17, round 5) "S" for 5 and "B" for 8 only between digits: "3S2", "3B07" ("12B" stays)
# (a plate's series stays: "29B1-678.90")
_DIGITY = r"[0-9oOlIi|]*[0-9](?:[0-9oOlIi|]|(?<!\b[1-9][0-9])[SB](?=[0-9]))*|[oOlI|]{1,}"
_RUN_RE = re.compile(
    rf"(?<!\w)(?:\+|\(\+?)?(?:{_DIGITY}|{_SPELLED_WORD})(?:{_SEP}(?:{_DIGITY}|{_SPELLED_WORD}))*(?!\w)",
    re.IGNORECASE,
)
# a spelled word first ("one", "linh" are no "o"/"l" for a digit followed by letters)
_TOKEN_RE = re.compile(
    rf"(?:{_SPELLED_WORD})(?![^\W_])|(?:{_DIGITY})(?![^\W_])|(?:[^\w]|_)+|[^\W_]+",
    re.IGNORECASE,
)
_MIN_DIGITS = 9  # a phone, an ID, an account: anything shorter is a count, a date, an age


@dataclass(frozen=True, slots=True)
class Rewrite:
    """`text` and, for each of its characters, the span of the source it stands for."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        if start >= end:
            at = (
                self.starts[start]
                if start < len(self.starts)
                else (self.ends[-1] if self.ends else 0)
            )
            return at, at
        return self.starts[start], self.ends[end - 1]


def undisguise_numbers(text: str) -> Rewrite:
    """`text` with numbers written in letters or words turned back into digits."""
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    last = 0

    def keep(a: int, b: int) -> None:
        parts.append(text[a:b])
        starts.extend(range(a, b))
        ends.extend(range(a + 1, b + 1))

    for run in _RUN_RE.finditer(_spaced_letters_read(text)):
        cued = bool(_NUMBER_CUE_RE.search(text, max(0, run.start() - 40), run.start()))
        read_apart = text[run.start() : run.end()] != run.group()  # an "S"/"B" read as a digit
        pieces = _rewrite_run(run.group(), run.start(), cued, read_apart)
        if pieces is None:
            continue
        keep(last, run.start())
        for chunk, a, b in pieces:
            parts.append(chunk)
            if len(chunk) == b - a:
                starts.extend(range(a, b))
                ends.extend(range(a + 1, b + 1))
            else:  # a spelled word became one digit: it stands for the whole word
                starts.extend([a] * len(chunk))
                ends.extend([b] * len(chunk))
        last = run.end()
    keep(last, len(text))
    return Rewrite("".join(parts), tuple(starts), tuple(ends))


# (#17, round 6) a number typed one digit at a time, with "S" for 5 or "B" for 8 among them:
# "0 3 3 . 8 O 4 . S 1 2 9"
_LONE_SB_RE = re.compile(r"(?<![^\W_])[SB](?![^\W_])")
_SPACED_DIGIT_BEFORE_RE = re.compile(r"(?<![^\W_])[0-9oO][ .,\-]{1,3}$")
_SPACED_DIGIT_AFTER_RE = re.compile(r"[ .,\-]{1,3}[0-9oO](?![^\W_])")


def _spaced_letters_read(text: str) -> str:
    """`text`, the same length, with a lone "S"/"B" between digits typed apart read as 5/8."""
    if "S" not in text and "B" not in text:
        return text
    chars = list(text)
    for m in _LONE_SB_RE.finditer(text):
        a = m.start()
        if _SPACED_DIGIT_BEFORE_RE.search(text, max(0, a - 5), a) and _SPACED_DIGIT_AFTER_RE.match(
            text, m.end()
        ):
            chars[a] = "5" if m.group() == "S" else "8"
    return "".join(chars)


def _rewrite_run(
    run: str, offset: int, cued: bool = False, read_apart: bool = False
) -> list[tuple[str, int, int]] | None:
    every = [(m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(run)]
    lead = [t for t in every if not t[0][0].isalnum()][:1] if run[:1] in "+(" else []
    tokens = [t for t in every if t not in lead]
    # a spelled word or a letters-only token at either end is an ordinary word ("ba", "o")
    while (
        tokens
        and not _has_digit(tokens[0][0])
        and not _is_spelled(tokens[0][0])
        and not _leading_zero(tokens)
    ):
        tokens.pop(0)
    while tokens and not tokens[-1][0][0].isalnum():
        tokens.pop()
    while (
        tokens
        and not _has_digit(tokens[-1][0])
        and not _is_spelled(tokens[-1][0])
        and not _trailing_digits(tokens)
    ):
        tokens.pop()
        while tokens and not tokens[-1][0][0].isalnum():
            tokens.pop()
    if sum(1 for t, _, _ in tokens if _is_spelled(t)) < 3:
        # a few words among digits ("035 7 tám chín 1234"): words at the edges are words
        while tokens and _is_spelled(tokens[0][0]):
            tokens.pop(0)
            while tokens and not tokens[0][0][0].isalnum():
                tokens.pop(0)
        while tokens and _is_spelled(tokens[-1][0]):
            tokens.pop()
            while tokens and not tokens[-1][0][0].isalnum():
                tokens.pop()
    spelled = sum(1 for t, _, _ in tokens if _is_spelled(t))
    lettered = sum(1 for t, _, _ in tokens if _has_letter_digit(t)) + read_apart
    real = sum(ch.isdigit() for t, _, _ in tokens for ch in t)
    # odd separators make one number only of what reads as a phone or an ID ("0912😂345😂678"),
    # not of a list of marks ("9;8;7;10;9")
    digits_only = "".join(t for t, _, _ in tokens if t.isdigit())
    odd = (
        any(not t[0].isalnum() and _ODD_SEP_RE.search(t) for t, _, _ in tokens)
        and (digits_only.startswith(("0", "84")) or cued)
        and 9 <= len(digits_only) <= 19
    )
    if not (spelled or lettered or odd) or (spelled < 3 and real < 6 and not lettered):
        return None
    if spelled < 3 and not lettered and not odd:
        # "0912345678 năm 2024" is a phone and a year: a few words among digits make one
        # number only if they add up to a phone's length and no "năm" stands before a year
        if real + spelled > 12:
            return None
        for n, (t, _, _) in enumerate(tokens[:-2]):
            if t.lower() in {"năm", "nam"} and re.fullmatch(r"(?:19|20)\d\d", tokens[n + 2][0]):
                return None
    if lettered and not spelled and real < 4:
        return None
    pieces: list[tuple[str, int, int]] = [(t, offset + a, offset + b) for t, a, b in lead]
    pieces += [
        (t, offset + a, offset + b)
        for t, a, b in every
        if (t, a, b) not in lead and tokens and b <= tokens[0][1]
    ]
    if not tokens:
        return None
    digits = 0
    for token, a, b in tokens:
        if _is_spelled(token):
            chunk = _SPELLED[token.lower()]
        elif token[0].isalnum():
            chunk = "".join(_LETTER_DIGITS.get(ch, ch) for ch in token)
            if not chunk.isdigit():
                return None
        else:
            chunk = " " * len(token)  # "không tám sáu tám, hai hai hai": one number
        digits += sum(ch.isdigit() for ch in chunk)
        pieces.append((chunk, offset + a, offset + b))
    if digits < _MIN_DIGITS:
        return None
    pieces += [(t, offset + a, offset + b) for t, a, b in every if a >= tokens[-1][2]]
    return pieces


_MOBILE_REST_RE = re.compile(r"[35789]\d{8}")


def _leading_zero(tokens: list[tuple[str, int, int]]) -> bool:
    """ "O 9 1 2 3 4 5 6 7 8": a lone O before the nine digits of a mobile is its 0."""
    if tokens[0][0] not in ("o", "O") or len(tokens) > 40:
        return False
    rest = "".join(t for t, _, _ in tokens[1:] if t[0].isalnum())
    return bool(_MOBILE_REST_RE.fullmatch(rest))


_PHONE_RE = re.compile(r"0(?:[35789]\d{8}|2\d{9})")


def _trailing_digits(tokens: list[tuple[str, int, int]]) -> bool:
    """ "o322 2222 oo": a last group of look-alike letters is digits when, read so, the run is
    a phone's number (a lone "o" after a number stays a word)."""
    last = tokens[-1][0]
    if not (2 <= len(last) <= 4 and all(ch in "oOlI" for ch in last)) or len(tokens) > 40:
        return False
    joined = "".join(
        "".join(_LETTER_DIGITS.get(ch, ch) for ch in t) for t, _, _ in tokens if t[0].isalnum()
    )
    return bool(_PHONE_RE.fullmatch(joined))


def _has_digit(token: str) -> bool:
    return any(ch.isdigit() for ch in token)


def _has_letter_digit(token: str) -> bool:
    if _has_digit(token):
        return any(ch in _LETTER_DIGITS for ch in token)
    return all(ch in "oOlI|" for ch in token)


def _is_spelled(token: str) -> bool:
    return token.lower() in _SPELLED


def compose(first: Rewrite, second: Rewrite) -> Rewrite:
    """`second` rewrites `first.text`; the result maps `second.text` back to `first`'s source."""
    if not second.text:
        return Rewrite("", (), ())
    starts = tuple(
        first.starts[a] if a < len(first.starts) else first.ends[-1] for a in second.starts
    )
    ends = tuple(first.ends[b - 1] if b > 0 else first.starts[0] for b in second.ends)
    return Rewrite(second.text, starts, ends)


# ---------------------------------------------------------------------------- names in disguise

# Single letters typed apart: "H ù n g", "N.G.Ọ.C", "L-A-N" (one separator kind per run).
_SPACED_RE = re.compile(
    r"(?<!\w)[^\W\d_](?:(?P<sep>\. ?| |-|\*|_)[^\W\d_])(?:(?P=sep)[^\W\d_]){1,40}(?!\w)"
)
# Digits typed for letters inside a word: "Tu4n", "Ng0c", "H0a", "M1nh".
_LEET_RE = re.compile(r"(?<!\w)(?=[^\W_]*[^\W\d_])(?=[^\W_]*[0134])[^\W_]{3,8}(?!\w)")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a"})
_SYMBOL_LETTER_RE = re.compile(
    r"(?<![\w@.$])[^\W\d_]{0,6}[@$][^\W\d_]{1,6}(?![\w@$]|\.\w)"  # not "an@hoa.vn"
)
_SYMBOL_LETTERS = str.maketrans({"@": "a", "$": "s"})
# not inside a handle or an address ("@naaaa", "naaaa.com"); a full stop after it is fine
_HELD_RE = re.compile(r"(?<![\w@.#/])[^\W\d_]*([^\W\d_])\1+(?![\w@]|\.\w)")
_HELD_RUN_RE = re.compile(r"([^\W\d_])\1+")


def undisguise_letters(text: str, is_name: Callable[[str], bool]) -> Rewrite:
    """`text` with names written apart or in digits put back together: letters typed apart
    are rejoined where they spell syllables ("N g u y ễ n V ă n A n" -> "Nguyễn Văn An"), and
    a word with digits for letters becomes the name it spells (`is_name`, folded)."""
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement), in order
    for m in _SPACED_RE.finditer(text):
        every = [(i, ch) for i, ch in enumerate(m.group(), m.start()) if ch.isalpha()]
        found = _spelled_part(every)
        if found is None:
            continue
        letters, pieces = found
        cut, boundaries = 0, set()
        for piece in pieces[:-1]:
            cut += len(piece)
            boundaries.add(cut)
        for n in range(len(letters) - 1):
            a, b = letters[n][0] + 1, letters[n + 1][0]
            edits.append((a, b, " " if n + 1 in boundaries else ""))
    for m in _LEET_RE.finditer(text):
        word = m.group()
        plain = word.translate(_LEET)
        if plain != word and plain.isalpha() and is_name(fold_word(plain)):
            edits.append((m.start(), m.end(), plain))
    # (#17, round 5) "Tu@n", "L@n", "$ơn": a symbol for a letter inside a name
    for m in _SYMBOL_LETTER_RE.finditer(text):
        word = m.group()
        plain = word.translate(_SYMBOL_LETTERS)
        if plain.isalpha() and is_name(fold_word(plain)):
            edits.append((m.start(), m.end(), plain))
    # (#17, round 5) "tuấnnnn", "Hằngg": a letter held down at the end of a name
    for m in _HELD_RE.finditer(text):
        word = m.group()
        short = word.rstrip(word[-1]) + word[-1]  # the last letter held, nothing else
        if _HELD_RUN_RE.search(short) or len(short) < 2:
            continue  # "aaauu": letters repeated inside are no name typed long
        if not is_syllable(fold_word(word)) and is_name(fold_word(short)):
            edits.append((m.start(), m.end(), short))
    if not edits:
        return Rewrite(text, tuple(range(len(text))), tuple(range(1, len(text) + 1)))
    edits.sort()
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    last = 0
    for a, b, chunk in edits:
        if a < last:
            continue
        parts.append(text[last:a])
        starts.extend(range(last, a))
        ends.extend(range(last + 1, a + 1))
        parts.append(chunk)
        if len(chunk) == b - a:
            starts.extend(range(a, b))
            ends.extend(range(a + 1, b + 1))
        else:  # a separator dropped, or kept as one space: it stands for itself
            starts.extend([a] * len(chunk))
            ends.extend([b] * len(chunk))
        last = b
    parts.append(text[last:])
    starts.extend(range(last, len(text)))
    ends.extend(range(last + 1, len(text) + 1))
    return Rewrite("".join(parts), tuple(starts), tuple(ends))


def _spelled_part(
    letters: list[tuple[int, str]],
) -> tuple[list[tuple[int, str]], tuple[str, ...]] | None:
    """The letters that spell syllables, and the syllables: all of them, or all but a letter or
    two at either end that stand as words of their own ("cô H i ế u ạ": "ạ" is a particle)."""
    n = len(letters)
    for trim in range(3):
        for start in range(trim + 1):
            end = n - (trim - start)
            if end - start < 3:
                continue
            part = letters[start:end]
            pieces = _syllables("".join(ch for _, ch in part))
            if pieces is not None:
                return part, pieces
    return None


def _syllables(joined: str) -> tuple[str, ...] | None:
    """The syllables letters typed apart spell, or None if they spell no Vietnamese."""
    folded = fold_word(joined)
    if len(folded) != len(joined) or len(joined) < 3:
        return None
    if is_syllable(folded):
        return (folded,)
    return segment(folded)


def fold_word(word: str) -> str:
    return fold(word)


# ---------------------------------------------------------------------------- emails

# spaces, or emoji put there to hide it ("lan😊@😊gmail.com")
_GAP = r"[\s\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff\ufe0f]*"
_WEBMAIL = r"(?:g\s?mail|gờ\s?mail|yahoo|outlook|hotmail|icloud|ymail)"
_AT = (
    rf"(?:{_GAP}@@?{_GAP}|\s*[\[({{<]\s*(?:at|@|a|a còng|a cong|a móc|a moc)\s*[\])}}>]\s*"
    r"|\s+(?:at|a còng|a cong|a móc|a moc|acòng|acong|amóc|amoc)\s+"  # (round 6) glued
    rf"|\s*#\s*(?={_WEBMAIL}))"  # "lan2010#gmail.com": "#" for "@" before a webmail
)
_DOT = r"(?:\s*\.\s*|\s*[\[({<]\s*(?:dot|chấm|cham|\.)\s*[\])}>]\s*|\s+(?:dot|chấm|cham)\s+)"
_TLD = (
    r"(?:com|vn|net|org|edu|gov|info|io|me|co|uk|us|jp|kr|cn|fr|de|au|biz|xyz|app|ai|ac|asia"
    r"|online|site|tech|dev|live|email|mobi|pro|name|tv|ca|sg|tw|in|it|nl|ru|ch|se|es)"
)
_OBFUSCATED_EMAIL_RE = re.compile(
    rf"(?<![\w.])[A-Za-z0-9][\w+-]*(?:{_DOT}[\w+-]+)*{_AT}[A-Za-z0-9][\w-]*(?:{_DOT}[\w-]+)*?{_DOT}{_TLD}(?:{_DOT}{_TLD})*(?!\w)",
    re.IGNORECASE,
)


# "abc123 @ gmail", "lan [at] yahoo": a webmail address with its ".com" left off
_OBFUSCATED_WEBMAIL_RE = re.compile(
    rf"(?<![\w.])[A-Za-z0-9][\w+-]*(?:{_DOT}[\w+-]+)*{_AT}"
    rf"{_WEBMAIL}"
    rf"(?:(?:{_DOT}|\s+)(?:com|vn|net))*(?![\w.@])",  # "abc @ gmail com", "@ g mail . com"
    re.IGNORECASE,
)
# "gmail: ngocmai2010", "gmail của em là tuananh.2009": the name of a webmail account, its
# "@gmail.com" left for the reader to add; a digit, dot or underscore inside says it is one
_ACCOUNT_AFTER_MAIL_RE = re.compile(
    r"(?<!\w)(?:gmail|g-mail|e-mail|email|mail|yahoo|outlook)\s*"
    r"(?:(?::|(?:của|cua|em|e|tôi|toi|mình|minh|tui|tớ|to|nó|no|con|cháu|chau|là|la|nè|ne|"
    r"nha|nhé|nhe|đây|day|ib|inbox|gửi|gui|vào|vao|qua|khác|khac|phụ|phu|mới|moi|cũ|cu|"
    r"bạn|ban|bố|bo|mẹ|me|ba|má|anh|chị|chi|cô|co|thầy|thay|dì|di|chú|chu)"
    r"(?!\w))\s*)*"
    r"(?<![\w.])(?P<account>[A-Za-z][A-Za-z0-9]*(?:[._][A-Za-z0-9]+)*\d[A-Za-z0-9._]*|"
    r"[A-Za-z][A-Za-z0-9]*(?:[._][A-Za-z0-9]+)+)(?![\w@.]|\.\w)",
    re.IGNORECASE,
)


_WEBMAIL_REST_RE = re.compile(
    r"\s*\(?\s*(?:@|(?:ở|o|a|at)(?=\s))?\s*(?:gmail|yahoo|outlook|hotmail|icloud|ymail)\s*\)?"
    r"(?:\s*(?:\.|dot|chấm|cham)?\s*(?:com|vn)(?!\w))*",
    re.IGNORECASE,
)
_SPACED_EMAIL_RE = re.compile(
    r"(?<!\S)(?:[A-Za-z0-9._-] ){2,}@(?: [A-Za-z0-9_-]| \.(?= \w)){3,}(?![^\s,;!?])"
)
_PLAIN_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


_NOT_LOCAL_PARTS = frozenset(
    {"mail", "email", "gmail", "e", "em", "toi", "tôi", "tui", "gui", "gửi", "qua", "vao", "vào",
     "o", "ở", "la", "là", "co", "có", "dung", "dùng"}
)  # fmt: skip


def _cue_word_local(match: str) -> bool:
    """ "gửi mail at gmail được không": the word before "at" is no address's local part."""
    local = re.split(r"[\s\[({<@]", match, maxsplit=1)[0].lower()
    return len(local) < 3 or local in _NOT_LOCAL_PARTS


# "mail em: lan anh 2010 @ gmail . com": a local part typed with spaces, right after the cue
_SPACED_LOCAL_RE = re.compile(
    r"(?<!\w)(?:e-?mail|gmail|mail)\s*"
    r"(?:(?:của|cua|em|e|tôi|toi|mình|minh|tui|con|nó|no|là|la)(?!\w)\s*)*"
    r":?\s*(?P<words>(?:[a-z0-9]{1,12}\s+){1,3})$",
    re.IGNORECASE,
)
_NOT_SPACED_LOCAL = frozenset({"la", "là", "em", "e", "cua", "của", "toi", "minh", "nha", "nhe"})


def _spaced_local_start(text: str, start: int) -> int:
    m = _SPACED_LOCAL_RE.search(text, max(0, start - 60), start)
    if m is None or m.end() != start:
        return start
    if any(w.lower() in _NOT_SPACED_LOCAL for w in m.group("words").split()):
        return start
    return m.start("words")


# (#17, round 6) "locks me out at night. email …": English words round a bare "at" and a
# full stop, no address
_BARE_AT_RE = re.compile(r"\s(?:at)\s", re.IGNORECASE)
_SPELLED_DOT_RE = re.compile(r"(?<!\w)(?:dot|chấm|cham)(?!\w)|\.(?=\S)", re.IGNORECASE)


def _english_prose(match: str) -> bool:
    """A bare " at " and only full stops followed by a space for dots: a sentence."""
    return bool(_BARE_AT_RE.search(match)) and not _SPELLED_DOT_RE.search(match)


def obfuscated_email_spans(text: str) -> list[tuple[int, int]]:
    """Emails written with the "@" or the dots spelled out or spaced."""
    spans = []
    matches = [m for m in _OBFUSCATED_EMAIL_RE.finditer(text) if not _english_prose(m.group())]
    covered = [m.span() for m in matches]
    matches += [
        m
        for m in _OBFUSCATED_WEBMAIL_RE.finditer(text)
        if not any(a <= m.start() < b for a, b in covered) and not _cue_word_local(m.group())
    ]
    for m in _ACCOUNT_AFTER_MAIL_RE.finditer(text):
        if not any(a <= m.start("account") < b for a, b in covered):
            # (#17, round 5) "lananh2010 gmail com", "hoanganh2010 (gmail)": the rest of it
            rest = _WEBMAIL_REST_RE.match(text, m.end("account"))
            spans.append((m.start("account"), rest.end() if rest else m.end("account")))
    for m in _SPACED_EMAIL_RE.finditer(text):  # "t r a n g 2 0 1 0 @ g m a i l . c o m"
        if _PLAIN_EMAIL_RE.fullmatch(m.group().replace(" ", "")):
            spans.append(m.span())
    for m in matches:
        start = _spaced_local_start(text, m.start())
        local = text[start : m.end()]
        # "email em: hieu dot nguyen at gmail": the match starts at the local part's first
        # word; a cue word the writer put before it is not part of it
        words = re.match(r"(?:(?:email|mail|gmail|e-mail|em|toi|tôi|tui|là|la)\s+)+", local, re.I)
        if words and re.search(_AT, local[words.end() :]):
            start += words.end()
        spans.append((start, m.end()))
    return spans


# ---------------------------------------------------------------------------- dates of birth

# "12/3/2011", "12/3 năm 2011"
_NUMERIC_DATE = (
    r"(?P<d>\d{1,2})\s?[/.\-]\s?(?P<m>\d{1,2})"
    r"(?:\s?[/.\-]\s?(?P<y>\d{4}|\d{2})|\s+(?:năm|nam)\s+(?P<y2>\d{4}))?"
)
# months written as words: "tháng ba", "tháng giêng", "thang muoi mot"
_MONTH_WORDS = {
    "giêng": 1, "gieng": 1, "một": 1, "mot": 1, "hai": 2, "ba": 3, "tư": 4, "tu": 4, "bốn": 4,
    "bon": 4, "năm": 5, "nam": 5, "sáu": 6, "sau": 6, "bảy": 7, "bay": 7, "tám": 8, "tam": 8,
    "chín": 9, "chin": 9, "mười": 10, "muoi": 10, "mười một": 11, "muoi mot": 11,
    "mười hai": 12, "muoi hai": 12, "chạp": 12, "chap": 12,
}  # fmt: skip
_MONTH_WORD = "|".join(sorted(_MONTH_WORDS, key=len, reverse=True))
# (#17, round 5) a day written in words: "mười lăm", "hai mươi mốt", "mùng năm", "ba mốt"
_UNITS_WORDS = {
    "một": 1, "mot": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "bon": 4, "tư": 4, "năm": 5,
    "nam": 5, "lăm": 5, "lam": 5, "sáu": 6, "sau": 6, "bảy": 7, "bay": 7, "bẩy": 7, "tám": 8,
    "tam": 8, "chín": 9, "chin": 9,
}  # fmt: skip
_UNIT_WORD = "|".join(sorted(_UNITS_WORDS, key=len, reverse=True))
_TEN_WORD = r"(?:mười|muoi|mươi)"
_DAY_WORDS = (
    rf"(?:(?:mùng|mung|mồng|mong)\s+)?"
    rf"(?:(?:hai|ba)\s+{_TEN_WORD}(?:\s+(?:{_UNIT_WORD}))?|{_TEN_WORD}(?:\s+(?:{_UNIT_WORD}))?"
    rf"|(?:hai|ba)\s+(?:mốt|mot|{_UNIT_WORD})|(?:{_UNIT_WORD}))"
)


def day_from_words(words: str) -> int | None:
    """1..31 from a day written in Vietnamese words ("mười lăm" 15, "hai mốt" 21)."""
    parts = [w for w in words.lower().split() if w not in {"mùng", "mung", "mồng", "mong"}]
    tens_words = {"mười", "muoi", "mươi"}
    if not parts:
        return None
    if parts[0] in tens_words:  # "mười", "mười lăm"
        rest = parts[1:]
        return 10 + (_UNITS_WORDS.get(rest[0], 0) if rest else 0) if len(rest) <= 1 else None
    first = _UNITS_WORDS.get(parts[0])
    if first is None:
        return None
    if len(parts) == 1:
        return first
    if parts[1] in tens_words:  # "hai mươi", "hai mươi mốt"
        tail = _UNITS_WORDS.get(parts[2], 0) if len(parts) > 2 else 0
        return first * 10 + tail
    return first * 10 + _UNITS_WORDS.get(parts[1], 0) if first in (2, 3) else None


# "5 tháng 9 năm 2014", "12 tháng ba năm 2011", "12 tháng 3, 2011"
_WORDED_DATE = (
    rf"(?P<wd>(?:(?:mùng|mung|mồng|mong)\s+)?\d{{1,2}}|{_DAY_WORDS}),?\s+(?:tháng|thang|thg|th)\s*(?P<wm>\d{{1,2}}|(?:{_MONTH_WORD})(?!\w))"
    # (#17, round 5) "15 tháng 3 âm lịch năm 2012"
    r"(?:\s+(?:âm lịch|am lich|âl|al|dương lịch|duong lich)(?!\w))?"
    # (#17, round 7) "12 thg 3 2012": the year after a space
    r"(?:\s*,?\s*(?:năm|nam)\s+(?P<wy>\d{4})|\s*,?\s+(?P<wy2>(?:19|20)\d\d)|,(?P<wy4>(?:19|20)\d\d))?"
)
# "12 03 2011": read only after a birth cue
_SPACED_DATE = r"(?P<sd>\d{1,2})\s(?P<sm>\d{1,2})\s(?P<sy>(?:19|20)\d\d)"
_ISO_DATE = r"(?P<iy>(?:19|20)\d\d)\s?[/.\-]\s?(?P<im>\d{1,2})\s?[/.\-]\s?(?P<id>\d{1,2})"
_MONTHS = {
    name: number
    for number, names in enumerate(
        (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")),
        1,
    )
    for name in names
}  # fmt: skip
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
# "March 3, 2011", "3 April 2010", "03 Apr 2010": English, after "born" or "DOB"
_ENGLISH_DATE = (
    rf"(?P<em>{_MONTH})\.?\s+(?P<ed>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<ey>(?:19|20)\d\d)"
    rf"|(?P<ed2>\d{{1,2}})(?:st|nd|rd|th)?(?:\s+of\s+|\s+|\s?[/\-.]\s?)(?P<em2>{_MONTH})\.?"
    r"(?:,?\s+|\s?[/\-.]\s?)(?P<ey2>(?:19|20)\d\d)"  # (#17, round 5) "14/Feb/2012"
)
# "sinh tháng 3/2012", "ngày sinh: tháng 5 năm 2013", "born in March 2012": a birth month,
# read only after a birth cue
_MONTH_YEAR_RE = re.compile(
    r"(?<!\w)(?:(?:tháng|thang|th)\s*(?P<m>\d{1,2})\s*(?:[/.\-]|,?\s*(?:năm|nam))\s*"
    rf"(?P<y>(?:19|20)\d\d)|(?P<em>{_MONTH})\.?,?\s+(?P<ey>(?:19|20)\d\d))(?!\w)",
    re.IGNORECASE,
)
_ENGLISH_DAY_MONTH_RE = re.compile(
    rf"(?<!\w)(?:(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?\s+(?:{_MONTH})\.?"
    rf"|(?:{_MONTH})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?)(?!\w)",
    re.IGNORECASE,
)
_MONTH_CUE_RE = re.compile(
    r"(?<!\w)(?:sinh|sn|ns|dob|born|ngày sinh|ngay sinh)(?:\s*(?:vào|vao|in|là|la|:|-))*\s*$",
    re.IGNORECASE,
)
_DATE_RE = re.compile(
    rf"(?<!\w)(?:{_ENGLISH_DATE})(?!\w)"
    rf"|(?<![\w/.\-]){_ISO_DATE}(?![\w/]|[.\-]\d)"
    rf"|(?<![\w/.\-]){_NUMERIC_DATE}(?![\w/]|[.\-]\d)|(?<!\w){_WORDED_DATE}(?!\w)"
    rf"|(?<![\w/.\-]){_SPACED_DATE}(?![\w/.\-])",
    re.I,
)
_BIRTH_CUE_RE = re.compile(
    r"(?<!\w)(?:sinh|sn|ns|dob|d\.o\.b|born|ngày sinh|ngay sinh|sinh nhật|sinh nhat|"
    r"chào đời|chao doi|birthday|bday|b-day|date of birth|đẻ|đẻ ra)"
    r"(?:\s*(?:ngày|ngay|vào|vao|là|la|của|cua|em|e|con|cháu|chau|bé|be|tôi|toi|ra|hôm|hom|"
    r"mùng|mung|on|is|:|-)(?!\w))*\s*$",
    re.IGNORECASE,
)
# "ngày 7 tháng 2 năm 2012 là ngày sinh của con", "12/3/2011 (ngày sinh)"
_BIRTH_CUE_AFTER_RE = re.compile(
    r"\s*[(,\-:]?\s*(?:là|la|chính là|chinh la)?\s*(?:ngày sinh|ngay sinh|sinh nhật|sinh nhat"
    r"|ngày tháng năm sinh|ngay thang nam sinh|date of birth|dob"
    # "ngày 12 tháng 3 năm 2011 em được sinh ra"
    r"|(?:em|e|con|cháu|chau|bé|be|tôi|toi|mình|minh|tớ)?\s*(?:được|duoc)?\s*"
    r"(?:sinh ra|chào đời))(?!\w)",
    re.IGNORECASE,
)
# (#17, round 7) what happened on a date with no birth cue, told right after it: "12/3/2015 bố
# mẹ em ly hôn", "12/6/2018, em bị xâm hại" (a date of birth is followed by who or which class)
_EVENT_AFTER_RE = re.compile(
    r"\s*,?\s*(?:thì|thi|là lúc|khi|lúc)?\s*(?:[^\W\d]+\s+){0,3}?"
    r"(?:bị|bi|ly hôn|ly hon|ly thân|đánh|xảy ra|xay ra|mất|chết|qua đời|chuyển|nghỉ|nhập|bỏ đi"
    r"|bắt|xâm hại|trình báo|tố cáo|báo công an|cháy|tai nạn|đi tù|bắt đầu|kết thúc|họp|thi"
    r"|nộp|gửi|được cấp|cấp)(?!\w)",
    re.IGNORECASE,
)
# right after a capitalised name, a date is the person's: "cháu Lan 12/3/2012 bị bố đánh"
_AFTER_A_NAME_RE = re.compile(
    r"(?<!\S)(?!(?:Em|Con|Cháu|Tôi|Mình|Tui|Tớ|Anh|Chị|Bé|Hôm|Ngày|Từ|Đến|Sáng|Chiều|Tối"
    r"|Đêm|Trưa|Vào|Lúc|Khoảng|Năm|Tháng|I|We|She|He|On)\b)[A-ZĐÀ-Ỹ][^\W\d]*\s*[,(\-–]?\s*$"
)
_NOT_BIRTH_BEFORE_RE = re.compile(
    r"(?<!\w)(?:từ|tu|đến|den|hạn|han|trước|truoc|sau|hiệu lực|hieu luc|ban hành|ban hanh|"
    r"kể từ|ke tu|hôm|hom|lúc|luc|tối|toi|sáng|sang|chiều|chieu|ngày|ngay"
    # (#17, round 4) what happened on that day: "em bị đánh vào 12/3/2020", "ly hôn 5/6/2019"
    r"|vào|vao|xảy ra|xay ra|ly hôn|ly hon|ly thân|ly than|nhập học|nhap hoc|tai nạn|tai nan"
    r"|cấp|ký|mất|chết|qua đời|qua doi|cưới|cuoi|đánh|danh|khoảng|khoang|tới|hết hạn"
    r"|tốt nghiệp|tot nghiep|chuyển|chuyen|nghỉ|nghi|thi|đợt|dot|nộp|nop|gửi|gui|tù|tu)\s*$"
    # the date of a decree or decision: "Quyết định 1248/QĐ-TTg (19/7/2021)"
    r"|\d+/(?:\d{4}/)?[A-ZĐ][\wĐđ-]*\s*[(,]?\s*(?:ngày|ngay)?\s*$",
    re.IGNORECASE,
)


# (#17, round 6) a date of birth typed with letters for digits: "19/O5/2011", "l2/3/2O10"
_LETTERED_DATE_RE = re.compile(
    r"(?<![\w/.\-])[0-9OoIl]{1,2}[/.\-][0-9OoIl]{1,2}[/.\-][0-9OoIl]{4}(?![\w/])"
)
_DATE_LETTERS = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1"})


def _date_letters_read(text: str) -> str:
    """`text`, the same length, with look-alike letters inside a dd/mm/yyyy date read as
    digits (at least five real digits, so "lol/..." stays)."""

    def fix(m: re.Match[str]) -> str:
        raw = m.group()
        return raw.translate(_DATE_LETTERS) if sum(c.isdigit() for c in raw) >= 5 else raw

    return _LETTERED_DATE_RE.sub(fix, text)


# (#17, round 6) a date in words goes on with the year in words: "mười lăm tháng bảy năm hai
# nghìn mười hai"
_SPELLED_YEAR_RE = re.compile(
    # (#17, round 7) or read digit by digit: "năm hai không mười hai", "năm hai không một hai"
    r"\s*,?\s*(?:năm|nam)\s+(?:hai|một|mot)\s+(?:nghìn|ngàn|nghin|ngan|không|khong)"
    r"(?:\s+(?:không trăm|khong tram|linh|lẻ|le|mười|muoi|mươi|một|mot|mốt|hai|ba|bốn|bon"
    r"|tư|tu|năm|nam|lăm|lam|sáu|sau|bảy|bay|bẩy|tám|tam|chín|chin)(?!\w)){0,4}",
    re.IGNORECASE,
)


_YEAR_AFTER_RE = re.compile(
    r"(?:\s*\(?(?:âm lịch|am lich|âl|dương lịch|duong lich)\)?)?"
    r"\s*,?\s*(?:năm|nam)\s+(?:19|20)\d\d(?!\w)",
    re.IGNORECASE,
)


def _worded_whole(text: str, m: re.Match[str]) -> tuple[int, int]:
    """The span of a cued date, with its year when that is written in words."""
    start, end = m.span()
    if m.group("d") is not None and not (m.group("y") or m.group("y2")):
        year = _YEAR_AFTER_RE.match(text, end)  # (#17, round 7) "12-3, năm 2012"
        return (start, year.end()) if year is not None else (start, end)
    if m.group("wd") is None:
        return start, end
    if not (m.group("wy") or m.group("wy2")):
        year = _SPELLED_YEAR_RE.match(text, end)
        if year is not None:
            end = year.end()
    return start, end


# (#17, round 5) the year first, then the day and month or the month: "sinh năm 2010, ngày 5
# tháng 6", "em sinh năm 2011 tháng 4" (a birth year alone stays: it says an age)
_YEAR_FIRST_RE = re.compile(
    r"(?<!\w)(?:sinh|sn|ns|đẻ)\s+(?:năm|nam)\s+(?P<start>(?:19|20)\d\d\s*,?\s*"
    r"(?:(?:(?:ngày|ngay|mùng|mung|mồng)\s+)?\d{1,2}\s*(?:tháng|thang|/)\s*\d{1,2}"
    r"|(?:tháng|thang)\s+\d{1,2}))(?!\w)",
    re.IGNORECASE,
)


def birth_date_spans(text: str, today: date | None = None) -> list[tuple[int, int]]:
    """Dates of birth: any date right after a birth cue; a full date with no cue when its year
    makes it a child's or a young person's birth date and nothing says it is an event."""
    year_now = (today or date.today()).year
    spans = []
    source, text = text, _date_letters_read(text)
    for m in _DATE_RE.finditer(text):
        month_name = m.group("em") or m.group("em2")
        if month_name:
            day = int(m.group("ed") or m.group("ed2"))
            month = _MONTHS[month_name.lower()]
            year_text = m.group("ey") or m.group("ey2")
        else:
            day_text = m.group("d") or m.group("wd") or m.group("id") or m.group("sd")
            digits = day_text.split()[-1]  # "mùng 8"
            day = int(digits) if digits.isdigit() else (day_from_words(day_text) or 0)
            month_text = m.group("m") or m.group("wm") or m.group("im") or m.group("sm")
            month = (
                int(month_text)
                if month_text.isdigit()
                else _MONTH_WORDS[" ".join(month_text.lower().split())]
            )
            year_text = (
                (m.group("y") or m.group("y2") or m.group("wy") or m.group("wy2") or m.group("iy"))
                or m.group("sy")
                or m.group("wy4")
            )
        if not (1 <= day <= 31 and 1 <= month <= 12):
            continue
        before = text[max(0, m.start() - 30) : m.start()]
        if _BIRTH_CUE_RE.search(before) or _BIRTH_CUE_AFTER_RE.match(text, m.end()):
            spans.append(_worded_whole(source, m))
            continue
        if m.group("sd") or (m.group("wd") and not m.group("wd").split()[-1].isdigit()):
            continue  # "12 03 2011", "hai tháng năm 2019": a date only after a birth cue
        if year_text is None or len(year_text) != 4:
            continue
        year = int(year_text)
        if (
            1930 <= year <= year_now - 4
            and not _NOT_BIRTH_BEFORE_RE.search(before)
            and (_AFTER_A_NAME_RE.search(before) or not _EVENT_AFTER_RE.match(text, m.end()))
        ):
            spans.append(m.span())
    for m in _YEAR_FIRST_RE.finditer(text):
        if not any(a < m.end() and m.start("start") < b for a, b in spans):
            spans.append((m.start("start"), m.end()))
    for m in _ENGLISH_DAY_MONTH_RE.finditer(text):
        # (#17, round 7) "born 5 March", "birthday is on 12th of June", "born March 5th"
        cued = _BIRTH_CUE_RE.search(text[max(0, m.start() - 30) : m.start()])
        if cued and not any(a < m.end() and m.start() < b for a, b in spans):
            spans.append(m.span())
    for m in _MONTH_YEAR_RE.finditer(text):
        month = int(m.group("m")) if m.group("m") else _MONTHS[m.group("em").lower()]
        cued = _MONTH_CUE_RE.search(text[max(0, m.start() - 30) : m.start()])
        if cued and 1 <= month <= 12 and not any(a < m.end() and m.start() < b for a, b in spans):
            spans.append(m.span())
    return spans
