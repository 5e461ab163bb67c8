"""Addresses, schools and licence plates (#6, #17): address words followed by a number or a
name, and what still belongs to the address after them."""

from __future__ import annotations

import re
from functools import lru_cache

from handlers import redact_gazetteer as gazetteer
from handlers import redact_lexicon as lex
from handlers.redact_doc import (
    _GIVEN_F,
    _NAME_SYLLABLES,
    _NAME_SYLLABLES_F,
    _STOP_F,
    _SURNAMES_F,
    Span,
    _Doc,
    _folded,
    _in,
    _phrases,
    _Tok,
    _word_is,
)
from handlers.redact_lexicon import words
from nlu.text import fold

# ---------------------------------------------------------------------------- licence plates

_PLATE_RE = re.compile(
    r"(?<![\w.])(?P<province>[1-9]\d)\s?-?\s?(?P<series>[A-Za-z]{1,2}\d?)(?P<sep>\s?[-.]?\s?)"
    r"(?P<number>\d{3}[.\s]?\d{2}|\d{4})(?![\w])"
)
_PLATE_CUE_RE = re.compile(r"(?<!\w)(?:bien so|bien|bks|bsx|bs|xe|plate)(?!\w)")
_CLASS_BEFORE_RE = re.compile(r"(?<!\w)(?:lop|phong|nha|toa|khu)\s*$")


def _plate_spans(doc: _Doc) -> list[Span]:
    spans = []
    for m in _PLATE_RE.finditer(doc.text):
        before = doc.folded[max(0, m.start() - 20) : m.start()]
        if _CLASS_BEFORE_RE.search(before):
            continue
        cued = bool(_PLATE_CUE_RE.search(before))
        series = m.group("series")
        formatted = bool(m.group("sep").strip()) or "." in m.group("number")
        if cued or (series[0].isupper() and formatted):
            spans.append(Span(m.start(), m.end(), "BIỂN_SỐ"))
    return spans


# ---------------------------------------------------------------------------- addresses

_FINE = _phrases(lex.ADDRESS_FINE)
_COARSE = _phrases(lex.ADDRESS_COARSE)
_LOCATION_CUES = _phrases(lex.LOCATION_CUES)
_ADDRESS_CUE = (("địa", "chỉ"), ("đ", "/", "c"))
_ADDRESS_WORDS_F = frozenset(
    fold(w) for p in lex.ADDRESS_FINE + lex.ADDRESS_COARSE for w in p.split()
)
_ABBREVIATIONS = {
    "p": "fine",
    "f": "fine",
    "q": "coarse",
    "tp": "coarse",
    "tx": "coarse",
    "h": "coarse",
    "t": "coarse",
    "đ": "fine",  # đường
    "ng": "fine",  # ngõ
    # (#17, round 6) "x. Yên Trung", "TT. Phong Châu": read only inside an address begun
    "x": "coarse",
    "tt": "coarse",
}
_GLUED_ABBREV_RE = re.compile(r"[pqf]\d{1,2}")
# (#17, round 5) an alley, hamlet or quarter written glued to its number on a form: "K12/5"
# (kiệt), "KP4", "TDP5", "H45" (hẻm), "N12" (ngõ); read where an address starts or goes on
_GLUED_FINE_RE = re.compile(r"(?:k|kp|tdp|h|ng|kdc|ap|to)\d{1,3}[a-z]?")
_SENTENCE_END = {".", "!", "?", ";", "<>"}
_NOT_AFTER = {("xóm",): ("hàng",), ("xã",): ("thị",), ("phố",): ("thành",)}
_NEVER_AFTER: dict[tuple[str, ...], set[str]] = {
    ("xã",): {"hội", "hoi"},
    ("tổ",): {"chức", "chuc", "trưởng", "truong", "cáo", "cao"},
    # "đường dây nóng", "đường link", "số điện thoại", "khu vực", "đội đá"
    ("đường",): {"dây", "link", "truyền", "sắt", "ray", "tàu", "đi", "về", "cùng", "phố", "xá"},
    ("số",): {"điện", "tiền", "lượng", "phận", "liệu", "đt", "dt", "sđt", "tài", "máy"},
    ("khu",): {"vực", "vui", "chế", "công", "dân"},
    ("đội",): {"đá", "bóng", "tuyển", "nhóm", "viên", "trưởng", "mũ", "lên"},
    # (#17, round 7) "xóm chài" (a fishing hamlet), "xóm trọ" (rented rooms), "xóm nghèo"
    ("xóm",): {"chài", "trọ", "tro", "nghèo", "đạo", "liều", "lao", "dưới", "trên", "bên"},
}


@lru_cache(maxsize=32)
def _never_after_f(phrase: tuple[str, ...]) -> frozenset[str]:
    return _folded(frozenset(_NEVER_AFTER[phrase]))


_WEAK_FINE = {
    ("tổ",), ("đội",), ("khu",), ("lô",), ("số",), ("bản",), ("tòa",), ("căn",), ("kp",),
    ("cụm",), ("tiểu", "khu"), ("liên", "gia"), ("khối",), ("khu", "vực"),
}  # fmt: skip
# A unit inside a building or a block ("tòa A2", "lô B12", "căn 1508"): its number may be a code
_UNITS = {("tòa",), ("lô",), ("căn",), ("căn", "hộ"), ("chung", "cư")}
_UNIT_CODE_RE = re.compile(r"[A-Za-z]{0,3}\d{1,4}[A-Za-z]?|[A-Z]{1,3}")
_ACCENT_ENOUGH = {("tổ",), ("đội",)}  # "tổ 7" written with its accent is an address
_NAMED_AFTER_PEOPLE = {("đường",), ("phố",)}
_NEEDS_CAPITAL = {
    ("chung", "cư"), ("tòa",), ("khu",), ("khu", "tập", "thể"), ("khu", "đô", "thị"), ("căn",),
    ("căn", "hộ"), ("khu", "dân", "cư"), ("kdc",), ("khu", "tái", "định", "cư"),
}  # fmt: skip
_PLACE_STOP = words(
    """bên trên dưới khác ngoài trong gần xa tàu nhỏ lớn này đó kia chính cao tầng
    làng quê xóm huyện tỉnh nhà đặc vùng miền nghèo biên khó mình ta nào"""
)
_PLACE_STOP_F = _folded(_PLACE_STOP)


# (#17, round 5) an address written in English: after "live(s) at/in", "address (is)",
# "add:", "my house (is at)", or a house number then a street word ("12 Nguyen Hue Street"),
# comma-separated parts: house numbers ("No. 7", "45", "12/3B"), numbered parts ("Lane 12",
# "Ward 13", "District 3", "Alley 34"), and capitalised names ("Tran Phu", "Da Nang")
_EN_ADDRESS_CUE_RE = re.compile(
    r"(?<![\w'])(?:(?:live|lives|lived|living|stay|stays|staying)\s+(?:at|in|on)|address(?:\s+is)?"
    r"|(?:add|addr)(?:\s+(?:của|cua|of)(?:\s+[^\W\d_]+){1,2}(?=\s*:))?|(?:my|our|his|her|their)\s+(?:house|home)(?:\s+is)?(?:\s+(?:at|in|on))?"
    r"|home\s+is\s+(?:at|in|on))\s*:?\s+",
    re.IGNORECASE,
)
_EN_UNIT = (
    r"(?:[Nn]o\.?|[Nn]umber|[Hh]ouse|[Ll]ane|[Aa]lley|[Ww]ard|[Dd]istrict|[Dd]ist\.?|[Hh]amlet|[Gg]roup"
    r"|[Bb]lock|[Rr]oom|[Aa]partment|[Aa]pt\.?|[Zz]one|[Qq]uarter|[Vv]illage|[Cc]ommune|[Kk]iet"
    r"|[Hh]em|[Nn]go|[Nn]gach|[Tt]o|[Kk]hu [Pp]ho)\s*\d+[A-Za-z]?(?:/\d+[A-Za-z]?)*"
)
_EN_PART = (
    rf"(?:(?:{_EN_UNIT}|\d{{1,4}}[A-Za-z]?(?:/\d{{1,4}}[A-Za-z]?)*(?!\w))"
    r"(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ'’-]*){0,5}|[A-ZĐÀ-Ỹ][\wÀ-ỹ'’-]*(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ'’-]*){0,4})"
    r"(?:\s+(?:[Ss]treet|[Ss]t\.?|[Rr]oad|[Rr]d\.?|[Aa]venue|[Aa]ve\.?|[Ll]ane|[Aa]lley|"
    r"[Dd]istrict|[Ww]ard|[Cc]ity|[Pp]rovince|[Vv]illage|[Cc]ommune|[Tt]own))?"
)
_EN_ADDRESS_RE = re.compile(rf"{_EN_PART}(?:\s*[,\-–]\s*{_EN_PART}|\s+{_EN_UNIT})*")
# a house number, or a part finer than a ward, makes it someone's address
_EN_HOME_RE = re.compile(
    r"(?:^|,\s*)\d|(?:[Nn]o\.?|[Nn]umber|[Hh]ouse|[Ww]ard|[Cc]ommune|[Ll]ane|[Aa]lley|[Hh]amlet|[Gg]roup|[Bb]lock|[Rr]oom"
    r"|[Aa]partment|[Aa]pt\.?|[Kk]iet|[Hh]em|[Nn]go|[Nn]gach|[Tt]o|[Kk]hu [Pp]ho)\s*\d"
)
_EN_STREET_RE = re.compile(
    r"(?<![\w/])\d{1,4}[A-Za-z]?(?:/\d{1,4}[A-Za-z]?)*(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ'’-]*){1,5}\s+"
    r"(?:[Ss]treet|[Ss]t\.|[Rr]oad|[Aa]venue)(?!\w)"
)


# (#17, round 7) a street named after "lives on/in": "he lives on Nguyen Trai street"
_EN_LIVES_ON_STREET_RE = re.compile(
    r"(?<![\w'])(?:live|lives|lived|living|stay|stays|staying)\s+(?:on|in|at)\s+"
    r"(?P<street>(?:[A-ZĐÀ-Ỹ][\wÀ-ỹ'’-]*\s+){1,4}(?:[Ss]treet|[Ss]t\.?|[Rr]oad|[Aa]venue)(?!\w))"
)


