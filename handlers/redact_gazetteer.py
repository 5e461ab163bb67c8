"""Districts, towns and provinces of Vietnam (#17): what an address names after its home part.

Where someone lives is the house, the alley, the street, the hamlet, the ward or the commune;
the district, the town and the province after it identify nobody and tell staff which local
centre to refer to, so they stay (", Ba Đình", ", huyện Nghi Lộc", ", TP Thái Nguyên"). The
names below are those written bare, without "quận"/"huyện"/"tỉnh" before them: the provinces,
the districts of the five centrally-run cities, the provincial cities and towns, and the
provinces' districts (the pre-2025 administrative list: still how people write an address).
Folded (lowercase, no diacritics, "đ" as "d"), as `nlu.text.fold` gives them.
"""

from __future__ import annotations

from nlu.text import fold


def _names(text: str) -> frozenset[str]:
    names = (" ".join(name.split()).replace("' ", "'") for name in text.split("|"))
    return frozenset(fold(name) for name in names if name)


PROVINCES = _names(
    """Hà Nội | Hà Giang | Cao Bằng | Bắc Kạn | Tuyên Quang | Lào Cai | Điện Biên | Lai Châu | Sơn
La | Yên Bái | Hoà Bình | Thái Nguyên | Lạng Sơn | Quảng Ninh | Bắc Giang | Phú Thọ | Vĩnh
Phúc | Bắc Ninh | Hải Dương | Hải Phòng | Hưng Yên | Thái Bình | Hà Nam | Nam Định | Ninh
Bình | Thanh Hóa | Nghệ An | Hà Tĩnh | Quảng Bình | Quảng Trị | Huế | Đà Nẵng | Quảng Nam |
Quảng Ngãi | Bình Định | Phú Yên | Khánh Hòa | Ninh Thuận | Bình Thuận | Kon Tum | Gia Lai |
Đắk Lắk | Đắk Nông | Lâm Đồng | Bình Phước | Tây Ninh | Bình Dương | Đồng Nai | Bà Rịa |
Vũng Tàu | Hồ Chí Minh | Long An | Tiền Giang | Bến Tre | Trà Vinh | Vĩnh Long | Đồng Tháp |
An Giang | Kiên Giang | Cần Thơ | Hậu Giang | Sóc Trăng | Bạc Liêu | Cà Mau"""
)

CITY_DISTRICTS = _names(
    """Ba Đình | Hoàn Kiếm | Tây Hồ | Long Biên | Cầu Giấy | Đống Đa | Hai Bà Trưng | Hoàng Mai |
Thanh Xuân | Sóc Sơn | Đông Anh | Gia Lâm | Nam Từ Liêm | Thanh Trì | Bắc Từ Liêm | Mê Linh
| Hà Đông | Sơn Tây | Ba Vì | Phúc Thọ | Đan Phượng | Hoài Đức | Quốc Oai | Thạch Thất |
Chương Mỹ | Thanh Oai | Thường Tín | Phú Xuyên | Ứng Hòa | Mỹ Đức | Hồng Bàng | Ngô Quyền |
Lê Chân | Hải An | Kiến An | Đồ Sơn | Dương Kinh | Thuỷ Nguyên | An Dương | An Lão | Kiến
Thuỵ | Tiên Lãng | Vĩnh Bảo | Cát Hải | Bạch Long Vĩ | Liên Chiểu | Thanh Khê | Hải Châu |
Sơn Trà | Ngũ Hành Sơn | Cẩm Lệ | Hòa Vang | Hoàng Sa | Gò Vấp | Bình Thạnh | Tân Bình | Tân
Phú | Phú Nhuận | Thủ Đức | Bình Tân | Củ Chi | Hóc Môn | Bình Chánh | Nhà Bè | Cần Giờ |
Ninh Kiều | Ô Môn | Bình Thuỷ | Cái Răng | Thốt Nốt | Vĩnh Thạnh | Cờ Đỏ | Phong Điền | Thới
Lai"""
)

