"""What only the Zalo channel says (everything else is the core's answers). Core markup:
`**bold**` (shown plain on Zalo) and "• " bullets."""

from __future__ import annotations

HELP_LINE = "Nếu có ai đang gặp nguy hiểm, gọi ngay **111** (miễn phí, 24/7)."

# Zalo cannot delete messages already sent (there is no such API for an OA), so the erase
# confirmation says what was erased and how the user removes the chat themselves.
ERASED = (
    "Đã xóa dữ liệu mình lưu về bạn. Zalo không cho phép mình xóa các tin nhắn đã gửi; "
    "bạn có thể tự xóa cuộc trò chuyện này trong Zalo."
)

# Event name → what the user sent, as the notice names it ("chưa xem được ảnh").
MEDIA_NAMES: dict[str, str] = {
    "user_send_image": "ảnh",
    "user_send_gif": "ảnh động",
    "user_send_sticker": "sticker",
    "user_send_file": "tệp",
    "user_send_audio": "tin nhắn thoại",
    "user_send_video": "video",
    "user_send_location": "vị trí",
    "user_send_link": "đường link",
    "user_send_business_card": "danh thiếp",
}
# Events whose `message.text`, if any, is a caption worth answering.
CAPTIONED = frozenset({"user_send_image", "user_send_gif", "user_send_file", "user_send_video"})
NOT_STORED = frozenset({"user_send_location", "user_send_business_card"})

CAPTION_NOTE = "(Mình chỉ đọc được phần chữ, không xem được ảnh hay tệp đính kèm.)"


def media_notice(event_name: str) -> str:
    """The answer to a message with no text: what the bot can read, and 111."""
    name = MEDIA_NAMES.get(event_name, "loại tin nhắn này")
    lines = [
        f"Mình chỉ đọc được tin nhắn chữ, chưa xem được {name}. "
        "Bạn hãy gõ điều muốn hỏi nhé, có dấu hay không dấu đều được."
    ]
    if event_name in NOT_STORED:
        lines.append("Mình không lưu thông tin bạn vừa gửi.")
    lines.append(HELP_LINE)
    return "\n".join(lines)
