"""Disguises the stress harness (handlers/safety/stress.py) found read wrong, each fixed in
the reader in general (examples written for these tests), and the disguise generator itself
(nlu/text/disguise.py): reproducible, and every style changes the text."""

from __future__ import annotations

import pytest

from nlu.text import read
from nlu.text.disguise import COMBOS, STYLES, combo_of, disguise, strip_accents


def folded(text: str) -> str:
    return read(text).folded


# ------------------------------------------------------------- letters typed apart


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("b ố s a y rồi", "bo say roi"),  # no Telex inside spelled letters ("bosay" is no bó ay)
        ("c h o x o n g", "cho xong"),
        ("t ự t ử", "tu tu"),  # two tone marks: two syllables, never English "tutu"
        ("c ó đ ứ a d ọ a c h é m e m", "co dua doa chem em"),  # the accents split it
        ("e m b ị é p q u a n h ệ", "em bi ep quan he"),
        ("em sẽ ra đ i", "em se ra di"),  # two letters alone make a syllable
        ("e m muốn chết", "em muon chet"),
        ("m i k buồn", "minh buon"),  # a chat spelling spelled out
        ("c r u s h", "crush"),  # English spelled out
        ("k_n_i_f_e", "knife"),
        ("c.l.i.p nóng", "clip nong"),
    ],
)
def test_letters_typed_apart_rejoin(text: str, plain: str) -> None:
    assert folded(text) == plain


def test_two_lone_letters_that_are_words_stay_apart() -> None:
    assert folded("vây đánh e ở bãi xe") == "vay danh e o bai xe"  # "e ở" is no "eo"
    assert folded("uk e bit r") == "u e biet roi"  # a word read as one letter joins nothing
    assert folded("e k j") == "e khong gi"


def test_a_long_spelled_out_message_is_read_whole() -> None:
    sentence = "chào anh chị em là học sinh lớp tám ở nghệ an dạo này em học hành bình thường"
    spelled = " ".join(ch for ch in sentence if ch != " ")
    assert folded(spelled) == folded(sentence)
    # past the old cap of 120 letters, the letters were left apart
    assert folded(" ".join([spelled] * 3)) == " ".join([folded(sentence)] * 3)


# ---------------------------------------------------------------- emoji inside words


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("i😢feel weird", "i feel weird"),  # two English words
        ("he has🩸a knife", "he has a knife"),
        ("mk👉vào quán", "minh vao quan"),  # a chat spelling and a syllable
        ("thì🖤em phải", "thi em phai"),  # "thìem" is no written syllable
        ("có😱ao cá", "co ao ca"),
        ("ch💀ết", "chet"),  # still one word
        ("ngườ🥺i", "nguoi"),
        ("e🖤m", "em"),
    ],
)
def test_emoji_between_two_words_splits_them(text: str, plain: str) -> None:
    assert folded(text) == plain


# ---------------------------------------------------------------------------- leet


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("e mun 7u 7u", "e muon tu tu"),  # 7 for t; two short ones make a leet message
        ("3m muốn k37 thúc tất c4", "em muon ket thuc tat ca"),
        ("8@n cun9 phòng em vu4 c@7 cổ tay", "ban cung phong em vua cat co tay"),  # 8, 9, @
        ("1am sao phon9 tr4nh", "lam sao phong tranh"),  # 1 for l
        ("to! n@y xong hết ro!, c@m 0n m01 n9u0i", "toi nay xong het roi cam on moi nguoi"),
        ("em cứ nghĩ d3n c4i ch37 $uot", "em cu nghi den cai chet suot"),  # $ before a word
    ],
)
def test_leet_digits_and_symbols(text: str, plain: str) -> None:
    assert folded(text) == plain


@pytest.mark.parametrize(
    "kept", ["7am", "8h", "3pm", "mp3", "5h30", "10a1", "40kg", "4g 5g wifi", "cứu em!"]
)
def test_numbers_with_units_and_exclamations_stay(kept: str) -> None:
    assert folded(kept) == read(kept).plain.replace("!", "")


# ------------------------------------------------------------------ words run together


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("koaicanenua", "khong ai can e nua"),  # chat spellings inside a run
        ("mkvaoquan roi", "minh vao quan roi"),
        ("co ngbatcoce", "co nguoi bat coc e"),
        ("conbé 5tuổi", "con be 5 tuoi"),  # a number and the word it counts
        ("17tuoi", "17 tuoi"),
    ],
)
def test_words_run_together_with_chat_spellings_and_numbers(text: str, plain: str) -> None:
    assert folded(text) == plain


def test_a_telex_tone_key_typed_twice_is_the_letter() -> None:
    assert folded("bị boss đánh bại") == "bi boss danh bai"  # "boss" is no bó
    assert folded("qua mess") == "qua mess"
    assert folded("cheets") == "chet"


