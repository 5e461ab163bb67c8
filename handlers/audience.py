"""Who is writing: a parent, a student or a teacher, from what they say."""

from __future__ import annotations

import re
from dataclasses import dataclass

from handlers.models import Audience

# English, as people type it: "i'm", "im", "i m" (a curly apostrophe reads as a space), "i am".
_I_AM = r"\bi(?:'m| ?m| am)"
# A school-age number (5 to 19): "im 14", "i'm 9 yo". "i'm 35" says nothing about school.
_SCHOOL_AGE = r"(?:[5-9]|1[0-9])(?: ?(?:years? old|yrs? old|yo|y o|tuoi))?"
_ENGLISH_CHILD = (
    r"(?:son|daughter|kid|child|children|boy|girl|baby|toddler|teen|teenager|grandson"
    r"|granddaughter|grandchild|grandchildren|grandkid|niece|nephew|stepson|stepdaughter"
    r"|little one)s?"
)

_STATEMENT = {
    Audience.TEACHER: re.compile(
        r"\b(toi|minh|tui|em|tao) (la|lam) (giao vien|co giao|thay giao|giao vien chu nhiem|gvcn"
        r"|hieu truong|pho hieu truong|can bo|nhan vien) ?(tu van|truong|cong tac xa hoi|y te)?\b"
        r"|\b(toi|minh|tui) (day|dang day|chu nhiem) (o truong|lop|hoc|mon)\b"
        r"|^\s*(giao vien|co giao|thay giao|gv|hieu truong)\s*$"
        + rf"|{_I_AM} (?:a |the )?(?:(?:homeroom|class|school|primary|kindergarten|preschool"
        r"|secondary|high school|english|math|maths|pe) )?(?:teacher|principal|headteacher"
        r"|head teacher|vice principal|school counsell?or|school social worker|school nurse)\b"
        r"|\bi (?:teach|am teaching) (?:at|in|grade|class|year|primary|secondary|a class)\b"
        r"|\bas a (?:teacher|homeroom teacher|principal)\b"
    ),
    Audience.PARENT: re.compile(
        r"\b(toi|minh|tui|em|tao) (la|lam) "
        r"(phu huynh|bo|me|ba|ma|cha|nguoi giam ho|ong|ba noi|ba ngoai)"
        r"( cua| hoc sinh| chau| be| mot)?\b"
        r"|^\s*(phu huynh|bo me|cha me|nguoi giam ho)\s*$"
        # kinship and foster carers: "bà nuôi nó", "ông bà nuôi cháu", "tôi nuôi cháu nội"
        r"|\b(ong|ba|ong ba|toi|minh|tui|em|vo chong toi) (dang )?(nuoi|nuoi nang|cham) "
        r"(no|chau|chau noi|chau ngoai|dua chau|hai chau|ba chau|con cua)\b"
        r"|\b(ong ba|ba|ong) (nuoi|dang nuoi|o voi|song voi) (chau|no|tui nho)\b"
        + rf"|{_I_AM} (?:a |the |his |her |their |my )?(?:parent|mother|father|mom|mum|dad"
        r"|single (?:mom|mum|mother|father|dad)|guardian|legal guardian|grandmother|grandfather"
        r"|grandma|grandpa|granny|grandparent|carer|caregiver|foster (?:mother|father|parent|mom"
        r"|dad|carer)|stepmother|stepfather|stepmom|stepdad|aunt|uncle)\b"
        + rf"|{_I_AM} (?:raising|looking after|taking care of|bringing up) (?:my |our |a |two "
        rf"|three )?{_ENGLISH_CHILD}\b"
        + r"|\b(?:we are|we're|were) (?:raising|looking after|taking care of) (?:my |our )?"
        + _ENGLISH_CHILD
        + r"\b"
    ),
    Audience.STUDENT: re.compile(
        r"\b(em|toi|minh|tui|tao|con|chau) (la|dang la) (hoc sinh|hs|hoc tro|sinh vien)\b"
        r"|\b(em|toi|minh|tui|tao|con|chau) (hoc|dang hoc) lop \d+"
        r"|(?<!con )(?<!chau )(?<!be )\b(em|toi|minh|tui|tao|chau) (nam nay )?\d{1,2} tuoi\b"
        r"|^\s*(hoc sinh|hs|em la hoc sinh)\s*$"
        + rf"|{_I_AM} (?:a )?(?:student|pupil|schoolgirl|schoolboy|high school student"
        r"|middle school student|primary school student|kid|teen|teenager)\b"
        + rf"|{_I_AM} (?:in|at) (?:grade|class|year|lop) ?\d+"
        + rf"|{_I_AM} in (?:\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh"
        r"|eighth|ninth|tenth|eleventh|twelfth) grade"
        + rf"|{_I_AM} (?:only |just )?{_SCHOOL_AGE}\b(?! (?:minutes|mins|hours|km|kg|percent))"
    ),
}