def _english_address_spans(doc: _Doc) -> list[Span]:
    spans = [
        Span(m.start("street"), m.end("street"), "ĐỊA_CHỈ")
        for m in _EN_LIVES_ON_STREET_RE.finditer(doc.text)
    ]
    for cue in _EN_ADDRESS_CUE_RE.finditer(doc.text):
        m = _EN_ADDRESS_RE.match(doc.text, cue.end())
        if m is None or not _EN_HOME_RE.search(m.group()):
            continue  # "I live in Hanoi", "in District 7": a city or a district is no address
        end = m.end()
        while doc.text[end - 1 : end] in {".", ",", " "}:
            end -= 1
        spans.append(Span(m.start(), end, "ĐỊA_CHỈ"))
    for m in _EN_STREET_RE.finditer(doc.text):
        more = _EN_ADDRESS_RE.match(doc.text, m.start())
        end = more.end() if more else m.end()
        while doc.text[end - 1 : end] in {".", ",", " "}:
            end -= 1
        spans.append(Span(m.start(), max(end, m.end()), "ĐỊA_CHỈ"))
    return spans


def _address_spans(doc: _Doc) -> list[Span]:
    spans: list[Span] = _english_address_spans(doc)
    i = 0
    while i < len(doc.toks):
        found = _address_start(doc, i)
        if found is None:
            i += 1
            continue
        first, end = found
        end = _address_extend(doc, end)
        first = _house_number_before(doc, first)
        if (
            _street_as_a_scene(doc, first, end)
            or _institution_of(doc, first)
            or _ward_as_a_topic(doc, first, end)
        ):
            # kept as a place, and so read as no one's name ("UBND phường Phú Thượng")
            doc.kept_places.append((doc.toks[first].start, doc.toks[end - 1].end))
            i = end
            continue
        first = _room_before(doc, first)
        for home_start, home_end in _home_parts(doc, first, end):
            spans.append(Span(doc.toks[home_start].start, doc.toks[home_end - 1].end, "ĐỊA_CHỈ"))
        i = end
    return [part for span in spans for part in _without_district(doc, span)]


_WARD_WORDS = {("phường",), ("xã",), ("thị", "trấn")}
_ROOM_CODE_RE = re.compile(r"p\d{3,4}[a-z]?")


def _ward_as_a_topic(doc: _Doc, first: int, end: int) -> bool:
    """(#17, round 7) "Phường Bến Nghé là phường trung tâm, có …": a ward or commune alone,
    talked about, with no "ở"/"tại"/"địa chỉ" before it and nothing finer in it, is a place
    like a district named alone: it says where, not whose home."""
    found = doc.match_any(first, _FINE)
    if found is None or found[1] not in _WARD_WORDS or _location_cue_before(doc, first):
        return False
    if any(doc.match_any(j, _FINE) is not None for j in range(first + 1, end)):
        return False  # "phường 3, tổ 5": something finer follows
    before = doc.word(first - 1)
    if before is not None and doc.adjacent(first) and before.fold in _WHO_LIVES_F:
        return False  # "nhà bé phường 5", "bé ở cùng bà phường 3"
    after, then = doc.word(end), doc.word(end + 1)
    is_la = after is not None and _word_is(after, "là")
    if is_la and then is not None and then.fold in {"noi", "que", "cho", "nha"}:
        return False  # "Phường 5 là nơi em ở", "xã Tân Phú là quê em": a home
    return after is not None and (_word_is(after, "là") or after.fold in _TOPIC_AFTER_F)


_WHO_LIVES_F = _folded(words("nhà ở tại sống trú quê về đến"))
_TOPIC_AFTER_F = _folded(words("có thì này đó"))


def _room_before(doc: _Doc, first: int) -> int:
    """(#17, round 7) "P1205 tòa HH2 chung cư Linh Đàm": a flat's number glued to its "P"
    (phòng) written before the block it is in belongs to the address."""
    before = doc.word(first - 1)
    if before is None or not doc.adjacent(first):
        return first
    found = doc.match_any(first, _FINE)
    if _ROOM_CODE_RE.fullmatch(before.low) and found is not None and found[1] in _UNITS:
        return first - 1
    return first


# ---------------------------------------------------------------------------- district and up
# (#17, round 7) An address is redacted down to its ward or commune; the district, town and
# province after it stay (", Ba Đình", " Q.3", ", huyện Nghi Lộc", ", TP Thái Nguyên"): they
# identify nobody and tell staff where to refer. One rule for every address, Vietnamese or
# English ("…, Ba Dinh District", "…, District 7, HCMC").
_SEPARATORS = {",", "-", "–", ";"}
_COARSE_ABBREVIATIONS = frozenset({"q", "h", "tp", "tx", "t"})
_GLUED_DISTRICT_RE = re.compile(r"q\d{1,2}")
_ENGLISH_COARSE_F = frozenset({"district", "dist", "city", "province"})
_MORE_CITIES_F = frozenset({"hanoi", "saigon", "danang", "hochiminh", "hue", "hcmc"})


def _coarse_at(doc: _Doc, j: int, separated: bool, end: int) -> bool:
    """A district, town or province starts at token j of an address ending at `end`."""
    tok = doc.word(j)
    if tok is None:
        return False
    dotted = j + 1 < len(doc.toks) and doc.toks[j + 1].text == "." and doc.adjacent(j + 1)
    if doc.match_any(j, _COARSE) is not None and doc.word(j + 1) is not None:
        return tok.low != "t" or separated
    if tok.low in _COARSE_ABBREVIATIONS and dotted and (separated or tok.low != "t"):
        return True
    if _GLUED_DISTRICT_RE.fullmatch(tok.low):
        return True  # "nguyen trai q1"
    if tok.text in {"q", "h"} and separated and doc.word(j + 1) is not None and doc.adjacent(j + 1):
        return True  # ", q 3", ", h cu chi": typed without the dot
    after = doc.word(j + 1)
    if tok.fold in {"district", "dist"} and (separated or (after is not None and after.is_digit)):
        return True  # "District 7"
    if tok.fold in _ENGLISH_COARSE_F and separated:
        return True  # "…, City"
    run = _gazetteer_run(doc, j)
    # the whole part: "Tân Thạnh Đông" is a commune, though "Tân Thạnh" is a district
    if run is None or (
        run < end
        and doc.toks[run].is_word
        and doc.toks[run].fold not in _ENGLISH_COARSE_F
        and not _coarse_at(doc, run, False, end)
    ):
        return False
    if separated:
        return True
    # "123 Nguyễn Trãi Thanh Xuân", "xóm 7 Hải Quang Hải Hậu Nam Định": after a street's or a
    # hamlet's name (not right after its keyword or its number: "kiệt 77 Hải Phòng" is a street)
    before = doc.word(j - 1)
    return (
        before is not None
        and before.is_alpha
        and doc.adjacent(j)
        and not _keyword_ends_at(doc, j)
        and run - j >= 2
    )


def _keyword_ends_at(doc: _Doc, j: int) -> bool:
    """An address keyword ends right before token j ("thị trấn| Thanh Sơn", "xã| Hòa Bình"),
    also typed without its accent in accented writing ("ở khom| vinh thuan": the hamlet's
    name, though a district is called so too)."""
    before = doc.word(j - 1)
    if before is not None and before.plain and before.fold in _PLAIN_KEYWORDS:
        return True
    for start in range(max(0, j - 4), j):
        for phrases in (_FINE, _COARSE):
            found = doc.match_any(start, phrases)
            if found is not None and found[0] == j:
                return True
    return False


def _gazetteer_run(doc: _Doc, j: int) -> int | None:
    """End of a district, town or province written bare at token j ("Đống Đa", "Cư M'gar")."""
    best = None
    name = ""
    k = j
    while k < len(doc.toks) and k - j < 7 and (k == j or doc.adjacent(k)):
        tok = doc.toks[k]
        if tok.text in {"'", "’"} and k > j and _apostrophe_join(doc, k):
            name += "'"
        elif tok.is_alpha:
            glued = k > j and doc.toks[k - 1].text in {"'", "’"}
            name += tok.fold if glued or not name else " " + tok.fold
            if name in gazetteer.COARSE_PLACES or (k == j and name in _MORE_CITIES_F):
                best = k + 1
        else:
            break
        k += 1
    return best


def _home_parts(doc: _Doc, first: int, end: int) -> list[tuple[int, int]]:
    """The home parts of the address at tokens [first, end): all of it but its districts,
    towns and provinces, which are noted in `doc.kept_places` ("P. 5, Q. 8, hẻm 118 Dương Bá
    Trạc": two home parts around a district)."""
    homes = []
    piece = first
    j = first + 1
    while j < end:
        separated = doc.toks[j - 1].text in _SEPARATORS
        if not (doc.toks[j].is_word and _coarse_at(doc, j, separated, end)):
            j += 1
            continue
        cut = j
        while cut > piece and doc.toks[cut - 1].text in _SEPARATORS | {"."}:
            cut -= 1
        if cut > piece:
            homes.append((piece, cut))
        k = j + 1
        while k < end and doc.toks[k].text not in _SEPARATORS:
            k += 1
        doc.kept_places.append((doc.toks[j].start, doc.toks[k - 1].end))
        while k < end and doc.toks[k].text in _SEPARATORS:
            k += 1
        piece = j = k
    if piece < end:
        homes.append((piece, end))
    return homes


def _without_district(doc: _Doc, span: Span) -> list[Span]:
    """An English address (found on characters, not tokens) cut the same way."""
    first = next((n for n, t in enumerate(doc.toks) if t.start >= span.start), None)
    if first is None:
        return [span]
    end = first
    while end < len(doc.toks) and doc.toks[end].end <= span.end:
        end += 1
    return [
        Span(doc.toks[a].start, doc.toks[b - 1].end, span.type)
        for a, b in _home_parts(doc, first, end)
    ]


_ALLEYS_F = _folded(words("ngõ ngách hẻm kiệt"))
_ON_THE_STREET_F = _folded(words("trên dọc giữa ngoài qua ra"))