# -------------------------------------------------------------- disguised, and clear


def test_disguised_says_whether_a_disguise_was_undone() -> None:
    disguises = ("c h ế t", "ch3t", "chếttt", "ch💀ết", "cheets", "chet61", "emmuốntựtử", "c.h.e.t")
    for text in disguises:
        assert read(text).disguised, text
    for text in ("em muốn chết", "e ko mun song nua", "ｃｈｅｔ", "😭 em buồn", "my dad hits me"):
        assert not read(text).disguised, text


def test_clear_keeps_the_sentence_breaks_of_a_disguised_message() -> None:
    r = read("A0L0. em muốn tự tử. ")
    assert r.folded == "ao lo em muon tu tu"
    assert r.clear == "ao lo. em muốn tự tử."
    assert read("t.u t.u thoi, e met lam r").clear == "tu tu thoi, e met lam roi"
    assert read("em muốn chết").clear == ""  # not disguised


@pytest.mark.parametrize(
    ("text", "clear"),
    [
        ("t ố g i á c t ộ i p h ạ m", "tố giác tội phạm"),  # spelled: the letters' accents
        ("n.ê.n c.ấ.t thuốc", "nên cất thuốc"),  # dotted
        ("chếếết đi cho rồiii", "chết đi cho rồi"),  # held
        ("emmuốntựtử, cứuuu", "em muốn tự tử, cứu"),  # run together, split by its accents
        ("ch💀ết", "chết"),  # emoji inside
        ("ch3t đi", "chet đi"),  # leet has no accents to keep
        ("m i k buồn", "minh buồn"),  # a chat spelling is read
    ],
)
def test_clear_keeps_the_accents_a_disguise_kept(text: str, clear: str) -> None:
    assert read(text).clear == clear


def test_a_two_letter_syllable_beside_lone_letters_joins_them() -> None:
    assert folded("cu u e v o i") == "cuu e voi"
    assert folded("em c h ế t") == "em chet"
    assert folded("em ơi") == "em oi"  # no lone letters: nothing to join


# ------------------------------------------------------------- the disguise generator


SENTENCE = "bố đang đánh em rất đau, cứu em với"


@pytest.mark.parametrize("style", STYLES)
def test_each_style_changes_the_text_reproducibly(style: str) -> None:
    once = disguise(SENTENCE, style, seed=3)
    assert once == disguise(SENTENCE, style, seed=3)
    assert once != SENTENCE
    assert any(disguise(SENTENCE, style, seed=s) != once for s in range(4, 10))


def test_unknown_style_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown disguise style"):
        disguise(SENTENCE, "rot13")


def test_combo_uses_two_known_styles() -> None:
    first, second = combo_of(SENTENCE, seed=1)
    assert (first, second) in COMBOS and first != second


def test_telex_and_vni_keys_are_the_input_methods() -> None:
    for seed in range(20):
        telex = disguise("chết", "telex", seed)
        assert telex in ("cheets", "cheest", "chết"), telex
        vni = disguise("chết", "vni", seed)
        assert vni in ("chet61", "che61t", "chết"), vni
    assert strip_accents("Đường đi") == "Duong di"


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("iwantto die", "i want to die"),
        ("nobodywouldcare ifidied", "nobody would care if i died"),
        ("akid isdrowningin theriver", "a kid is drowning in the river"),
        ("he has aknifeand sayshewillkillus", "he has a knife and says he will kill us"),
    ],
)
def test_english_words_run_together_split(text: str, plain: str) -> None:
    assert folded(text) == plain


@pytest.mark.parametrize(
    "kept",
    [
        "what does sextortion mean",
        "this guy is sextorting my son",  # never "sex tort ing"
        "childproofing tips so the baby doesnt swallow batteries",
        "my homeroom teacher",
        "kms",
    ],
)
def test_rare_english_words_and_vietnamese_runs_stay_whole(kept: str) -> None:
    assert folded(kept) == kept
    assert folded("koaicanenua") == "khong ai can e nua"  # chat spellings, not "ko a i cane"


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("1'm 90in9 7o k!11 myself", "1'm going to kill myself"),  # 1 as i or l, 9 as g
        ("my 5is7er @7e $0m3 pi115 5h3 f0und", "my sister ate some pills she found"),
        ("h31p me pls", "help me pls"),
        ("n0 on3 cares if i d13", "no one cares if i die"),
    ],
)
def test_english_in_leetspeak(text: str, plain: str) -> None:
    assert folded(text) == plain


def test_a_class_or_a_room_number_in_vietnamese_stays() -> None:
    assert folded("phong b10 tang 3") == "phong b10 tang 3"  # no "bio" in a Vietnamese message
    assert folded("pay $50 now") == "pay 50 now"
