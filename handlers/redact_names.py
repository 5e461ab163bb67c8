"""Personal names (#6, #17): after a cue, a surname-first full name, a given name in
mid-sentence, an account holder, a writer introducing themself."""

from __future__ import annotations

import re

from handlers import redact_lexicon as lex
from handlers.redact_doc import (
    _CUED_GIVEN,
    _CUED_GIVEN_F,
    _GIVEN_F,
    _NAME_OR_ORDER,
    _NAME_OR_ORDER_F,
    _NAME_SYLLABLES,
    _NAME_SYLLABLES_F,
    _NOT_BEFORE_F,
    _STOP_F,
    _SURNAMES_F,
    Span,
    _Doc,
    _folded,
    _in,
    _phrases,
    _title_at,
    _Tok,
    _word_is,
)
from handlers.redact_lexicon import words
from handlers.redact_not_person import _names_no_person
from handlers.redact_places import (
    _cap_run,
    _lower_run,
    _place_run,
)
from nlu.text import fold

# ---------------------------------------------------------------------------- names

_STRONG_CUES = _phrases(lex.NAME_CUES_STRONG)
_WEAK_CUES = _phrases(lex.NAME_CUES_WEAK)
_PROFESSION_CUES = _phrases(lex.PROFESSION_CUES)
_TEN_NOT = words(
    "trộm cướp khốn lửa tuổi gọi miền riêng đệm thật đầy đăng tài biến sát côn lưu người"
)
_TEN_NOT_F = _folded(_TEN_NOT)


_TAI_COMPOUNDS_F = _folded(words("khoản sản liệu xế xỉu trợ năng giỏi chính"))


def _surname_then_given(doc: _Doc, k: int) -> bool:
    """(#17, round 6) "tên là dang khoa": a surname (Đặng, unaccented like "đăng") and then a
    given name, not "đăng ký"/"đăng nhập"."""
    tok, nxt = doc.word(k), doc.word(k + 1)
    return (
        tok is not None
        and nxt is not None
        and doc.adjacent(k + 1)
        and tok.fold in _SURNAMES_F
        and nxt.fold in _CUED_GIVEN_F
        and nxt.fold not in {"ky", "nhap", "tai", "tin"}
    )


def _tai_is_a_name(doc: _Doc, k: int) -> bool:
    """ "tên tài": Tài is a given name unless the word goes on as tài khoản, tài sản …"""
    tok, after = doc.toks[k], doc.word(k + 1)
    if tok.fold != "tai" or (tok.plain and not tok.loose):
        return False
    return after is None or not doc.adjacent(k + 1) or after.fold not in _TAI_COMPOUNDS_F


# English introductions and relations: "I'm Jenny Nguyen", "my friend Tuan", "call me Bin"
_ENGLISH_CUE_RE = re.compile(
    r"(?<![\w'])(?:my name is|my name's|name's|(?:\w+'s|\w+s'|their|his|her) name is|i'm|i am|"
    r"this is|call me|named|called|"
    # (#17, round 6) "my friend's little sister Anh Thu": a possessive before the relation
    r"(?:my|our|his|her|their|\w+'s) (?:best |little |younger |older |big |baby |step)?"
    r"(?:friend|brother|"
    r"sister|cousin|teacher|classmate|boyfriend|girlfriend|uncle|aunt|stepdad|stepfather|"
    r"stepmom|stepmother|neighbou?r|mom|mum|dad|father|mother|son|daughter|coach|tutor|boss|"
    # (#17, round 5)
    r"nephew|niece|grandson|granddaughter|grandchild|kid|child|student|pupil|husband|wife|"
    r"ex|crush|partner|grandma|grandpa|grandmother|grandfather)|students?|pupils?|child)"
    r"\s*[:,]?\s+",
    re.IGNORECASE,
)
_ENGLISH_NAME_RE = re.compile(r"[A-ZÀ-Ỹ][a-zà-ỹ]{1,11}(?:[ -][A-ZÀ-Ỹ][a-zà-ỹ]{1,11}){0,2}")
_ENGLISH_NOT_NAMES = words(
    """vietnamese catholic buddhist christian sorry scared afraid not so very here from in at
    a an the your student teacher mom dad parent fine ok okay scared worried really just
    still too only also always sure lost alone home back going being trying writing asking
    in on of to and with police hanoi saigon vietnam school god"""
)


_ENGLISH_PLACE_WORDS = words(
    "school street road city hospital district province village center centre park church"
)


def _english_name_spans(doc: _Doc) -> list[Span]:
    spans = []
    for cue in _ENGLISH_CUE_RE.finditer(doc.text):
        m = _ENGLISH_NAME_RE.match(doc.text, cue.end())
        if m is None:
            continue
        parts = re.split(r"[ -]", m.group())
        titled = [p for p in parts if p[0].isupper() and p[1:].islower()]
        parts = parts[: len(titled)] if titled == parts[: len(titled)] else []
        start = m.start()
        if parts and parts[0].lower() in {"mr", "mrs", "ms", "miss", "dr"}:
            start += len(parts[0]) + 1  # "my teacher Mr Hung"
            parts = parts[1:]
        while parts and parts[-1].lower() in _ENGLISH_NOT_NAMES:
            parts.pop()
        if not parts or parts[0].lower() in _ENGLISH_NOT_NAMES:
            continue
        if " ".join(fold(p) for p in parts) in lex.PLACES:
            continue
        after = doc.text[start + len(" ".join(parts)) :].split(maxsplit=1)
        if after and after[0].lower().strip(".,!?") in _ENGLISH_PLACE_WORDS:
            continue  # "this is Hoa Sen school"
        spans.append(Span(start, start + len(" ".join(parts)), "TÊN"))
    return spans


# (#17, round 5) an English title before a name ("Ms. Lan", "Mr. Hai", "Uncle Tam"), and a
# name written with initials after a person word or a surname ("anh N.V.Hùng", "cô Nguyễn
# T. Hoa", "thầy L.Q.Minh")
_ENGLISH_TITLE_RE = re.compile(
    r"(?<![\w.])(?:Mr|Mrs|Ms|Miss|Dr|Mx)\.?\s+(?P<name>[A-ZĐÀ-Ỹ][a-zà-ỹ]{1,11}"
    r"(?:[ -][A-ZĐÀ-Ỹ][a-zà-ỹ]{1,11}){0,2})"
)
_INITIALS_RE = re.compile(
    r"(?<![\w.])(?P<name>(?:[A-ZĐ][a-zà-ỹ]{1,6}\s)?(?:[A-ZĐ]\.\s?){1,3}[A-ZĐÀ-Ỹ][a-zà-ỹ]{1,7})"
    r"(?![\w.])"
)
_INITIALS_CUE_F = _folded(
    words("anh chị cô thầy bạn em ông bà chú bác dì thằng con bé tên là giáo nhiệm")
)


# (#17, round 6) a person named by initials alone after a person word: "bạn N.T.H", "thằng
# T.A lớp 9", "cô giáo H. dạy toán"
_ONLY_INITIALS_RE = re.compile(r"(?<![\w.])(?:[A-ZĐ]\.){1,3}[A-ZĐ]?(?![\w])|(?<![\w.])[A-ZĐ](?=\.)")


def _title_and_initial_spans(doc: _Doc) -> list[Span]:
    spans = [
        Span(m.start("name"), m.end("name"), "TÊN") for m in _ENGLISH_TITLE_RE.finditer(doc.text)
    ]
    for m in _ONLY_INITIALS_RE.finditer(doc.text):
        before = doc.folded[max(0, m.start() - 12) : m.start()].split()
        if before and before[-1].strip(":,") in _INITIALS_CUE_F:
            end = m.end() + (1 if doc.text[m.end() : m.end() + 1] == "." else 0)
            spans.append(Span(m.start(), end, "TÊN"))
    for m in _INITIALS_RE.finditer(doc.text):
        before = doc.folded[max(0, m.start() - 12) : m.start()].split()
        first = m.group("name").split()[0]
        surname = len(first) > 2 and fold(first.lower()) in _SURNAMES_F
        if surname or (before and before[-1].strip(":,") in _INITIALS_CUE_F):
            spans.append(Span(m.start("name"), m.end("name"), "TÊN"))
    return spans


def _name_spans(doc: _Doc) -> list[Span]:
    spans: list[Span] = _english_name_spans(doc) + _title_and_initial_spans(doc)
    toks = doc.toks
    i = 0
    while i < len(toks):
        end = _name_at(doc, i)
        if end is None:
            i += 1
            continue
        start, stop = end
        if toks[start].is_cap and _in_work_title(doc, start):
            i = stop  # "đọc truyện Cô bé Lọ Lem": a cue inside a title names no one
            continue
        if _names_no_person(doc, start, stop):
            i = stop  # (#17, round 6) a pet, an app, a game, a folk tale's character …
            continue
        if not _historical(doc, start, stop):
            spans.append(Span(toks[start].start, toks[stop - 1].end, "TÊN"))
            listed = _listed_name(doc, stop)
            while listed is not None and listed[1] > stop:
                spans.append(Span(toks[listed[0]].start, toks[listed[1] - 1].end, "TÊN"))
                stop = listed[1]
                listed = _listed_name(doc, stop)
        i = stop
    return spans + _named_again(doc, spans)