_INSTITUTIONS = _phrases(
    (
        "ubnd", "ủy ban", "uỷ ban", "ủy ban nhân dân", "uỷ ban nhân dân", "nhà văn hóa",
        "nhà văn hoá", "trạm y tế", "công an", "đồn công an", "hội trường", "bưu điện",
        "tòa án", "toà án", "trụ sở", "hội phụ nữ", "đoàn thanh niên", "trung tâm y tế",
    )
)  # fmt: skip
_ADMIN_UNITS_F = _folded(words("phường xã thôn ấp xóm bản khóm thị quận huyện"))


def _institution_of(doc: _Doc, first: int) -> bool:
    """(#17, round 5) "UBND phường Bến Thành", "nhà văn hóa thôn Đoài": a ward or a hamlet
    named as an office's, where one reports or meets, not as anyone's home."""
    if doc.toks[first].fold not in _ADMIN_UNITS_F:
        return False
    for start in range(max(0, first - 5), first):
        for phrase in _INSTITUTIONS.starting_with(doc.toks[start].fold):
            if doc.match(start, phrase) == first:
                return True
    return False


def _street_as_a_scene(doc: _Doc, first: int, end: int) -> bool:
    """(#17, round 5) "hôm qua trên đường Láng có vụ đánh nhau": a street named as where
    something happened, with no house or alley number, is nobody's address."""
    tok, before = doc.toks[first], doc.word(first - 1)
    if tok.fold not in {"duong", "pho"}:
        return False
    if any(t.is_digit or t.text == "," for t in doc.toks[first:end]):
        return False
    if before is not None and before.fold in _ON_THE_STREET_F:
        return True
    # (#17, round 6) "Đường Trường Sơn đang sửa": the street opening a sentence, as what
    # something is said of, a lowercase word after it
    after = doc.word(end)
    return (
        doc.sentence_start(first)
        and after is not None
        and doc.adjacent(end)
        and after.text.islower()
        and after.fold not in _ADDRESS_WORDS_F
    )


def _house_number_before(doc: _Doc, first: int) -> int:
    """(#17, round 5) "22 Kiet 61 Ngo Quyen", "9 Hem 32 Nguyen Trai": the house number
    written before the alley it stands in belongs to the address."""
    tok = doc.toks[first]
    dotted = first + 1 < len(doc.toks) and doc.toks[first + 1].text == "."
    if (
        tok.fold not in _ALLEYS_F
        and not _GLUED_FINE_RE.fullmatch(tok.low)
        and not (dotted and tok.low in {"ng", "h", "k", "ngh"})
    ):
        return first
    j = first - 1
    while j >= 2 and doc.toks[j - 1].text == "/" and doc.toks[j - 2].is_digit:
        j -= 2  # "12/3 hẻm 5"
    house = doc.word(j)
    if (
        house is None
        or not doc.adjacent(first)
        or not re.fullmatch(r"\d{1,4}[A-Za-z]?", house.text)
    ):
        return first
    counted = doc.word(j - 1)
    if counted is not None and counted.fold in {"lop", "phong", "tang", "xe", "tuyen"}:
        return first  # "lớp 9 ngõ ...": no house number
    if counted is not None and doc.adjacent(j) and counted.fold in {"so", "sn", "nha"}:
        return j - 1  # "số 3 Ng. 7 Tôn Thất Tùng"
    return j


def _location_cue_before(doc: _Doc, i: int) -> bool:
    colon = i > 0 and doc.toks[i - 1].text == ":"  # "đc: 9 ngõ Huế"
    at = i - 1 if colon else i
    for phrase in _LOCATION_CUES.all:
        j = at - len(phrase)
        if j >= 0 and doc.match(j, phrase) == at and (colon or doc.adjacent(i)):
            return True
    return False


def _address_start(doc: _Doc, i: int) -> tuple[int, int] | None:
    """(first token, end) of an address starting at token i."""
    tok = doc.word(i)
    if tok is None:
        return None
    # "địa chỉ: ..." / "địa chỉ nhà em là ...": the rest of the clause is the address
    for phrase in _ADDRESS_CUE:
        end = doc.match(i, phrase) if phrase[0] != "đ" else _match_slash_abbrev(doc, i)
        if end is None:
            continue
        k = end
        announced = False
        # "Địa chỉ nhà bạn ấy: 7 Lý Nam Đế": whose address it is, then a colon
        # (#17, round 5) or "là": "địa chỉ nhà bạn ấy là 12 Nguyễn Huệ"
        colon = next(
            (
                j
                for j in range(k, min(k + 6, len(doc.toks)))
                if doc.toks[j].text == ":" or (j > k and _word_is(doc.toks[j], "là"))
            ),
            None,
        )
        if colon is not None and all(
            doc.toks[j].is_alpha and doc.toks[j].fold in _WHOSE_ADDRESS_F for j in range(k, colon)
        ):
            k, announced = colon + 1, True
        while k < len(doc.toks) and (
            doc.toks[k].text == ":" or _in(doc.toks[k], _FILLER, _FILLER_F)
        ):
            announced = announced or doc.toks[k].text == ":" or _word_is(doc.toks[k], "là")
            k += 1
        if k < len(doc.toks):
            element = _address_element(doc, k, lowercase_ok=True)
            stop = element or (_clause_end(doc, k) if announced else k)
            if stop > k:
                return k, stop
    unit = _unit_start(doc, i)
    if unit is not None:
        return i, unit
    if tok.low == "sn" and doc.word(i + 1) is not None and doc.toks[i + 1].is_digit:
        house = _number_chain(doc, i + 1)  # "sn 12 ng. 45 ...": số nhà, on a form
        if house is not None and doc.adjacent(house) and _address_word_or_abbrev(doc, house):
            street = _keyword_element(doc, house, lowercase_ok=True)
            if street is not None:
                return i, street
    if (
        tok.is_digit
        or tok.fold in _ADDRESS_WORDS_F
        or tok.low in _ABBREVIATIONS
        or _GLUED_FINE_RE.fullmatch(tok.low)
    ):
        cued = _location_cue_before(doc, i)
    else:
        return None
    element_end = _keyword_element(doc, i, lowercase_ok=cued, starting=True)
    if element_end is not None:
        return i, element_end
    # a house number right after "ở"/"tại": "ở 123/45 Nguyễn Trãi", "tại 56 đường 3/2"
    if cued and tok.is_digit:
        house = _number_chain(doc, i)
        counted = doc.word(house) if house is not None else None
        if counted is not None and counted.fold in _COUNT_AFTER_F:
            return None  # "ở 2 tháng", "bé nhà tôi 18 tháng"
        if house is not None and doc.adjacent(house):
            street = _place_run_at(doc, house, 5) or _keyword_element(doc, house, lowercase_ok=True)
            if street is None and (doc.lowercase_style or not doc.accented):
                street = _lower_street(doc, house)  # "o 25 nguyen trai q1"
            if street:
                return i, street
    return None


def _address_word_or_abbrev(doc: _Doc, k: int) -> bool:
    tok = doc.word(k)
    if tok is None:
        return False
    dotted = k + 1 < len(doc.toks) and doc.toks[k + 1].text == "."
    return _address_word_at(doc, k) or (tok.low in _ABBREVIATIONS and dotted)


_ROOM_WORDS = frozenset({"phòng", "nhà"})
_ROOM_WORDS_PLAIN = frozenset({"phong", "nha"})


def _room_word(tok: _Tok) -> bool:
    return tok.low in _ROOM_WORDS or (tok.loose and tok.fold in _ROOM_WORDS_PLAIN)


def _unit_code(doc: _Doc, k: int, letters_ok: bool = True) -> int | None:
    """End of a flat's, block's or lot's number at token k: "1203", "A2", "CT2", "B12", and,
    with `letters_ok`, a block's letter ("nhà B")."""
    tok = doc.word(k)
    if tok is None:
        return None
    if tok.is_digit:
        end = _number_chain(doc, k)
        toks = doc.toks
        if (
            end is not None
            and end + 1 < len(toks)
            and toks[end].text in {".", "-"}
            and toks[end + 1].is_digit
            and toks[end - 1].end == toks[end].start
            and toks[end].end == toks[end + 1].start
        ):
            end += 2  # (#17, round 7) "căn 12.05": floor and flat
        return end
    toks = doc.toks
    if (
        tok.is_upper
        and len(tok.text) <= 3
        and k + 2 < len(toks)
        and toks[k + 1].text in {"-", "."}
        and toks[k + 2].is_digit
        and tok.end == toks[k + 1].start
        and toks[k + 1].end == toks[k + 2].start
    ):
        return k + 3  # "A-1205", "B.12"
    coded = bool(_UNIT_CODE_RE.fullmatch(tok.text)) and not tok.is_alpha
    lettered = letters_ok and tok.is_upper and len(tok.text) <= 2 and not doc.caps_style
    return k + 1 if coded or lettered else None


def _unit_start(doc: _Doc, i: int) -> int | None:
    """ "phòng 502 nhà B4 khu tập thể Thành Công": a room and a block are a home's address
    only when a block, estate or street follows ("phòng 302 nhà B" of a school is not)."""
    tok = doc.word(i)
    if tok is None or not _room_word(tok):
        return None
    j = _unit_code(doc, i + 1) if doc.adjacent(i + 1) else None
    if j is None:
        return None
    while j < len(doc.toks):
        k = j + 1 if doc.toks[j].text == "," else j
        nxt = doc.word(k)
        if nxt is not None and _room_word(nxt):
            code = _unit_code(doc, k + 1) if doc.adjacent(k + 1) else None
            if code is None:
                return None
            j = code
            continue
        found = doc.match_any(k, _FINE)
        if found is None or found[1] in _UNITS or found[1] in _WEAK_FINE:
            return None
        element = _keyword_element(doc, k, lowercase_ok=False)
        return element
    return None


_FILLER = words("nhà của em tôi mình tui con cháu là nhà")
# Words between "địa chỉ" and a colon that say whose or which address it is
_WHOSE_ADDRESS_F = _folded(
    words(
        """nhà của em tôi mình tui con cháu bạn ấy nó chị anh cô thầy bé người đó hiện tại
        thường trú tạm liên hệ cụ thể đầy đủ mới cũ quê gia đình bố mẹ ba má ông bà"""
    )
)
# Words after a number that make it a count, not a house number ("bé nhà tôi 18 tháng")
_COUNT_AFTER_F = _folded(
    words(
        """tuổi tháng năm ngày tuần giờ tiếng phút lần người đứa đồng nghìn ngàn triệu trăm
        chục kg km cm mét cân tầng"""
    )
)
_FILLER_F = _folded(_FILLER)


