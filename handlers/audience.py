"""Who is writing: a parent, a student or a teacher, from what they say."""

from __future__ import annotations

import re
from dataclasses import dataclass

from handlers.models import Audience

_STATEMENT = {
    Audience.TEACHER: re.compile(
        r"\b(toi|minh|tui|em|tao) (la|lam) (giao vien|co giao|thay giao|giao vien chu nhiem|gvcn"
        r"|hieu truong|pho hieu truong|can bo|nhan vien) ?(tu van|truong|cong tac xa hoi|y te)?\b"
        r"|\b(toi|minh|tui) (day|dang day|chu nhiem) (o truong|lop|hoc|mon)\b"
        r"|^\s*(giao vien|co giao|thay giao|gv|hieu truong)\s*$"
    ),
    Audience.PARENT: re.compile(
        r"\b(toi|minh|tui|em|tao) (la|lam) "
        r"(phu huynh|bo|me|ba|ma|cha|nguoi giam ho|ong|ba noi|ba ngoai)"
        r"( cua| hoc sinh| chau| be| mot)?\b"
        r"|^\s*(phu huynh|bo me|cha me|nguoi giam ho)\s*$"
    ),
    Audience.STUDENT: re.compile(
        r"\b(em|toi|minh|tui|tao|con|chau) (la|dang la) (hoc sinh|hs|hoc tro|sinh vien)\b"
        r"|\b(em|toi|minh|tui|tao|con|chau) (hoc|dang hoc) lop \d+"
        r"|(?<!con )(?<!chau )(?<!be )\b(em|toi|minh|tui|tao|chau) (nam nay )?\d{1,2} tuoi\b"
        r"|^\s*(hoc sinh|hs|em la hoc sinh)\s*$"
    ),
}

_CUES = {
    Audience.TEACHER: re.compile(
        r"\b(hoc sinh|hs) (cua toi|lop toi|truong toi|toi chu nhiem|cua minh)\b"
        r"|\b(lop|truong) toi (chu nhiem|co hoc sinh|co em)\b|\bnha truong (phai|can) lam\b"
        r"|\b(giao vien|gvcn|thay co) (phai|can) lam\b|\b(phu huynh|bo me) hoc sinh\b"
        r"|\bto tu van\b|\bbao cao (len|voi) (phong|so|ban giam hieu)\b"
    ),
    Audience.PARENT: re.compile(
        r"\b(con|chau|be|con gai|con trai) (toi|tui|nha toi|nha minh|cua toi|minh)\b"
        r"|\b(be|chau|con) nha (toi|minh|tui|em)\b|\bcon (em|tui) (nam nay|moi|bi|dang)\b"
        r"|\b(vo chong toi|ba me|bo me) (nen|phai) lam\b|\bnuoi con\b|\bday con\b"
        r"|(?<!cua )\b(me|bo|ba|ma|cha) (phai|nen|can) (lam|xu ly|noi|day|bao)\b(?! (em|con|tui))"
        r"|\b(con|be|chau) (bi|dang bi)\b.*\b(me|bo|ba|ma) (phai|nen|can|lo)\b"
    ),
    Audience.STUDENT: re.compile(
        r"\b(bo|me|ba|ma|cha|bo duong|me ke|chu|co giao|thay|ban|lop|truong) (em|tui|minh|tao)\b"
        r"|(?<!tre )(?<!cac )(?<!nhung )(?<!tre con )\b(em|e|tui|minh) (bi|dang bi|so|buon"
        r"|khong dam|ko dam|muon hoi|ap luc|met|chan|co don|stress|cang thang|khoc|lo lang"
        r"|that vong|ghet)\b"
        # "em" on the receiving end: "tụi bạn đòi tiền em", "nó đánh em", "cô giáo chửi em"
        r"|\b(?:danh|chui|dam|tat|bat nat|an hiep|doi tien|che gieu|treu|choc|ep|doa|xo"
        r"|chan duong|co lap|tay chay|nem da|boc phot) (?:em|e|tui)\b"
        r"|\bban (cung lop|trong lop)\b|\bthay co (bat|danh|chui)\b"
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
)


def strip_role_statement(folded: str) -> str:
    """What is left of a message once "tôi là giáo viên" (and "chủ nhiệm lớp 5 ở Đà Nẵng",
    which describes the writer and asks nothing) is taken out."""
    rest = folded
    for pattern in _STATEMENT.values():
        rest = pattern.sub(" ", rest)
    rest = _ROLE_DETAIL.sub(" ", rest)
    return " ".join(
        w for w in rest.split() if w not in {"a", "nhe", "nha", "oi", "ad", "ban", "chao", "xin"}
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
)


def about_a_child(folded: str) -> bool:
    """The writer tells about someone else's danger (a parent, teacher or neighbour)."""
    return bool(_ABOUT_A_CHILD.search(folded))