# Given names that are also everyday words: a repeat of one is read only where a capital,
# mid-sentence, says it is the name again ("tên Mai, mai em đi học" is tomorrow)
_EVERYDAY_NAMES_F = _folded(
    lex.STOP_WORDS
    | lex.VERB_NAMES
    | lex.BIRTH_ORDER
    | lex.KINSHIP
    | words(
        """mai nam hồng hoa thu xuân hạ đông an bình minh ngọc vàng sen cúc lan đào mận bông
        tí út hà sơn hải thủy long phúc lộc tâm trung hiếu nghĩa tài đức cường vinh quang
        sáng thành công khánh hòa hạnh hương giang trang thương yến tiến khang thịnh phát
        quý hậu thanh tú ly my vy tùng chi kiên dũng"""
    )
)


def _named_again(doc: _Doc, spans: list[Span]) -> list[Span]:
    """(#17, round 6) A name found once, written again in the same message ("tên trâm, trâm
    bị mẹ kế đánh", "tên là Khuê, hôm qua Khuê khóc"): the same letters, the same case."""
    found = {doc.text[s.start : s.end] for s in spans if s.type == "TÊN"}
    if not found:
        return []
    taken = [(s.start, s.end) for s in spans]
    more: list[Span] = []
    for name in found:
        parts = name.split()
        if not parts or len(name) < 2 or not all(p.isalpha() for p in parts):
            continue
        everyday = len(parts) == 1 and fold(name.lower()) in _EVERYDAY_NAMES_F
        for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", doc.text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            if everyday and not (name[0].isupper() and not _starts_sentence(doc.text, m.start())):
                continue
            if _inside_capitals(doc.text, m.start(), m.end()):
                continue  # "chị Sáu" named, then "Võ Thị Sáu": another, longer name
            more.append(Span(m.start(), m.end(), "TÊN"))
            taken.append(m.span())
    return more


_WORD_BEFORE_RE = re.compile(r"(\w+)\s$")
_WORD_AFTER_RE = re.compile(r"\s(\w+)")


def _inside_capitals(text: str, start: int, end: int) -> bool:
    before = _WORD_BEFORE_RE.search(text, max(0, start - 12), start)
    after = _WORD_AFTER_RE.match(text, end)
    return any(m is not None and m.group(1)[0].isupper() for m in (before, after))


def _starts_sentence(text: str, at: int) -> bool:
    before = text[:at].rstrip()
    return not before or before[-1] in ".!?:\n"


_LIST_JOINERS_F = _folded(words("với và vs hoặc hay cùng"))
_LIST_CUES_F = _folded(words("con thằng thg nhỏ bé đứa anh chị bạn cô chú em"))


def _listed_capitalised(doc: _Doc, stop: int) -> tuple[int, int] | None:
    if stop >= len(doc.toks) or not doc.adjacent(stop):
        return None
    joiner = doc.toks[stop]
    if not (joiner.text == "," or joiner.fold in {"va", "voi"}):
        return None
    k = stop + 1
    if not doc.adjacent(k):
        return None
    end = k
    while end < len(doc.toks) and end - k < 3 and (end == k or doc.adjacent(end)):
        tok = doc.toks[end]
        if not (tok.is_cap and _in(tok, _NAME_SYLLABLES, _NAME_SYLLABLES_F)):
            break
        end += 1
    if end == k or not any(_in(t, _CUED_GIVEN, _CUED_GIVEN_F) for t in doc.toks[k:end]):
        return None
    if end < len(doc.toks) and doc.adjacent(end) and doc.toks[end].is_cap:
        return None  # "Hà Nội", "Quốc Hội": the capitals go on past the name's syllables
    if _starts_with_place(list(doc.toks[k:end])):
        return None
    return k, end


def _listed_name(doc: _Doc, stop: int) -> tuple[int, int] | None:
    """(#17, round 5) "thằng lâm với con nhi": after a name, a joiner, a person word and a
    lowercase given name are one more person of the same list; so is a capitalised name
    after a comma or "và" ("Minh Khang, Đức Anh, Quốc Bảo")."""
    capitalised = _listed_capitalised(doc, stop)
    if capitalised is not None:
        return capitalised
    joiner, cue, name = doc.word(stop), doc.word(stop + 1), doc.word(stop + 2)
    if joiner is None or cue is None or name is None:
        return None
    if not all(doc.adjacent(j) for j in (stop, stop + 1, stop + 2)):
        return None
    if joiner.fold not in _LIST_JOINERS_F or cue.fold not in _LIST_CUES_F:
        return None
    if not name.is_alpha or not name.text.islower():
        return None
    if not (name.low in _CUED_GIVEN or (name.loose and name.fold in _CUED_GIVEN_F)):
        return None
    if (
        _in(name, lex.STOP_WORDS, _STOP_F)
        or _in(name, lex.KINSHIP, _KINSHIP_F)
        or f"{cue.fold} {name.fold}" in lex.NOT_PERSON_PAIRS
        or f"{cue.fold} {name.fold}" in lex.COMPOUNDS
    ):
        return None
    return stop + 2, stop + 3


_ANNOUNCING_F = _folded(words("tên là"))
_PLACE_CONTEXT_F = _folded(words("ở tại học gần cạnh sau trước đường phố trường"))


def _historical(doc: _Doc, start: int, stop: int) -> bool:
    """A capitalised historical figure ("Hùng Vương", "Bác Hồ") not announced as someone's
    name ("tên là Lê Lợi")."""
    if not doc.toks[start].is_cap:
        return False
    for back in (1, 2, 3):  # "quận Hai Bà Trưng": the cue "Bà" is part of the name
        first = start - back
        if first >= 0 and all(t.is_cap for t in doc.toks[first:start]):
            whole = " ".join(t.fold for t in doc.toks[first:stop])
            if whole in lex.HISTORICAL_FIGURES or whole in lex.PLACES:
                return True
    name = " ".join(t.fold for t in doc.toks[start:stop])
    before = doc.word(start - 1)
    if before is not None and f"{before.fold} {name}" in lex.HISTORICAL_PAIRS:
        return True
    announced = before is not None and before.fold in _ANNOUNCING_F
    # "học ở Lê Quý Đôn", "gần Trần Phú": a school or a street named after them, which other
    # rules may not read; redacted
    placed = before is not None and before.fold in _PLACE_CONTEXT_F
    return name in lex.HISTORICAL_FIGURES and not announced and not placed


# Cues that also head ordinary phrases: "người nhận nuôi", "tên tài khoản trước khi chặn"
_HOLDER_CUES = frozenset(
    tuple(p.split())
    for p in (
        "chủ tài khoản", "chủ tk", "tên chủ tài khoản", "tên chủ tk", "người nhận",
        "người thụ hưởng", "chủ thẻ", "tên tk", "tên tài khoản", "ctk", "chủ stk",
        "tên người nhận", "người hưởng", "tên người thụ hưởng", "tên chủ thẻ",
    )
)  # fmt: skip


def _lower_name_may_follow(doc: _Doc, k: int, phrase: tuple[str, ...]) -> bool:
    """After an account holder's cue a lowercase name starts like one: a surname or a given
    name ("chủ tk: le van tam"), not "nuôi" or "trước"."""
    if phrase not in _HOLDER_CUES:
        return True
    tok = doc.toks[k]
    if not tok.plain:  # (#17, round 5) written with accents, it is itself: "tiền" no "Tiến"
        return tok.low in lex.SURNAMES or tok.low in _CUED_GIVEN
    return tok.fold in _SURNAMES_F or tok.fold in _CUED_GIVEN_F  # often typed unaccented