TOWNS = _names(
    """Hà Giang | Cao Bằng | Bắc Kạn | Tuyên Quang | Lào Cai | Sa Pa | Điện Biên Phủ | Mường Lay |
Lai Châu | Sơn La | Yên Bái | Nghĩa Lộ | Hòa Bình | Thái Nguyên | Sông Công | Phổ Yên | Lạng
Sơn | Hạ Long | Móng Cái | Cẩm Phả | Uông Bí | Đông Triều | Quảng Yên | Bắc Giang | Việt Yên
| Chũ | Việt Trì | Phú Thọ | Vĩnh Yên | Phúc Yên | Bắc Ninh | Quế Võ | Từ Sơn | Thuận Thành
| Hải Dương | Chí Linh | Kinh Môn | Hưng Yên | Mỹ Hào | Thái Bình | Phủ Lý | Duy Tiên | Kim
Bảng | Nam Định | Tam Điệp | Hoa Lư | Thanh Hóa | Bỉm Sơn | Sầm Sơn | Nghi Sơn | Vinh | Thái
Hoà | Hoàng Mai | Hà Tĩnh | Hồng Lĩnh | Kỳ Anh | Đồng Hới | Ba Đồn | Đông Hà | Quảng Trị |
Phong Điền | Hương Thủy | Hương Trà | Tam Kỳ | Hội An | Điện Bàn | Quảng Ngãi | Đức Phổ |
Quy Nhơn | Hoài Nhơn | An Nhơn | Tuy Hoà | Sông Cầu | Đông Hòa | Nha Trang | Cam Ranh | Ninh
Hòa | Phan Rang | Tháp Chàm | Phan Thiết | La Gi | Kon Tum | Pleiku | An Khê | Ayun Pa |
Buôn Ma Thuột | Buôn Hồ | Gia Nghĩa | Đà Lạt | Bảo Lộc | Phước Long | Đồng Xoài | Bình Long
| Chơn Thành | Tây Ninh | Hòa Thành | Trảng Bàng | Thủ Dầu Một | Bến Cát | Tân Uyên | Dĩ An
| Thuận An | Biên Hòa | Long Khánh | Vũng Tàu | Bà Rịa | Phú Mỹ | Tân An | Kiến Tường | Mỹ
Tho | Gò Công | Cai Lậy | Bến Tre | Trà Vinh | Duyên Hải | Vĩnh Long | Bình Minh | Cao Lãnh
| Sa Đéc | Hồng Ngự | Long Xuyên | Châu Đốc | Tân Châu | Tịnh Biên | Rạch Giá | Hà Tiên |
Phú Quốc | Vị Thanh | Ngã Bảy | Long Mỹ | Sóc Trăng | Ngã Năm | Vĩnh Châu | Bạc Liêu | Giá
Rai | Cà Mau"""
)

