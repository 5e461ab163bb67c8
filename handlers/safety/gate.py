"""The written half of the "is it happening now" gate: whether one pattern match describes a
real case now, or a question about a danger, a hypothesis, a story, the past, a pet...

The cues are data (``data/gate.yml``); how each one weighs is here. The learned half (the
model in `handlers.safety.model`) reads the same cues as extra words of its input.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from handlers.safety.dangers import Danger
from handlers.safety.patterns import Cue, gate_parts, gate_regex

_BEFORE_WORDS = 8  # how far back (within a sentence) the framing of a danger word is read
_REACH = 240  # characters: the most of a run-on sentence read around a danger word


def _cue(name: str) -> Cue:
    return Cue(*gate_parts()[name])


NEGATED = gate_regex("negated")
HYPOTHETICAL = gate_regex("hypothetical")
WHEN = gate_regex("when")
# "nếu ... thì em sẽ ...": the speaker's own intent in the consequent of a condition.
FIRST_PERSON_WILL = gate_regex("first_person_will")
PURPOSE = gate_regex("purpose")
# The story is someone else's: news, fiction, a school assignment.
REPORTED = gate_regex("reported")
REPORTED_LEAD = gate_regex("reported_lead")
GENERIC = gate_regex("generic")
# Not a person: a pet or a thing ("con mèo nhà em bị mất tích").
ANIMAL = gate_regex("animal")
THING = gate_regex("thing")
WEAK_SUBJECT = gate_regex("weak_subject")
# (rank on a tie, kind, pattern, read on the sense string?)
SUBJECTS: tuple[tuple[int, str, re.Pattern[str], bool], ...] = (
    (0, "generic", GENERIC, False),
    (1, "weak", WEAK_SUBJECT, True),
    *((2, "strong", re.compile(part), True) for part in gate_parts()["strong_subject"]),
    (3, "not a person", ANIMAL, True),
    (3, "thing", THING, True),
)
TIME_NOW = _cue("time_now")
ALARM = _cue("alarm")
SEVERE = _cue("severe")
GENERAL = _cue("general")
RESOLVED = _cue("resolved")
TREATED = gate_regex("treated")
SMOKE_SOURCE = gate_regex("smoke_source")
AGAIN_AFTER = gate_regex("again_after")
HABIT_OR_FEAR = gate_regex("habit_or_fear")
OVER = _cue("over")
SELF_WORD = gate_regex("self_word")
HOW_TO = gate_regex("how_to")
UNWILLING = gate_regex("unwilling")
LONG_PAST = gate_regex("long_past")
STORY = gate_regex("story")
CHILDHOOD = gate_regex("childhood")
FOUND = _cue("found")
# The question is what to do if it happens: "X thì (con) nên làm gì".
ASKS_WHAT_IF = gate_regex("asks_what_if")
# "... thì báo ai", "... thì sao", "... thì có sao không": what to do, asked after an incident
ASKS_WHAT_TO_DO = gate_regex("asks_what_to_do")
FAMILY_DOER = gate_regex("family_doer")
HYPERBOLE = gate_regex("hyperbole")
SIMILE = gate_regex("simile")
SELF_LAST = gate_regex("self_last")
# words that are never an idiom ("mệt quá muốn unalive luôn" is no "mệt muốn chết")
NEVER_IDIOM = gate_regex("never_idiom")
DIED_OF = gate_regex("died_of")
# a death told as the family's story ("bố nó mất vì đuối nước", "mồ côi"): a mark for the model
BEREAVED = gate_regex("bereaved")
PLAYFUL_DOER = gate_regex("playful_doer")
WHAT_ABOUT = gate_regex("what_about")
WHAT_ABOUT_ACCENTED = gate_regex("what_about_accented")
DEFINITION = gate_regex("definition")
TEAM_BEATEN = gate_regex("team_beaten")
SPORTS = gate_regex("sports")
ASKER = gate_regex("asker")
BUSY = gate_regex("busy")
GAME_PLAY = gate_regex("game_play")
PARENT_OF_CHILD = gate_regex("parent_of_child")
THREAT_SPEECH = gate_regex("threat_speech")
_ENGLISH_DROWNING = re.compile(r"\bdrowning\b")
_TEAM_WORD = re.compile(r"(?:^|\W)(?:đội|team|clb|tuyển)(?:\W|$)")
_ABUSE = frozenset({Danger.VIOLENCE, Danger.SEXUAL_ASSAULT, Danger.ABDUCTION_MISSING})
_ACCIDENTS = frozenset({Danger.SERIOUS_INJURY, Danger.POISONING, Danger.DROWNING, Danger.FIRE})
# the one named by "người ta", "ai đó", "nó" is the one making the threat, not people in general
_DOER_NAMED_GENERIC = frozenset({Danger.SEXTORTION, Danger.GROOMING})
_THREAT_CONDITION = re.compile(
    r"\b(?:neu|khong thi|if|or else) (?:\w+ ){0,3}?(?:khong|ko|chua|don t|dont|do not|won t)\b"
)
_THING_AFTER = 24  # characters after a "missing" match where the thing lost is named
_CLASSIFIER = re.compile(r"(?:cai|cay|chiec|quyen|cuon|doi|bo|hop|tam|to) ")
_MADE_LOST = re.compile(r"\blam mat tich\b")
_ANIMAL_NEXT = re.compile(r"(?:con )?(?:CHO|MEO|THO|VET|CUN|GA|cho con|meo con|hamster|pet)\b")
_HURT_OR_KEPT = _ABUSE | {Danger.ABUSE, Danger.NEGLECT}
_CARER = re.compile(
    r"\b(?:bo|me|ba|ma|cha|duong|bo duong|cha duong|me ke|di ghe|me ghe|chu|cau|anh trai|ong)\b"
)
_BI = " bi "


def plea_cue() -> Cue:
    from handlers.safety.patterns import cue_parts

    return Cue(*cue_parts(Danger.UNSPECIFIED, "plea"))


PLEA = plea_cue()


class Gate:
    """Decides whether one pattern match describes a real case now."""

    __slots__ = (
        "_definition",
        "_found",
        "_general",
        "_lower",
        "_plain",
        "_plea",
        "_sense",
        "_severe",
        "what_about",
        "words",
    )

    def __init__(self, sense: str, lower: str = "") -> None:
        self._sense = sense
        self._plain = sense.lower()
        self.words = frozenset(self._plain.split())
        self._lower = lower
        self._definition: bool | None = None
        # a follow-up naming a topic ("còn điện giật"); `lower` keeps the accents of "còn"
        self.what_about = bool(WHAT_ABOUT.match(self._plain) or WHAT_ABOUT_ACCENTED.match(lower))
        self._found: dict[int, list[int]] = {}
        self._general: bool | None = None
        self._severe: bool | None = None
        self._plea: bool | None = None

    def _in(self, cue: Cue, left: int, right: int) -> bool:
        """Whether the cue occurs in [left, right); its places are found once per message."""
        places = self._found.get(id(cue))
        if places is None:
            places = [match.start() + 1 for match in cue.finditer(self._plain, self.words)]
            self._found[id(cue)] = places
        i = bisect_left(places, left)
        return i < len(places) and places[i] < right

    @property
    def plain(self) -> str:
        return self._plain

    @property
    def plea(self) -> bool:
        if self._plea is None:
            self._plea = PLEA.found_in(self._plain, self.words)
        return self._plea

    @property
    def general(self) -> bool:
        if self._general is None:
            self._general = GENERAL.found_in(self._plain, self.words)
        return self._general

    @property
    def general_beyond_threat(self) -> bool:
        """`general`, the threat's own condition left out ("... nếu ko chuyển khoản")."""
        if not self.general:
            return False
        rest = _THREAT_CONDITION.sub(" ", self._plain)
        return GENERAL.found_in(rest, frozenset(rest.split()))

    @property
    def severe(self) -> bool:
        if self._severe is None:
            self._severe = SEVERE.found_in(self._plain, self.words) or ALARM.found_in(
                self._plain, self.words
            )
        return self._severe

    @property
    def definition(self) -> bool:
        """A bare question of meaning: "là gì", "khác gì", "what does ... mean", with no one in
        the message."""
        if self._definition is None:
            self._definition = bool(DEFINITION.search(self._plain)) and not any(
                pattern.search(ASKER.sub(" ", self._sense))
                for _, kind, pattern, _ in SUBJECTS
                if kind == "strong"
            )
        return self._definition

    def _team_beaten(self, left: int, start: int, end: int) -> bool:
        """ "đội em bị đánh tơi bời": a team beaten in a match (the word "đội" with its accents,
        or a match named), not a child."""
        if not (_TEAM_WORD.search(self._lower) or SPORTS.search(self._plain)):
            return False
        return any(
            m.start() < end and m.end() > start
            for m in TEAM_BEATEN.finditer(self._plain, left, min(len(self._plain), end + 1))
        )

    def _clause(self, start: int, end: int) -> tuple[int, int]:
        """The sentence around [start, end), at most `_REACH` characters either side (so a
        long unpunctuated message costs linear time)."""
        left = max(self._plain.rfind("|", 0, start) + 1, start - _REACH)
        right = self._plain.find("|", end, end + _REACH)
        if right < 0:
            right = min(len(self._plain), end + _REACH)
        space_left = self._plain.find(" ", left, start)
        space_right = self._plain.rfind(" ", end, right + 1)
        return (
            left if space_left < 0 else space_left,
            right if space_right < 0 else space_right + 1,
        )

    def _left_edge(self, start: int, left: int) -> int:
        """Where the last `_BEFORE_WORDS` words before `start` (within the sentence) begin."""
        edge = start
        for _ in range(_BEFORE_WORDS):
            if edge <= left + 1:
                return left
            edge = self._plain.rfind(" ", left, edge - 1)
            if edge < left:
                return left
        return edge

    def admits(self, start: int, end: int, danger: Danger, kind: str) -> bool:
        """Whether the words at [start, end) (a pattern match) describe a real case now."""
        left, right = self._clause(start, end)
        edge = self._left_edge(start, left)
        before = self._plain[edge:start] or " "
        recent = " " + before.rsplit(" , ", 1)[-1].lstrip()
        if NEGATED.search(recent):
            return False
        # A condition ("nếu ...", "khi ...") reaches back to the start of the sentence or the
        # last comma, however far that is.
        lead = self._plain[max(left, self._plain.rfind(" , ", left, start) + 2) : start] or " "
        framing = lead + self._plain[start:end]
        # the condition nearest the danger word
        conditions = [m for m in HYPOTHETICAL.finditer(framing) if m.start() < len(lead)]
        hypothesis = conditions[-1] if conditions else None
        if (
            hypothesis
            and hypothesis.start() < len(lead)
            # "nó bảo nếu mai ko đưa tiền thì...": the extorter's condition, not a hypothesis
            and not (
                danger in _DOER_NAMED_GENERIC
                and THREAT_SPEECH.search(framing, 0, hypothesis.start())
            )
            # "dượng hễ thua bài là về đạp em": "hễ" with a carer is a habit, not a hypothesis
            and not (hypothesis.group() == "he" and _CARER.search(framing, 0, hypothesis.start()))
            and not (
                danger is Danger.SUICIDE_SELF_HARM
                and (
                    FIRST_PERSON_WILL.search(framing, hypothesis.end())
                    or FIRST_PERSON_WILL.match(framing, len(lead) - 1)
                )
            )
        ):
            return False
        if PURPOSE.search(lead):
            return False
        now = self._in(TIME_NOW, left, right)
        if self.definition and not (now or self.severe or self.plea):
            return False  # "sextortion là gì", "what does self harm mean"
        when = WHEN.search(framing)
        if when and when.start() < len(lead) and not now:
            return False
        if kind == "plea":
            if not now and not self.severe and HOW_TO.search(self._plain, left, right):
                return False  # "người không biết bơi nên cứu người đuối nước thế nào"
            told_over = LONG_PAST.search(self._plain, left, right) or TREATED.search(
                self._plain, left, right
            )
            if not now and told_over:
                return False  # "hè năm ngoái nó suýt chết đuối, may có người cứu kịp"
            # "kêu cứu", "cầu cứu": someone calling for help is only news when it is now.
            return now or not before.endswith((" keu ", " cau "))
        if REPORTED.search(before):
            return False
        if not now and not self.plea and REPORTED_LEAD.search(lead):
            return False  # "nghe nói ở xã bên có đứa trẻ bị bắt cóc"
        if DIED_OF.search(before):
            return False  # "mẹ em mất vì tai nạn": bereavement, not a case now
        if danger in _ABUSE and PLAYFUL_DOER.search(self._plain, edge, end):
            return False  # "bài tập hành hạ em", "bị boss đánh chết"
        if danger in _ABUSE and self._team_beaten(left, start, end):
            return False  # "đội em bị đánh tơi bời": a match lost
        if (
            danger is Danger.DROWNING
            and _ENGLISH_DROWNING.search(self._plain, start, end)
            and BUSY.search(self._plain, left, right)
        ):
            return False  # "drowning in homework", "bài tập ngập đầu, drowning luôn"
        if danger in _ACCIDENTS and THING.search(self._sense, start, end):
            return False  # "con bị rơi điện thoại xuống nước": the phone fell
        after = _CLASSIFIER.match(self._sense, end + 1)
        after_at = after.end() if after else end + 1
        if danger is Danger.ABDUCTION_MISSING and (
            THING.match(self._sense, after_at, min(len(self._sense), after_at + _THING_AFTER))
            or _MADE_LOST.search(self._plain, start, end)
        ):
            return False  # "em bị mất tích cục tẩy rồi", "làm mất tích cái thước": a thing lost
        if danger in _HURT_OR_KEPT and _ANIMAL_NEXT.match(self._sense, after_at):
            return False  # "nhốt con chó vào lồng": an animal, not a child
        if danger in _ABUSE and GAME_PLAY.search(recent):
            return False  # "tụi em chơi bắt cóc ở sân trường": a game children play
        if (danger in _ABUSE or danger in _ACCIDENTS) and SIMILE.search(recent):
            return False  # "khóc thét như bị ai đánh": a comparison
        if UNWILLING.search(recent) and not self._plain.startswith("bi ", start):
            return False  # "giờ tôi không muốn đánh con": the speaker would be the one hitting
        suicide = danger is Danger.SUICIDE_SELF_HARM
        if (
            suicide
            and HYPERBOLE.search(recent)
            and not SELF_LAST.search(recent)
            and not NEVER_IDIOM.search(self._plain, start, end)
        ):
            return False
        if suicide:  # its cries name their own subject; look no further back than a comma
            comma = self._plain.rfind(" , ", edge, start)
            subject = self._subject(edge if comma < 0 else comma + 2, start, start)
        elif danger is Danger.ABDUCTION_MISSING:  # who is missing may be named early ("con mèo")
            subject = self._subject(left, start, end)
        else:
            subject = self._subject(edge, start, end)
        if subject in ("not a person", "thing") or (
            subject == "generic"
            # a suicide cry that names the speaker inside it: "mọi người sẽ không phải thấy mặt em"
            and not (suicide and SELF_WORD.search(self._plain, start, end))
            # "người ta đe dọa tung lên tiktok nếu ko chuyển khoản": the extorter, in a message
            # that asks nothing in general
            and not (danger in _DOER_NAMED_GENERIC and not self.general_beyond_threat)
        ):
            return False
        if danger in _ABUSE and not now and CHILDHOOD.search(framing):
            return False  # "hồi nhỏ tôi cũng bị bố đánh": long past, told by an adult
        if danger is Danger.ABDUCTION_MISSING and not now and LONG_PAST.search(framing):
            return False  # "hồi nhỏ em từng bị lạc ở chợ"
        if STORY.search(self._plain, max(edge, start - 1), end):
            return False  # "em đang viết truyện ngắn về một cô bé bị lạc"
        if danger is Danger.ABDUCTION_MISSING and self._in(FOUND, start, right):
            return False  # "... hóa ra nó ngủ trong tủ", "giờ tìm được rồi"
        if not now and ASKS_WHAT_IF.search(self._plain, end, right):
            return False  # "người lạ cho kẹo thì con nên làm gì"
        if (
            not now
            and not self.severe
            and not self.plea
            and ASKS_WHAT_TO_DO.search(self._plain, end, right)
            and not FAMILY_DOER.search(self._plain, left, right)
        ):
            return False  # "con tôi bị bạn đánh ở trường thì báo ai", "con rắn cắn thì sao"
        if (
            danger is Danger.FIRE
            and not (self.plea or self.severe)
            and SMOKE_SOURCE.search(self._plain, left, right)
        ):
            return False  # "bố nướng thịt ngoài sân, khói bay vào nhà"
        treated = TREATED.search(self._plain, left, right) if danger in _ACCIDENTS else None
        if treated and not AGAIN_AFTER.search(self._plain, treated.end(), right):
            return False  # "tối qua bé co giật, đi cấp cứu về rồi"
        if (
            danger in _ACCIDENTS
            and not self.severe
            and (
                self._in(RESOLVED, left, right)
                or (not now and (self._in(OVER, left, right) or HABIT_OR_FEAR.search(recent)))
            )
        ):
            return False
        if kind == "cry":
            return True
        if self.what_about and subject != "strong" and not (now or self.severe or self.plea):
            return False  # "thế còn đuối nước thì sao": the next topic, asked about
        if subject == "strong":
            return danger in _ABUSE or not GENERAL.search(before)
        if subject == "weak":
            return not self.general or now or self.severe
        if now or self.severe or self.plea:
            return True
        return kind == "situation" and not self.general

    def admits_sign(self, start: int, end: int, danger: Danger) -> bool:
        """A sign of a situation told by its signs: read like a cry, but in a message that is a
        general question it needs a real person ("em", "con tôi") somewhere."""
        if not self.admits(start, end, danger, "cry"):
            return False
        if danger in _DOER_NAMED_GENERIC:
            return not self.general_beyond_threat or self.has_person
        return not self.general or self.has_person

    @property
    def has_person(self) -> bool:
        return any(
            pattern.search(self._sense) for _, kind, pattern, _ in SUBJECTS if kind == "strong"
        )

    def _subject(self, edge: int, start: int, end: int) -> str | None:
        """The subject nearest the danger word, looked for before a passive "bị":
        'strong' (a real person), 'weak' (con, bé: maybe anyone's), 'generic', or None."""
        cut = self._plain.find(_BI, start - 1, end)
        if cut < 0:
            cut = self._plain.rfind(_BI, edge, start + 1)
            cut = end if cut < 0 else cut
        best: tuple[int, int, str] | None = None
        for rank, kind, pattern, on_sense in SUBJECTS:
            stop = cut + 1 if on_sense and kind != "thing" else min(cut, start) + 1
            for found in pattern.finditer(self._sense if on_sense else self._plain, edge, stop):
                key = (found.end(), rank, kind)
                if best is None or key[:2] >= best[:2]:
                    best = key
        return best[2] if best else None