def _name_at(doc: _Doc, i: int) -> tuple[int, int] | None:
    tok = doc.word(i)
    if tok is None:
        return None
    before = doc.word(i - 1)
    if tok.is_cap and (_in_title_of_honour(doc, i) or _in_work_title(doc, i)):
        return None
    if (
        tok.is_cap
        and before is not None
        and (_in(before, lex.WORK_TITLE_BEFORE, _WORK_F) or _in(before, lex.PLACE_BEFORE, _PLACE_F))
    ):
        return None  # "bài Hoa Sữa": a song, a film, a book; "bệnh viện Từ Dũ", "màu Hồng"
    cued = (
        _bracketed_name(doc, i)
        or _relation_is(doc, i)
        or _cued_name(doc, i)
        or _account_holder(doc, i)
        or _introduction(doc, i)
        or _kin_name(doc, i)
        or _kin_here(doc, i)
        or _opening_name(doc, i)
    )
    if cued is not None:
        return cued
    strong = doc.match_any(i, _STRONG_CUES)
    if strong is not None:
        k, phrase = strong
        labelled = _past_label(doc, k)  # (#17, round 6) "Họ tên học sinh: HUỲNH NGỌC TRÂN"
        form = labelled > k or (k < len(doc.toks) and doc.toks[k].text == ":")
        k = labelled
        if k < len(doc.toks) and doc.toks[k].text == ":":
            k += 1
        filled = _form_value(doc, k) if form and len(phrase) > 1 else None
        if filled is not None:
            return k, filled
        if k < len(doc.toks) and doc.toks[k].text in _QUOTES and doc.adjacent(k + 1):
            k += 1  # (#17, round 6) "ông ấy tên 'Hải' gì đó": a name in quotes
        owner, verb = doc.word(k), doc.word(k + 1)
        if owner and verb and _in(owner, _PERSON_WORDS, _PERSON_WORDS_F) and _word_is(verb, "là"):
            k += 1  # "tên nó là ...", "tên em là ..."
        while (
            doc.word(k)
            and doc.adjacent(k)
            and _in(doc.toks[k], _AFTER_TEN, _AFTER_TEN_F)
            and not (doc.toks[k].is_cap and doc.toks[k].fold == "be")  # "tên Bé Ba": the name's
        ):
            k += 1
        # "em tên ngân", "tên là khang", "họ tên: ..." may be lowercase; "giấu tên khi báo"
        # is not a name, so a bare "tên" needs a person before it for a lowercase name
        lowercase_ok = len(phrase) > 1 or k > strong[0] or _person_before(doc, i)
        # "thầy giáo dạy thể dục tên hải": a person earlier in the clause, a known given name
        known_only = not lowercase_ok and _person_in_clause(doc, i)
        if (
            doc.word(k)
            and (doc.adjacent(k) or doc.toks[k - 1].text == ":")
            and (
                not _in(doc.toks[k], _TEN_NOT, _TEN_NOT_F)
                or _middle_name_next(doc, k)
                or _tai_is_a_name(doc, k)
                or _surname_then_given(doc, k)
            )
        ):
            end = _person_run(doc, k) or _upper_name(doc, k)
            if end is None and lowercase_ok and _lower_name_may_follow(doc, k, phrase):
                end = _lower_name(doc, k)
            if end is None and known_only and _known_lower_name(doc, k):
                end = _lower_name(doc, k)
            if end is not None:
                return k, end
    profession = doc.match_any(i, _PROFESSION_CUES)
    if profession is not None:
        k = profession[0]
        end = _person_run(doc, k, single_ok=True) if doc.adjacent(k) else None
        if end is not None and all(
            _in(t, _NAME_SYLLABLES, _NAME_SYLLABLES_F) and not _in(t, _SUBJECTS, _SUBJECTS_F)
            for t in doc.toks[k:end]
        ):
            return k, end
    if tok.low == "o" and doc.accented and not tok.loose:
        # (#17, round 5) "o Lài bên cạnh": Huế's "o" (aunt) before a name, in writing that
        # has its accents (there "ở" would carry one)
        k = i + 1
        nxt = doc.word(k)
        if (
            nxt is not None
            and doc.adjacent(k)
            and nxt.is_cap
            and _in(nxt, _CUED_GIVEN, _CUED_GIVEN_F)
        ):
            end = _person_run(doc, k, single_ok=True)
            if end is not None:
                return k, end
    weak = doc.match_any(i, _WEAK_CUES)
    # "Thầy Sơn" mid-sentence is a title written with respect; "Ban" in "Ban Thường vụ" is
    # a board, which the loose matching of an accented text already keeps apart from "bạn"
    if weak is not None and _inside_capitalised_run(doc, i, weak[1]):
        weak = None  # (#17, round 5) "học bổng Vừ A Dính": the "A" of a name, no "anh"
    if weak is not None:
        k = weak[0]
        if k < len(doc.toks) and doc.toks[k].text == ":" and doc.adjacent(k):
            k += 1  # "zalo: Minh Thư"
        parent = weak[1] in _PARENT_CUES and not (
            k < len(doc.toks) and _in(doc.toks[k], lex.GIVEN_NAMES, _GIVEN_F)
        )
        if weak[1] == ("cái",) and not (
            k < len(doc.toks)
            and doc.toks[k].is_cap
            and doc.toks[k].low in _CUED_GIVEN
            and not (doc.word(k + 1) and doc.toks[k + 1].low in {"này", "kia", "đó", "ấy", "nọ"})
        ):
            parent = True  # "cái Thơm", not "cái Tết", "cái Bàn", "cái Hoa này" (a flower)
        if doc.word(k) and doc.adjacent(k) and not parent:
            end = _person_run(doc, k, single_ok=True)
            if end is None:
                end = _lower_full_name(doc, k)
            if end is None and weak[1] in _KIN_CUES:
                end = _surname_called(doc, k)
            if end == k + 1 and _middle_name_next(doc, k) and doc.toks[k + 1].text.islower():
                end = _lower_name(doc, k) or end  # "chị Lê thị hồng"
            if end is not None:
                return k, end
    if _uncued_lower_full_name(doc, i):
        end = _lower_full_name(doc, i)  # "nguyễn thị lan", "tran van nam": the middle name
        if end is not None:
            return i, end
    distinctive = _distinctive_lower_full_name(doc, i)
    if distinctive is not None:
        return i, distinctive
    if _in(tok, lex.SURNAMES, _SURNAMES_F) and (
        tok.is_cap or (tok.is_upper and (not tok.plain or tok.fold in _PLAIN_SURNAMES))
    ):
        end = _full_name(doc, i)
        if end is not None and not (doc.caps_style and not _caps_full_name(doc, i, end)):
            return i, end
    if tok.is_cap and not doc.sentence_start(i) and _in(tok, lex.GIVEN_NAMES, _GIVEN_F):
        before = doc.word(i - 1)
        if (
            (tok.low not in {"anh", "an"} or _listed_after_name(doc, i))
            and not _tomorrow(doc, i)
            and not (before and _in(before, lex.NOT_NAME_BEFORE, _NOT_BEFORE_F))
            and not (before and (before.is_cap or before.is_upper) and doc.adjacent(i))
        ):
            end = _person_run(doc, i, single_ok=True)
            # with no cue, a run of words that are mostly no names is a title: "Hội thi Bông
            # Hoa Điểm Tốt" (but "Hùng Béo", a name and a nickname, is a person)
            run = _cap_run(doc, i, 4) or i
            others = sum(not _in(w, _NAME_SYLLABLES, _NAME_SYLLABLES_F) for w in doc.toks[i:run])
            if end is not None and others < 2:
                return i, end
    return None


_QUOTES = frozenset({"'", "‘", '"', "“", "«"})
# (#17, round 6) a form's label goes on after "họ tên" before its colon: "Họ tên học sinh:",
# "Tên của bé:", "Họ và tên con:"
_LABEL_TAIL_F = _folded(
    words(
        """học sinh hs của bé con cháu em trẻ người bị hại tố cáo báo nghi phạm đối tượng kẻ
        xâm gây mẹ bố cha phụ huynh giáo viên gv khai đầy đủ chủ vấn can hành vi"""
    )
)


def _past_label(doc: _Doc, k: int) -> int:
    """After a name cue, the colon that ends a form's label, if up to three label words lead
    to it; else k."""
    j = k
    while j < len(doc.toks) and j - k < 5 and doc.adjacent(j):
        tok = doc.word(j)
        if tok is None or tok.fold not in _LABEL_TAIL_F:
            break
        j += 1
    if j > k and j < len(doc.toks) and doc.toks[j].text == ":":
        return j
    return k


# words that start no name but may end one ("MAI XUÂN TRƯỜNG")
_NAME_LIKE_NOT_NAMES = frozenset({"trường", "đoàn", "công", "hội", "phòng"})


def _form_value(doc: _Doc, k: int) -> int | None:
    """(#17, round 6) The value of a form's name field in capitals ("HỌ TÊN NGƯỜI BỊ TỐ CÁO:
    MAI XUÂN TRƯỜNG."): two to four words in capitals up to the field's end, whatever
    syllables they are (a capital says nothing in such a form, the label says it all)."""
    j = k
    while j < len(doc.toks) and j - k < 5 and (j == k or doc.adjacent(j)):
        tok = doc.toks[j]
        if not (tok.is_upper and tok.is_alpha and len(tok.text) <= 7):
            break
        name_like = j > k and tok.low in _NAME_LIKE_NOT_NAMES
        if not name_like and (tok.low in lex.STOP_WORDS or tok.low in lex.NOT_NAMES):
            return None  # "TÔI KHÔNG BIẾT", "TRƯỜNG THCS …": no name written there
        j += 1
    if j - k < 2 or j - k > 4:
        return None
    if j < len(doc.toks) and doc.adjacent(j) and doc.toks[j].is_word:
        return None  # the field goes on in other words: not a bare name
    return j