_CUES = {
    Audience.TEACHER: re.compile(
        r"\b(hoc sinh|hs) (cua toi|lop toi|truong toi|toi chu nhiem|cua minh)\b"
        r"|\b(lop|truong) toi (chu nhiem|co hoc sinh|co em)\b|\bnha truong (phai|can) lam\b"
        r"|\b(giao vien|gvcn|thay co) (phai|can) lam\b|\b(phu huynh|bo me) hoc sinh\b"
        r"|\bto tu van\b|\bbao cao (len|voi) (phong|so|ban giam hieu)\b"
        r"|\b(?:my|our) (?:students|pupils|homeroom class|homeroom)\b"
        r"|\b(?:student|pupil)s? (?:in|from) my (?:class|school|homeroom)\b"
        r"|\bone of my (?:students|pupils)\b"
    ),
    Audience.PARENT: re.compile(
        r"\b(con|chau|be|con gai|con trai) (toi|tui|nha toi|nha minh|cua toi|minh)\b"
        r"|\b(be|chau|con) nha (toi|minh|tui|em)\b|\bcon (em|tui) (nam nay|moi|bi|dang)\b"
        r"|\b(vo chong toi|ba me|bo me) (nen|phai) lam\b|\bnuoi con\b|\bday con\b"
        r"|(?<!cua )\b(me|bo|ba|ma|cha) (phai|nen|can) (lam|xu ly|noi|day|bao)\b(?! (em|con|tui))"
        r"|\b(con|be|chau) (bi|dang bi)\b.*\b(me|bo|ba|ma) (phai|nen|can|lo)\b"
        # a grandparent speaking as "bà"/"ông": "bà hỏi chút, cháu bà …", "ông nuôi nó"
        r"|\b(ba|ong) (hoi|muon hoi|xin hoi|hoi chut|hoi chau)\b"
        r"|\bchau (ba|ong)\b(?! (tuoi|thang|nam|ngay|noi|ngoai|oi))"
        + rf"|\b(?:my|our) {_ENGLISH_CHILD}\b"
        + r"|\bas a (?:parent|mother|father|mom|mum|dad|grandparent|grandmother|grandfather)\b"
    ),
    Audience.STUDENT: re.compile(
        r"\b(bo|me|ba|ma|cha|bo duong|me ke|chu|co giao|thay|ban|lop|truong) (em|tui|minh|tao)\b"
        r"|(?<!tre )(?<!cac )(?<!nhung )(?<!tre con )\b(em|e|tui|minh)"
        r" (?:hay |thuong |rat |cu |luon |dao nay |gan day |cam thay |thay )?(bi|dang bi|so|buon"
        r"|khong dam|ko dam|muon hoi|ap luc|met|chan|co don|stress|cang thang|khoc|lo lang"
        r"|that vong|ghet)\b"
        # "em" on the receiving end: "tụi bạn đòi tiền em", "nó đánh em", "cô giáo chửi em"
        r"|\b(?:danh|chui|dam|tat|bat nat|an hiep|doi tien|che gieu|treu|choc|ep|doa|xo"
        r"|chan duong|co lap|tay chay|nem da|boc phot) (?:em|e|tui)\b"
        r"|\bban (cung lop|trong lop)\b|\bthay co (bat|danh|chui)\b"
        r"|\b(?:my|our) (?:teacher|teachers|homeroom teacher|class teacher|classmates?"
        r"|principal|mom|mum|mommy|dad|daddy|parents|stepdad|stepmom|stepfather|stepmother"
        r"|mother|father)\b"
        r"|\b(?:hits?|hitting|beats?|beating|bull(?:y|ies|ying)|pushe?s?|pushing|kicks?|kicking"
        r"|slaps?|slapping|touche?s?|touching|threatens?|threatening|hurts?|hurting|yells? at"
        r"|calls?|calling|laughs? at|laughing at|ignores?|ignoring|blackmails?|blackmailing) me\b"
        + rf"|{_I_AM} (?:being )?(?:bullied|beaten|hit|scared|afraid|sad|lonely|stressed"
        r"|depressed|anxious|so sad|so stressed|so lonely|tired)\b"
        r"|\bin my class\b"
        # a pupil's own life: "e ko muốn đi học", "em có nên kể với bố mẹ không"
        r"|\b(?:em|e|tui) (?:\w+ ){0,2}(?:khong|ko|k|hong) muon di hoc\b"
        r"|\b(?:em|e|tui|minh) (?:co )?nen (?:noi|ke|tam su|chia se) (?:voi|cho)"
        r" (?:bo me|ba me|ba ma|bo|me|ba|ma|thay|co|co giao|thay giao|co chu nhiem)\b"
    ),
}


@dataclass(frozen=True, slots=True)
class AudienceGuess:
    audience: Audience | None
    explicit: bool  # the user said who they are ("tôi là giáo viên")


