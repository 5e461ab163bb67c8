"""`assess`: is someone in danger now, which danger, which lines, and how sure.

1. The written rules (`handlers.safety.rules`) read the canonical text (accents kept, so that
   "tư vấn" is no "tự vẫn"); when the shared reader undid a disguise (spaced or dotted letters,
   digits for letters, emoji inside words, Telex...), its folded text is read as well.
2. When the rules find nothing, the learned model (`handlers.safety.model`) reads the wording:
   p(urgent) >= `URGENT_THRESHOLD` escalates; p(urgent) >= `CHECK_THRESHOLD` is the honest
   middle, level "check" (ask "Bạn có đang an toàn không?"). Both thresholds are chosen by
   cross-validation on the training corpus (`python -m handlers.safety.cv`). A weak written
   sign (a danger file's ``check`` patterns) also gives "check".
3. The dangers come most pressing first and the lines follow `handlers.safety.dangers.LINES`:
   the first line fits the first danger, and 111 is always there.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

import nlu.text as nlu_text
from handlers.safety import gate as gate_module
from handlers.safety import model as model_module
from handlers.safety import naming as naming_module
from handlers.safety import patterns as patterns_module
from handlers.safety import reading as reading_module
from handlers.safety import rules as rules_module
from handlers.safety.dangers import LINES, Danger, lines_for, most_pressing_first
from handlers.safety.patterns import Cue, Pattern, found_in, gate_regex
from handlers.safety.reading import SafetyReading, read_for_safety
from nlu.text import read
from nlu.text.syllables import SYLLABLES

log = logging.getLogger(__name__)

Level = Literal["urgent", "check", "none"]

# Chosen by 5-fold cross-validation (3 shuffles) on data/train*.yml; see handlers/safety/cv.py
# and docs/safety.md for the curve. URGENT_THRESHOLD: the lowest threshold whose out-of-fold
# false-alarm rate (rules OR model) stays within FALSE_ALARM_BUDGET; CHECK_THRESHOLD: the
# lowest whose "check or urgent" rate on harmless messages stays within CHECK_BUDGET.
URGENT_THRESHOLD = 0.875
CHECK_THRESHOLD = 0.7
FALSE_ALARM_BUDGET = 0.02
CHECK_BUDGET = 0.05
# The kind of danger when only the model fires: its kind head's most likely kind when that is
# at least KIND_CONFIDENT (plus any other kind at KIND_SHARE or more); otherwise UNSPECIFIED.
KIND_CONFIDENT = 0.5
KIND_SHARE = 0.25
# A naming cue (`handlers.safety.naming`) names a danger the model raised, unless the kind head
# is confident of another and gives the cued one less than this: then the cue is a collision.
CUE_FLOOR = 0.02
_WHOLE_WORDS = 120  # a message this long or shorter is scored whole
_WINDOW_WORDS = 40
_WINDOW_STRIDE = 20
_MAX_WINDOWS = 64
RULE_CONFIDENCE = 0.95


class ReadingLike(Protocol):
    """What `assess` reads of `nlu.text.Reading`."""

    @property
    def original(self) -> str: ...

    @property
    def canonical(self) -> str: ...

    @property
    def folded(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Assessment:
    level: Level
    dangers: tuple[Danger, ...] = ()  # most pressing first
    lines: tuple[str, ...] = ()  # the first fits dangers[0]; 111 always there unless "none"
    confidence: float = 0.0  # how sure the level is (rules: RULE_CONFIDENCE; model: its p)
    reasons: tuple[str, ...] = field(default=())  # one per danger, for logs and tests

    @property
    def urgent(self) -> bool:
        return self.level == "urgent"

    @property
    def primary(self) -> Danger | None:
        return self.dangers[0] if self.dangers else None


NONE = Assessment(level="none")

# Framing marks appended to the model's input as words of their own.
_MARKS_FOR_MODEL: tuple[tuple[str, Cue | re.Pattern[str]], ...] = (
    ("zzgeneral", gate_module.GENERAL),
    ("zzhypo", gate_module.HYPOTHETICAL),
    ("zzpurpose", gate_module.PURPOSE),
    ("zznow", gate_module.TIME_NOW),
    ("zzalarm", gate_module.ALARM),
    ("zzsevere", gate_module.SEVERE),
    ("zzplea", gate_module.PLEA),
    ("zzgeneric", gate_module.GENERIC),
    ("zzreported", gate_module.REPORTED),
    ("zzover", gate_module.OVER),
    ("zzdefinition", gate_module.DEFINITION),
    ("zzbereaved", gate_module.BEREAVED),
)
_QUESTION_END = gate_regex("question_end")
_MEDICAL = gate_regex("medical")
_PRESENT = gate_regex("present")


def _marks(sense: str, question: bool, follow_up: bool = False) -> list[str]:
    """The framing marks the model reads after the text (as words of their own)."""
    return _marks_of_windows([sense], question, follow_up)[0]


def _marks_of_windows(texts: Sequence[str], question: bool, follow_up: bool) -> list[list[str]]:
    """`_marks` of each of a text's windows. A cue's parts whose words are in none of the
    windows are set aside once for all of them (what `Cue.found_in` would skip in each)."""
    plains = [f" {text.lower()} " for text in texts]
    word_sets = [frozenset(plain.split()) for plain in plains]
    if len(texts) == 1:  # one window: its own words gate the parts, as `found_in` does
        cues: list[tuple[str, Sequence[Pattern] | re.Pattern[str]]] = [
            (name, cue.parts if isinstance(cue, Cue) else cue) for name, cue in _MARKS_FOR_MODEL
        ]
    else:
        every_word = frozenset().union(*word_sets)
        cues = [
            (name, cue.parts_with(every_word) if isinstance(cue, Cue) else cue)
            for name, cue in _MARKS_FOR_MODEL
        ]
    out = []
    for plain, words in zip(plains, word_sets, strict=True):
        marks = [
            name
            for name, cue in cues
            if (cue.search(plain) if isinstance(cue, re.Pattern) else found_in(cue, plain, words))
        ]
        if question or _QUESTION_END.search(plain):
            marks.append("zzquestion")
        if follow_up:
            marks.append("zzfollowup")
        out.append(marks)
    return out


def _model_input(sense: str, question: bool, follow_up: bool = False) -> str:
    return f"{sense} {' '.join(_marks(sense, question, follow_up))}".strip()


def _follows_up(reading: SafetyReading) -> bool:
    """ "còn điện giật", "thế còn đuối nước thì sao": a follow-up naming the next topic."""
    return bool(
        gate_module.WHAT_ABOUT.match(f" {reading.sense.lower()}")
        or gate_module.WHAT_ABOUT_ACCENTED.match(reading.lower)
    )


def prepare_for_model(text: str) -> str:
    """A message as the model reads it (used to train it; `assess` prepares its own)."""
    reading = read_for_safety(read(text).canonical)
    return _model_input(reading.sense, "?" in reading.lower, _follows_up(reading))


def _windows(sense: str) -> list[str]:
    """Whole when short (as it learned from), else sentence by sentence (a run-on sentence in
    overlapping windows), so one sentence buried in a long story is not drowned by the rest."""
    split = _window_spans(sense)
    if split is None:
        return [sense]
    words, spans = split
    return [" ".join(words[start:end]) for start, end in spans]


def _window_spans(sense: str) -> tuple[list[str], list[tuple[int, int]]] | None:
    """`_windows` as spans over the words of the text's sentences one after the other; None
    when the text is short enough to be read whole."""
    if len(sense.split()) <= _WHOLE_WORDS:
        return None
    words: list[str] = []
    spans: list[tuple[int, int]] = []
    for sentence in sense.split("|"):
        start = len(words)
        words.extend(sentence.split())
        count = len(words) - start
        if count <= _WINDOW_WORDS:
            if count:
                spans.append((start, start + count))
            continue
        for i in range(0, count - _WINDOW_WORDS + _WINDOW_STRIDE, _WINDOW_STRIDE):
            spans.append((start + i, start + min(i + _WINDOW_WORDS, count)))
    if len(spans) > _MAX_WINDOWS:
        half = _MAX_WINDOWS // 2
        spans = spans[:half] + spans[-half:]
    return words, spans


@dataclass(frozen=True, slots=True)
class ModelScore:
    p_urgent: float
    prepared: str  # the window that scored highest, as the model read it


def _score(net: model_module.SafetyNet, reading: SafetyReading) -> ModelScore | None:
    """The window that reads most urgent. A long text's overlapping windows are scored
    together (`SafetyNet.p_urgent_spans`): each word's n-grams are cut and looked up once,
    not once per window that holds it (#18)."""
    question = "?" in reading.lower
    follow_up = _follows_up(reading)
    split = _window_spans(reading.sense)
    if split is None:
        prepared = _model_input(reading.sense, question, follow_up)
        return ModelScore(net.p_urgent(prepared), prepared)
    words, spans = split
    if not spans:
        return None
    texts = [" ".join(words[start:end]) for start, end in spans]
    tails = _marks_of_windows(texts, question, follow_up)
    scores = net.p_urgent_spans(words, spans, tails)
    best = max(range(len(scores)), key=scores.__getitem__)  # the first of the highest
    return ModelScore(scores[best], f"{texts[best]} {' '.join(tails[best])}".strip())


_SELF_CHECK = ("", "em muốn chết", "làm sao phòng tránh đuối nước", "xin chào", "e bi bo danh?")
_CODE_FILES = (
    Path(reading_module.__file__),
    Path(gate_module.__file__),
    Path(patterns_module.__file__),
    Path(rules_module.__file__),
    Path(__file__),
    patterns_module.DATA_DIR / "reading.yml",
    *patterns_module.data_files(),
    # the shared reader: its canonical text is what the model reads
    *sorted(
        p
        for p in Path(nlu_text.__file__).parent.rglob("*")
        if p.is_file() and p.suffix in (".py", ".yml", ".txt", ".json")
    ),
)
_MODEL = model_module.NetStore(
    prepare=prepare_for_model, code_files=_CODE_FILES, self_check=_SELF_CHECK
)


def safety_model(retrain: bool = False) -> model_module.SafetyNet | None:
    """The learned model (trained or loaded on first use); None if it cannot be built."""
    if retrain:
        return _MODEL.retrain()
    return _MODEL.get()


def model_score(text: str | ReadingLike) -> ModelScore | None:
    """The model's p(urgent) for a message, whatever the rules say; None if unavailable."""
    net = _MODEL.get()
    if net is None:
        return None
    return _score(net, read_for_safety(_canonical(text)))


# ----------------------------------------------------------------------------- assess


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _reading_of(text: str | ReadingLike) -> ReadingLike:
    return read(text) if isinstance(text, str) else text


def _canonical(text: str | ReadingLike, in_clear: bool = True) -> str:
    if isinstance(text, str):
        return _nfkc(text)
    clear = getattr(text, "clear", "")
    if in_clear and getattr(text, "disguised", False) and clear:
        # the reader undid a disguise ("c h ế t", "ch3t", "emmuốnchết"): its canonical text
        # still holds the disguise, which reads as other words (or none); read the message
        # as the reader says it (its words, with the accents the disguise kept, and its
        # sentence breaks)
        return str(clear)
    return text.canonical or text.original


# Signs that a message is written in disguise, so the reader's folded text is worth reading
# too: spaced or dotted letters, digits inside words, emoji inside words, VNI tone digits,
# words run together, or Telex leftovers in more than one word. Without them the canonical
# text is read alone ("boss" is no Telex "bó").
_DISGUISE = re.compile(
    r"(?:^|\s)\w(?:[ ._·*-]+\w){2,}(?:\s|$)"
    r"|[a-zA-Z][0-9@$]+[a-zA-Z]"
    r"|(?<![0-9])[0-9][a-zA-Z]|[a-zA-Z][0-9](?![0-9])"
    r"|\w[\U0001F000-\U0001FAFF\u2600-\u27BF]+\w"
    r"|[aeiouyAEIOUY][1-9]"
    r"|[a-zA-Z]{9,}"
)
_TELEX_WORD = re.compile(r"\b[a-z]*(?:w|aa|ee|oo|dd|[aeiouy][a-z]*[ptcnmgh]?[sfrxj])\b")


def _disguised(original: str) -> bool:
    if _DISGUISE.search(original):
        return True
    return len(_TELEX_WORD.findall(original.lower())) >= 2


def _alternative(text: str | ReadingLike, canonical: SafetyReading) -> str | None:
    """The reader's folded text when the message looks disguised and the folded text reads
    differently from the canonical one; None otherwise."""
    if isinstance(text, str):
        return None
    folded = getattr(text, "folded", "")
    if not folded or not folded.strip() or not _disguised(text.canonical or text.original):
        return None
    plain = " ".join(w for w in canonical.sense.lower().split() if w not in ("|", ","))
    return folded if folded.split() != plain.split() else None


def _letters_run_together(text: str | ReadingLike) -> str | None:
    """A message typed as letters and letter pairs apart with odd breaks ("ch a y nh a r o i",
    "e m m u on ch et"): all its letters run together and split into words by the reader
    ("chay nha roi"), a further reading for the rules; None for any other message."""
    canonical = text if isinstance(text, str) else (text.canonical or "")
    typed = re.findall(r"[^\W\d_]+", canonical.lower())
    singles = sum(len(w) == 1 for w in typed)
    if len(typed) < 4 or max(map(len, typed)) > 2 or singles * 2 < len(typed):
        return None
    clear = getattr(text, "clear", "") or canonical
    leftover = [w for w in nlu_text.read(clear).folded.split() if w not in SYLLABLES]
    if len(leftover) < 2:
        return None  # the reader already read the letters as words ("t ố g i á c ...")
    joined = nlu_text.read("".join(typed)).folded
    return joined if len(joined.split()) > 1 else None


_LEAVING_HOME = re.compile(r"\b(?:bo nha|tron|roi khoi nha|bo di|di khoi nha)\b")
_WEAPON = re.compile(r"\b(?:dao|sung|ma tau|rua|kiem|gay|xa beng|ong tuyp|knife|gun|machete)\b")
_MEANS_TO_LEAVE = re.compile(r"\b(?:muon|se|sap|dinh|quyet dinh|tinh) (?:\w+ )?(?:bo nha|tron)\b")
_DISAPPEARING = re.compile(r"\b(?:bien mat|bien di|bien khoi|tan bien)\b")
_OVER_AND_DONE = gate_regex("over_and_done")
_RESOLVED_ABUSE = gate_regex("resolved_abuse")
_ONGOING = gate_regex("ongoing")
_STILL_NOW = gate_regex("still_now")
_ABUSER_GONE = gate_regex("abuser_gone")
_PAST_EPISODE = gate_regex("past_episode")
_RECOVERED = gate_regex("recovered")
# with a habit, only these keep an attack 113-first (a stick or a cane is a beating at home)
_LETHAL = re.compile(r"\b(?:dao|sung|ma tau|rua|kiem|xa beng|ong tuyp|knife|gun|machete)\b")
_LONG_AGO = gate_regex("long_past")
_SCHOOL_DOER = gate_regex("school_doer")
_EARLIER_TODAY = gate_regex("earlier_today")
_COMPLAINT = gate_regex("complaint")
_NOW_WHAT = gate_regex("now_what")
_PARENT_OF_CHILD = gate_regex("parent_of_child")
_MOVING_AWAY = gate_regex("moving_away")
# a parent asking about a beating at school ("con tui bị bạn đánh ở trường") with no injury told
_AT_SCHOOL = re.compile(
    r"\b(?:o|tai|trong|tren) (?:\w+ )?(?:truong|lop|san truong|gio ra choi)\b|\bat school\b"
)
_HURT = re.compile(
    r"\b(?:bam|sung|chay mau|rach|gay|vet thuong|bi thuong|tim tai|be dau|vo dau|u dau|tray|dau lam"
    r"|nhap vien|bruise\w*|bleeding|hurt badly|injur\w*)\b"
)
# habit, not this minute: an attack told with one of these (and nothing now) is abuse
_HABIT = re.compile(
    r"\b(?:hay|he (?:\w+ ){1,5}(?:la|thi)|(?<!binh )thuong|thuong xuyen|moi khi|moi lan|moi ngay"
    r"|ngay nao cung|hoai|suot"
    r"|lan nao|cu (?:\w+ ){1,4}la|whenever|every time|always|all the time)\b"
)
# the means to cut in the writer's own hand ("em đang cầm dao muốn rạch tay"): with a wish to
# harm oneself, an attempt under way (115 first), not an attack (113 first)
_BLADE_HELD = re.compile(
    r"\b(?:cam|cam theo|rut|lay|holding|have|got) (?:\w+ ){0,2}(?:dao|dao lam|luoi lam|dao roc giay"
    r"|keo|manh chai|manh kinh|knife|blade|razor|scissors)\b"
)
_CUTTING = re.compile(r"\b(?:rach|cat|cua|cut|slit|razor|blade)\b")
_OTHER_HOLDER = re.compile(
    r"\b(?:bo|me|ba|ma|cha|duong|chu|bac|cau|anh ay|chi ay|ong|nguoi|thang|han|no|ho|bon|"
    r"chung no|tui no|he|she|they|dad|mom|someone|a man|a guy)\b (?:\w+ ){0,2}?(?:dang |da |van )?"
    r"(?:cam|rut|lay|cam theo|holding|has|got)\b"
)
# a child gone in the water ("bơi ra giữa hồ rồi mất hút, tìm mãi chưa thấy"): drowning (115)
_IN_THE_WATER = re.compile(
    r"\b(?:tam|boi|lan|lan xuong|nhay xuong|roi xuong|te xuong|nga xuong|truot xuong|chim|duoi"
    r"|bi cuon|swim\w*|jump\w* into|fell into|went into)\b(?: [\w,]+){0,5}? (?:song|suoi|ao|ho|bien"
    r"|kenh|muong|rach|dam|dap|gieng|ho boi|be boi|nuoc|river|lake|sea|pool|pond|water)\b"
)
# someone getting into the home (a door smashed, a wall climbed): an attack, never a habit at home
_INTRUDER = re.compile(
    r"\b(?:pha|dap|dap pha) (?i:cua)\b|\b(?:treo tuong|dot nhap|break(?:ing)? in|broke in)\b"
    r"|\b(?:treo|leo|pha|be|cay|xong|lan|chui) (?:\w+ ){0,3}?(?:vo|vao) (?:\w+ )?(?:nha|phong)\b"
)
# on a height or the tracks: with a suicidal cue, an attempt under way (115 first)
_ON_A_HEIGHT = re.compile(
    r"\b(?:dung|ngoi|treo minh|leo len|treo len) (?:o |tren |len |giua )?(?:\w+ )?"
    r"(?:thanh cau|lan can|mep|noc nha|mai nha|san thuong|ban cong|tang thuong|duong ray"
    r"|cua so tang)\b"
    r"|\b(?:on|standing on) (?:the|a) (?:roof|ledge|bridge|railing|edge|tracks)\b"
)
# dragged off and abused there ("kéo vào ngõ tối và sờ mó"): the assault leads (111), unless
# the child is still gone
_DRAGGED = re.compile(r"\b(?:keo|loi|ko|dragged|pulled|grabbed)\b")
_STILL_GONE = re.compile(
    r"\b(?:mat tich|khong thay|chua ve|dua di|bat di|mang di|missing|took (?:her|him) away)\b"
)
# swallowed by accident ("tưởng kẹo nên nuốt cả nắm thuốc"): poisoning (115), not an attempt
_BY_ACCIDENT = re.compile(
    r"\b(?:tuong (?:la )?(?:keo|nuoc|sua|do an|banh)|nham|vo tinh|lo tay|by accident|accidentally"
    r"|thought (?:it was|they were) (?:candy|sweets))\b"
)
# a head hit against a thing ("đập đầu vô cột"): an injury, not an attack
_HEAD_ON_A_THING = re.compile(
    r"\bdap dau (?:vo|vao|xuong|len) (?:\w+ )?(?:cot|tuong|san|ban|ghe|da|(?i:cua)|bac|gach|nen|cay"
    r"|thanh|goc|tu|kinh|xe|lan can|be tong)\b"
)
_PAST_DEMOTABLE = frozenset({Danger.ABUSE, Danger.ABDUCTION_MISSING})
_PAST_RESOLVABLE = frozenset(
    {Danger.SUICIDE_SELF_HARM, Danger.SEXTORTION, Danger.GROOMING, Danger.RUNAWAY}
)


def _adjust(found: dict[Danger, str], reading: SafetyReading) -> dict[Danger, str]:
    """Violence told as a situation ("bố hay đánh em"), not as a cry of an attack under way,
    and with nothing saying it is happening now, is abuse (111 first); a child saying they will
    leave home is running away, not missing."""
    plain = f" {reading.sense.lower()} "
    if (
        Danger.VIOLENCE in found
        and (Danger.SUICIDE_SELF_HARM in found or Danger.SUICIDE_ATTEMPT in found)
        and _BLADE_HELD.search(found[Danger.VIOLENCE])
        and not _OTHER_HOLDER.search(plain)
    ):
        found[Danger.SUICIDE_ATTEMPT] = found.pop(Danger.VIOLENCE)  # the blade in their own hand
    elif (
        Danger.SUICIDE_SELF_HARM in found
        and Danger.VIOLENCE not in found
        and _CUTTING.search(found[Danger.SUICIDE_SELF_HARM])
        and (blade := _BLADE_HELD.search(plain))
        and not _OTHER_HOLDER.search(plain)
        and not (_HABIT.search(plain) and not _PRESENT.search(plain))
    ):  # "con hay lấy dao lam rạch đùi": self-harm as a habit, no attempt under way
        found.setdefault(
            Danger.SUICIDE_ATTEMPT, f"situation:{blade.group(0)}"
        )  # "cầm kéo, muốn cắt tay"
    if (
        Danger.SUICIDE_SELF_HARM in found
        and Danger.SUICIDE_ATTEMPT not in found
        and _ON_A_HEIGHT.search(plain)
    ):
        found[Danger.SUICIDE_ATTEMPT] = found[Danger.SUICIDE_SELF_HARM]  # on the bridge rail
    if (
        Danger.SUICIDE_SELF_HARM in found
        and Danger.SUICIDE_ATTEMPT not in found
        and _BY_ACCIDENT.search(plain)
        and (reason := found[Danger.SUICIDE_SELF_HARM])
        and re.search(r"\b(?:thuoc|vien|pills?)\b", reason)
    ):
        found[Danger.POISONING] = found.pop(Danger.SUICIDE_SELF_HARM)  # "tưởng kẹo nên nuốt"
    if (
        Danger.VIOLENCE in found
        and Danger.SERIOUS_INJURY in found
        and _HEAD_ON_A_THING.search(plain)
        and not (_BLOW.search(plain) or _PRESENT_ATTACK.search(plain))
    ):
        del found[Danger.VIOLENCE]  # "đập đầu vô cột": hurt, not attacked
    if (
        Danger.SEXUAL_ASSAULT in found
        and Danger.ABDUCTION_MISSING in found
        and _DRAGGED.search(found[Danger.ABDUCTION_MISSING])
        and not _STILL_GONE.search(plain)
    ):
        del found[Danger.ABDUCTION_MISSING]  # dragged off to be abused: the assault leads
    habit = bool(_HABIT.search(plain))
    if (
        Danger.VIOLENCE in found
        and (not found[Danger.VIOLENCE].startswith("cry:") or habit)
        and not (_INTRUDER.search(found[Danger.VIOLENCE]) and not habit)
        and not (_LETHAL if habit else _WEAPON).search(found[Danger.VIOLENCE])
        and not _PRESENT.search(plain)
    ):
        reason = found.pop(Danger.VIOLENCE)
        found.setdefault(Danger.ABUSE, reason)
    if (
        Danger.RUNAWAY in found
        and Danger.ABDUCTION_MISSING in found
        and _LEAVING_HOME.search(found[Danger.ABDUCTION_MISSING])
    ):
        del found[Danger.ABDUCTION_MISSING]
    if Danger.ABDUCTION_MISSING in found and _MEANS_TO_LEAVE.search(
        found[Danger.ABDUCTION_MISSING]
    ):
        del found[Danger.ABDUCTION_MISSING]  # "con muốn bỏ nhà đi": an intent, not missing
    if (
        Danger.SUICIDE_SELF_HARM in found
        and Danger.ABDUCTION_MISSING in found
        and _DISAPPEARING.search(found[Danger.ABDUCTION_MISSING])
    ):
        del found[Danger.ABDUCTION_MISSING]  # "em chỉ muốn biến mất": the writer, not missing
    if (
        Danger.ABDUCTION_MISSING in found
        and Danger.DROWNING not in found
        and _IN_THE_WATER.search(plain)
    ):
        found[Danger.DROWNING] = found[Danger.ABDUCTION_MISSING]  # gone in the water: 115 first
    if Danger.POISONING in found and Danger.SUICIDE_SELF_HARM in found:
        found.setdefault(Danger.SUICIDE_ATTEMPT, found[Danger.POISONING])  # taken on purpose
    if Danger.ABUSE in found and Danger.SERIOUS_INJURY in found:
        found[Danger.VIOLENCE] = found.pop(Danger.ABUSE)  # a beating that hurt badly: 113, 115
    if Danger.ABUSE in found and _at_school_and_over(plain):
        del found[Danger.ABUSE]
    if (
        Danger.ABDUCTION_MISSING in found
        and Danger.NEGLECT in found
        and _CARERS_GONE.search(plain)
        and not _CHILD_GONE.search(plain)
    ):
        del found[Danger.ABDUCTION_MISSING]  # the parents are the ones gone: a child left alone
    if (
        Danger.ABDUCTION_MISSING in found
        and _BY_MESSAGE.search(found[Danger.ABDUCTION_MISSING])
        and not _TAKEN_NOW.search(plain)
    ):
        found[Danger.GROOMING] = found.pop(Danger.ABDUCTION_MISSING)  # a lure sent as a message
    if (
        Danger.VIOLENCE in found
        and _FALL_HIT.search(plain)
        and not _BLOW.search(plain)
        and not _PRESENT_ATTACK.search(plain)
    ):  # "bé bị ngã đập đầu, bất tỉnh": a fall that hit the head, no one struck (115 first)
        found.setdefault(Danger.SERIOUS_INJURY, found.pop(Danger.VIOLENCE))
    if (
        Danger.VIOLENCE in found
        and _THREAT.search(plain)
        and _ON_CONDITION.search(plain)
        and not _NOW_OR_TONIGHT.search(plain)
    ):  # "dọa giết em nếu em mách cô": a threat to keep a secret, no attack now (111 first)
        reason = found.pop(Danger.VIOLENCE)
        if not found.keys() & {Danger.SEXUAL_ASSAULT, Danger.SEXTORTION, Danger.GROOMING}:
            found.setdefault(Danger.ABUSE, reason)
    if (
        Danger.ABDUCTION_MISSING in found
        and _LEFT_BY_CHOICE.search(plain)
        and not _TAKEN_BY_SOMEONE.search(plain)
    ):  # "thằng con tôi bỏ nhà đi từ tối qua, để lại tờ giấy": running away (111), not taken
        found.setdefault(Danger.RUNAWAY, found.pop(Danger.ABDUCTION_MISSING))
    return found


# a fall that hit the head or the body ("ngã cầu thang đập đầu", "rơi xuống đập gáy", "xỉu trong
# nhà tắm, đầu đập vô bồn")
_FALL_HIT = re.compile(
    r"\b(?:nga|te|(?:roi|rot|lan) xuong|truot (?:chan|nga)|xiu|ngat|vap|fell|fall\w*|slipped"
    r"|tripped)\b(?: [\w,]+){0,6}?"
    r" (?:dap|dau dap|va|dap vao|dap vo|hit|hits|banged)\b"
)
# ... unless someone struck (a slap, a push, a blow): then it is an attack
_BLOW = re.compile(
    r"\b(?:tat|danh|dam|xo|quat|chem|dap (?:em|con|no|toi|tui|minh)"
    r"|(?:bi|bo|me|ba|no|thang|ai) (?:\w+ )?day (?:nga|xuong|te)|hit (?:me|him|her)|punch\w*"
    r"|pushed|push\w* (?:me|him|her)|kicked|shoved)\b"
)
_PRESENT_ATTACK = re.compile(
    r"\b(?:dang|van dang) (?:\w+ ){0,2}?(?:danh|dap|dam|chem|quat|tat|hit\w*|beat\w*)\b"
)
# a threat on a condition ("dọa giết em nếu em mách cô", "if you tell anyone"): coercion to keep
# a secret, not an attack this minute
_THREAT = re.compile(
    r"\b(?:doa|de doa|ham doa|threat\w*|says? (?:he|she|they) (?:will|ll|d)|said (?:he|she|they)"
    r" (?:would|d|will)|(?:bao|noi|says?|said|told me) (?:\w+ ){0,2}?(?:neu|if|unless))\b"
)
_ON_CONDITION = re.compile(r"\b(?:neu|khong thi|ko thi|k thi|if|unless|or else)\b")
_NOW_OR_TONIGHT = re.compile(
    r"\b(?:(?<!bao )(?<!da )dang|bay gio|ngay bay gio|luc nay|toi nay|dem nay|right now|now"
    r"|tonight)\b"
)
# a child who left home by choice: gone from home on purpose, a note left, not coming back
_LEFT_BY_CHOICE = re.compile(
    r"\b(?:bo nha|tron nha|tron khoi nha|len bo|bo ra di|chay khoi nha|roi khoi nha"
    r"|de lai (?:\w+ ){0,2}?(?:thu|la thu|to giay|giay|tin nhan|loi nhan)|khong ve (?:nha )?nua"
    r"|dung tim|ran away|run away|running away|left (?:a note|home))\b"
)
# ... and no one took them or lured them away (that stays missing, 113)
_TAKEN_BY_SOMEONE = re.compile(
    r"\b(?:bi bat|bat coc|bat di|bi (?:\w+ )?(?:du|loi|keo|dua di|bat di|ep)|nguoi la|ke la|du do"
    r"|dui dat|tren mang|qua mang|mat tich|kidnap\w*|abduct\w*|took (?:him|her)|grabbed|stranger"
    r"|online)\b"
)


# The parents or carers are the ones gone ("ba má đi đâu mất từ hôm kia"): with a child left
# alone, neglect (111), not a missing child (113)
_CARERS_GONE = re.compile(
    r"\b(?:bo me|ba me|ba ma|cha me|bo|me|ba|ma|cha|mom|dad|parents)\b (?:\w+ ){0,6}?"
    r"(?:di dau|dau mat|di mat|bo di|di biet|bien mat|mat tich|chua ve|khong ve|left|gone)\b"
)
_CHILD_GONE = re.compile(
    r"\b(?:con|chau|be|em be|em gai|em trai|thang be|con be|thang nho|con nho|my (?:son|daughter"
    r"|brother|sister)) (?:\w+ ){0,3}?(?:mat tich|bi bat|khong thay dau|missing)\b"
)
# a stranger's offer sent as a message ("người lạ nhắn: anh sẽ đưa em đi ..."): grooming (111),
# unless the child is being taken now or has already gone (left home, on the bus, held)
_BY_MESSAGE = re.compile(
    r"\b(?:nhan|nhan tin|inbox|ib|chat|dm|texted|messaged|tren mang|online|facebook|fb|zalo"
    r"|tiktok|messenger|instagram|game)\b"
)
_TAKEN_NOW = re.compile(
    r"\b(?:dang|vua) (?:\w+ )?(?:keo|loi|bat|dua|bo len|ep|cho) (?:\w+ ){0,2}?"
    r"(?:di|len xe|vao xe)\b|\b(?:is|are) (?:taking|dragging|pulling)\b"
    r"|\b(?:di theo|bi nhot|bi giu|bi giam|bi bat|khong cho (?:ve|di)|mat tich|chua ve|bo nha"
    r"|dang tren xe|bo di|da (?:\w+ )?di theo"
    r"|khong lien lac duoc|went with|locked|won t let)\b"
)
# the causes an injury may have: named by their cues, they lead (fire 114; the water, a
# poison, an attempt 115 with their own advice) over a bare "badly hurt"
_CAUSES_OF_INJURY = (Danger.FIRE, Danger.DROWNING, Danger.POISONING, Danger.SUICIDE_ATTEMPT)
# the attacker has gone ("người chém chạy mất rồi"): the injury leads (115), not the attack
_ATTACKER_GONE = re.compile(
    r"\b(?:chay mat|bo chay|tron mat|tau thoat|chay tron|bo di roi|di mat roi|ran off|ran away"
    r"|took off|drove off|is gone|left)\b"
)


def _name_by_cues(found: dict[Danger, str], reading: SafetyReading) -> dict[Danger, str]:
    """The naming cues (`data/naming.yml`) sharpen what the rules named: a bare plea whose
    words tell the danger ("cứu, khói đen kín phòng"), an injury whose cause is told (smoke,
    the water, a poison, a cut made on purpose), a self-harm cry with the act already done
    ("rạch tay rồi, máu chảy"), an attack whose attacker has gone and left someone badly hurt.
    Cues never add a message the rules did not raise."""
    if not found:
        return found
    cued = naming_module.cued_dangers(reading.sense, reading.lower, *found)
    if not cued:
        return found
    if set(found) == {Danger.UNSPECIFIED}:
        return {d: f"cue:{d.value}" for d in cued}
    if Danger.SERIOUS_INJURY in found:
        # a cause must be told in a phrase ("khói đen", "lửa bén"), not one bare word: "tay cháy
        # xém", "bỏng lửa" is the injury itself
        told = naming_module.cued_dangers(reading.sense, "", *found)
        for cause in _CAUSES_OF_INJURY:
            if cause in told:
                found.setdefault(cause, f"cue:{cause.value}")
    plain = f" {reading.sense.lower()} "
    if Danger.SUICIDE_SELF_HARM in found and Danger.SUICIDE_ATTEMPT in cued:
        # pills taken, a rope, a cut already made (even told as "again": safety first, 115
        # leads and 111 follows): an attempt made
        found.setdefault(Danger.SUICIDE_ATTEMPT, "cue:suicide_attempt")
    attack = found.keys() & {Danger.VIOLENCE, Danger.ABUSE}
    if attack and Danger.SERIOUS_INJURY in cued and _ATTACKER_GONE.search(plain):
        reason = found[min(attack)]
        for danger in attack:
            del found[danger]
        found.setdefault(Danger.SERIOUS_INJURY, reason)
    return found


def _school_and_over(findings: rules_module.RuleFindings, reading: SafetyReading) -> bool:
    """The rules found a beating and dropped it as told at school and over."""
    return (
        bool(findings.urgent)
        and set(findings.urgent) <= {Danger.ABUSE, Danger.VIOLENCE}
        and _at_school_and_over(f" {reading.sense.lower()} ")
    )


def _at_school_and_over(plain: str) -> bool:
    """A beating at school (a classmate, an older pupil, a teacher) told as earlier today, as
    a complaint, or by a parent about their child ("con tui bị bạn đánh ở trường"), with nothing
    happening now: the school-violence answer, not the alarm."""
    if not _SCHOOL_DOER.search(plain) or gate_module.FAMILY_DOER.search(plain):
        return False
    told = _EARLIER_TODAY.search(plain) or _COMPLAINT.search(plain)
    asks = _PARENT_OF_CHILD.search(plain) and _AT_SCHOOL.search(plain) and not _HURT.search(plain)
    if not (told or asks):
        return False
    asked = _NOW_WHAT.sub(" ", plain)
    return not (_PRESENT.search(asked) or _LETHAL.search(plain) or _HABIT.search(plain))


def _over_and_done(found: dict[Danger, str], reading: SafetyReading) -> Level | None:
    """A disclosure told as over and done: abuse or getting lost, "check" when only past,
    "none" when also resolved; thoughts of suicide, a threat with photos, a plan to leave,
    "none" when past and resolved ("hồi trước em từng nghĩ đến tự tử, giờ em khá hơn rồi").
    None when it is not that."""
    if not found:
        return None
    plain = f" {reading.sense.lower()} "
    if _ended_episode(plain):
        return "none"
    if not _OVER_AND_DONE.search(plain):
        return None
    if (
        Danger.SEXUAL_ASSAULT in found
        and set(found) <= _PAST_DEMOTABLE | {Danger.SEXUAL_ASSAULT}
        and _long_ago_and_resolved(plain, abuse_only=True)
    ):
        return "none"  # "when i was 10 my uncle touched me, i'm 30 now": long past and ended
    abuse_only = set(found) <= _PAST_DEMOTABLE
    if _ONGOING.search(plain) and not _long_ago_and_resolved(plain, abuse_only):
        return None
    if not set(found) <= _PAST_DEMOTABLE:
        if set(found) <= _PAST_RESOLVABLE and _RESOLVED_ABUSE.search(plain):
            return "none"
        return None
    if any(reason.startswith("cry:") for reason in found.values()) and not _RESOLVED_ABUSE.search(
        plain
    ):
        return "check"
    return "none" if _RESOLVED_ABUSE.search(plain) or _ABUSER_GONE.search(plain) else "check"


def _ended_episode(plain: str) -> bool:
    """Any danger told as an episode that has ended: past ("năm ngoái", "hồi hè", "đêm qua"),
    and the child rescued, recovered or the one who harmed dealt with ("được cứu kịp", "đã
    xuất viện", "thầy bị đuổi việc"), with nothing still going on and no "but" after it."""
    past = _OVER_AND_DONE.search(plain) or _PAST_EPISODE.search(plain)
    ended = _RECOVERED.search(plain) or _RESOLVED_ABUSE.search(plain)
    return bool(
        past
        and ended
        and not _STILL_NOW.search(plain)
        and not _BUT_AGAIN.search(plain)
        and not (_ONGOING.search(plain) and not _long_ago_and_resolved(plain, True))
    )


def _long_ago_and_resolved(plain: str, abuse_only: bool) -> bool:
    """ "hồi trước mạ tui hay bị ba đánh, chừ hai người ly dị rồi": a habit long past and
    ended (for abuse, also when the one who hurt has died or is locked up); nothing says it
    still goes on."""
    ended = _RESOLVED_ABUSE.search(plain) or (abuse_only and _ABUSER_GONE.search(plain))
    return bool(_LONG_AGO.search(plain) and ended and not _STILL_NOW.search(plain))


def _from_rules_read(found: dict[Danger, str], reading: SafetyReading) -> Assessment | None:
    """The rules' verdict after the adjustments; None when nothing is left of it."""
    found = _adjust(found, reading)
    if not found:
        return None
    demoted = _over_and_done(found, reading)
    if demoted == "none":
        return NONE
    result = _from_rules(_name_by_cues(found, reading))  # the level is settled: naming only
    if demoted == "check":
        return Assessment("check", result.dangers, result.lines, 0.5, result.reasons)
    return result


def _from_rules(found: dict[Danger, str]) -> Assessment:
    dangers = most_pressing_first(frozenset(found))
    return Assessment(
        level="urgent",
        dangers=dangers,
        lines=lines_for(dangers),
        confidence=RULE_CONFIDENCE,
        reasons=tuple(found[d] for d in dangers),
    )


def _from_model(
    p_urgent: float, kinds: dict[str, float], reading: SafetyReading, level: Level
) -> Assessment:
    """The model raised the message: the naming cues (`handlers.safety.naming`) and the kind
    head's most likely kind name it. A cued danger always counts; the kind head's top counts
    when it is at least KIND_CONFIDENT, or when no cue names anything (out of fold, its top
    kind fits the first line better than 111 at every confidence). Several are ordered most
    pressing first; other kinds at KIND_SHARE or more add their lines after."""
    ranked = sorted(kinds.items(), key=lambda item: (-item[1], item[0]))
    known = {d.value: d for d in Danger}
    top, p_top = ranked[0]
    reason = f"model:p={p_urgent:.2f}:{top}={p_top:.2f}"
    cued = naming_module.cued_dangers(reading.sense, reading.lower, known.get(top))
    if p_top >= KIND_CONFIDENT:  # a cue the confident head all but rules out is a collision
        cued = frozenset(d for d in cued if kinds.get(d.value, 0.0) >= CUE_FLOOR)
    named = set(cued)
    if top in known and (p_top >= KIND_CONFIDENT or not cued):
        named.add(known[top])
    if len(named) > 1:
        named.discard(Danger.UNSPECIFIED)
    dangers = most_pressing_first(named)
    if top in known and p_top >= KIND_CONFIDENT and known[top] in dangers[1:]:
        lead = known[top]
        if LINES[lead][0] == LINES[dangers[0]][0]:  # same first line: the kind head's leads
            dangers = (lead, *(d for d in dangers if d is not lead))
    also = tuple(
        known[name]
        for name, p in ranked
        if p >= KIND_SHARE and name in known and known[name] not in named
        if known[name] is not Danger.UNSPECIFIED
    )
    lines = list(lines_for((*dangers, *also)))
    if dangers == (Danger.UNSPECIFIED,):
        if "115" not in lines and _MEDICAL.search(f" {reading.sense.lower()} "):
            lines.append("115")
        return Assessment(level, dangers, tuple(lines), p_urgent, (reason,))
    reasons = tuple(f"{reason}+cue:{d.value}" if d in cued else reason for d in dangers)
    return Assessment(
        level, (*dangers, *also), tuple(lines), p_urgent, (*reasons, *(reason for _ in also))
    )


def assess(text: str | ReadingLike, *, use_model: bool = True) -> Assessment:
    """Never raises. `text` is an `nlu.text.Reading` (or a plain string). Level "urgent": the
    alarm; "check": ask whether they are safe; "none": nothing to act on."""
    try:
        return _assess(text, use_model)
    except Exception:  # safety must never take the assistant down; log and read it as none
        log.exception("safety assessment failed on a message")
        return NONE


def _assess(text: str | ReadingLike, use_model: bool) -> Assessment:
    text = _reading_of(text)
    verdict = _assess_reading(text, use_model, in_clear=True)
    if verdict.level == "check" and getattr(text, "disguised", False):
        # the message read in clear is worth asking about; as typed, the disguise itself
        # (which the model learned from the training corpus's disguised messages) may make
        # it urgent. A disguise alone never raises a message the clear reading finds harmless.
        as_typed = _assess_reading(text, use_model, in_clear=False)
        if as_typed.urgent:
            return as_typed
    return verdict


def _assess_reading(text: ReadingLike, use_model: bool, in_clear: bool) -> Assessment:
    canonical = _canonical(text, in_clear) if text is not None else ""
    if not isinstance(canonical, str) or not canonical.strip():
        return NONE
    reading = read_for_safety(canonical)
    findings = rules_module.find(reading)
    if findings.urgent and (verdict := _from_rules_read(dict(findings.urgent), reading)):
        return _read_in_clear(text, reading, findings.urgent, verdict)
    readings = [reading]
    alternative = _alternative(text, reading)
    if alternative is not None:
        other = read_for_safety(alternative)
        more = rules_module.find(other)
        if more.urgent and (verdict := _from_rules_read(dict(more.urgent), other)):
            return verdict
        readings.append(other)
        findings = findings if findings.check else more
    if (letters := _letters_run_together(text)) is not None:
        joined = read_for_safety(letters)
        found = rules_module.find(joined)
        if found.urgent and (verdict := _from_rules_read(dict(found.urgent), joined)):
            return verdict
    if reading.command:
        return NONE
    check = findings.check
    if check and _told_as_over(readings[-1]):
        check = {}  # "năm ngoái bạn tui bị dụ qua zalo rồi, giờ ổn rồi"
    if use_model:
        verdict = _model_verdict(readings)
        if verdict is not None and not verdict.urgent and _school_and_over(findings, reading):
            verdict = None  # the rules read it as the school-violence answer: no "are you safe?"
        if verdict is not None and verdict.urgent and findings.trouble_plea:
            # "cứu, quên mật khẩu zalo rồi": the plea is about an everyday trouble
            verdict = Assessment(
                "check", verdict.dangers, verdict.lines, verdict.confidence, verdict.reasons
            )
        if verdict is not None and (verdict.urgent or not check):
            return verdict
    if check:
        dangers = most_pressing_first(frozenset(check))
        return Assessment(
            "check", dangers, lines_for(dangers), 0.5, tuple(check[d] for d in dangers)
        )
    return NONE


def _read_in_clear(
    text: str | ReadingLike,
    reading: SafetyReading,
    found: dict[Danger, str],
    verdict: Assessment,
) -> Assessment:
    """The rules found a danger in the canonical text of a message that looks disguised. Its
    folded text (the disguise undone) is read too, and wins when it reads the same message
    more exactly: a bare plea ("..., cứu") whose danger the disguise hid ("d u o i n u o c"),
    or the same danger framed, in clear, as past or a question ("h0i l0p 5 e bi ban danh 1 lan,
    gio on r")."""
    alternative = _alternative(text, reading)
    if alternative is None:
        return verdict
    other = read_for_safety(alternative)
    more = rules_module.find(other).urgent
    if not more:
        return verdict
    in_clear = _from_rules_read(dict(more), other) or NONE
    if verdict.dangers == (Danger.UNSPECIFIED,):
        return in_clear if in_clear.urgent else verdict
    if set(found) <= set(more) and not in_clear.urgent:
        return in_clear
    return verdict


def _told_as_over(reading: SafetyReading) -> bool:
    """Told as over and done and resolved ("tháng trước ..., em đã chặn rồi"), nothing saying
    it still goes on and no "but" after the resolution."""
    plain = f" {reading.sense.lower()} "
    if (treated := gate_module.TREATED.search(plain)) and not gate_module.AGAIN_AFTER.search(
        plain, treated.end()
    ):
        return True  # "tối qua bé co giật, đi cấp cứu về rồi"
    return bool(
        _OVER_AND_DONE.search(plain)
        and _RESOLVED_ABUSE.search(plain)
        and not _STILL_NOW.search(plain)
        and not _BUT_AGAIN.search(plain)
    )


_BUT_AGAIN = re.compile(r"\b(?:nhung|ma gio|but|lai (?:\w+ )?(?:doa|nhan|doi|danh|bi|den))\b")


_LEADING_WHAT_IF = re.compile(
    r"^(?: ?(?:the|thi|con|va|nhung|so|but|and|the con|vay|dzay|vay thi|okay|ok|oh))*"
    r" ?(?:neu|gia su|gia nhu|lo|nho|phong khi|truong hop|what if|if|suppose|in case)\b"
)


def _asks_what_if(reading: SafetyReading) -> bool:
    """The message opens with a condition ("nếu...", "thế còn nếu...", "what if...") and the
    writer states no intent of their own ("nếu... em sẽ..."): a question, not a case."""
    plain = f" {reading.sense.lower()} "
    return bool(_LEADING_WHAT_IF.match(plain)) and not gate_module.FIRST_PERSON_WILL.search(plain)


# the writer's own intent ("em cũng muốn ..."): a bereaved child's words are never lowered
_OWN_INTENT = re.compile(
    r"\b(?:em|e|toi|minh|tui|tao|tau|con|chau|to|mk|i)\b (?:\w+ ){0,2}"
    r"(?:muon|mun|dinh|se|want|wanna|will|gonna)\b"
)


def _bereaved(reading: SafetyReading) -> bool:
    """ "bố nó mất vì đuối nước, tôi nuôi cháu": a death told as the family's story (the rules
    drop its danger words); the model's verdict is lowered one level."""
    plain = f" {reading.sense.lower()} "
    return bool(gate_module.BEREAVED.search(plain)) and not _OWN_INTENT.search(plain)


def _letters_apart(reading: SafetyReading) -> bool:
    """Mostly single letters ("c | a | c | h p | h | o ..."): spaced or dotted letters the
    folded reading rejoins; the model learned words, and reads that one instead."""
    words = [w for w in reading.sense.split() if w not in ("|", ",")]
    return len(words) >= 4 and sum(len(w) == 1 for w in words) * 4 >= len(words) * 3


def _model_verdict(readings: list[SafetyReading]) -> Assessment | None:
    try:
        net = _MODEL.get()
        if net is None:
            return None
        best: tuple[ModelScore, SafetyReading] | None = None
        words = [r for r in readings if not _letters_apart(r)] or readings
        for reading in words:
            if not reading.sense.strip(" |,"):
                continue
            score = _score(net, reading)
            if score is not None and (best is None or score.p_urgent > best[0].p_urgent):
                best = (score, reading)
        if best is None or best[0].p_urgent < CHECK_THRESHOLD:
            return None
        score, reading = best
        level: Level = "urgent" if score.p_urgent >= URGENT_THRESHOLD else "check"
        ended = _ended_episode(f" {reading.sense.lower()} ")
        moving = bool(_MOVING_AWAY.search(f" {reading.sense.lower()} "))
        lowered = _asks_what_if(reading) or _bereaved(reading) or _told_as_over(reading)
        if lowered or ended or moving:  # "tuần sau tui chuyển trường, không còn ở đây nữa"
            if level == "check":
                return None
            level = "check"
        kinds = net.kind_probabilities(score.prepared)
    except Exception:  # the model is a second opinion: never a reason to fail
        log.exception("safety model failed on a message; the rules' answer stands")
        return None
    return _from_model(score.p_urgent, kinds, reading, level)
