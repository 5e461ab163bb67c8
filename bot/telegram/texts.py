"""What only the Telegram channel says (everything else comes from the core's answers).

Same tiny markup as the core: `**bold**` and "• " bullets.
"""

from __future__ import annotations

HELP_LINE = "Nếu có ai đang gặp nguy hiểm, gọi ngay **111** (miễn phí, 24/7)."

# Menu shown by Telegram next to the text box (setMyCommands): name → description.
COMMAND_MENU: dict[str, str] = {
    "start": "Bắt đầu và chọn bạn là ai",
    "help": "Mình giúp được gì",
    "vaitro": "Đổi vai trò: phụ huynh, học sinh, giáo viên",
    "khancap": "Các số điện thoại khẩn cấp",
    "baomat": "Quyền riêng tư của bạn",
    "xoa": "Xóa tin nhắn và dữ liệu của bạn",
    "nguoi": "Nói chuyện với tư vấn viên (người thật)",
}

# What the user sent, as the notice names it ("mình chưa xem được ảnh").
ATTACHMENT_NAMES: dict[str, str] = {
    "photo": "ảnh",
    "voice": "tin nhắn thoại",
    "audio": "tệp âm thanh",
    "video": "video",
    "video_note": "video tròn",
    "animation": "ảnh động",
    "sticker": "nhãn dán",
    "document": "tệp",
    "location": "vị trí",
    "venue": "địa điểm",
    "contact": "danh bạ",
    "poll": "cuộc bình chọn",
    "dice": "xúc xắc",
    "story": "tin",
}
NOT_STORED = {"location", "venue", "contact"}


def attachment_notice(kind: str | None) -> str:
    """The answer to a message with no text: what the bot can read, and 111."""
    name = ATTACHMENT_NAMES.get(kind or "", "loại tin nhắn này")
    lines = [
        f"Mình chỉ đọc được tin nhắn chữ, chưa xem được {name}. "
        "Bạn hãy gõ điều muốn hỏi nhé, có dấu hay không dấu đều được."
    ]
    if kind in NOT_STORED:
        lines.append("Mình không lưu thông tin bạn vừa gửi.")
    lines.append(HELP_LINE)
    return "\n".join(lines)


CAPTION_NOTE = "(Mình chỉ đọc được phần chữ, không xem được ảnh hay tệp đính kèm.)"

GROUP_INTRO = (
    "Chào cả nhóm! Mình là trợ lý thông tin về bảo vệ trẻ em. Trong nhóm, mình chỉ trả lời "
    "khi được nhắc tên (@{username}), khi có người trả lời tin nhắn của mình, hoặc khi dùng lệnh.\n"
    "Chuyện riêng tư, hãy nhắn riêng cho mình: t.me/{username}\n" + HELP_LINE
)

# Under an urgent answer given in a group, where the whole group can read it.
GROUP_PRIVATE_HINT = "🔒 Muốn hỏi riêng, nhắn trực tiếp cho mình: t.me/{username}"
