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
    # --- classes found by the dev set triage_dev4 (pinned here in other words)
    # smoke filling the place, a hot door handle; English smoke coming in; the shout alone
    ("phòng ngủ tụi em toàn khói, không thấy đường ra", Danger.FIRE),
    ("tay nắm cửa phòng nóng quá không dám mở", Danger.FIRE),
    ("smoke is coming in through the vents and i can't get out", Danger.FIRE),
    ("cháy!!!", Danger.FIRE),
    ("ổ cắm sau tủ lạnh chập điện bốc lửa, lửa lên rèm rồi", Danger.FIRE),
    # just pulled out of the water
    ("thằng bé vừa được vớt lên từ ao, tím tái", Danger.DROWNING),
    # "bên cạnh" (next door) is no scene of a film
    ("con nhà bên cạnh vừa rơi xuống ao", Danger.DROWNING),
    # dragged off and groped: the assault leads (111), not the dragging (113)
    ("hôm qua có ông lạ kéo em vào hẻm rồi sờ soạng em", Danger.SEXUAL_ASSAULT),
    # slipped into a well ("lọt", "sa" as well as "ngã", "rơi")
    ("con bé lọt xuống giếng sau nhà rồi", Danger.DROWNING),
    # went under and has not come up
    ("thằng em nhảy xuống sông tắm, mười phút rồi chưa thấy ngoi lên", Danger.DROWNING),
    # an intruder getting in: an attack, not abuse at home
    ("có thằng trộm đang leo ban công vào nhà em", Danger.VIOLENCE),
    ("mấy người lạ đang đập cửa nhà em đòi vào", Danger.VIOLENCE),
    # turned away and gone; searched everywhere; a stranger's car the wrong way; English grab
    ("tôi quay lưng trả tiền rau một chút là thằng bé mất tiêu", Danger.ABDUCTION_MISSING),
    ("cả nhà đi tìm khắp khu phố mà vẫn không thấy bé đâu", Danger.ABDUCTION_MISSING),
    (
        "mình đang ngồi trên xe hơi của một người không quen, ông ấy chạy sai đường",
        Danger.ABDUCTION_MISSING,
    ),
    ("a woman just snatched a baby from the stroller", Danger.ABDUCTION_MISSING),
    # on the tracks; on a bridge rail with a farewell (an attempt, 115 first)
    ("mình đang nằm trên đường ray", Danger.SUICIDE_ATTEMPT),
    ("con xin lỗi bố, con đang đứng trên lan can cầu", Danger.SUICIDE_ATTEMPT),
    # a method looked up; sleep and never wake; gone so the family suffers less
    ("tối qua em lên mạng tra cách treo cổ", Danger.SUICIDE_SELF_HARM),
    ("chỉ muốn nhắm mắt rồi không bao giờ tỉnh lại", Danger.SUICIDE_SELF_HARM),
    ("chắc con biến mất cho bố mẹ bớt khổ", Danger.SUICIDE_SELF_HARM),
    # marks a carer made; food withheld as a punishment
    ("trên lưng bé có vết bầm tím, bé bảo là do dượng", Danger.ABUSE),
    ("bố dượng phạt em nhịn ăn mỗi lần em về muộn", Danger.ABUSE),
    # pills eaten like sweets; a caustic and a burnt mouth; by accident it is poisoning
    ("thằng cu bóc vỉ thuốc của bà ăn như kẹo", Danger.POISONING),
    ("con tôi nghịch chai nước tẩy bồn cầu, giờ môi nó sưng đỏ", Danger.POISONING),
    ("cháu tưởng là kẹo nên nuốt cả vỉ thuốc ngủ", Danger.POISONING),
    # kept back alone and told not to tell; a "special" pupil messaged at night and secrecy
    ("thầy dạy võ bảo em ở lại sau giờ tập một mình và không được kể với bạn bè", Danger.GROOMING),
    (
        "chú gia sư hay nhắn tin cho em lúc nửa đêm, nói em là học trò đặc biệt, đừng nói với bố",
        Danger.GROOMING,
    ),
    # sneaking out when everyone sleeps; a note left, then gone
    ("đợi bố mẹ ngủ say là em trốn đi ra bến xe", Danger.RUNAWAY),
    ("con tôi viết lại tờ giấy xin lỗi rồi đi từ chiều", Danger.RUNAWAY),
    # out of milk, alone with a baby sibling
    ("mẹ đi mất hai hôm, em ở nhà một mình với em bé, hết sữa rồi", Danger.NEGLECT),
    # a head hit against a post while playing: an injury (115), not an attack
    ("đang chơi thằng bạn đập đầu vào tường, giờ nó ngất luôn", Danger.SERIOUS_INJURY),
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
    # --- classes found by the dev set triage_dev4 (pinned here in other words)
    # a task asked for, not a plea; a warranty; the flag
    "em viết bài văn về một bạn bị lạc, sửa giúp em với",
    "tai nghe nay con bao hanh khong shop",
    "thu hai nao truong em cung treo co, chao co",
    # news seen; how to talk to a child about it
    "em vừa xem tin một bạn nhỏ bị đánh ở tỉnh khác, thương quá",
    "how should we talk to our 8 year old about strangers who ask for pictures",
    # past and over: a hospital stay and home; an account closed, long ago
    "hồi tháng 3 thằng bé bị co giật do sốt, nằm viện 2 ngày rồi về, giờ khỏe rồi",
    "hồi lớp 7 có người dọa tung ảnh em, tài khoản đó bị khóa rồi, chuyện qua lâu rồi",
    # the new situations' harmless twins: a thing looked for, a grill, a car in the sun, a
    # repair, a game at night, a friend hiding under water, workmen banging
    "tìm ví khắp nhà mà không thấy",
    "tìm khắp nhà mà không thấy cái điều khiển tivi đâu",
    "bếp nướng ngoài sân toàn khói, cay mắt ghê",
    "trưa nắng tay nắm cửa xe nóng quá",
    "có người leo vào nhà hàng xóm sửa mái tôn",
    "đợi bố mẹ ngủ em lén chơi game",
    "tụi em tập lặn ở bể bơi, bạn em lặn lâu chưa lên, hóa ra bạn trốn sau phao",
    "nhà hàng xóm đang sửa, tiếng đập cửa ầm ầm cả ngày",
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