# (#17, round 6) "Mẹ Nhi:", "bố Tuấn": a parent's cue only before a known given name
_PARENT_CUES = frozenset({("mẹ",), ("bố",), ("má",)})
# (#17, round 6) people called by their surname after a kin word: "chú Đoàn hay rủ e"
_KIN_CUES = frozenset(
    (w,) for w in ("chú", "cô", "bác", "anh", "chị", "ông", "bà", "thầy", "dì", "cậu", "dượng")
)


def _surname_called(doc: _Doc, k: int) -> int | None:
    """A capitalised surname that is also an everyday word ("Đoàn", "Hội"'s kind), alone after
    a kin word and before a lowercase word: a person called by it."""
    tok, after = doc.word(k), doc.word(k + 1)
    if tok is None or not tok.is_cap or tok.loose or tok.low not in lex.SURNAMES:
        return None
    if tok.low in lex.TITLE_WORDS:
        return None  # "cô Phó hiệu trưởng": a title
    if after is None or not doc.adjacent(k + 1) or not after.text.islower():
        return None
    if doc.title_style or doc.caps_style or f"{tok.fold} {after.fold}" in lex.COMPOUNDS:
        return None
    if after.fold in _ORGANISATION_AFTER_F:
        return None  # "anh Đoàn trường": the youth union's man
    return k + 1


_ORGANISATION_AFTER_F = _folded(words("trường thanh xã phường huyện viên đội khối"))


_TOMORROW_AFTER_F = _folded(
    words("em e con mình tôi tui tao anh chị cô chú bọn tụi cả nhà là đi sẽ phải nó")
)


def _tomorrow(doc: _Doc, i: int) -> bool:
    """ "Thôi, Mai em nói sau": "mai" (tomorrow) before who does what, not a name."""
    after = doc.word(i + 1)
    return (
        doc.toks[i].fold == "mai"
        and after is not None
        and doc.adjacent(i + 1)
        and after.fold in _TOMORROW_AFTER_F
    )


_WORK_F = _folded(lex.WORK_TITLE_BEFORE)
_PLACE_F = _folded(lex.PLACE_BEFORE)
_PERSON_CUES = _phrases(lex.PERSON_CUES)
_LOOSE_CUES = frozenset(tuple(p.split()) for p in lex.PERSON_CUES_LOOSE)
_BIRTH_ORDER_F = _folded(lex.BIRTH_ORDER)
_NUMBER_WORDS_F = _folded(words("một mốt hai ba bốn tư năm lăm sáu bảy tám chín mười giêng chạp"))
_COUNT_AFTER = words("tuổi tháng năm ngày lần người đứa đồng nghìn triệu giờ tiếng")
_COUNT_AFTER_F = _folded(_COUNT_AFTER)
_KINSHIP_F = _folded(lex.KINSHIP)
_VERB_NAMES_F = _folded(lex.VERB_NAMES)
_NAME_CONTEXT_F = _folded(lex.NAME_CONTEXT_AFTER)


_BANK_LINE_RE = re.compile(
    r"(?<!\w)(?:stk|so tk|tk|tai khoan|ngan hang|bank|chuyen khoan|ck|vietcombank|vcb|"
    r"techcombank|agribank|bidv|vietinbank|mbbank|mb|acb|tpbank|sacombank|vpbank|momo)(?!\w)"
)


def _account_holder(doc: _Doc, i: int) -> tuple[int, int] | None:
    """A name in capitals on a bank-transfer line ("STK 0123456789 BIDV DO VAN LOC"):
    a surname, then one to three name syllables, all in capitals."""
    tok = doc.toks[i]
    if not tok.is_upper or tok.fold not in _SURNAMES_F:
        return None
    j = i + 1
    while (
        j < len(doc.toks)
        and j - i < 4
        and doc.adjacent(j)
        and doc.toks[j].is_upper
        and doc.toks[j].fold in _NAME_SYLLABLES_F
    ):
        j += 1
    if j - i < 2:
        return None
    line_start = doc.text.rfind("\n", 0, tok.start) + 1
    line_end = doc.text.find("\n", tok.end)
    line = doc.folded[line_start : line_end if line_end != -1 else len(doc.text)]
    return (i, j) if _BANK_LINE_RE.search(line) else None


_MONTH_BEFORE_F = _folded(words("hàng mỗi các mấy những vài mười hai ba cuối đầu giữa"))


def _month_before(doc: _Doc, i: int) -> bool:
    """ "thang" after "hàng", "mỗi", a number: tháng (a month), not thằng."""
    before = doc.toks[i - 1] if i > 0 and doc.adjacent(i) else None
    return before is not None and (before.is_digit or before.fold in _MONTH_BEFORE_F)


_SELF_F = _folded(words("em e mình mik mk tớ tui tôi t con cháu tao"))
_INTRO_END_F = _folded(words("nè đây nha nhé ạ tuổi lớp học năm đang ở"))


def _introduction(doc: _Doc, i: int) -> tuple[int, int] | None:
    """ "mình là linh, 14 tuổi", "em là hoa ạ": a writer introducing themself with a
    lowercase given name. Only where an introduction ends there (a comma, the end, "nè",
    an age, a class): "em là nam" (a boy), "em là học sinh" are no names."""
    tok = doc.word(i)
    if tok is None or not _word_is(tok, "là") or i == 0:
        return None
    me = doc.word(i - 1)
    if me is None or not doc.adjacent(i) or me.fold not in _SELF_F:
        return None
    owner = doc.word(i - 2)
    if owner is not None and doc.adjacent(i - 1) and _in(owner, lex.KINSHIP, _KINSHIP_F):
        return None  # "bố em là thợ hàn": what a parent is, not who the writer is
    k = i + 1
    name = doc.word(k)
    if name is None or not doc.adjacent(k) or not name.text.islower():
        return None
    if not (name.low in _CUED_GIVEN or (name.loose and name.fold in _CUED_GIVEN_F)):
        return None
    if name.fold in {"nam", "nu", "gai", "trai"} or _in(name, lex.STOP_WORDS, _STOP_F):
        return None
    end = k + 1
    nxt = doc.word(end)
    if (
        nxt is not None
        and doc.adjacent(end)
        and nxt.text.islower()
        and (nxt.low in _CUED_GIVEN or (nxt.loose and nxt.fold in _CUED_GIVEN_F))
        and (not _in(nxt, lex.STOP_WORDS, _STOP_F) or _second_anh(doc, end))
    ):
        end += 1  # "mình là ngọc anh"
    after = doc.toks[end] if end < len(doc.toks) else None
    if after is None or not after.is_word or not doc.adjacent(end):
        return k, end
    if after.fold in _INTRO_END_F or after.is_digit:
        return k, end
    return None


_MONEY_AFTER_RE = re.compile(
    r"\s*\d{1,3}(?:[.,]\d{3})+|\s*\d+(?:[.,]\d+)?\s?(?:k|tr|triệu|trieu|nghìn|nghin|ngàn|đ|đồng|"
    r"dong|vnd|củ|cu|lít|lit)(?!\w)",
    re.IGNORECASE,
)


def _money_after(doc: _Doc, j: int) -> bool:
    """A sum of money starts at token j ("1.800.000", "500k", "2 triệu")."""
    if j >= len(doc.toks) or not doc.toks[j].is_digit:
        return False
    return _MONEY_AFTER_RE.match(doc.text, doc.toks[j - 1].end) is not None


_BRACKET_PERSON_F = _folded(
    words(
        """bạn trai gái cũ ny người yêu anh chị em cô thầy chú bác ông bà bố mẹ ba má dượng
        kế con cháu thằng nó đứa nhỏ bé học sinh giáo viên hàng xóm họ ruột e tôi mình tui tao"""
    )
)


_RELATIONS = _phrases(
    (
        "bồ", "bồ cũ", "ny", "ny cũ", "người yêu", "người yêu cũ", "crush", "chồng", "vợ", "ck",
        "vk", "bạn trai", "bạn gái", "bạn thân", "anh trai", "chị gái", "em trai", "em gái",
        "bố dượng", "ba dượng", "cha dượng", "mẹ kế", "dì ghẻ", "anh họ", "chị họ", "em họ",
        "anh rể", "chị dâu", "bạn cùng bàn", "bạn cùng lớp",
    )
)  # fmt: skip
_WHOSE_F = _folded(words("của em e tôi mình tui tớ tao con cháu nó cũ thân"))


def _relation_is(doc: _Doc, i: int) -> tuple[int, int] | None:
    """(#17, round 5) "bồ cũ của em là tuấn", "bạn thân e là vy": a relation, whose it is,
    "là" and a lowercase given name (not "là người tốt", "là công an")."""
    tok = doc.word(i)
    if tok is None or not _word_is(tok, "là") or not doc.adjacent(i + 1):
        return None
    j = i - 1
    while j >= 0 and i - j <= 3 and doc.word(j) is not None and doc.toks[j].fold in _WHOSE_F:
        j -= 1
    related = any(
        doc.match(start, phrase) == j + 1
        for start in range(max(0, j - 2), j + 1)
        for phrase in _RELATIONS.starting_with(doc.toks[start].fold)
    )
    if not related:
        return None
    k = i + 1
    name = doc.word(k)
    if name is None or not name.is_alpha or not name.text.islower():
        return None
    if not _cued_given_name(name):
        return None
    after = doc.word(k + 1)
    if after is not None and doc.adjacent(k + 1) and f"{name.fold} {after.fold}" in lex.COMPOUNDS:
        return None
    return k, k + 2 if _second_given(doc, k + 1) else k + 1


