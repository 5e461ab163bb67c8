"""Name-shaped words that name no person (#17, round 6): a pet ("con mèo tên Bông"), an app,
a game or a group ("cái app tên Hẹn Hò Teen", "chơi Liên Quân"), a character of a folk tale
told as one ("Cô Tấm trong truyện cổ tích"), a teasing nickname that is an everyday word
("đặt biệt danh là Heo"), a word that only looks like a name after its cue ("tên khác",
"thằng lừa đảo", "cô giáo thu tiền", "bạn ba em": a friend of the writer's father).

`_names_no_person(doc, start, stop)` is asked about every name the other rules found; it
reads only the words around it, so a real name in the same shape ("con bé tên Bông nhà bên",
"chơi với Liên") is still one.
"""

from __future__ import annotations

from handlers import redact_lexicon as lex
from handlers.redact_doc import _Doc, _folded, _Tok
from handlers.redact_lexicon import words

# Animals a child names ("con mèo tên Mướp", "chó nhà em tên Lu"): folded, read after "con"
# (unaccented "cho" is also "cho", "ga" a station) or written with their accent.
_ANIMALS = words(
    "mèo chó cún gà heo lợn thỏ chim cá vẹt sáo rùa ngựa bò vịt ngan chuột hamster khỉ sóc nhím"
)
_ANIMALS_F = _folded(_ANIMALS)
# Things with a name that is no person's: apps, games, groups, channels, pages, shops
_THINGS = words(
    """app apps ứng dụng game games trò chơi nhóm group kênh channel trang page web website
    server sv clan guild team phần mềm truyện phim bộ"""
)
_THINGS_F = _folded(_THINGS)
# Words between the thing and its name: "cái app tên (là) …", "game gì tên …", and the
# platform it is on: "nhóm zalo Phụ huynh 5A", "kênh tiktok Bé Na Review"
_PLATFORMS = frozenset(
    {"zalo", "facebook", "fb", "face", "tiktok", "youtube", "yt", "insta", "instagram", "ig",
     "messenger", "telegram", "tele", "discord", "twitter", "threads"}
)  # fmt: skip
_NAMING = frozenset(
    {"ten", "la", "goi", "co", "gi", "nay", "do", "kia", ":", "“", '"', "'"} | _PLATFORMS
)
# "chơi Liên Quân", "chơi Free Fire": a capitalised run right after "chơi" is a game (a
# friend is played with: "chơi với Liên")
_PLAY = frozenset({"choi", "nap", "cay", "tai"})  # chơi, nạp (tiền vào), cày, tải
# Characters of folk tales and stories, exactly as written (accents tell "Tấm" from "Tâm")
_FOLK = frozenset(
    {
        "tấm", "cám", "thạch sanh", "lý thông", "sọ dừa", "thánh gióng", "sơn tinh",
        "thủy tinh", "chử đồng tử", "tiên dung", "mỵ châu", "trọng thủy", "an tiêm",
        "cuội", "chú cuội", "tích chu", "bạch tuyết", "lọ lem", "thúy kiều", "thúy vân",
    }
)  # fmt: skip
_STORY_WORDS_F = _folded(words("truyện chuyện cổ tích phim nhân vật sách đọc kể hoạt hình"))
# Nicknames given to tease, which are everyday words: after "biệt danh", "gọi … là"
_TEASING = words(
    """heo lợn béo mập lùn còi đen khỉ gấu voi trâu bò chó mèo ếch cóc ốc sâu chuột ma quỷ
    ngố đần khùng điên mọt hâm bé bự ú"""
)
_TEASING_F = _folded(_TEASING)
_NICKNAME_CUES_F = _folded(words("biệt danh chọc trêu gọi là"))
# Everyday words right after "tên" that say something about a name, not one ("lưu tên khác")
_NAME_TALK = words("khác giả mới cũ lạ gì đó này kia ấy đẹp xấu")
_NAME_TALK_F = _folded(_NAME_TALK)
# A word and what follows it that make an everyday word, read after a person cue
# ("thằng lừa đảo", "con biến thái")
_COMMON_PAIRS = frozenset(
    {"lua dao", "bien thai", "du con", "mat day", "khon nan", "ngu ngoc", "dien khung"}
)
# A verb that is also a given name, before what it takes: "cô giáo thu tiền", "thầy thu bài"
_VERB_OBJECTS = {
    "thu": _folded(words("tiền phí bài quỹ đồ điện thoại hồ sơ vở sách giấy gom nhận hết lại")),
}
# "bạn ba em": the friend of the writer's father, no one called Ba
_PARENTS_F = _folded(words("ba bố mẹ má"))
_OWNERS_F = _folded(words("em e tôi tui mình tớ con cháu nó"))