def _match_slash_abbrev(doc: _Doc, i: int) -> int | None:
    toks = doc.toks
    if (
        i + 2 < len(toks)
        and toks[i].low in {"đ", "d"}
        and toks[i + 1].text == "/"
        and toks[i + 2].low == "c"
    ):
        return i + 3
    return None


def _clause_end(doc: _Doc, k: int) -> int:
    j = k
    while (
        j < len(doc.toks)
        and doc.toks[j].text not in _SENTENCE_END | {","}
        and (j == k or doc.adjacent(j))
    ):
        j += 1
    return j


def _keyword_element(doc: _Doc, i: int, lowercase_ok: bool, starting: bool = False) -> int | None:
    """End of "keyword + name" at token i (ngõ 34, phường Bến Nghé, P.7), else None."""
    tok = doc.word(i)
    if tok is None:
        return None
    glued = _GLUED_ABBREV_RE.fullmatch(tok.low)
    if glued and not starting:
        return i + 1  # "Q1", "P12", "F7": district or ward written without the dot
    if _GLUED_FINE_RE.fullmatch(tok.low):
        return _glued_fine(doc, i, starting)
    abbrev = _ABBREVIATIONS.get(tok.low)
    if abbrev and i + 1 < len(doc.toks) and doc.toks[i + 1].text == "." and doc.adjacent(i + 1):
        if starting and abbrev == "coarse":
            return None
        k = i + 2
        name = _number_chain(doc, k)
        if name is not None and abbrev == "fine" and doc.adjacent(name):
            # (#17, round 5) "Ng. 7 Tôn Thất Tùng", "đ. 3 Lê Lai": the street after the number
            name = _place_run_at(doc, name, 5) or name
        name = name or _place_run_at(doc, k, 4) or _initial_place(doc, k)
        if name is None and lowercase_ok and (doc.lowercase_style or not doc.accented):
            name = _place_run(doc, k) or _lower_place_name(doc, k, ("phường",), starting)
        return name
    if (
        abbrev
        and not starting
        and tok.text.islower()
        and (doc.lowercase_style or not doc.accented)
        and doc.adjacent(i + 1)
        and doc.word(i + 1) is not None
    ):
        # (#17, round 6) ", p dich vong", ", q 3" inside an address, typed without the dot
        return (
            _number_chain(doc, i + 1)
            or _place_run(doc, i + 1)
            or _lower_tail(doc, i + 1)
            or _lower_name_inside(doc, i + 1)  # (round 7) ", p dong hung thuan"
        )
    if tok.text in {"TT", "Tt"} and not starting and doc.adjacent(i + 1):
        # (#17, round 7) ", TT Ea Drăng": a town (thị trấn) without its dot, inside an address
        return _place_run_at(doc, i + 1, 4)
    if tok.low == "tp" and starting is False:
        if not doc.adjacent(i + 1):
            return None
        name = _place_run_at(doc, i + 1, 4) or _place_run(doc, i + 1)
        if name is None and (doc.lowercase_style or not doc.accented):
            name = _lower_run(doc, i + 1, 3)  # ", tp vung tau"
        return name
    found = doc.match_any(i, _FINE) or _plain_keyword(doc, i)
    if found is None:
        found = doc.match_any(i, _COARSE) or (None if starting else _plain_coarse(doc, i))
        if found is None or starting:
            return None  # a district or province alone is no address
    k, phrase = found
    before = doc.word(i - 1)
    if (
        phrase in _NOT_AFTER
        and before is not None
        and any(_word_is(before, w) for w in _NOT_AFTER[phrase])
    ):
        return None
    after = doc.word(k)
    if after is None or not doc.adjacent(k):
        return None
    if phrase in _NEVER_AFTER and (
        after.low in _NEVER_AFTER[phrase] or (after.loose and after.fold in _never_after_f(phrase))
    ):
        return None
    if (
        tok.is_cap
        and not doc.sentence_start(i)
        and not after.is_digit
        and starting
        and not _location_cue_before(doc, i)
    ):
        return None  # "Phường" mid-sentence capitalised is more often part of a name
    # (inside an address, or after "ở": "ở Thôn Đông, Xã Yên Mỹ" is written so on forms)
    if _office_before(doc, i) and _in(after, lex.SURNAMES, _SURNAMES_F) and after.is_cap:
        return None  # "chủ tịch xã Đỗ Minh Hải": a person, named by office
    if after.low in {"số", "so"} and doc.word(k + 1) and doc.toks[k + 1].is_digit:
        k += 1
    weak = phrase in _WEAK_FINE
    if phrase in _VILLAGES:
        return _village(doc, i, k, phrase, _location_cue_before(doc, i), lowercase_ok)
    name = _numbered_name(doc, k)
    if name is not None:
        return name
    name = _number_chain(doc, k)
    if name is not None and phrase in _UNITS:
        name = _unit_code(doc, k)  # "căn 12.05"
    if name is not None and phrase == ("đường",) and _month_after(doc, name):
        name += 2  # "đường 3 tháng 2", "duong 30 thang 4": a street named after a date
    if name is None and phrase in _UNITS:
        name = _unit_code(doc, k, letters_ok=phrase == ("tòa",))  # "tòa A2", "lô B12"
    if name is not None and doc.adjacent(name):
        lower = lowercase_ok and (doc.lowercase_style or not doc.accented)
        # "hẻm 42 Lê Văn Sỹ", "kiệt 25 Hoàng Diệu", "hem 45 le van sy"
        name = _place_run_at(doc, name, 5) or (lower and _lower_street(doc, name)) or name
    if name is None:
        name = _place_run_at(doc, k, 5, inside=not starting)
        if (
            name is not None
            and starting
            and phrase not in _NEVER_A_WORD
            and not doc.toks[k].is_cap
            and not _location_cue_before(doc, i)
            and not _more_address(doc, name)
        ):
            return None  # in capitals, "KIỆT SỨC", "NGÕ CỤT": an address needs more
    if name is None and lowercase_ok and not weak and (doc.lowercase_style or not doc.accented):
        name = _lower_place_name(doc, k, phrase, starting)
    if (
        name is None
        and doc.caps_style
        and not doc.accented
        and (phrase in _NEVER_A_WORD or phrase in {("xóm",), ("ấp",), ("xã",)})
        and (not starting or _location_cue_before(doc, i))
    ):
        name = _place_run_at(doc, k, 4, inside=True)  # (round 7) "EM O THON DONG XA AN PHU"
    if name is None:
        return None
    if starting and phrase in _ACCENT_ENOUGH and _class_group(doc, i, name):
        return None
    if starting and weak and not (phrase in _ACCENT_ENOUGH and _word_is_accented(tok, phrase[0])):
        follow = _address_extend(doc, name)
        if follow == name and not _house_and_street(doc, k, name, phrase):
            return None  # "xe buýt số 32", "lô 5": only part of an address with more after it
    return _numbered_ward(doc, k, name, phrase)


_NUMBERED_WARDS = {("phường",), ("xã",), ("thị", "trấn"), ("khu", "phố"), ("quận",)}


def _numbered_ward(doc: _Doc, k: int, name: int, phrase: tuple[str, ...]) -> int:
    """(#17, round 6) "phường Hải Châu 1", "phuong hai chau 1": a ward named with a number
    after its name (a name, not the number itself, came first)."""
    nxt = doc.word(name)
    if (
        phrase in _NUMBERED_WARDS
        and name > k
        and not doc.toks[name - 1].is_digit
        and nxt is not None
        and nxt.is_digit
        and len(nxt.text) <= 2
        and doc.adjacent(name)
        and _closes_clause(doc, name + 1)
    ):
        return name + 1
    return name


# (#17, round 7) a group in a class or a team, not a residential group: "tổ 3 lớp em", "lớp 8A
# tổ 4", "em là tổ trưởng tổ 2", "Đội 5 bóng đá"
_GROUP_CONTEXT_F = _folded(
    words("lớp trưởng phó bóng đá trực nhật lao động thi đấu nhóm đội viên tuyển cờ đỏ văn nghệ")
)


def _class_group(doc: _Doc, i: int, end: int) -> bool:
    """ "tổ"/"đội" at token i (its name ending at `end`) in a class or a team, with no more
    of an address after it."""
    if _more_address(doc, end):
        return False
    around = [doc.word(j) for j in (i - 3, i - 2, i - 1, end, end + 1)]
    return any(t is not None and t.fold in _GROUP_CONTEXT_F for t in around)


_UNIT_WORDS_F = _folded(words("block blok tòa toà nhà phòng căn lô tầng dãy"))


def _unit_after(doc: _Doc, k: int) -> int | None:
    """A block, flat or room inside an address already begun: "Block B", "nhà C3",
    "phòng 208", "tầng 12"."""
    tok = doc.word(k)
    if tok is None or tok.fold not in _UNIT_WORDS_F or not doc.adjacent(k + 1):
        return None
    return _unit_code(doc, k + 1)


def _glued_fine(doc: _Doc, i: int, starting: bool) -> int | None:
    """ "K12/5 Phan Chu Trinh", "KP4", "TDP5": an alley or quarter glued to its number. Inside
    an address it is one element; to start one it needs "ở"/"tại" before it or a street name
    after it."""
    j = _past_glued_numbers(doc, i + 1)
    street = _place_run_at(doc, j, 5) if doc.adjacent(j) else None
    if street is None and doc.adjacent(j) and doc.toks[i].text.isupper():
        street = _upper_run(doc, j, 5)  # "Ở KP4 LINH XUÂN": capitals after a glued capital
    if street is None and doc.adjacent(j) and (doc.lowercase_style or not doc.accented):
        street = _lower_street(doc, j)
    if not starting:
        return street or j
    if street is not None and (doc.toks[i].text[0].isupper() or _location_cue_before(doc, i)):
        return street
    if _location_cue_before(doc, i) and _more_address(doc, j):
        return j
    return None


def _upper_run(doc: _Doc, k: int, limit: int) -> int | None:
    """End of a run of words in capitals at token k, up to a common word or an address word."""
    j = k
    while j < len(doc.toks) and j - k < limit and (j == k or doc.adjacent(j)):
        tok = doc.toks[j]
        if (
            not tok.is_upper
            or len(tok.text) > 7
            or _in(tok, _STREET_STOP, _STREET_STOP_F)
            or _address_word_at(doc, j)
        ):
            break
        j += 1
    return j if j > k else None


