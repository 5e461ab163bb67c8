"""Round 5 of the safety forms (#12, helper safety3): the causes behind the last blind
measurement's false alarms (past incidents, word collisions, pleas about everyday trouble,
idioms, news) and misses (bare pleas, running away, missing, sexual assault, leetspeak and
letters typed twice), each pinned with messages written for this file (not training entries,
not from any test corpus) and, where it matters, the counterpart that must stay urgent.

Urgent cases are read by the rules alone (`use_model=False`), so each fails when its rule is
taken away even if the learned model would have caught the message."""

from __future__ import annotations

import pytest

from handlers.safety import Danger, assess
from nlu.text import read

RULES_URGENT: list[tuple[str, Danger]] = [
    # leetspeak with 7/9/8 and digits at a word's edge (the reader undoes it)
    ("3m d4n9 b1 b0 d4nh", Danger.VIOLENCE),
    ("n9u0i l4 8a7 c0c 3m", Danger.ABDUCTION_MISSING),
    ("t01 mu0n ch37", Danger.SUICIDE_SELF_HARM),
    # the last letter typed twice
    ("emm dangg bi bo danhh", Danger.VIOLENCE),
    # a plea for help now, in so many words
    ("mình cần người giúp gấp", Danger.UNSPECIFIED),
    # never going back to "this house"; left and dares not go back; "trốn khỏi nhà"
    ("tui đi đây, không về cái nhà này nữa đâu", Danger.RUNAWAY),
    ("con sẽ không bao giờ quay về nhà", Danger.RUNAWAY),
    ("mình bỏ nhà đi rồi, không dám về", Danger.RUNAWAY),
    ("em đã trốn khỏi nhà", Danger.RUNAWAY),
    ("i'm never going back home", Danger.RUNAWAY),
    # the writer who left home and says where they sit
    ("mình đang ngồi ở nhà ga, mình bỏ đi rồi", Danger.RUNAWAY),
    # an adult outside the family kissing the child; a kiss forced
    ("ông hàng xóm cứ ôm hôn em mỗi lần mẹ đi vắng", Danger.SEXUAL_ASSAULT),
    ("anh ta ghì em lại rồi hôn em", Danger.SEXUAL_ASSAULT),
    # a child gone off with someone
    ("con bé nhà tôi bỏ đi với một người nó quen qua game", Danger.ABDUCTION_MISSING),
]

NOT_URGENT: list[str] = [
    # a plea about everyday trouble, anywhere in the message
    "cứu tui với, mạng lag quá không vào được lớp online",
    "ai cứu em với, đề cương dài quá mà sắp thi rồi",
    "cứu, quên mật khẩu zalo rồi",
    # "cứu" told as what someone did, and in a story long past
    "hồi nhỏ em suýt đuối nước, may có chú bộ đội cứu kịp",
    "bạn ấy được cứu sống nhờ người đi đường",
    # collisions typed bare: former (cựu), sheep (cừu), a warranty, a bowl and a cup, hurry
    "bo em la cuu giao vien truong nay",
    "o trang trai co may con cuu de thuong lam",
    "bao hanh laptop o dau vay ad",
    "rua bat coc xong roi moi di choi",
    "chay mau di con oi, xe toi roi",
    # accented collisions: "hơn" is no kiss, "bát cốc" no abduction
    "thầy giáo cao hơn em một cái đầu",
    "mẹ mua bát cốc mới cho nhà em",
    # past and resolved, in forms the cues now read
    "hồi cấp 1 mẹ hay đánh em, giờ em ở với ba và ổn rồi",
    "năm lớp 6 mình từng có ý định tự tử, giờ mình ổn và vui vẻ hơn",
    "tuần trước con bỏ nhà đi một buổi, giờ về rồi, bố mẹ với con đã nói chuyện",
    "hôm qua con uống nhầm dầu gió, đi viện về rồi",
    "đêm qua thằng bé sốt cao co giật, đi cấp cứu về rồi, giờ ngủ ngon",
    "chuyện bạn em bị người lạ dụ dỗ đã báo công an xử lý xong rồi",
    # a condition in other words; a role rehearsed; a holiday past
    "giả dụ có người lạ rủ em lên xe thì sao",
    "tụi em đang tập vai đứa trẻ bị bắt cóc cho buổi ngoại khóa",
    "hôm tết em họ tôi bị ngã xe, giờ lành rồi",
    # an ache, not a wish to die
    "đau răng muốn chết",
]

STAYS_URGENT: list[str] = [
    # everyday trouble named, but something frightening told too: the plea stands
    "cứu em với, điện thoại sắp hết pin mà em sợ lắm",
    # treated and home, but it happens again
    "tối qua bé co giật, đi cấp cứu về rồi nhưng giờ lại co giật",
    # rescued, but a severe sign after
    "con bé được cứu lên bờ nhưng không thở",
    # a plea now, not a story
    "cứu em với, em đang ở một mình và rất sợ",
]


@pytest.mark.parametrize(("text", "danger"), RULES_URGENT)
def test_the_rules_escalate_with_the_danger_first(text: str, danger: Danger) -> None:
    result = assess(read(text), use_model=False)
    assert result.urgent, (text, result)
    assert result.primary is danger, (text, result)


@pytest.mark.parametrize("text", NOT_URGENT)
def test_not_the_alarm(text: str) -> None:
    result = assess(read(text))
    assert not result.urgent, (text, result)


@pytest.mark.parametrize("text", STAYS_URGENT)
def test_the_counterpart_stays_urgent(text: str) -> None:
    result = assess(read(text))
    assert result.urgent, (text, result)