# the districts of the provinces (huyện, quận), written bare after a commune: "xã Nghi Phong,
# Nghi Lộc, Nghệ An"
PROVINCE_DISTRICTS = _names(
    """Đồng Văn | Mèo Vạc | Yên Minh | Quản Bạ | Vị Xuyên | Bắc Mê | Hoàng Su Phì | Xín Mần | Bắc
Quang | Quang Bình | Bảo Lâm | Bảo Lạc | Hà Quảng | Trùng Khánh | Hạ Lang | Quảng Hòa | Hoà
An | Nguyên Bình | Thạch An | Pác Nặm | Ba Bể | Ngân Sơn | Bạch Thông | Chợ Đồn | Chợ Mới |
Na Rì | Lâm Bình | Na Hang | Chiêm Hóa | Hàm Yên | Yên Sơn | Sơn Dương | Bát Xát | Mường
Khương | Si Ma Cai | Bắc Hà | Bảo Thắng | Bảo Yên | Văn Bàn | Mường Nhé | Mường Chà | Tủa
Chùa | Tuần Giáo | Điện Biên | Điện Biên Đông | Mường Ảng | Nậm Pồ | Tam Đường | Mường Tè |
Sìn Hồ | Phong Thổ | Than Uyên | Tân Uyên | Nậm Nhùn | Quỳnh Nhai | Thuận Châu | Mường La |
Bắc Yên | Phù Yên | Mộc Châu | Yên Châu | Mai Sơn | Sông Mã | Sốp Cộp | Vân Hồ | Lục Yên |
Văn Yên | Mù Căng Chải | Trấn Yên | Trạm Tấu | Văn Chấn | Yên Bình | Đà Bắc | Lương Sơn |
Kim Bôi | Cao Phong | Tân Lạc | Mai Châu | Lạc Sơn | Yên Thủy | Lạc Thủy | Định Hóa | Phú
Lương | Đồng Hỷ | Võ Nhai | Đại Từ | Phú Bình | Tràng Định | Bình Gia | Văn Lãng | Cao Lộc |
Văn Quan | Bắc Sơn | Hữu Lũng | Chi Lăng | Lộc Bình | Đình Lập | Bình Liêu | Tiên Yên | Đầm
Hà | Hải Hà | Ba Chẽ | Vân Đồn | Cô Tô | Yên Thế | Tân Yên | Lạng Giang | Lục Nam | Lục Ngạn
| Sơn Động | Hiệp Hòa | Đoan Hùng | Hạ Hoà | Thanh Ba | Phù Ninh | Yên Lập | Cẩm Khê | Tam
Nông | Lâm Thao | Thanh Sơn | Thanh Thuỷ | Tân Sơn | Lập Thạch | Tam Dương | Tam Đảo | Bình
Xuyên | Yên Lạc | Vĩnh Tường | Sông Lô | Yên Phong | Tiên Du | Gia Bình | Lương Tài | Nam
Sách | Kim Thành | Thanh Hà | Cẩm Giàng | Bình Giang | Gia Lộc | Tứ Kỳ | Ninh Giang | Thanh
Miện | Văn Lâm | Văn Giang | Yên Mỹ | Ân Thi | Khoái Châu | Kim Động | Tiên Lữ | Phù Cừ |
Quỳnh Phụ | Hưng Hà | Đông Hưng | Thái Thụy | Tiền Hải | Kiến Xương | Vũ Thư | Thanh Liêm |
Bình Lục | Lý Nhân | Vụ Bản | Ý Yên | Nghĩa Hưng | Nam Trực | Trực Ninh | Xuân Trường | Giao
Thủy | Hải Hậu | Nho Quan | Gia Viễn | Yên Khánh | Kim Sơn | Yên Mô | Mường Lát | Quan Hóa |
Bá Thước | Quan Sơn | Lang Chánh | Ngọc Lặc | Cẩm Thủy | Thạch Thành | Hà Trung | Vĩnh Lộc |
Yên Định | Thọ Xuân | Thường Xuân | Triệu Sơn | Thiệu Hóa | Hoằng Hóa | Hậu Lộc | Nga Sơn |
Như Xuân | Như Thanh | Nông Cống | Quảng Xương | Quế Phong | Quỳ Châu | Kỳ Sơn | Tương Dương
| Nghĩa Đàn | Quỳ Hợp | Quỳnh Lưu | Con Cuông | Tân Kỳ | Anh Sơn | Diễn Châu | Yên Thành |
Đô Lương | Thanh Chương | Nghi Lộc | Nam Đàn | Hưng Nguyên | Hương Sơn | Đức Thọ | Vũ Quang
| Nghi Xuân | Can Lộc | Hương Khê | Thạch Hà | Cẩm Xuyên | Kỳ Anh | Minh Hóa | Tuyên Hóa |
Quảng Trạch | Bố Trạch | Quảng Ninh | Lệ Thủy | Vĩnh Linh | Hướng Hóa | Gio Linh | Đa Krông
| Cam Lộ | Triệu Phong | Hải Lăng | Cồn Cỏ | Thuận Hóa | Phú Xuân | Quảng Điền | Phú Vang |
A Lưới | Phú Lộc | Tây Giang | Đông Giang | Đại Lộc | Duy Xuyên | Quế Sơn | Nam Giang |
Phước Sơn | Hiệp Đức | Thăng Bình | Tiên Phước | Bắc Trà My | Nam Trà My | Núi Thành | Phú
Ninh | Bình Sơn | Trà Bồng | Sơn Tịnh | Tư Nghĩa | Sơn Hà | Sơn Tây | Minh Long | Nghĩa Hành
| Mộ Đức | Ba Tơ | Lý Sơn | An Lão | Hoài Ân | Phù Mỹ | Vĩnh Thạnh | Tây Sơn | Phù Cát | Tuy
Phước | Vân Canh | Đồng Xuân | Tuy An | Sơn Hòa | Sông Hinh | Tây Hoà | Phú Hoà | Cam Lâm |
Vạn Ninh | Khánh Vĩnh | Diên Khánh | Khánh Sơn | Trường Sa | Bác Ái | Ninh Sơn | Ninh Hải |
Ninh Phước | Thuận Bắc | Thuận Nam | Tuy Phong | Bắc Bình | Hàm Thuận Bắc | Hàm Thuận Nam |
Tánh Linh | Đức Linh | Hàm Tân | Phú Quí | Đắk Glei | Ngọc Hồi | Đắk Tô | Kon Plông | Kon
Rẫy | Đắk Hà | Sa Thầy | Tu Mơ Rông | Ia H' Drai | KBang | Đăk Đoa | Chư Păh | Ia Grai |
Mang Yang | Kông Chro | Đức Cơ | Chư Prông | Chư Sê | Đăk Pơ | Ia Pa | Krông Pa | Phú Thiện
| Chư Pưh | Ea H'leo | Ea Súp | Buôn Đôn | Cư M'gar | Krông Búk | Krông Năng | Ea Kar |
M'Đrắk | Krông Bông | Krông Pắc | Krông A Na | Lắk | Cư Kuin | Đăk Glong | Cư Jút | Đắk Mil
| Krông Nô | Đắk Song | Đắk R'Lấp | Tuy Đức | Đam Rông | Lạc Dương | Lâm Hà | Đơn Dương |
Đức Trọng | Di Linh | Đạ Huoai | Bù Gia Mập | Lộc Ninh | Bù Đốp | Hớn Quản | Đồng Phú | Bù
Đăng | Phú Riềng | Tân Biên | Tân Châu | Dương Minh Châu | Châu Thành | Gò Dầu | Bến Cầu |
Bàu Bàng | Dầu Tiếng | Phú Giáo | Bắc Tân Uyên | Tân Phú | Vĩnh Cửu | Định Quán | Trảng Bom
| Thống Nhất | Cẩm Mỹ | Long Thành | Xuân Lộc | Nhơn Trạch | Châu Đức | Xuyên Mộc | Long Đất
| Côn Đảo | Tân Hưng | Vĩnh Hưng | Mộc Hóa | Tân Thạnh | Thạnh Hóa | Đức Huệ | Đức Hòa | Bến
Lức | Thủ Thừa | Tân Trụ | Cần Đước | Cần Giuộc | Tân Phước | Cái Bè | Cai Lậy | Chợ Gạo |
Gò Công Tây | Gò Công Đông | Tân Phú Đông | Chợ Lách | Mỏ Cày Nam | Giồng Trôm | Bình Đại |
Ba Tri | Thạnh Phú | Mỏ Cày Bắc | Càng Long | Cầu Kè | Tiểu Cần | Cầu Ngang | Trà Cú | Duyên
Hải | Long Hồ | Mang Thít | Vũng Liêm | Tam Bình | Trà Ôn | Bình Tân | Tân Hồng | Hồng Ngự |
Tháp Mười | Cao Lãnh | Thanh Bình | Lấp Vò | Lai Vung | An Phú | Phú Tân | Châu Phú | Tri
Tôn | Thoại Sơn | Kiên Lương | Hòn Đất | Tân Hiệp | Giồng Riềng | Gò Quao | An Biên | An
Minh | Vĩnh Thuận | Kiên Hải | U Minh Thượng | Giang Thành | Châu Thành A | Phụng Hiệp | Vị
Thuỷ | Long Mỹ | Kế Sách | Mỹ Tú | Cù Lao Dung | Long Phú | Mỹ Xuyên | Thạnh Trị | Trần Đề |
Hồng Dân | Phước Long | Vĩnh Lợi | Đông Hải | Hoà Bình | U Minh | Thới Bình | Trần Văn Thời
| Cái Nước | Đầm Dơi | Năm Căn | Ngọc Hiển"""
)

# Abbreviations of cities and provinces written on forms and in chat
ABBREVIATIONS = frozenset({"hn", "hcm", "tphcm", "tp hcm", "sg", "dn", "brvt", "hp", "ct"})
COARSE_PLACES = PROVINCES | CITY_DISTRICTS | TOWNS | PROVINCE_DISTRICTS | ABBREVIATIONS