def _house_and_street(doc: _Doc, k: int, end: int, phrase: tuple[str, ...]) -> bool:
    """ "Số 15/2A Nguyễn Văn Linh", "số 8 Lê Văn Sỹ": a house number and a street named after a
    person (a surname and at least one more syllable) are an address on their own."""
    if phrase != ("số",):
        return False
    chain = _number_chain(doc, k)
    if chain is None or chain >= end:
        return False
    street = doc.toks[chain:end]
    return len(street) >= 2 and street[0].is_cap and _in(street[0], lex.SURNAMES, _SURNAMES_F)


def _month_after(doc: _Doc, j: int) -> bool:
    tok, number = doc.word(j), doc.word(j + 1)
    return (
        tok is not None
        and number is not None
        and tok.fold == "thang"
        and number.is_digit
        and doc.adjacent(j)
        and doc.adjacent(j + 1)
    )


def _numbered_name(doc: _Doc, k: int) -> int | None:
    """ "ngõ Thịnh Hào 1", "hẻm Trần Phú 2": a capitalised name and the number of its branch,
    closed by a comma or the end."""
    end = _cap_run(doc, k, 4)
    if end is None or end >= len(doc.toks) or not doc.adjacent(end):
        return None
    tok = doc.toks[end]
    if not (tok.is_digit and len(tok.text) <= 2 and _closes_clause(doc, end + 1)):
        return None
    return end + 1


# Address words that are no other word ("kiệt" is also kiệt sức, "ngõ" ngõ cụt)
_NEVER_A_WORD = {
    ("thôn",), ("ngách",), ("phường",), ("khóm",), ("thị", "trấn"), ("khu", "phố"),
    ("tổ", "dân", "phố"), ("số", "nhà"),
}  # fmt: skip
_VILLAGES = {("bản",), ("buôn",), ("làng",), ("sóc",), ("plei",), ("phum",)}
# Words before "bản" that make it no village: văn bản, phiên bản, cơ bản, Nhật Bản
_NOT_BEFORE_VILLAGE_F = _folded(
    words("văn phiên cơ nhật kịch tái xuất căn nguyên bộ viết đọc in ký nộp làm một từng mỗi")
)
_NOT_VILLAGE_NAME_F = _folded(
    words(
        """bán người lậu chuyện làng xóm quê nghề trẻ tin đồ thân sao chất kiểm cam nhạc hợp
        tường tự báo khai vẽ nháp gốc chính sos bên kế trên dưới"""
    )
)


def _village(
    doc: _Doc, i: int, k: int, phrase: tuple[str, ...], cued: bool, lowercase_ok: bool
) -> int | None:
    """A village of the highlands or the Mekong (bản, buôn, làng, sóc, plei) is always named:
    "bản Hua Pao", "buôn Ko Siêr", "làng Kon Jơ Dri". Written in lowercase, it counts only
    when more of the address follows ("ban hua pao xa sin suoi ho"); "buôn bán", "làng xóm",
    "văn bản" are words."""
    before = doc.word(i - 1)
    if before is not None and doc.adjacent(i) and before.fold in _NOT_BEFORE_VILLAGE_F:
        return None
    first = doc.toks[k]
    if first.fold in _NOT_VILLAGE_NAME_F:
        return None
    if first.fold in {"cong", "ghe"} and not first.is_cap:
        return None  # (#17, round 7) "ban công", "ban cong tang 4": a balcony
    name = _place_run_at(doc, k, 4)
    if name is None and cued and first.is_alpha and len(first.text) <= 4 and doc.adjacent(k + 1):
        # "ở buôn Ko Siêr", "o buon ko sier": after "ở", the first syllable may be any word
        rest = doc.toks[k + 1] if k + 1 < len(doc.toks) else None
        if rest is not None and rest.is_alpha and (rest.is_cap or rest.is_upper or lowercase_ok):
            name = _place_run_at(doc, k + 1, 3, inside=True) or _lower_run(doc, k + 1, 2)
    if name is None and first.is_digit:
        name = _number_chain(doc, k)  # "bản 3" is rare but written
        return name if name is not None and _more_address(doc, name) else None
    if name is not None:
        if " ".join(t.fold for t in doc.toks[i:name]) in lex.PLACES:
            return None
        # "bản Nà Phặc" alone; in capitals ("BẢN KIỂM ĐIỂM", a school form) only after "ở" or
        # with more of the address after it
        if (first.is_cap and len(first.text) > 1) or cued or _more_address(doc, name):
            return name
        return None
    end = _lower_run(doc, k, 3)
    if end is None and phrase in {
        ("plei",),
        ("phum",),
    }:  # no common word: whatever follows is its name
        end = _clause_end(doc, k) if _clause_end(doc, k) - k <= 3 else None
    if cued and lowercase_ok:
        inside = _lower_name_inside(doc, k)  # (round 7) "o ban pa co, mai chau"
        end = inside if inside is not None and (end is None or inside > end) else end
    if end is None or (not _more_address(doc, end) and not (cued and lowercase_ok)):
        return None
    if " ".join(t.fold for t in doc.toks[i:end]) in lex.PLACES:
        return None  # "tui o soc trang": a province
    return end


_STREET_STOP = words(
    """là bị và thì mà có không ko k đã đang sẽ rồi cũng với của cho ở tại này đó kia ấy
        nó em e tôi toi tui mình mik t bạn anh chị cô thầy ông bà bố mẹ con cháu nhà đi về
        đến nói kể hay hỏi gì ạ nhé nha ơi vậy sao làm đánh chửi được nên phải cần muốn biết
        qua quá lắm rất đây nay xin một mấy những các người đứa thằng bé nhỏ tuổi số sđt"""
)
_STREET_STOP_F = _folded(_STREET_STOP)


def _more_address(doc: _Doc, end: int) -> bool:
    """More of an address follows token `end` (", xã ...", " huyện ...", ", Hà Nội"): a look
    at the next element only, one level deep, so checking costs no recursion into the rest."""
    if doc.looking_ahead:
        return False
    k = end
    comma = False
    while k < len(doc.toks) and doc.toks[k].text in {",", "-", "–"} and k - end < 2:
        comma = True
        k += 1
    if doc.word(k) is None:
        return False
    doc.looking_ahead = True
    try:
        element = _address_element(doc, k, lowercase_ok=True)
        return element is not None or (comma and _place_run(doc, k) is not None)
    finally:
        doc.looking_ahead = False


def _closes_clause(doc: _Doc, j: int) -> bool:
    """Token j ends the clause: the end, or a comma or full stop ("le dinh duong, gan cho":
    "duong" there is the name's last syllable, not "đường" starting another element)."""
    return j >= len(doc.toks) or doc.toks[j].text in _SENTENCE_END | {","}


def _lower_street(doc: _Doc, k: int) -> int | None:
    """A street name in lowercase after a house or alley number ("hem 45 le van sy", "ngo
    102 truong chinh"): two to four syllables, none a common word, one at least a name's
    (streets are named after people)."""
    j = k
    while j < len(doc.toks) and j - k < 4 and (j == k or doc.adjacent(j)):
        tok = doc.toks[j]
        # "nguyen van qua": after a surname and văn/thị, the given name, whatever word it is
        after_middle = (
            j == k + 2
            and _in(doc.toks[k], lex.SURNAMES, _SURNAMES_F)
            and doc.toks[k + 1].fold in {"van", "thi"}
        )
        if (
            not tok.is_alpha
            or not tok.text.islower()
            or len(tok.text) > 7
            or (_in(tok, _STREET_STOP, _STREET_STOP_F) and not after_middle)
            or (
                _address_word_at(doc, j)
                and not (j > k and (_closes_clause(doc, j + 1) or _abbreviated_part(doc, j + 1)))
            )
            or (j >= k + 2 and _district_at(doc, j))
        ):
            break
        j += 1
    if j - k < 2 or not any(t.fold in _NAME_SYLLABLES_F for t in doc.toks[k:j]):
        return None
    return j


def _district_at(doc: _Doc, j: int) -> bool:
    """A known district or city of two words or more starts at token j ("... xuan thuy cau
    giay"): the street's name ends before it."""
    end = _place_run(doc, j)
    return end is not None and end - j >= 2


_NOT_IN_A_PLACE_NAME_F = _folded(
    words(
        """là bị và thì mà có không ko k đã đang sẽ rồi cũng với của cho ở tại này đó kia ấy nó
        em e tôi toi tui mình mik t bạn anh chị cô thầy ông bà bố mẹ con cháu nhà đi về đến nói
        kể hay hỏi gì ạ nhé nha ơi vậy sao làm đánh chửi được nên phải cần muốn biết qua quá
        lắm rất đây nay xin gần cạnh lớp học trường khối ve"""
    )
)


def _lower_name_inside(doc: _Doc, k: int) -> int | None:
    """Two or three lowercase syllables at token k, none a pronoun, verb or particle, closed
    by a comma, the end, or the next address word ("xa nam son huyen soc son")."""

    def closes(j: int) -> bool:
        return (
            j >= len(doc.toks)
            or doc.toks[j].text in _SENTENCE_END | {","}
            or _address_word_at(doc, j)
            or _coarse_at(doc, j, True, len(doc.toks))
        )

    j = k
    while j < len(doc.toks) and j - k < 3 and (j == k or doc.adjacent(j)):
        tok = doc.toks[j]
        if (
            not tok.is_alpha
            or not tok.text.islower()
            or len(tok.text) > 6
            or (j > k and _address_word_at(doc, j))
            or (j > k and _coarse_at(doc, j, False, len(doc.toks)))
        ):
            break
        # unaccented, a name's last syllable may read as a common word ("xa hai minh", "xa tan
        # hoi"): it counts when the address goes on or the clause ends right after it
        if tok.fold in _NOT_IN_A_PLACE_NAME_F and not (j > k and tok.loose and closes(j + 1)):
            break
        j += 1
    if j - k < 2:
        return None
    return j if closes(j) else None