# "con tôi", "bé nhà mình", "thằng nhỏ nhà tui", "con gái tôi": the writer's child. What
# follows it ("con tôi học lớp 6", "bé nhà mình 4 tuổi") is about the child, not the writer.
_CHILD_OF_WRITER = re.compile(
    r"(?<!ban )\b(?:con gai|con trai|con be|con|be|chau|thang nho|thang cu|con nho|dua nho"
    r"|dua con|nhoc|chau gai|chau trai)(?: (?:nha|cua))? (?:toi|tui|minh|tao)\b"
    r"|(?<!ban )\b(?:con|be|chau|thang nho|dua nho)(?: (?:nha|cua))? em\b"
    r"(?= (?:nam nay|moi|bi|dang|hoc|\d))"
    r"|(?<!ban )\b(?:con|be|chau|thang nho|dua nho) nha em\b"
    + rf"|\b(?:my|our) {_ENGLISH_CHILD}(?:'s)?\b"
)


def detect_audience(folded: str) -> AudienceGuess:
    """Who is writing. A statement ("tôi là giáo viên", "em là học sinh lớp 7") is explicit;
    a cue ("con tôi …", "học sinh lớp tôi …") is a guess. Words about the writer's child are
    read as the child's, never as the writer's: "con tôi học lớp 6" is a parent."""
    about_writer = _CHILD_OF_WRITER.sub(" con cua nguoi viet ", folded)
    for audience, pattern in _STATEMENT.items():
        if pattern.search(about_writer):
            return AudienceGuess(audience, explicit=True)
    if about_writer != folded:
        return AudienceGuess(Audience.PARENT, explicit=False)
    for audience, pattern in _CUES.items():
        if pattern.search(folded):
            return AudienceGuess(audience, explicit=False)
    return AudienceGuess(None, explicit=False)


# What describes the writer's role further, or where they are, and asks nothing:
# "(giáo viên) chủ nhiệm lớp 5 ở Đà Nẵng", "(học sinh) lớp 8A ở quê".
_ROLE_DETAIL = re.compile(
    r"\b(?:chu nhiem|gvcn|lop \d+\w*|khoi \d+)\b"
    r"|\b(?:o|tai|song o|song tai|den tu)(?: \w+){1,3}\s*$"
    # English: "(a teacher) at a primary school", "(in) grade 8", "from Da Nang"
    r"|\b(?:at|in) (?:a|an|the|my) (?:\w+ ){0,2}(?:school|kindergarten|preschool)\b"
    r"|\b(?:grade|class|year) \d+\w*\b"
    r"|\b(?:from|living in|here in)(?: \w+){1,3}\s*$"
)


def strip_role_statement(folded: str) -> str:
    """What is left of a message once "tôi là giáo viên" (and "chủ nhiệm lớp 5 ở Đà Nẵng",
    which describes the writer and asks nothing) is taken out."""
    rest = folded
    for pattern in _STATEMENT.values():
        rest = pattern.sub(" ", rest)
    rest = _ROLE_DETAIL.sub(" ", rest)
    return " ".join(
        w
        for w in rest.split()
        if w not in {"a", "nhe", "nha", "oi", "ad", "ban", "chao", "xin", "hi", "hello", "and"}
    )


# The writer speaks about a child who is not themselves: "con tôi", "học sinh của tôi",
# "cháu hàng xóm". Such a message is a report, not a self-statement.
_ABOUT_A_CHILD = re.compile(
    r"\b(con|chau|be|con gai|con trai)( nha| cua)? (toi|tui|minh|tao)\b"
    r"|\bcon (gai |trai )?(cua )?em (nam nay|moi|bi|dang|da|vua|no|nha em)\b"
    r"|\b(hoc sinh|hs|hoc tro) (cua |lop |truong )?(toi|tui|minh|em)\b"
    r"|\b(hoc sinh|hs) (lop|truong) (toi|tui|minh|em)\b"
    r"|\b(thang|con|dua|be|chau|em be)( nho| be| lon| ut| ca| hai| ba| gai| trai)?"
    r" (nha|cua) (toi|tui|minh|tao|em)\b"
    r"|\b(chau|be|dua be|con be|thang be|dua tre|em be|dua nho|dua tre)"
    r" (hang xom|nha ben|ben canh|nha hang xom|o xom|xom toi|gan nha)\b"
    r"|\b(nha )?hang xom( toi| tui| minh| em)? co (mot )?(dua|chau|be|em be|con)\b"
    r"|\bmot (em|chau|be) (hoc sinh|nho|gai|trai)\b"
    # the child came home and told ("con đi học về kể bị thầy sờ vào người"): the one told writes
    r"|^ ?(con|chau|be)( gai| trai| nha toi| toi)? (\w+ ){0,3}?ve( nha)? "
    r"(\w+ ){0,2}?(ke|khoc|mach|noi)\b"
    + rf"|\b(?:my|our) (?:{_ENGLISH_CHILD}|students?|pupils?)\b"
    + r"|\b(?:the|a) (?:kid|child|boy|girl|baby) (?:next door|upstairs|downstairs"
    + r"|in my street|across the street)\b"
    + rf"|\b(?:my )?neighbou?r'?s (?:{_ENGLISH_CHILD})\b"
)


def about_a_child(folded: str) -> bool:
    """The writer tells about someone else's danger (a parent, teacher or neighbour)."""
    return bool(_ABOUT_A_CHILD.search(folded))
