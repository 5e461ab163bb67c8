"""What the handoff says to the person writing (Vietnamese), in one place."""

from __future__ import annotations

CANCEL_LABEL = "Hủy"


def queued(centre: str, position: int, retention_days: int) -> str:
    return (
        f"💬 Mình đã chuyển bạn tới **tư vấn viên của {centre}**. Một người thật sẽ đọc "
        "những gì bạn viết **từ bây giờ**; cuộc trò chuyện trước đó với trợ lý tự động "
        "không được chuyển cho họ.\n"
        f"Bạn đang ở vị trí số **{position}** trong hàng chờ. Trong lúc chờ, trợ lý sẽ im lặng "
        "để không nói chen vào.\n\n"
        f"{privacy_notice(retention_days)}\n\n"
        "Nếu đang gặp nguy hiểm, gọi ngay **111** (miễn phí, 24/7)."
    )


def privacy_notice(retention_days: int) -> str:
    return (
        "🔒 Được lưu những gì: tin nhắn giữa bạn và tư vấn viên, được mã hóa, giữ "
        f"{retention_days} ngày rồi tự xóa; chỉ tư vấn viên và quản trị viên của trung tâm "
        "đọc được, và mỗi lần đọc đều được ghi lại. Địa chỉ để trả lời bạn (mã cuộc trò "
        "chuyện) chỉ giữ đến khi kết thúc. Bấm **Hủy** để thôi, gõ /xoa để kết thúc và xóa hết."
    )


def already_queued(position: int) -> str:
    return (
        f"Bạn vẫn đang ở vị trí số **{position}** trong hàng chờ. Tư vấn viên sẽ trả lời "
        "ngay khi có thể. Nếu đang gặp nguy hiểm, gọi **111**."
    )


ALREADY_ACTIVE = "Tư vấn viên đang trò chuyện với bạn. Bạn cứ viết tiếp nhé."


def unavailable(centre: str, next_open: str | None, anyone_scheduled: bool) -> str:
    if not anyone_scheduled:
        when = f"Tư vấn viên của {centre} hiện không trò chuyện qua kênh này."
    elif next_open is None:
        when = (
            f"Lúc này chưa có tư vấn viên của {centre} sẵn sàng trò chuyện. "
            "Bạn thử lại sau ít phút nhé."
        )
    else:
        when = f"Lúc này chưa có tư vấn viên của {centre} trực. Sẽ có người trực **{next_open}**."
    return (
        f"{when}\n"
        "Nếu cần nói chuyện với một người ngay bây giờ, gọi **111** – Tổng đài quốc gia bảo vệ "
        "trẻ em, miễn phí, có người nghe máy 24/7."
    )


CLAIMED = "👋 Một tư vấn viên đã vào cuộc trò chuyện và đang đọc tin nhắn của bạn."
TRANSFERRED = "Một tư vấn viên khác tiếp tục trò chuyện với bạn."
CLOSED = (
    "Tư vấn viên đã kết thúc cuộc trò chuyện. Từ giờ trợ lý tự động trả lời bạn như trước. "
    "Cần giúp ngay: gọi **111** (miễn phí, 24/7)."
)
EXPIRED = (
    "Chưa có tư vấn viên nhận được cuộc trò chuyện này nên yêu cầu đã đóng. Trợ lý tự động "
    "trả lời bạn như trước. Muốn nói chuyện với một người ngay: gọi **111** (miễn phí, 24/7)."
)
CANCELLED = "Đã hủy yêu cầu gặp tư vấn viên. Trợ lý tự động trả lời bạn như trước."
NOTHING_TO_CANCEL = "Bạn không có yêu cầu gặp tư vấn viên nào đang chờ."