def _bracketed_name(doc: _Doc, i: int) -> tuple[int, int] | None:
    """(#17, round 5) "bạn trai cũ của e (Quân) dọa tung ảnh": a capitalised given name, alone
    in brackets right after a word for a person, names that person."""
    tok = doc.word(i)
    if tok is None or not tok.is_cap or i < 2 or doc.toks[i - 1].text not in {"(", ","}:
        return None
    opener = doc.toks[i - 1].text  # (#17, round 5) or between commas: "bạn e, Thùy Dương, bị"
    person = doc.word(i - 2)
    if person is None or person.fold not in _BRACKET_PERSON_F:
        return None
    end = i
    while end < len(doc.toks) and end - i < 4 and doc.toks[end].is_cap:
        if not _in(doc.toks[end], _NAME_SYLLABLES, _NAME_SYLLABLES_F):
            return None
        end += 1
    closers = {")"} if opener == "(" else {",", ".", "!", "?", ";"}
    if end == i or (end < len(doc.toks) and doc.toks[end].text not in closers):
        return None
    if end >= len(doc.toks) and opener == "(":
        return None
    if not any(_in(t, _CUED_GIVEN, _CUED_GIVEN_F) for t in doc.toks[i:end]):
        return None
    if " ".join(t.fold for t in doc.toks[i:end]) in lex.PLACES:
        return None  # "bạn em, Hà Giang, ...": a province
    return i, end


def _inside_capitalised_run(doc: _Doc, i: int, phrase: tuple[str, ...]) -> bool:
    """A one-letter cue ("A" for anh, "C" for chị) right after a capitalised word is a
    letter of a name ("Vừ A Dính"), not a cue."""
    before = doc.word(i - 1)
    return (
        len(phrase) == 1
        and len(phrase[0]) == 1
        and doc.toks[i].text.isupper()
        and before is not None
        and doc.adjacent(i)
        and (before.is_cap or before.is_upper)
    )


def _cued_name(doc: _Doc, i: int) -> tuple[int, int] | None:
    """A lowercase or all-caps given name after a person cue ("thằng tuấn", "anh HÙNG",
    "chị ba"); a capitalised one is the weak cues' business."""
    cue = doc.match_any(i, _PERSON_CUES)
    if cue is None:
        return None
    k, phrase = cue
    if len(phrase) == 1 and _collective_before(doc, i):
        return None  # "thầy cô hiền", "anh chị thương em": people in general, then a word
    if phrase == ("nhỏ",) and _when_little(doc, i):
        return None  # (#17, round 6) "hồi nhỏ ba tui hay đánh tui": when little
    cue_toks = doc.toks[i:k]
    loose_cue = any(t.loose and t.low != w for t, w in zip(cue_toks, phrase, strict=True))
    if loose_cue and phrase not in _LOOSE_CUES:
        return None
    name = doc.word(k)
    if name is None or not doc.adjacent(k) or not name.is_alpha or len(name.text) > 7:
        return None
    if name.is_cap and not (name.is_upper or doc.toks[i].is_upper):
        return None
    if not (name.text.islower() or name.is_upper):
        return None
    in_caps = name.is_upper and not doc.toks[i].is_upper  # "anh HÙNG": a name, not a hero
    pair = f"{fold(phrase[-1])} {name.fold}"
    if pair in lex.NOT_PERSON_PAIRS and not in_caps and not _class_after(doc, k + 1):
        return None  # (#17, round 6) but "anh hùng lớp 11" is someone in class 11
    if pair in lex.NOT_PERSON_PAIRS_UNACCENTED and (
        doc.toks[k - 1].loose or doc.toks[k - 1].low != phrase[-1]
    ):
        return None
    if loose_cue and phrase == ("thằng",) and _month_before(doc, i):
        return None  # "hang thang phat": hàng tháng phát
    exact = name.low
    # "anh HUNG" may be Hùng; in a message written in capitals WITH diacritics, "BẠN TRONG"
    # is trong
    loose = name.loose or (name.is_upper and name.plain and not (doc.caps_style and doc.accented))
    given = exact in _CUED_GIVEN or (loose and name.fold in _CUED_GIVEN_F)
    order = exact in lex.BIRTH_ORDER or (loose and name.fold in _BIRTH_ORDER_F)
    nickname = exact in lex.NICKNAMES and not name.loose  # "bé bắp"; "con be bo hoc" is bỏ
    if not (given or order or nickname):
        return None
    if (name.text.islower() or doc.caps_style) and _in(name, lex.VERB_NAMES, _VERB_NAMES_F):
        after = doc.word(k + 1)
        if (
            after is not None
            and doc.adjacent(k + 1)
            and not _in(after, lex.NAME_CONTEXT_AFTER, _NAME_CONTEXT_F)
            and not _two_syllable_name_then_context(doc, k + 1)
        ):
            return None  # "chú bảo em lên xe", "ông thương em lắm"
    if loose_cue and name.fold in _NUMBER_WORDS_F:
        return None  # "thang nam": tháng năm
    if loose_cue and name.loose and name.fold in _STOP_F and not order:
        return None  # "thang bi": tháng bị, not thằng Bi
    common = (
        (_in(name, lex.STOP_WORDS, _STOP_F) and not given)
        or _in(name, lex.KINSHIP, _KINSHIP_F)
        or _title_at(doc, k, given or order)
        or name.low in lex.NOT_NAMES
    )
    if common and not (order and not given) and not nickname:
        return None
    after = doc.word(k + 1)
    if (
        after is not None
        and doc.adjacent(k + 1)
        and (
            f"{name.fold} {after.fold}" in lex.COMPOUNDS
            # (#17, round 6) a count only after a number ("bé tám tuổi", "chị ba năm"); with
            # its accents, "bảo nam lớp 7" is a name, and "thằng tuấn năm nay" one too
            or (after.fold in _COUNT_AFTER_F and not _this_year_or_nam(doc, k + 1))
        )
    ):
        return None
    if _money_after(doc, k + 1):
        return None  # (#17, round 5) "thầy thu 1.800.000/tháng": a verb before a sum
    end = k + 1
    if (
        given
        and after is not None
        and doc.adjacent(k + 1)
        and (after.text.islower() or after.is_upper) == (name.text.islower() or name.is_upper)
        and after.is_alpha
        and (after.low in _CUED_GIVEN or (after.loose and after.fold in _CUED_GIVEN_F))
        and (not _in(after, lex.STOP_WORDS, _STOP_F) or _second_anh(doc, k + 1))
    ):
        end += 1  # "quỳnh anh"
    return k, end


_CLASS_CODE_RE = re.compile(r"\d{1,2}[A-Fa-f]\d{0,2}")  # "9a4", "6C", "11A2" (not "7h", "2k")


def _class_after(doc: _Doc, j: int) -> bool:
    """ "lớp 11", "lp 7a6" right at token j: a pupil's class, said of a person."""
    tok, number = doc.word(j), doc.word(j + 1)
    return (
        tok is not None
        and number is not None
        and doc.adjacent(j)
        and doc.adjacent(j + 1)
        and tok.fold in {"lop", "lp"}
        and number.is_digit
    )


_WHEN_F = _folded(words("hồi lúc từ khi còn thuở hồi còn tuổi"))


def _when_little(doc: _Doc, i: int) -> bool:
    before = doc.word(i - 1)
    return before is not None and doc.adjacent(i) and before.fold in _WHEN_F


def _this_year_or_nam(doc: _Doc, j: int) -> bool:
    """Token j, after a name, is "năm nay" (this year: "thằng tuấn năm nay 15 tuổi") or "nam"
    written so in accented writing (a name's syllable: "bảo nam"), not a count."""
    tok, nxt = doc.toks[j], doc.word(j + 1)
    if tok.fold != "nam":
        return False
    if nxt is not None and doc.adjacent(j + 1) and nxt.fold == "nay":
        return True
    return tok.low == "nam" and not tok.loose


def _two_syllable_name_then_context(doc: _Doc, j: int) -> bool:
    """(#17, round 6) "thằng bảo nam lớp 7": token j is a name's second syllable, and what
    follows it is a name's context, so the verb-like first syllable was a name too."""
    after = doc.word(j + 1)
    return (
        _second_given(doc, j)
        and after is not None
        and doc.adjacent(j + 1)
        and _in(after, lex.NAME_CONTEXT_AFTER, _NAME_CONTEXT_F)
    )


# Pairs that make one collective noun ("thầy cô" teachers, "anh chị" you all): the word
# after them says what they are or do, it names no one
_COLLECTIVE_PAIRS = frozenset(
    {("thầy", "cô"), ("cô", "chú"), ("anh", "chị"), ("ông", "bà"), ("chú", "bác"),
     ("cô", "dì"), ("cô", "bác"), ("cô", "thầy")}
)  # fmt: skip