def _lower_place_name(
    doc: _Doc, k: int, phrase: tuple[str, ...], starting: bool = True
) -> int | None:
    """A street, hamlet or ward name written in lowercase ("o xom chua", "duong le loi").
    Streets are nearly always named after people, so a lowercase street name must start like
    one; "đường tàu", "xã bên", "chung cư cao tầng" are not addresses."""
    end = _lower_run(doc, k, 3)
    if phrase in _NAMED_AFTER_PEOPLE:
        street = _lower_street(doc, k)  # "duong nguyen van qua": a person's whole name
        end = street if street is not None and (end is None or street > end) else end
    cued = starting and _location_cue_before(doc, k - len(phrase))  # "o xa tan hoi"
    if (not starting or cued) and (end is None or end - k < 2):
        # (#17, round 7) inside an address begun, a commune's or hamlet's name may hold common
        # words: "xa nam son", "thon ha hoi"
        end = _lower_name_inside(doc, k) or end
    if end is None:
        return None
    end = next((j for j in range(k + 2, end) if _district_at(doc, j)), end)
    first = doc.toks[k]
    if _in(first, _PLACE_STOP, _PLACE_STOP_F):
        return None
    if phrase in _NAMED_AFTER_PEOPLE and starting:  # inside an address, "phố tây sơn" too
        person_like = _in(first, lex.SURNAMES, _SURNAMES_F) or _in(first, lex.GIVEN_NAMES, _GIVEN_F)
        if not person_like or end - k < 2:
            return None
    if phrase in _NEEDS_CAPITAL:
        return None
    return end


_OFFICES = _phrases(("chủ tịch", "cán bộ", "công an", "trưởng", "bí thư", "ủy ban", "ubnd"))


def _office_before(doc: _Doc, i: int) -> bool:
    for phrase in _OFFICES.all:
        j = i - len(phrase)
        if j >= 0 and doc.match(j, phrase) == i:
            return True
    return False


def _word_is_accented(tok: _Tok, word: str) -> bool:
    return tok.low == word and not tok.plain


def _address_element(doc: _Doc, k: int, lowercase_ok: bool) -> int | None:
    element = _keyword_element(doc, k, lowercase_ok=lowercase_ok)
    if element is not None:
        return element
    tok = doc.word(k)
    if tok is not None and tok.is_digit:
        chain = _number_chain(doc, k)
        if chain is not None and doc.adjacent(chain):
            return _place_run_at(doc, chain, 5) or _keyword_element(doc, chain, lowercase_ok=True)
    return None


def _address_extend(doc: _Doc, end: int) -> int:
    """Carry an address on over what still belongs to it: ", Đống Đa, Hà Nội", " quận 3"."""
    while end < len(doc.toks):
        k = end
        comma = False
        while k < len(doc.toks) and doc.toks[k].text in {",", "-", "–"}:
            comma = True
            k += 1
        if k >= len(doc.toks):
            break
        element = _address_element(doc, k, lowercase_ok=True)
        if element is None and not comma and doc.match(k, ("nối", "dài")) is not None:
            element = k + 2  # (#17, round 5) "Nguyễn Văn Cừ nối dài": the street extended
        if element is None and not comma and _district_at(doc, k):
            element = _place_run(doc, k)  # "duong xuan thuy cau giay"
        if (
            element is None
            and not comma
            and doc.adjacent(k)
            and doc.toks[k - 1].is_cap
            and doc.toks[k].is_cap
        ):
            element = _cap_run(doc, k, 4)  # "xóm 7 Hải Quang Hải Hậu Nam Định": run on
        if element is None and comma:
            element = _unit_after(doc, k)  # (#17, round 5) ", Block B, phòng 1205"
        if element is None and comma:
            element = _initial_place(doc, k)  # (#17, round 6) ", Ô Chợ Dừa", ", A Lưới"
        if element is None and comma:
            element = _cap_run(doc, k, 4)  # in capitals, only known places (below)
            if element is None:
                element = _place_run(doc, k)
            if element is None and comma:
                element = _lower_tail(doc, k)
        if element is None:
            break
        end = element
    return end


_CONTACT_WORDS = frozenset(
    {"mail", "email", "gmail", "sdt", "dt", "zalo", "fb", "facebook", "face", "tiktok", "insta",
     "stk", "tk", "so", "ten", "sn", "ns", "nha", "hoc", "lop", "truong", "bo", "me"}
)  # fmt: skip


def _lower_tail(doc: _Doc, k: int) -> int | None:
    """ ", bình tân" / ", thu duc" after an address: a two-syllable place name in lowercase,
    closed by a comma or the end of the clause."""
    end = _lower_run(doc, k, 2)
    if end is None or end - k != 2 or _in(doc.toks[k], _PLACE_STOP, _PLACE_STOP_F):
        return None
    if doc.toks[k].fold in _CONTACT_WORDS:
        return None  # ", mail giahuy.pham…", ", zalo minh …": a contact follows, not a place
    if end >= len(doc.toks) or doc.toks[end].text in _SENTENCE_END | {","}:
        return end
    return None


def _place_run(doc: _Doc, k: int) -> int | None:
    """End of a known district, city or province at token k, however it is written."""
    for size in (4, 3, 2, 1):
        words = doc.toks[k : k + size]
        if (
            len(words) == size
            and all(w.is_alpha for w in words)
            and all(doc.adjacent(k + n) for n in range(1, size))
            and " ".join(w.fold for w in words) in lex.PLACES
        ):
            return k + size
    return None


def _number_chain(doc: _Doc, k: int) -> int | None:
    """End of "12", "15/8", "123/45B" at token k."""
    tok = doc.word(k)
    if tok is None or not tok.is_digit or len(tok.text) > 6:
        return None
    j = _past_glued_numbers(doc, k + 1)
    return j


def _place_run_at(doc: _Doc, k: int, limit: int, inside: bool = False) -> int | None:
    """A place name at token k: capitalised ("Khâm Thiên"), or, in a message written in
    capitals, a run of capitals up to a common word ("NGÕ 34 KHÂM THIÊN, HÀ NỘI")."""
    end = _cap_run(doc, k, limit)
    if end is not None or not (doc.caps_style or _keyword_in_caps(doc, k)):
        return end
    before = doc.toks[k - 1] if k > 0 else None
    if (
        not doc.accented
        and not inside
        and not (before is not None and before.is_digit)
        and not _keyword_in_caps(doc, k, accented=True)
    ):
        return None  # "TO TALK", "SO MUCH", "BAN BE": unaccented capitals say nothing
    j = k
    while j < len(doc.toks) and j - k < limit and (j == k or doc.adjacent(j)):
        tok = doc.toks[j]
        if j > k and _apostrophe_join(doc, j):
            j += 2  # "CƯ M'GAR"
            continue
        if (
            not tok.is_upper
            or len(tok.text) > 7
            or _in(tok, _STREET_STOP, _STREET_STOP_F)
            or (j == k and tok.low in _PLACE_STOP)
            or _address_word_at(doc, j)
            or _abbreviated_part(doc, j)  # "TDP 5 P. Quang Trung": the ward, no street
        ):
            break
        j += 1
    return j if j > k else None


def _apostrophe_join(doc: _Doc, j: int) -> bool:
    """Token j is an apostrophe inside a name ("M'Gar", "Đắk R'Lấp"): no space either side."""
    toks = doc.toks
    return (
        toks[j].text in {"'", "’"}
        and j + 1 < len(toks)
        and toks[j - 1].end == toks[j].start
        and toks[j].end == toks[j + 1].start
        and toks[j + 1].is_alpha
    )


# Address words typed without their accent in a message that has accents elsewhere ("em sống
# ở kiet 25 hoang dieu"): those that are no other word, or any before a number.
_PLAIN_KEYWORDS = {fold(p[0]): p for p in _FINE.all if len(p) == 1}
_PLAIN_ALONE = frozenset({"thon", "xom", "ngach", "khom", "hem", "plei", "phum"})
_PLAIN_VILLAGES = frozenset({"ban", "buon", "lang", "soc", "ap"})


def _plain_keyword(doc: _Doc, i: int) -> tuple[int, tuple[str, ...]] | None:
    tok = doc.toks[i]
    if tok.loose or not tok.plain or not tok.text.islower():
        return None  # unaccented text is read loosely already; accented words are themselves
    phrase = _PLAIN_KEYWORDS.get(tok.fold)
    after = doc.word(i + 1)
    if phrase is None or after is None or not doc.adjacent(i + 1):
        return None
    if after.is_digit and tok.fold not in {"so", "to", "lo", "doi", "khu", "toa"}:
        return i + 1, phrase  # "kiet 25", "hem 42", "ngo 34"
    if tok.fold in _PLAIN_ALONE:
        return i + 1, phrase
    if tok.fold in _PLAIN_VILLAGES and _location_cue_before(doc, i):
        return i + 1, phrase  # "em sống ở ban na phac"
    return None


_PLAIN_COARSE = {fold(p[0]): p for p in _COARSE.all if len(p) == 1}


def _plain_coarse(doc: _Doc, i: int) -> tuple[int, tuple[str, ...]] | None:
    """ ", quan 3", ", huyen Cu Chi" typed without accents inside an address already begun."""
    tok = doc.toks[i]
    phrase = _PLAIN_COARSE.get(tok.fold)
    if phrase is None or tok.loose or not tok.plain or doc.word(i + 1) is None:
        return None
    return i + 1, phrase


def _keyword_in_caps(doc: _Doc, k: int, accented: bool = False) -> bool:
    """The address word before token k (past a house number) is written in capitals (and,
    with `accented`, with its diacritics: "BẢN", not "BAN")."""
    for j in range(k - 1, max(-1, k - 7), -1):
        tok = doc.toks[j]
        if tok.is_alpha:
            return tok.is_upper and len(tok.text) > 1 and not (accented and tok.plain)
    return False