def _names_no_person(doc: _Doc, start: int, stop: int) -> bool:
    """The words start..stop, found as a name, name no person in their context."""
    toks = doc.toks
    first = toks[start]
    before = doc.word(start - 1) if doc.adjacent(start) else None
    after = doc.word(stop) if doc.adjacent(stop) else None
    name_f = " ".join(t.fold for t in toks[start:stop])
    name_low = " ".join(t.low for t in toks[start:stop])
    if (
        before is not None
        and before.fold == "ten"
        and first.text.islower()
        and (first.low in _NAME_TALK or (first.loose and first.fold in _NAME_TALK_F))
    ):
        return True  # "lưu vào danh bạ tên khác nha"
    if name_f in _COMMON_PAIRS or (
        after is not None and f"{first.fold} {after.fold}" in _COMMON_PAIRS
    ):
        return True  # "thằng lừa đảo"
    if after is not None and toks[stop - 1].fold == "tai" and after.fold in {"khoan", "san"}:
        return True  # "CHU TAI KHOAN": chủ tài khoản, no Mr Chu Tài
    objects = _VERB_OBJECTS.get(first.fold)
    if (
        objects is not None
        and stop - start == 1
        and first.text.islower()
        and after is not None
        and after.fold in objects
    ):
        return True  # "cô giáo thu tiền học thêm"
    if (
        before is not None
        and before.fold == "ban"
        and not before.loose
        and first.fold in _PARENTS_F
        and first.text.islower()
        and after is not None
        and after.fold in _OWNERS_F
    ):
        return True  # "chú Dũng là bạn ba em"
    announced = before is not None and before.fold in {"ten", "la"}
    if first.low == "hoài" and stop - start == 1 and after is None and not announced:
        return True  # "em cứ nghĩ về ông hoài,": all the time, no one called Hoài
    if _thing_before(doc, start) or (_pet_before(doc, start) and not _human_name(first)):
        return True
    if first.is_cap and before is not None and before.fold in _PLAY and stop - start >= 2:
        return True  # "chơi Liên Quân"
    if name_low in _FOLK and _story_around(doc):
        return True
    return _teasing_nickname(doc, start, stop)


def _back(doc: _Doc, start: int, limit: int) -> list[int]:
    """Up to `limit` token indices before token `start`, nearest first, within the clause
    (a colon or a quote mark may come between)."""
    out: list[int] = []
    j = start - 1
    while j >= 0 and len(out) < limit and doc.adjacent(j + 1):
        tok = doc.toks[j]
        if not tok.is_word and tok.text not in _MARKS:
            break
        out.append(j)
        j -= 1
    return out


_MARKS = frozenset({":", "“", '"', "'"})


def _thing_before(doc: _Doc, start: int) -> bool:
    """ "cái app tên Hẹn Hò Teen", "nhóm tên là Hội Mèo Con", "game: Tốc Chiến"."""
    back = [doc.toks[j].fold for j in _back(doc, start, 6)]
    n = 0
    while n < len(back) and back[n] in _NAMING:
        n += 1
    if n >= len(back) or not ({"ten", ":"} | _PLATFORMS) & set(back[:n]):
        return False  # "trưởng nhóm là Quỳnh" is a person; "nhóm tên X" a group
    two = f"{back[n + 1]} {back[n]}" if n + 1 < len(back) else ""
    return back[n] in _THINGS_F or two in _THINGS_F


def _pet_before(doc: _Doc, start: int) -> bool:
    """ "con mèo tên Bông", "e co con meo ten Bong", "con chó nhà em tên là Lu": an animal
    after "con", or written with its accent, earlier in the clause that names it."""
    back = _back(doc, start, 7)
    if not back or doc.toks[back[0]].fold not in {"ten", "la"}:
        return False
    for n, j in enumerate(back[1:], 1):
        tok = doc.toks[j]
        if tok.fold in _ANIMALS_F:
            con = n + 1 < len(back) and doc.toks[back[n + 1]].fold == "con"
            if con or (tok.low in _ANIMALS and not tok.plain):
                return True
        if tok.fold in {"va", "voi", "ban", "cua", "thang", "be"}:
            return False  # "con chó của thằng Tú": the owner is named
    return False


_PET_NAMES = words("bông bống lu mực vàng mướp miu mun ki kiki lucky milo bơ")


def _human_name(tok: _Tok) -> bool:
    """ "con heo tên Trâm": a human given name after an animal is a person called one."""
    names = lex.GIVEN_NAMES | lex.MORE_GIVEN_NAMES
    pets = lex.NICKNAMES | _PET_NAMES
    if tok.loose:
        return tok.fold in _folded(names) and tok.fold not in _folded(pets)
    return tok.low in names and tok.low not in pets


def _story_around(doc: _Doc) -> bool:
    return any(t.fold in _STORY_WORDS_F for t in doc.toks if t.is_word) or any(
        w in doc.folded for w in ("co tich", "hoat hinh")
    )


def _teasing_nickname(doc: _Doc, start: int, stop: int) -> bool:
    """ "bị bạn đặt biệt danh là Heo", "tụi nó gọi em là Lùn": a nickname given to tease that
    is an everyday word (a nickname that is a name, "biệt danh là Bin", is still one)."""
    tok = doc.toks[start]
    if stop - start != 1 or not (tok.low in _TEASING or (tok.loose and tok.fold in _TEASING_F)):
        return False
    back = [doc.toks[j].fold for j in _back(doc, start, 5)]
    nickname = any(back[n : n + 2] == ["danh", "biet"] for n in (0, 1))
    return nickname or (
        bool(back) and back[0] == "la" and any(w in _NICKNAME_CUES_F - {"la"} for w in back[1:])
    )