def _collective_before(doc: _Doc, i: int) -> bool:
    before = doc.word(i - 1)
    return (
        before is not None
        and doc.adjacent(i)
        and not before.loose
        and (before.low, doc.toks[i].low) in _COLLECTIVE_PAIRS
    )


# Surnames that, written in capitals without diacritics, are no common word ("PHAN CONG").
# ("TRINH" is also trình: "CHUONG TRINH", "QUY TRINH")
_PLAIN_SURNAMES = frozenset({"nguyen", "tran", "pham", "hoang", "huynh", "nghiem"})
_AFTER_TEN = frozenset({"là", "bé", "thật", "gọi", "cu", "ruột", "thường", "khai", "sinh"})
_PERSON_WORDS = words(
    """em e tôi toi tui mình mik mk t con cháu bé nó bạn anh chị cô thầy chú ông bà dượng giáo
    ba bố mẹ má chồng vợ ny ấy ta đó kia thằng đứa nhỏ gái trai"""
)
_PERSON_WORDS_F = _folded(_PERSON_WORDS)


_CLAUSE_PERSON_F = _folded(words("thầy giáo cô chú bác anh chị dì cậu ông bà bạn"))


def _person_in_clause(doc: _Doc, i: int) -> bool:
    """A person named earlier in the same clause, within six words ("thầy giáo dạy ... tên")."""
    for j in range(i - 1, max(-1, i - 7), -1):
        tok = doc.toks[j]
        if not tok.is_word:
            return False
        if tok.fold in _CLAUSE_PERSON_F and not tok.loose:
            return True
    return False


def _known_lower_name(doc: _Doc, k: int) -> bool:
    tok = doc.word(k)
    return (
        tok is not None
        and tok.text.islower()
        and (tok.low in lex.GIVEN_NAMES or tok.low in lex.SURNAMES)
        and tok.low not in lex.STOP_WORDS
    )


def _person_before(doc: _Doc, i: int) -> bool:
    before = doc.word(i - 1)
    return before is not None and doc.adjacent(i) and _in(before, _PERSON_WORDS, _PERSON_WORDS_F)


_AFTER_TEN_F = _folded(_AFTER_TEN)


def _person_run(doc: _Doc, k: int, single_ok: bool = True) -> int | None:
    """End of a capitalised name at token k, or None if it reads as a place, brand or title."""
    end = _cap_run(doc, k, 4)
    if end is None:
        return None
    words = [w for w in doc.toks[k:end] if w.text not in {"'", "’"}]  # "H'Hen Niê"
    if any(not w.is_alpha or len(w.text) > 7 for w in words):
        return None
    if _starts_with_place(words):
        return None
    if doc.title_style or doc.caps_style:  # a capital says nothing: known syllables only
        known = [w for w in words if _in(w, _NAME_SYLLABLES, _NAME_SYLLABLES_F)]
        if len(known) < len(words):
            words = words[: words.index(next(w for w in words if w not in known))]
            if not words:
                return None
            end = k + len(words)
    first = words[0]
    if first.low in lex.NOT_NAMES or (first.loose and first.fold in _NOT_NAMES_PLAIN):
        return None
    if " ".join(w.fold for w in words[:2]) in _TITLES_OF_HONOUR:
        return None  # (#17, round 5) "được Hoa Hậu Thân Thiện": a title won, no one's name
    ede_y = first.text == "Y" and len(words) > 1  # "Y Blim Niê", not "y tá"
    # (#17, round 6) "bà Phó Thị Ngoãn": a middle name after it makes a title word a surname
    middle_next = len(words) > 2 and words[1].low in _MIDDLE_NAMES
    if (
        not ede_y
        and not middle_next
        and _title_at(doc, k, _in(first, _NAME_OR_ORDER, _NAME_OR_ORDER_F))
    ) or first.low in lex.KINSHIP:
        return None
    folded = " ".join(w.fold for w in words)
    if _starts_with_place(words):
        return None
    if len(words) == 1:
        following = doc.word(end)
        if (
            following is not None
            and doc.adjacent(end)
            and f"{folded} {following.fold}" in lex.COMPOUNDS
        ):
            return None
        if not single_ok:
            return None
    return end


_TITLES_OF_HONOUR = frozenset({"hoa hau", "a hau", "hoa khoi", "nu hoang", "nam vuong"})


_TITLE_JOINERS_F = _folded(words("và"))  # "Lan và Điệp"; "phim Doraemon với Hùng" is a friend
# words a story's title holds after its first capital: "Cô bé Lọ Lem", "Ông lão đánh cá"
_TITLE_WORDS = words("bé lão già nhỏ tí hon")


def _in_work_title(doc: _Doc, i: int) -> bool:
    """(#17, round 5) Token i goes on a title begun after "bài hát", "hội thi" …: "bài hát
    Lan và Điệp", "Hội thi Hoa Phượng Đỏ" (but "đi thi cùng Minh Anh" names a friend)."""
    j = i - 1
    capitals = 0
    while j >= 0 and i - j <= 8 and doc.adjacent(j + 1):
        tok = doc.toks[j]
        inside = tok.text in {"&", "-"} or tok.fold in _TITLE_JOINERS_F or tok.low in _TITLE_WORDS
        if tok.is_cap:
            capitals += 1
        elif not inside or not (j > 0 and doc.toks[j - 1].is_cap):
            return capitals > 0 and _in(tok, lex.WORK_TITLE_BEFORE, _WORK_F)
        j -= 1
    return False


def _in_title_of_honour(doc: _Doc, i: int) -> bool:
    """Token i is a word of a capitalised title won ("Hoa Hậu Thân Thiện")."""
    r = i
    while r > 0 and r > i - 4 and doc.adjacent(r) and doc.toks[r - 1].is_cap:
        r -= 1
    pair = doc.toks[r : r + 2]
    return len(pair) == 2 and " ".join(t.fold for t in pair) in _TITLES_OF_HONOUR


def _starts_with_place(words: list[_Tok]) -> bool:
    if len(words) == 1 and _not_that_place(words[0]):
        return False
    for n in range(1, len(words) + 1):
        folded = " ".join(w.fold for w in words[:n])
        if folded in lex.PLACES and not _not_that_place_words(words[:n], folded):
            return True
    return False


# Places whose unaccented spelling is also a name's: "Huệ" is a person, "Huế" a city; (#17,
# round 6) "Thanh Nhạn" a woman, "Thanh Nhàn" a ward and a hospital
_ACCENTED_PLACES = {"hue": "huế", "thanh nhan": "thanh nhàn"}


def _not_that_place_words(words: list[_Tok], folded: str) -> bool:
    place = _ACCENTED_PLACES.get(folded)
    if place is None or len(words) < 2 or any(w.loose for w in words):
        return False
    return " ".join(w.low for w in words) != place


def _not_that_place(tok: _Tok) -> bool:
    place = _ACCENTED_PLACES.get(tok.fold)
    return place is not None and not tok.loose and tok.low != place


_NOT_NAMES_PLAIN = frozenset(w for w in lex.NOT_NAMES if w == fold(w))


# Surnames that are also everyday words ("TỪ TỪ", "XỬ LÝ", "THÂN THIỆN", "TĂNG CƯỜNG")
_WORDLIKE_SURNAMES_F = _folded(
    words(
        """từ lý thân tăng mai lâm hà cao tô chu đào giang lục mạc khúc âu hứa lã lò châu thái
        kiều quách lưu tạ lương đoàn hồ doãn triệu phùng tôn"""
    )
)


def _caps_full_name(doc: _Doc, i: int, end: int) -> bool:
    """In a message written in capitals a capital says nothing: a full name with no cue needs
    a middle name ("TRẦN VĂN AN") or, with diacritics, a surname that is no everyday word."""
    middle = doc.toks[i + 1] if i + 1 < end else None
    if middle is not None and middle.low in _MIDDLE_NAMES:
        after = doc.word(i + 2)
        return after is None or after.fold not in {"ban", "hoa", "hoc", "phong", "nghe"}  # văn bản
    return doc.accented and doc.toks[i].fold not in _WORDLIKE_SURNAMES_F


def _full_name(doc: _Doc, i: int) -> int | None:
    """A surname followed by 1-3 capitalised (or, in capitals, uppercase) syllables."""
    first = doc.toks[i]
    j = i + 1
    while j < len(doc.toks) and j - i < 4 and doc.adjacent(j):
        tok = doc.toks[j]
        if (
            not tok.is_alpha
            or len(tok.text) > 7
            or not (tok.is_cap or (first.is_upper and tok.is_upper))
        ):
            break
        j += 1
    if doc.title_style or doc.caps_style:  # "Nguyễn Văn An" counts, "Lê Bị Đánh" does not
        while j > i + 1 and not all(
            _in(w, _NAME_SYLLABLES, _NAME_SYLLABLES_F) for w in doc.toks[i + 1 : j]
        ):
            j -= 1
    if j - i < 2:
        return None
    words = doc.toks[i:j]
    if any(" ".join(w.fold for w in words[:n]) in lex.PLACES for n in range(2, len(words) + 1)):
        return None
    if any(w.low in lex.NOT_NAMES for w in words):
        return None
    return j