def _cap_run(doc: _Doc, k: int, limit: int) -> int | None:
    """End of a run of capitalised words at token k ("Khâm Thiên", "Linh Trung")."""
    j = k
    toks = doc.toks
    if (
        k + 2 < len(toks)
        and len(toks[k].text) == 1
        and toks[k].text.isupper()
        and _apostrophe_join(doc, k + 1)
        and toks[k + 2].is_cap
    ):
        j = k + 3  # "H'Hen Niê", "R'Lấp": an initial joined by an apostrophe
    elif (
        k + 1 < len(toks)
        and toks[k].text == "Y"
        and toks[k + 1].is_cap
        and toks[k].end < toks[k + 1].start
        and "\n" not in doc.text[toks[k].end : toks[k + 1].start]
    ):
        j = k + 1  # (#17, round 5) "Y Blim Niê": the Ê Đê men's "Y" before the name
    while j < len(doc.toks) and j - k < limit:
        tok = doc.toks[j]
        if (
            j > k
            and _apostrophe_join(doc, j)
            and (doc.toks[j + 1].text[0].isupper() or len(doc.toks[j - 1].text) == 1)
        ):
            j += 2  # "Cư M'Gar", "Đắk R'Lấp", "Cư M'gar"
            continue
        if not (
            tok.is_cap or (tok.is_upper and len(tok.text) <= 4 and j > k and not doc.caps_style)
        ) or (j > k and not doc.adjacent(j)):
            break
        if (j > k or len(tok.text) <= 2) and (
            _abbreviated_part(doc, j) or (tok.is_upper and _abbreviation_with_dot(doc, j))
        ):
            break  # "Lê Văn Sỹ P.13 Q.3": the ward begins, the street ends
        j += 1
    return j if j > k else None


def _initial_place(doc: _Doc, k: int) -> int | None:
    """A place whose name starts with a one-letter syllable: "Ô Chợ Dừa", "Ý Yên", "A Lưới"."""
    tok, nxt = doc.word(k), doc.word(k + 1)
    if tok is None or nxt is None or len(tok.text) != 1 or not tok.text.isupper():
        return None
    if not nxt.is_cap or not doc.adjacent(k + 1):
        return None
    return _cap_run(doc, k + 1, 3)


def _abbreviation_with_dot(doc: _Doc, j: int) -> bool:
    """Token j is an address abbreviation and its dot: "P.", "Q.", "TT."."""
    return (
        doc.toks[j].low in _ABBREVIATIONS
        and j + 1 < len(doc.toks)
        and doc.toks[j + 1].text == "."
        and doc.adjacent(j + 1)
    )


def _abbreviated_part(doc: _Doc, j: int) -> bool:
    """An abbreviated ward or district at token j: "P.13", "Q. 3", "P13", "Q1"."""
    tok = doc.toks[j]
    if _GLUED_ABBREV_RE.fullmatch(tok.low):
        return True
    return (
        tok.low in _ABBREVIATIONS
        and j + 2 < len(doc.toks)
        and doc.toks[j + 1].text == "."
        and doc.toks[j + 1].start == tok.end
        and doc.toks[j + 2].is_word
    )


def _address_word_at(doc: _Doc, j: int) -> bool:
    """An address keyword starts at token j: "xã", "thị trấn" (not "thanh" of "bình thanh")."""
    return doc.match_any(j, _FINE) is not None or doc.match_any(j, _COARSE) is not None


def _lower_run(doc: _Doc, k: int, limit: int) -> int | None:
    j = k
    while j < len(doc.toks) and j - k < limit:
        tok = doc.toks[j]
        if (
            not tok.is_alpha
            or tok.text[0].isupper()
            or len(tok.text) > 7
            or _in(tok, lex.STOP_WORDS, _STOP_F)
            or (tok.fold in _ADDRESS_WORDS_F and _address_word_at(doc, j))
            or (j > k and not doc.adjacent(j))
        ):
            break
        j += 1
    return j if j > k else None


# ---------------------------------------------------------------------------- schools

_SCHOOL_LEVELS = _phrases(lex.SCHOOL_LEVELS)
# Abbreviated levels that start a school's name on their own ("THCS Lê Lợi", "c3 phan dinh
# phung"); in lowercase only those that are no other word ("th" is thì, "mn" mọi người)
_LEVEL_ABBREVIATIONS = frozenset(
    {"thcs", "thpt", "th", "mn", "ptdtnt", "ptdtbt", "ptcs", "đh", "c1", "c2", "c3", "thptc"}
)
_LOWER_LEVEL_ABBREVIATIONS = frozenset({"thcs", "thpt", "ptdtnt", "ptdtbt", "c2", "c3"})
# Levels written out, which name a school with no "trường" before them only when a
# capitalised name follows: "tiểu học Kim Liên", "mầm non Hoa Sen", "đại học Bách Khoa"
_LEVELS_ALONE = _phrases(
    ("tiểu học", "mầm non", "trung học cơ sở", "trung học phổ thông", "đại học", "cao đẳng",
     "mẫu giáo", "nhà trẻ",  # (#17, round 5) "bé học mẫu giáo Hoa Mai"
     "nhóm trẻ", "nhóm lớp", "lớp mầm", "cơ sở mầm non", "nhóm mầm non",  # (round 6)
     "nhóm trẻ gia đình", "nhóm trẻ tư thục", "nhóm trẻ độc lập", "lớp mẫu giáo độc lập",
     "phổ thông")  # (round 7) "em học Phổ thông Năng khiếu"
)  # fmt: skip
# Words after a level that describe the school rather than name it ("trường thcs gần nhà")
_SCHOOL_NAME_STOP = words(
    """gần xa nữa xong này nào kia công lập tư thục quốc tế nội trú bán trú năm khối lớp cũ
    mới trên dưới cạnh bên thì mà cho vì nên khi lúc hay hồi bây giờ ở tại của tốt môn thi
    kỳ nghiệp rồi đầu ra vào lên xuống nhiều ít cấp các mọi tuần tháng hôm sáng chiều tối"""
)
_SCHOOL_NAME_STOP_F = _folded(_SCHOOL_NAME_STOP)


_STUDY_AT = _phrases(("học ở", "học tại", "học", "đang học", "học trường"))
_SUBJECT_WORDS_F = _folded(
    words("tiếng toán văn sử địa lý hóa sinh tin nhạc vẽ múa võ bơi đàn piano anh")
)


def _studied_school(doc: _Doc, i: int) -> Span | None:
    """ "em học Lê Quý Đôn", "con học ở Nguyễn Du": after "học", a capitalised name that
    starts like a person's (schools are named after people) is the school; "học Tiếng Anh",
    "học ở Hà Nội", "học cô Lan" are not."""
    found = doc.match_any(i, _STUDY_AT)
    if found is None:
        return None
    k = found[0]
    if k >= len(doc.toks) or not doc.adjacent(k):
        return None
    end = _cap_run(doc, k, 4)
    if end is None or end - k < 2 or doc.title_style or doc.caps_style:
        return None
    first = doc.toks[k]
    if first.fold in _SUBJECT_WORDS_F or not _in(first, lex.SURNAMES, _SURNAMES_F):
        return None
    if _place_run(doc, k) is not None:
        return None
    return Span(first.start, doc.toks[end - 1].end, "TRƯỜNG")


# (#17, round 5) a school named in English: "Saigon South International School", "Hoa Sen
# school", "Wellspring Academy" (capitalised words, then what kind of school it is)
_ENGLISH_SCHOOL_RE = re.compile(
    r"(?<![\w'])(?P<name>(?:[A-ZĐ][\w'’-]*\s+){1,5})"
    r"(?:(?:[Ii]nternational|[Hh]igh|[Pp]rimary|[Ss]econdary|[Mm]iddle|[Ee]lementary|"
    r"[Jj]unior|[Ss]enior|[Bb]ilingual|[Pp]ublic|[Pp]rivate)\s+)*"
    r"(?:[Ss]chool|[Aa]cademy|[Cc]ollege|[Kk]indergarten|[Uu]niversity|[Pp]reschool|[Nn]ursery"
    # (#17, round 7) the kind alone ends the name too: "at Tran Quoc Toan Primary"
    r"|(?<=\w\s)(?:Primary|Secondary|Elementary))(?![\w'])"
)
_NOT_SCHOOL_NAME = frozenset(
    {"the", "my", "our", "your", "his", "her", "their", "a", "an", "this", "that", "at", "in",
     "of", "from", "to", "after", "before", "i", "we", "he", "she", "they", "it", "and",
     "hello", "hi", "dear", "please", "help"}
)  # fmt: skip


_SCHOOL_KINDS = frozenset(
    {"international", "high", "primary", "secondary", "middle", "elementary", "junior",
     "senior", "bilingual", "public", "private", "school", "academy", "college", "university"}
)  # fmt: skip


def _english_school_spans(doc: _Doc) -> list[Span]:
    spans = []
    for m in _ENGLISH_SCHOOL_RE.finditer(doc.text):
        start = m.start()
        words = m.group("name").split()
        while words and words[0].lower() in _NOT_SCHOOL_NAME:
            start = doc.text.index(words[1], start) if len(words) > 1 else m.end()
            words = words[1:]
        if any(w.lower() not in _SCHOOL_KINDS for w in words):
            spans.append(Span(start, m.end(), "TRƯỜNG"))
    return spans


