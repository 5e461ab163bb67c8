from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.normalise import fold, normalise


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Em bị bố đánh", "e bi bo danh"),
        ("EM BỊ BỐ ĐÁNH!!!", "em bi bo danh"),
        ("Đuối nước", "duoi nuoc"),
        ("ko bik phai lam j", "không biết phải làm gì"),
        ("đc ko ạ", "được không ạ"),
    ],
)
def test_variants_fold_to_the_same_words(a: str, b: str) -> None:
    fa, fb = normalise(a).folded, normalise(b).folded
    # "e" and "em" are both kept (the classifier learns they are the same speaker)
    assert fa.replace("em ", "e ") == fb.replace("em ", "e ")


def test_fold_handles_d_with_stroke_and_nfd_input() -> None:
    decomposed = "Đa\u0300 Nă\u0303ng"  # combining marks, as some phones send
    assert fold(decomposed) == "da nang"
    assert fold("đĐÐ") == "ddd"


def test_repeated_letters_keep_cuu() -> None:
    assert normalise("cứuuuuu").folded == "cuu"
    assert normalise("hellooooo").folded.startswith("hello")


def test_emoji_and_controls() -> None:
    assert normalise("😭😭").folded == "khoc khoc"
    assert normalise("\x00\x07xin\u200bchào").tokens
    assert normalise("   ").is_empty
    assert normalise("🎉🎉").is_empty


@given(st.text())
def test_never_raises(text: str) -> None:
    result = normalise(text)
    assert result.folded == result.folded.lower()