_MIDDLE_NAMES = frozenset({"thị", "thi", "văn", "van"})


def _middle_name_next(doc: _Doc, k: int) -> bool:
    """ "dang thi lan": a surname (however it reads unaccented) before thị/văn."""
    tok, middle = doc.word(k), doc.word(k + 1)
    return (
        tok is not None
        and middle is not None
        and _in(tok, lex.SURNAMES, _SURNAMES_F)
        and middle.low in _MIDDLE_NAMES
        and doc.adjacent(k + 1)
    )


def _upper_name(doc: _Doc, k: int) -> int | None:
    """A name in capitals after a cue, in a message written in capitals: "TÊN LÀ NGUYỄN VĂN AN".
    After a surname and a middle name nothing stops it: "PHAM THI NGA", "NGO VAN HAI"."""
    full = (
        _in(doc.toks[k], lex.SURNAMES, _SURNAMES_F)
        and k + 1 < len(doc.toks)
        and doc.toks[k + 1].low in _MIDDLE_NAMES
    )
    j = k
    while j < len(doc.toks) and j - k < 4 and (j == k or doc.adjacent(j)):
        tok = doc.toks[j]
        stop = (
            (
                tok.low in lex.STOP_WORDS
                or (tok.loose and tok.fold in _STOP_F and tok.fold not in _GIVEN_F)
            )
            and not (full and j <= k + 2)
            and not (j > k and _second_anh(doc, j))
        )
        if not tok.is_upper or len(tok.text) > 7 or (j > k and stop):
            break
        if doc.caps_style and not (full and j <= k + 2):
            # all in capitals, "TÊN GÌ", "TÊN KHÔNG", "TÊN TRƯỜNG": a name's syllables only
            known = _in(tok, _NAME_SYLLABLES, _NAME_SYLLABLES_F) or (
                tok.plain and tok.fold in _NAME_SYLLABLES_F
            )
            if not known or stop:
                break
        j += 1
    return j if j > k else None


def _lower_name(doc: _Doc, k: int) -> int | None:
    """A lowercase name after "tên (là)": up to four syllables; "thi"/"van" after a surname
    are the middle names thị/văn, not "thì"."""
    first = doc.word(k)
    if (
        first is not None
        and not first.loose
        and first.text.islower()
        and first.low in lex.GIVEN_NAMES
        and _lower_run(doc, k, 1) is None
    ):
        # "em tên là nhung": in accented writing, "nhung" is no "nhưng"
        return k + 2 if _second_given(doc, k + 1) else k + 1
    if first is None or not _in(first, lex.SURNAMES, _SURNAMES_F):
        end = _lower_run(doc, k, 4)
        if (
            end is None
            and first is not None
            and first.loose
            and first.text.islower()
            and first.fold in _CUED_GIVEN_F
            and first.fold not in _STOP_F
        ):
            end = k + 1  # (#17, round 6) "em ten la phuong,": Phương, whatever else it spells
        if end == k + 1 and _second_given(doc, k + 1):
            end += 1  # "tên em là trâm anh": "anh" is the name's, not the pronoun
        return end
    j = k + 1
    while j < len(doc.toks) and j - k < 4 and doc.adjacent(j):
        tok = doc.toks[j]
        if tok.low in _MIDDLE_NAMES and j == k + 1:
            j += 1
            continue
        if _given_after_surname(doc, j):
            j += 1  # "le hoang nam": năm is a stop word, Nam after a surname a name
            continue
        if j >= k + 3 and doc.toks[k + 1].low in _MIDDLE_NAMES:
            break  # (#17, round 5) "trần văn hùng chặn đường": the name ends at a non-name
        end = _lower_run(doc, j, 1)
        if end is None:
            break
        j = end
    return j


def _second_given(doc: _Doc, j: int) -> bool:
    """Token j, right after a lowercase given name, is its second syllable ("trâm anh",
    "ngọc anh", "bảo ngọc"): a given name too, lowercase, and no pronoun's use of it."""
    tok = doc.word(j)
    if tok is None or not doc.adjacent(j) or not tok.is_alpha or not tok.text.islower():
        return False
    if not (tok.low in _CUED_GIVEN or (tok.loose and tok.fold in _CUED_GIVEN_F)):
        return False
    return not _in(tok, lex.STOP_WORDS, _STOP_F) or _second_anh(doc, j)


_NOT_AFTER_ANH_F = _folded(
    words("ấy ta trai họ ơi em chị nó ruột rể kia đó này với và cũng ko không có là bị đã")
)


def _second_anh(doc: _Doc, j: int) -> bool:
    """ "anh" as the last syllable of a name ("ngọc anh", "hoàng anh thư"), not a pronoun:
    nothing that goes with the pronoun follows it."""
    tok = doc.toks[j]
    if tok.fold != "anh":
        return False
    after = doc.word(j + 1)
    return after is None or not doc.adjacent(j + 1) or after.fold not in _NOT_AFTER_ANH_F


def _given_after_surname(doc: _Doc, j: int) -> bool:
    tok = doc.toks[j]
    if not (tok.is_alpha and tok.text.islower()):
        return False
    if tok.low in lex.STOP_WORDS and not _second_anh(doc, j):
        # a stop word after a surname and a middle name is the given name: "ngo van hai"
        middle = doc.word(j - 1)
        if not (
            middle is not None
            and middle.low in _MIDDLE_NAMES
            and j >= 2
            and _in(doc.toks[j - 2], lex.SURNAMES, _SURNAMES_F)
        ):
            return False
        return tok.low in _NAME_OR_ORDER or (tok.loose and tok.fold in _NAME_OR_ORDER_F)
    if not (tok.low in _CUED_GIVEN or (tok.loose and tok.fold in _CUED_GIVEN_F)):
        return False
    after = doc.word(j + 1)
    return not (after is not None and doc.adjacent(j + 1) and after.fold in {"nay", "ngoai"})


def _uncued_lower_full_name(doc: _Doc, i: int) -> bool:
    """A lowercase full name with no cue before it is read only where nothing else reads:
    a surname that is no everyday word, then "thị"/"văn" as written ("mai thi trượt" is an
    exam failed tomorrow, "tu van" is tư vấn)."""
    tok, middle = doc.toks[i], doc.word(i + 1)
    if not tok.text.islower() or middle is None or tok.fold in _WORDLIKE_SURNAMES_F:
        return False
    if tok.loose:
        return tok.fold in _PLAIN_SURNAMES and middle.fold in {"thi", "van"}
    return middle.low in {"thị", "văn"}


# Surnames no everyday word is written as, with or without accents ("nguyen" aside from
# "nguyên", which a given name does not follow)
_DISTINCTIVE_SURNAMES_F = frozenset(
    {"nguyen", "tran", "pham", "hoang", "huynh", "bui", "trinh", "nghiem"}
)  # fmt: skip


def _distinctive_lower_full_name(doc: _Doc, i: int) -> int | None:
    """(#17, round 5) "e bị nguyen minh tuan lop 9a danh": a lowercase surname that is no
    everyday word, then two or three given names (no middle name needed)."""
    tok = doc.toks[i]
    if not tok.is_alpha or not tok.text.islower() or tok.fold not in _DISTINCTIVE_SURNAMES_F:
        return None
    if not tok.plain and tok.low not in lex.SURNAMES:
        return None  # "trăn", "vô": accented, it is itself
    j = i + 1
    while j < len(doc.toks) and j - i <= 3 and doc.adjacent(j):
        name = doc.toks[j]
        if not (name.is_alpha and name.text.islower()):
            break
        given = name.low in _CUED_GIVEN or (name.plain and name.fold in _CUED_GIVEN_F)
        if not given or (
            _in(name, lex.STOP_WORDS, _STOP_F)
            and name.fold not in _GIVEN_F  # "minh" after a surname is Minh, not mình
            and not _second_anh(doc, j)
        ):
            break
        j += 1
    if j - i < 3:
        return None
    if any(f"{doc.toks[n].fold} {doc.toks[n + 1].fold}" in lex.COMPOUNDS for n in range(i, j - 1)):
        return None
    return j


def _lower_full_name(doc: _Doc, k: int) -> int | None:
    """ "ông do van thanh": after a cue, a lowercase surname, then văn/thị, then the name.
    Without the middle name too many words look like surnames ("làm" Lâm, "từ", "đang")."""
    tok = doc.word(k)
    if tok is None or not tok.text.islower() or not _in(tok, lex.SURNAMES, _SURNAMES_F):
        return None
    middle = doc.word(k + 1)
    if middle is None or middle.low not in _MIDDLE_NAMES or not doc.adjacent(k + 1):
        return None
    if f"{tok.fold} {middle.fold}" in lex.COMPOUNDS:
        return None  # "tu van" is tư vấn
    end = _lower_name(doc, k)
    if end is None or end - k < 3:
        return None
    return end