def _school_spans(doc: _Doc) -> list[Span]:
    spans = _english_school_spans(doc)
    for i, tok in enumerate(doc.toks):
        if tok.fold == "hoc":
            studied = _studied_school(doc, i)
            if studied is not None:
                spans.append(studied)
                continue
        is_school_word = _word_is(tok, "trường")
        if is_school_word and _school_is_generic(doc, i):
            continue
        street_before = doc.word(i - 1)
        if (
            is_school_word
            and tok.is_cap
            and street_before is not None
            and doc.adjacent(i)
            and street_before.fold in {"duong", "pho", "ngo", "hem", "kiet"}
        ):
            continue  # (#17, round 6) "đường Trường Sơn", "phố Trường Chinh": a street
        is_level = tok.low in _LEVEL_ABBREVIATIONS and (
            tok.is_upper or tok.low in _LOWER_LEVEL_ABBREVIATIONS
        )
        level_alone = None
        if not (is_school_word or is_level):
            before = doc.word(i - 1)
            if before is not None and doc.adjacent(i) and _word_is(before, "trường"):
                continue  # read from "trường"
            level_alone = doc.match_any(i, _LEVELS_ALONE)
            if level_alone is None:
                continue
        k = i + 1 if is_school_word else i
        levels = 0
        abbreviated = is_level
        while k < len(doc.toks) and (k == i or doc.adjacent(k)):
            level = doc.match_any(k, _SCHOOL_LEVELS) or doc.match_any(k, _LEVELS_ALONE)
            if level is None and doc.toks[k].text == "&" and levels:
                level = (k + 1, ("&",))  # "TH&THCS"
            if level is None:
                break
            abbreviated = len(level[1]) == 1 and level[1][0] in _LEVEL_ABBREVIATIONS
            k = level[0]
            levels += 1
        if is_level and levels == 0:
            k, levels = i + 1, 1  # "c3", "ĐH": a level of their own
        if k >= len(doc.toks) or not doc.adjacent(k):
            continue
        # a lowercase name after a level written out ("trường phổ thông nhiều cấp") only where
        # the writer never capitalises or never uses accents
        careless = doc.lowercase_style or not doc.accented
        explicit = bool(levels) and level_alone is None and (abbreviated or careless)
        # (#17, round 7) a level written with its capital names a school: "Phổ thông Năng khiếu"
        named = level_alone is not None and tok.is_cap
        end = _school_name(doc, k, explicit=explicit, typed_on=explicit or is_school_word or named)
        if end is None and levels and level_alone is None and not explicit:
            end = _surname_school(doc, k)
        if end is None and is_school_word and not levels and careless and _studies_at(doc, i):
            # (#17, round 7) "e hoc truong nguyen tat thanh": no level, but "học" before it and
            # a person's name after it (schools are named after people)
            after = doc.toks[k]
            if after.fold != "truong" and _in(after, lex.SURNAMES, _SURNAMES_F):
                end = _school_name(doc, k, explicit=True)
        if end is None or not (levels or is_school_word):
            continue
        if level_alone is not None and (_place_run(doc, k) == end or end - k < 2):
            # "đại học Hà Nội" may be a school, "tiểu học Hà Nội" is a city's schools; one
            # capitalised word after a level alone ("đại học Quốc gia") is no school's name
            continue
        spans.append(Span(doc.toks[k].start, doc.toks[end - 1].end, "TRƯỜNG"))
        if k > i:  # "trường Trung cấp nghề …": the kind of school is no one's name
            doc.no_names.append((doc.toks[i].start, doc.toks[k - 1].end))
    return spans


def _studies_at(doc: _Doc, i: int) -> bool:
    """ "học trường …", "hoc o truong …", "học tại trường …" before token i."""
    j = i - 1
    before = doc.word(j)
    if before is not None and before.fold in {"o", "tai"} and doc.adjacent(i):
        j -= 1
        before = doc.word(j)
    return before is not None and before.fold == "hoc" and doc.adjacent(j + 1)


def _school_is_generic(doc: _Doc, i: int) -> bool:
    """(#17, round 5) "nhà trường Quận 10 tổ chức ...": "nhà trường" is the school one
    attends, and a district after it says where, not which."""
    before, after = doc.word(i - 1), doc.word(i + 1)
    if before is None or not doc.adjacent(i) or not _word_is(before, "nhà"):
        return False
    return after is not None and doc.match_any(i + 1, _COARSE) is not None


def _surname_school(doc: _Doc, k: int) -> int | None:
    """ "trường thcs lê lợi" in careful writing: a lowercase name starting with a surname."""
    first = doc.toks[k]
    if not first.text[0].islower() or not _in(first, lex.SURNAMES, _SURNAMES_F):
        return None
    end = _lower_run(doc, k, 3)
    return end if end is not None and end - k >= 2 else None


# (#17, round 6) words of a school's name written in sentence case: "Phổ thông Năng khiếu",
# "Tiểu học Thực hành Sư phạm", "Song ngữ"
_SCHOOL_NAME_PAIRS = frozenset(
    {"nang khieu", "thuc hanh", "su pham", "song ngu", "dan toc", "noi tru", "ban tru",
     "chat luong", "ky thuat", "quoc te", "lien cap", "nhan van",
     # (#17, round 7) "Quốc học Huế", "Thiếu sinh quân"
     "quoc hoc", "thieu sinh", "sinh quan"}
)  # fmt: skip


def _school_name(doc: _Doc, k: int, explicit: bool, typed_on: bool = False) -> int | None:
    """End of a school's name at token k (after its level): capitalised ("Lê Lợi", "Hà Nội -
    Amsterdam", "số 2 Nam Lý"), in capitals ("CHU VĂN AN"), or, after a level that says it is
    a school, in lowercase ("thcs nghĩa tân", "c3 phan dinh phung")."""
    first = doc.toks[k]
    start = k
    coarse = doc.match_any(k, _COARSE)
    plural = any(
        (t := doc.word(j)) is not None and t.fold in {"cac", "nhung", "moi", "nhieu", "ca"}
        for j in range(max(0, k - 4), k)
    )  # "các trường THCS huyện Sóc Sơn": a district's schools, not one school
    if coarse is not None and explicit and not plural and doc.adjacent(coarse[0]):
        # (#17, round 7) "PTDTNT tỉnh Lào Cai", "THCS thị xã Sơn Tây": a school named after
        # its province or district (one such school there) is named by it
        return _cap_run(doc, coarse[0], 4)
    if first.fold == "so" and k + 1 < len(doc.toks) and doc.toks[k + 1].is_digit:
        k += 2  # "Tiểu học số 2 Nam Lý"
        if k >= len(doc.toks) or not doc.adjacent(k) or not doc.toks[k].is_cap:
            return k
    end = _cap_run(doc, k, 5) or _initial_place(doc, k)  # (round 7) "Quốc tế Á Châu"
    if end is not None:
        # (#17, round 5) "ĐH Bách khoa", "THCS Lê quý Đôn": a name typed on, half lowercase
        while (
            typed_on
            and end < len(doc.toks)
            and end - k < 5
            and doc.adjacent(end)
            and doc.toks[end].is_alpha
            and doc.toks[end].text.islower()
            and (
                f"{doc.toks[end - 1].fold} {doc.toks[end].fold}" in _SCHOOL_NAME_PAIRS
                or (
                    _in(doc.toks[end], _NAME_SYLLABLES, _NAME_SYLLABLES_F)
                    and not _school_name_stop(doc.toks[end])
                )
            )
        ):
            end += 1
            more = _cap_run(doc, end, 3) if end - k < 5 and doc.adjacent(end) else None
            if more is not None and f"{doc.toks[end - 2].fold} {doc.toks[end - 1].fold}" in (
                _SCHOOL_NAME_PAIRS
            ):
                end = more  # "Thực hành Sư phạm"
        if (
            end < len(doc.toks)
            and doc.toks[end].low == "ương"
            and doc.toks[end - 1].low == "trung"
            and doc.adjacent(end)
        ):
            end += 1  # "Sư phạm Trung ương"
        # "Hà Nội - Amsterdam": two capitalised runs joined by a dash
        if end + 1 < len(doc.toks) and doc.toks[end].text in {"-", "–"}:
            more = _cap_run(doc, end + 1, 3)
            if more is not None and doc.adjacent(end) and doc.adjacent(end + 1):
                end = more
        # (#17, round 7) "mầm non Tuổi Thơ 2", "Hoa Sen 1,": a branch's number ends the name
        if (
            end < len(doc.toks)
            and doc.toks[end].is_digit
            and len(doc.toks[end].text) <= 2
            and doc.adjacent(end)
            and _closes_clause(doc, end + 1)
        ):
            end += 1
        return end
    if first.is_upper and first.is_alpha:
        if not explicit:
            return None  # "NHÀ TRƯỜNG PHẢI LÀM GÌ": in capitals, only after a level
        # in capitals a capital says nothing: a name's syllables only ("THCS CHU VĂN AN"), or
        # (round 7) any after a surname ("THCS NGUYỄN DU", "THPT TRẦN PHÚ")
        surname = first.fold in _SURNAMES_F
        j = k
        while (
            j < len(doc.toks)
            and j - k < 5
            and (j == k or doc.adjacent(j))
            and doc.toks[j].is_upper
            and doc.toks[j].is_alpha
            and (doc.toks[j].fold in _NAME_SYLLABLES_F or (surname and 0 < j - k < 3))
            and not _school_name_stop(doc.toks[j])
        ):
            j += 1
        return j if j - k >= 2 else None
    if not explicit or not first.text[0].islower():
        return None
    # (#17, round 7) after a surname, a person's name goes on whatever its syllables read as
    # unaccented ("ly tu trong", Lý Tự Trọng): only pronouns, verbs and particles stop it
    person = first.loose and _in(first, lex.SURNAMES, _SURNAMES_F)
    j = start
    while (
        j < len(doc.toks)
        and j - start < 4
        and (j == start or doc.adjacent(j))
        and doc.toks[j].is_alpha
        and doc.toks[j].text.islower()
        and len(doc.toks[j].text) <= 7
        and not (
            doc.toks[j].fold in _NOT_IN_A_PLACE_NAME_F
            if person and j > start
            else _school_name_stop(doc.toks[j])
        )
        and not (_address_word_at(doc, j) and (j == start or not doc.toks[j].loose))
    ):
        j += 1
    # schools are named after people and places: two syllables at least ("lam son")
    return j if j - start >= 2 else None


# Unaccented, most syllables could be a common word ("lam" làm, "son" sơn): only these stop
_LOOSE_SCHOOL_STOP = words(
    """la va bi thi ma co khong ko k da dang se roi cung voi cua cho o tai nay do kia ay no
    em e toi tui minh ban anh chi nha di ve den hay hoi a nhe oi vay sao duoc nen phai can
    muon biet lop hoc gan xa nua xong nao khi luc cong lap tu thuc quoc te noi tru gi j sao
    the nhu nhung cac moi mon thi ky tot nghiep xong roi dau ra vao len xuong nhieu it cap"""
)


def _school_name_stop(tok: _Tok) -> bool:
    if tok.loose:
        return tok.fold in _LOOSE_SCHOOL_STOP
    return tok.low in _STREET_STOP or tok.low in _SCHOOL_NAME_STOP or tok.low in lex.STOP_WORDS


def _past_glued_numbers(doc: _Doc, j: int) -> int:
    """The index after "/5", "/12/3" glued on at `j` ("K12/5", "45/12/3"): house-number parts."""
    while (
        j + 1 < len(doc.toks)
        and doc.toks[j].text == "/"
        and doc.toks[j + 1].is_digit
        and doc.toks[j].start == doc.toks[j - 1].end
    ):
        j += 2
    return j