# ---------------------------------------------------------------------------- round 4 (#17)

_KIN_F = _folded(words("cháu con em bé nhỏ bạn"))
# unaccented "con", "em" are too often no cue; "ban hung lop 7" is bạn Hùng (a class follows)
_KIN_LOOSE_F = _folded(words("cháu bé bạn"))
_PLAIN_PREPOSITIONS = frozenset(
    {"trong", "ngoai", "tren", "duoi", "cung", "khac", "moi", "cu", "than", "o", "tai", "cua"}
)
_KIN_NOT_PAIRS = frozenset(
    {"ban hang", "ban be", "ban than", "ban trai", "ban gai", "ban hoc", "ban cung", "ban doc",
     "ban dem", "ban ngay", "con trai", "con gai", "em trai", "em gai", "chau trai", "chau gai"}
)  # fmt: skip
_CLASS_OWNER_F = _folded(words("em e mình tôi tui tớ bên kế trên dưới cạnh"))
_HOME_OWNER_F = _folded(words("tôi em mình tui chị anh con cháu tao tớ"))


def _kin_name(doc: _Doc, i: int) -> tuple[int, int] | None:
    """ "cháu hiếu nhà tôi", "con lan nhà em", "em hùng lớp 5", "bé bin 4 tuổi": a kin word,
    a lowercase given name, then whose child or which class it is. "em" or "con" before a
    lowercase word is most often the pronoun, so the context after it must say so."""
    tok = doc.word(i)
    if tok is None or tok.fold not in _KIN_F:
        return None
    # unaccented, "con"/"em" are as often the pronoun: only a class after them says a name
    # (#17, round 6: "t vs con linh lp 7a6")
    class_needed = tok.loose and tok.fold not in _KIN_LOOSE_F
    if not tok.loose and tok.plain and tok.low not in {"con", "em"}:
        return None  # "chau" / "ban" typed unaccented in an accented text: another word
    k = i + 1
    name = doc.word(k)
    if name is None or not doc.adjacent(k) or not name.is_alpha or not name.text.islower():
        return None
    if not _cued_given_name(name):
        return None
    if name.loose and name.fold in _PLAIN_PREPOSITIONS:
        return None  # "ban trong lop": bạn trong lớp, not Trọng
    pair = f"{tok.fold} {name.fold}"
    if pair in lex.NOT_PERSON_PAIRS or pair in lex.COMPOUNDS or pair in _KIN_NOT_PAIRS:
        return None  # "bán hàng", "bạn thân"
    end = k + 2 if _second_given(doc, k + 1) else k + 1
    after, then = doc.word(end), doc.word(end + 1)
    if after is not None and doc.adjacent(end) and _CLASS_CODE_RE.fullmatch(after.text):
        return k, end  # (#17, round 6) "con ngọc trinh 9a4": a class's code after the name
    if after is None or not doc.adjacent(end) or then is None or not doc.adjacent(end + 1):
        return None
    whose = after.fold == "nha" and then.fold in _HOME_OWNER_F  # "nhà tôi"
    which = after.fold in {"lop", "lp"} and (then.is_digit or then.fold in _CLASS_OWNER_F)
    age = after.is_digit and then.fold == "tuoi"  # "4 tuổi"
    if class_needed:
        return (k, end) if which else None
    return (k, end) if whose or which or age else None


def _kin_here(doc: _Doc, i: int) -> tuple[int, int] | None:
    """ "em hùng đây", "con lan đây mẹ ơi", "cháu tú nè": a kin word, a lowercase given name,
    then "đây" (written with its accent) or "nè": the writer saying who is writing."""
    tok, name, here = doc.word(i), doc.word(i + 1), doc.word(i + 2)
    if tok is None or name is None or here is None or tok.loose:
        return None
    if tok.fold not in _KIN_F or not (doc.adjacent(i + 1) and doc.adjacent(i + 2)):
        return None
    if not (here.low == "đây" or here.fold == "ne") or not name.text.islower():
        return None
    if name.low not in _CUED_GIVEN or name.fold in {"mai", "nay", "day"}:
        return None  # "mai đây": some day
    if _in(name, lex.STOP_WORDS, _STOP_F) or _in(name, lex.KINSHIP, _KINSHIP_F):
        return None
    return i + 1, i + 2


# (#17, round 5) and what a person does, said of them: "Tuấn nó đánh e", "Hùng hay chặn đường"
_OPENING_AFTER_F = _folded(words("đây nè lớp bị ơi nó hay cứ suốt toàn"))
_AFTER_HERE_F = _folded(words("ạ nè nha nhé ạh"))
_SUBJECTS = words("văn toán sử địa anh lý hóa hoá sinh tin nhạc")
_SUBJECTS_F = _folded(_SUBJECTS)


def _opening_name(doc: _Doc, i: int) -> tuple[int, int] | None:
    """A capitalised given name opening a sentence, then what only a person is followed by:
    "Lan đây, em bị…", "Huy đây ạ", "Tuấn Anh lớp 8C hay chặn đường em", "Hùng ơi". Mid-
    sentence capitals are the other rules' business; "Mai em đi", "Hoa hồng", "An toàn",
    "Văn lớp 9" (a subject) are no names."""
    tok = doc.word(i)
    if tok is None or not tok.is_cap or not doc.sentence_start(i) or doc.title_style:
        return None
    # (#17, round 5) "Hóa lớp 9" is a subject, "Hoa ơi" a girl: the accents tell them apart
    if not _in(tok, lex.GIVEN_NAMES, _GIVEN_F) or _in(tok, _SUBJECTS, _SUBJECTS_F):
        return None
    if tok.fold in {"an", "anh"} or _place_run(doc, i) is not None or _tomorrow(doc, i):
        return None  # "An lớp 6 …", "Vinh lớp 3": the pronoun, "an toàn", a city; "Mai nó về"
    end = i + 1
    nxt = doc.word(end)
    if nxt and doc.adjacent(end) and nxt.is_cap and _in(nxt, _CUED_GIVEN, _CUED_GIVEN_F):
        end += 1  # "Tuấn Anh"
    joiner = end < len(doc.toks) and (
        doc.toks[end].text == "," or doc.toks[end].fold in {"va", "voi", "vs"}
    )
    if joiner:
        listed = doc.word(end + 1)
        if listed is not None and listed.is_cap and _in(listed, lex.GIVEN_NAMES, _GIVEN_F):
            return i, end  # "Dũng, Hiếu, Phát đánh em", "Tuấn với Long": a list of names
    if (
        end + 1 < len(doc.toks)
        and doc.toks[end].text == "("
        and doc.toks[end + 1].fold in {"lop", "hs"}
    ):
        return i, end  # "Hằng (lớp 7A) bị bắt nạt"
    after = doc.word(end)
    if after is None or not doc.adjacent(end) or after.is_cap:
        return None
    if after.fold not in _OPENING_AFTER_F or (after.loose and after.fold == "day"):
        return None
    if f"{tok.fold} {after.fold}" in lex.COMPOUNDS:
        return None
    if after.fold == "lop" and not (doc.word(end + 1) and doc.toks[end + 1].is_digit):
        return None
    then = doc.toks[end + 1] if end + 1 < len(doc.toks) else None
    if after.fold == "day" and then is not None and then.is_word and then.fold not in _AFTER_HERE_F:
        return None  # "Mai đây em sẽ đi" (some day), "Hồng đây là hoa gì": no one is here
    if after.fold == "oi" and then is not None and then.fold == "la":
        return None  # "Bình ơi là bình": a sigh
    return i, end


def _listed_after_name(doc: _Doc, i: int) -> bool:
    """ "Bình với An", "Hùng và Anh": a capitalised "An"/"Anh" listed after a given name is a
    name too, not the pronoun or "an toàn"."""
    joiner, before = doc.word(i - 1), doc.word(i - 2)
    return (
        joiner is not None
        and before is not None
        and joiner.fold in {"va", "voi"}
        and before.is_cap
        and _in(before, lex.GIVEN_NAMES, _GIVEN_F)
        and doc.adjacent(i)
        and doc.adjacent(i - 1)
    )


def _cued_given_name(name: _Tok) -> bool:
    """A lowercase word after a person cue that is a given name, not an everyday word, a
    kinship word, a verb or a sex ("nam", "nữ", "gái", "trai")."""
    if not (name.low in _CUED_GIVEN or (name.loose and name.fold in _CUED_GIVEN_F)):
        return False
    return not (
        _in(name, lex.STOP_WORDS, _STOP_F)
        or _in(name, lex.KINSHIP, _KINSHIP_F)
        or _in(name, lex.VERB_NAMES, _VERB_NAMES_F)
        or name.low in lex.NOT_NAMES
        or name.fold in {"nam", "nu", "gai", "trai"}
    )
