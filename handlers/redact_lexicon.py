"""Word lists the redactor reads. Lowercase, accented; `redact` also accepts each one written
without diacritics (see `handlers.redact._word_is`). Kept apart so the rules stay readable."""

from __future__ import annotations


def words(text: str) -> frozenset[str]:
    """A word list written as prose, one space-separated string."""
    return frozenset(text.split())


# Common Vietnamese surnames (the first syllable of a full name).
SURNAMES = words(
    """nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ hồ ngô dương lý đinh trịnh
    trương lâm đào cao hà lưu tạ lương mai châu thái tô quách tăng kiều đoàn vương phùng từ
    triệu lục mạc nghiêm doãn khúc âu giang chu hứa thân lã lò tôn
    phí bạch cù ninh thạch phó mẫn"""
)

# Given names and baby nicknames, for a capitalised name with no cue before it.
GIVEN_NAMES = words(
    """an anh bảo bích bình châu chi cường dũng duy duyên dương đạt đức giang hà hải hân hạnh
    hằng hiền hiếu hoa hòa hoàng hồng huy hùng hương hường huyền khang khánh khoa khôi kiên
    lan liên linh loan long luân ly mai minh my mỹ nam nga ngân nghĩa ngọc nhi nhung như oanh
    phát phong phúc phương quân quang quyên quỳnh sơn tâm tân thanh thảo thắng thành thịnh thu
    thủy thúy tiến toàn trang trâm trí trinh trung tú tuấn tùng tuyết uyên vân việt vinh vy
    yến hậu lộc nhân phú thư diệp đào hiệp hưng kha khải lực mạnh nhật phượng quý quyết sang
    tài thái thiện thơ thương trọng tường vũ xuân yên ánh điệp gấm hảo huệ kiều lệ lụa nguyệt
    nhàn thắm trúc tèo tí tý bin bống su na bi bông mít cún tôm ken mơ"""
)

# More syllables of given and middle names, read only after a cue or inside a full name:
# capitalised on their own they are too often a place or a word ("Quốc hội", "Gia Lai").
MORE_GIVEN_NAMES = words(
    """quốc gia hữu đình kim tuệ nhiên tín thiên thùy diệu cát toản thuận hiển phụng thoa
    trà thục ngà tiên hoài nguyên ninh phước huân quế vĩnh lam nhã khiêm hào kiệt lĩnh tuyền
    thơm hiên khuê
    ái bách cẩm cảnh chiến cúc diễm đoan dung khanh lâm liễu mẫn sương tấn thạch thy triết
    vi vỹ thiều lài sen nhài mận"""
)

# Places and organisations whose names start like a person's ("Hà Nội", "Thái Bình").
# Folded, space-separated.
PLACES = frozenset(
    {
        "ha noi",
        "bach ma",  # (#17, round 6) a mountain, now that Bạch is a surname
        "hong kong",
        "phu quoc",
        "gia dinh",
        "ban me thuot",
        "buon me thuot",
        "buon don",
        "buon ho",
        "ha giang",
        "ha tinh",
        "ha nam",
        "ha long",
        "ha tien",
        "ha dong",
        "ho chi minh",
        "tp hcm",
        "tphcm",
        "hcm",
        "hn",
        "sg",
        "sai gon",
        "viet nam",
        "hai phong",
        "da nang",
        "can tho",
        "thai binh",
        "thai nguyen",
        "cao bang",
        "lam dong",
        "lang son",
        "lao cai",
        "phan thiet",
        "phan rang",
        "ly son",
        "mai chau",
        "chau doc",
        "quang nam",
        "quang ngai",
        "quang ninh",
        "quang tri",
        "quang binh",
        "nam dinh",
        "ninh binh",
        "thanh hoa",
        "nghe an",
        "hoa binh",
        "bac ninh",
        "bac giang",
        "long an",
        "dong nai",
        "dong thap",
        "binh duong",
        "binh dinh",
        "binh thuan",
        "binh phuoc",
        "kien giang",
        "an giang",
        "tay ninh",
        "hung yen",
        "vinh phuc",
        "vinh long",
        "tra vinh",
        "soc trang",
        "bac lieu",
        "ca mau",
        "ben tre",
        "tien giang",
        "hau giang",
        "gia lai",
        "kon tum",
        "dak lak",
        "dak nong",
        "khanh hoa",
        "phu yen",
        "phu tho",
        "tuyen quang",
        "yen bai",
        "son la",
        "dien bien",
        "lai chau",
        "bac kan",
        "hai duong",
        "ba ria",
        "vung tau",
        "hue",
        "thua thien hue",
        "bien hoa",
        "thu duc",
        "nha trang",
        "da lat",
        "buon ma thuot",
        "quy nhon",
        "ho tay",
        "ho guom",
        "hoan kiem",
        "dong da",
        "ba dinh",
        "cau giay",
        "hai ba trung",
        "tan binh",
        "binh thanh",
        "go vap",
        "phu nhuan",
        "ninh kieu",
        "trung quoc",
        "han quoc",
        "nhat ban",
        "thai lan",
        "hoa ky",
        "mien nam",
        "mien bac",
        "mien trung",
        "nam bo",
        "bac bo",
        "trung bo",
        "tay nguyen",
        "dong nam a",
        "bach mai",
        "cho ray",
        "thanh nhan",
        "phu ly",
        "lien hop quoc",
        "bo chinh tri",
        "quoc hoi",
        "chinh phu",
        "unicef",
        "plan",
        "save the children",
    }
)

# Capitalised words that look like names but are brands, apps or institutions. Lowercase,
# matched exactly (accents included): unaccented "Phong" may be a name, "Phòng" is an office.
NOT_NAMES = words(
    """zalo facebook fb tiktok youtube google messenger instagram ig insta telegram tele
    shopee lazada grab momo viettel vinaphone mobifone vietcombank techcombank agribank bidv
    vietinbank mb acb tpbank sacombank vpbank iphone samsung oppo ubnd ctxh sgd pgd bhyt
    bhxh thcs thpt gv hs tết luật bộ sở phòng trường hội đoàn công chủ ban sđt sdt stk
    cccd cmnd email gmail nhà"""
)

# A capitalised word after one of these is a language, region or people ("tiếng Anh").
# A capitalised given name right after "ở", "tại", "quê" is a place ("học ở Vinh").
NOT_NAME_BEFORE = words(
    """tiếng nước người miền dân chữ môn ở tại quê về đến tới ra vào từ huyện tỉnh thành
    phố đi sang lên xuống ghé thăm quan phường xã thôn ấp xóm"""
)

# Kinship words: "Ông Bà em" is grandparents, not Mr Bà. Matched exactly (accents included);
# "Ba" stays possible, it is also the nickname of a third child.
KINSHIP = words(
    """bà ông bố mẹ má anh chị em cô chú bác dì cậu mợ thím con cháu nội ngoại dượng cha
    mạ bầm u tía"""
)

# Words that, capitalised after a cue, are titles or roles, not names ("cô Giáo", "thầy Hiệu").
TITLE_WORDS = words("giáo hiệu chủ trưởng phó tổng tổ bí giám quản cán nhân bác y điều tư")

# Word pairs a capitalised given name also begins ("Trung tâm", "An toàn", "tiếng Anh").
COMPOUNDS = frozenset(
    {
        "trung tam",
        "hang xom",
        # "tí" is a nickname, and a little: tí nữa, tí xíu, tí hon
        "ti nua",
        "ti xiu",
        "ti hon",
        "ti teo",
        "ti ti",
        "dung cam",  # dũng cảm, brave
        "gia su",
        "hao hung",
        "huu nghi",
        "tai xe",
        "thanh that",
        "trung thuc",
        "thang cuoc",
        "nhan roi",
        "luc luong",
        "trung uong",
        "trung hoc",
        "trung thu",
        "trung binh",
        "an toan",
        "an ninh",
        "an ui",
        "binh thuong",
        "binh dang",
        "hoa binh",
        "thanh nien",
        "thanh tra",
        "thanh pho",
        "thanh toan",
        "tam ly",
        "tam than",
        "viet nam",
        "nam nay",
        "nam hoc",
        "nam sau",
        "nam ngoai",
        "long an",
        "phuc loi",
        "quang cao",
        "hai long",
        "khanh hoa",
        "sang nay",
        "vinh vien",
        "thu vien",
        "thu tuc",
        "hung thu",
        "tu van",
        "thai do",
        "minh bach",
        "minh chung",
        "chi tiet",
        "chi phi",
        "chi dan",
        "chi thi",
        "bao ve",
        "bao cao",
        "bao luc",
        "bao hiem",
        "hieu truong",
        "duc duc",
        "nhan vien",
        "nhan dan",
        "nhan thuc",
        "phat hien",
        "phong chong",
        "phong tranh",
        "toan bo",
        "tien bo",
        "tien hanh",
        "huy dong",
        "mai sau",
        "my thuat",
        "nga ba",
        "ngan hang",
        "loan luan",
        "thanh uy",
        "tinh uy",
        "dao tao",
        "thuong binh",
        "quyet dinh",
        "lien he",
        "lien hop",
        "lien quan",
        "lien ket",
        "lien tuc",
        "thanh vien",
        "thanh lap",
        "thanh cong",
        "thanh tich",
        "thanh thieu",
        "hoa nhap",
        "hoa giai",
        "tuyen truyen",
        "tuyen giao",
        "phuong an",
        "phuong phap",
        "phuong tien",
        "huong dan",
        "thuong vu",
        "quang ninh",
        "hai duong",
        "dao duc",
        "cuong che",
        "kien nghi",
        "chi dao",
        "truong hop",
        "thu tuong",
        # (#17, round 6) "Thông tư 31/2017": a circular, not Mr Thông
        "thong tu",
        "thong tin",
        "thong bao",
        "thong qua",
        "thong cam",
        "canh sat",  # "các chú cảnh sát"
        "tam su",  # "bé tâm sự là …"
        "tam trang",
        "tam tu",
    }
)

# Words that end a lowercase name after a cue ("tên là bảo ngọc bị ông nội đánh").
STOP_WORDS = words(
    """là bị và thì mà có không ko k đã đang sẽ rồi cũng với của cho ở tại này đó kia ấy
    nó em e tôi toi tui mình mik mk t bạn anh chị cô thầy ông bà bố mẹ ba má con cháu học
    lớp trường nhà đi về đến nói kể hay hỏi gì gi j ạ ạh nhé nha nhe ơi à ừ vậy sao làm lm
    đánh đánh chửi được dc đc nên phải cần muốn biết bik hỏi qua quá lắm rất thật đây nay
    xin cảm chào một hai mấy những các người đứa thằng bé nhỏ năm tháng ngày tuổi số sđt
    hoặc hoac nhưng nhung nếu vì do tên trên dưới ngoài group"""
)

# Address keywords. FINE ones identify a place within a commune; COARSE ones name a
# district, town or province and are only kept inside an address already started.
ADDRESS_FINE = (
    "số nhà",
    "nhà số",
    "ngõ",
    "ngách",
    "hẻm",
    "kiệt",
    "đường",
    "phố",
    "tổ dân phố",
    "khu phố",
    "tổ",
    "thôn",
    "xóm",
    "ấp",
    "khóm",
    "bản",
    "buôn",
    "làng",
    "sóc",
    "plei",
    "phum",  # (#17, round 7) a Khmer village of the Mekong: "phum Srê Côi"
    "đội",
    "khu",
    "phường",
    "xã",
    "thị trấn",
    "chung cư",
    "tòa",
    "lô",
    "số",
    # (#17, round 4) a home in a block, and abbreviations written on forms
    "căn hộ",
    "căn",
    "khu tập thể",
    "khu đô thị",
    "tdp",
    "khu dân cư",
    "kdc",
    "khu tái định cư",
    "kp",
    "ktt",
    "kđt",
    # (#17, round 5) "cụm 3 xã Tân Lập", "khu vực 4" (Cần Thơ), "liên gia", "tiểu khu"
    "cụm",
    "tiểu khu",
    "liên gia",
    "khối",  # Nghệ An, Quảng Bình: "khối 3 thị trấn Cầu Giát" (a grade too: weak)
    "khu vực",  # (#17, round 7) Cần Thơ: "khu vực 3, phường An Bình" (an exam zone too: weak)
    "phum",  # (#17, round 6) a Khmer hamlet: "phum Srê Côi"
)
ADDRESS_COARSE = ("quận", "huyện", "thị xã", "thành phố", "tp", "tỉnh")
# Words before an address ("ở", "tại", "địa chỉ"): they let a lowercase street name count.
LOCATION_CUES = (
    "ở", "o", "tại", "tai", "sống ở", "trú ở", "địa chỉ", "dc", "đc", "quê ở",
    # (#17, round 4) "Nhà em: 23 ngõ 45 Láng Hạ", "dc nha: 9 ngo 5 ..."
    "nhà em", "nhà tôi", "nhà mình", "nhà tui", "nhà cháu", "nhà con", "dc nhà", "đc nhà",
    "địa chỉ nhà",
    # (#17, round 5) "nhà 15 Lê Lợi", "nhà e 15 Lê Lợi"
    "nhà", "nhà e", "nhà nó", "nhà bạn", "nhà bạn ấy",
)  # fmt: skip

# Cues before a personal name. STRONG: the name may be lowercase. WEAK: it must be capitalised.
NAME_CUES_STRONG = (
    "họ và tên", "họ tên", "tên là", "tên", "tên thật là", "tên thật",
    # the holder of a bank account (#17): "chủ tài khoản: NGUYEN VAN AN"
    "chủ tài khoản", "chủ tk", "tên chủ tài khoản", "tên chủ tk", "người nhận",
    "người thụ hưởng", "chủ thẻ",
    "tên đầy đủ", "tên đầy đủ là", "biệt danh là", "tên ở nhà là",
    "tên tk", "tên tài khoản", "ctk", "chủ stk", "tên người nhận", "người hưởng",
    "tên người thụ hưởng", "tên chủ thẻ",
)  # fmt: skip
# Words for a person, after which a lowercase or all-caps given name is a name (#17):
# "thằng tuấn", "con bé ngọc", "anh HÙNG". LOOSE ones may be written without diacritics;
# the others, unaccented, are too often another word ("co" có, "di" đi, "thay" thấy).
PERSON_CUES = (
    "thằng", "thằng bé", "con bé", "cô bé", "cậu bé", "con nhỏ", "bé", "nhỏ", "anh", "chị",
    "thg", "thằg", "thag",  # (#17, round 5) teen code for thằng
    "cô", "chú", "thầy", "bác", "dì", "cậu", "mợ", "thím", "dượng", "ông", "bà", "bạn",
    # a person by role: "cô giáo lan", "chú bảo vệ hùng", "anh hàng xóm tùng"
    "cô giáo", "thầy giáo", "cô chủ nhiệm", "thầy chủ nhiệm", "chú bảo vệ", "bác bảo vệ",
    "cô hiệu trưởng", "thầy hiệu trưởng", "anh hàng xóm", "chị hàng xóm", "chú hàng xóm",
    "bác hàng xóm", "cô hàng xóm", "ông hàng xóm", "bà hàng xóm", "bố dượng", "mẹ kế",
)  # fmt: skip
# "bạn" only with its accent: unaccented "ban" is bán, bàn, bản too ("ban hang" bán hàng).
PERSON_CUES_LOOSE = (
    "thằng", "thằng bé", "con bé", "cô bé", "cậu bé", "con nhỏ", "anh", "chị", "thg", "thag",
)  # fmt: skip
# Cue and word that make a common phrase, not a person ("anh hùng" a hero, "chú tâm").
NOT_PERSON_PAIRS = frozenset(
    {
        "anh hung",
        "chu tam",
        "co nhi",
        "anh tai",
        "chi hang",
        "ba hoa",
        "ong ba",
        "co hon",
        # "bạn nam" a boy, "bạn hiền" a good friend
        "ban nam",
        "ban hien",
        "nho nhu",  # nhỏ như: as small as
        "ban huu",
        "anh quoc",  # Anh Quốc, England
        "co tien",  # a fairy
        "ba tien",
        "ong tien",
        "ban thuong",
        "anh dao",  # cherry blossom
    }
)
# The same, when the cue is written without its accent and is another word: ảnh hưởng,
# chỉ đạo, chi tiết, chỉ tiêu, chi phí ("chị Đào" with its accent is a person).
NOT_PERSON_PAIRS_UNACCENTED = frozenset(
    {"anh huong", "chi dao", "chi tiet", "chi tieu", "chi phi", "chi tra"}
)
# Birth-order nicknames, names only after a person cue ("chị ba", "chú tư", "út").
BIRTH_ORDER = words("hai ba tư năm sáu bảy tám chín mười út")
# Children's nicknames, names only after a person cue ("bé bắp", "thằng tũn").
NICKNAMES = words(
    """bắp nấm xoài tép bơ gạo cốm mận khoai bim tồ tũn sún ỉn nhím tít mít cún bống bi bin
    su na ken tôm tèo"""
)
# Given names that are also everyday verbs after a person word: "chú bảo em lên xe",
# "ông thương em lắm", "cô bảo kệ". Lowercase after a cue, they are a name only where a
# name's context follows ("thằng bảo lớp 7", "con bé thương nhà bên") or the clause ends.
VERB_NAMES = words("bảo thương tiến quý mong")
NAME_CONTEXT_AFTER = words("lớp nhà hàng xóm bên cạnh bị học trên dưới ở cùng")
# Words after which capitalised words are a title, not a person ("bài Hoa Sữa").
WORK_TITLE_BEFORE = words(
    # (#17, round 5) a group, a club, a prize or a grant named like a person: "nhóm Hoa Hướng
    # Dương", "học bổng Vừ A Dính", "giải Hoa Phượng Đỏ"
    """bài hát khúc phim truyện sách cuốn quyển game kênh nhóm clb hội giải bổng quỹ danh hiệu
    thi vật"""
)
# Words after which capitalised words name a place or a thing, not a person ("bệnh viện Từ
# Dũ", "chợ Bến Thành", "màu Hồng", "hoa Mai").
PLACE_BEFORE = words(
    """viện chợ chùa đền đình miếu cầu sông hồ núi đèo biển bến ga sân rạp cảng đảo vịnh
    màu hoa cây quán tiệm bổng quỹ giải lễ tượng đường phố mùa"""
)
# (#17, round 5) a person by profession, named by any part of the name ("bác sĩ Huỳnh"): read
# only when a name's syllable follows ("giáo viên Toán", "cán bộ Xã" are no one)
PROFESSION_CUES = (
    "bác sĩ", "y tá", "luật sư", "công an", "chú công an", "cán bộ", "giáo viên",
    "huấn luyện viên", "hlv", "tài xế", "bảo mẫu", "cô bảo mẫu", "chủ nhà", "chủ trọ",
)  # fmt: skip
NAME_CUES_WEAK = (
    "cô giáo",
    "thầy giáo",
    "bố dượng",
    "ba dượng",
    "cha dượng",
    "mẹ kế",
    "dì ghẻ",
    "cô",
    "thầy",
    "chú",
    "bác",
    "anh",
    "chị",
    "ông",
    "bà",
    "dượng",
    "cậu",
    "dì",
    "mợ",
    "thím",
    "bạn",
    "em",
    "bé",
    "cháu",
    "thằng",
    "con",
    "nhỏ",
    "đứa",
    "a",
    "c",
    "là",
    "nick",
    "ny",
    "người yêu",
    "bạn trai",
    "bạn gái",
    # (#17, round 6) "Mẹ Nhi: 09…", "bố Tuấn": a parent named by a child's name, or by theirs
    "mẹ",
    "bố",
    "má",
    "cái",  # Northern, before a girl's name: "cái Thơm nhà bên"
    "chồng",
    "vợ",
    "ông chủ",
    "bà chủ",
    "học sinh",
    "hs",
    # a profile's display name: "fb nó là Hoàng Yến", "zalo: Minh Thư"
    "fb",
    "facebook",
    "face",
    "zalo",
    "insta",
    "tiktok",
)

# School levels between "trường" and the school's name ("trường THPT chuyên Lê Quý Đôn").
SCHOOL_LEVELS = (
    "mầm non",
    "tiểu học",
    "trung học cơ sở",
    "trung học phổ thông",
    "phổ thông",
    "chuyên",
    "quốc tế",
    "liên cấp",
    "dân lập",
    "dl",
    "tư thục",
    "bán công",
    "nội trú",
    "dân tộc nội trú",
    "phổ thông dân tộc nội trú",
    "thcs",
    "thpt",
    "th",
    "mn",
    "ptdtnt",
    "ptdtbt",
    "ptcs",
    "pt",
    "cấp 1",
    "cấp 2",
    "cấp 3",
    "cấp một",
    "cấp hai",
    "cấp ba",
    "nuôi dạy trẻ khuyết tật",
    "giáo dưỡng",
    # (#17, round 7) schools of every kind: boarding schools of the highlands, vocational
    # schools, special schools, continuing education
    "bán trú",
    "dân tộc bán trú",
    "phổ thông dân tộc bán trú",
    "ptdt",
    "trung cấp",
    "trung cấp nghề",
    "cao đẳng",
    "cao đẳng nghề",
    "đại học",
    "học viện",
    "song ngữ",
    "giáo dục chuyên biệt",
    "chuyên biệt",
    "khiếm thị",
    "khiếm thính",
    "giáo dục thường xuyên",
    "gdtx",
    "giáo dục nghề nghiệp",
    "bổ túc",
    "nghề",
)

# Historical figures, named in lessons and in the names of streets and schools ("Hùng Vương
# là bài lịch sử khó nhất", "ngày sinh của Bác Hồ"): no one writing here. Folded. A name
# announced as someone's ("tên là Lê Lợi") is still redacted.
HISTORICAL_FIGURES = frozenset(
    {
        "hung vuong",
        "ho chi minh",
        "tran hung dao",
        "ly thuong kiet",
        "quang trung",
        "hai ba trung",
        "ba trieu",
        "le loi",
        "nguyen trai",
        "ngo quyen",
        "dinh bo linh",
        "ly thai to",
        "ly cong uan",
        "tran quoc toan",
        "vo thi sau",
        "kim dong",
        "le van tam",
        "nguyen hue",
        "vo nguyen giap",
        "phan boi chau",
        "phan chu trinh",
        "nguyen du",
        "chu van an",
        "le quy don",
        "ho xuan huong",
        "nguyen dinh chieu",
        "ly tu trong",
        "nguyen van troi",
        "tran phu",
        "hoang dieu",
        "nguyen thi minh khai",
        "ton duc thang",
        "le thanh tong",
        "tran nhan tong",
        "an duong vuong",
        "thanh giong",
        "lac long quan",
        "au co",
        "son tinh",
        "thuy tinh",
    }
)
# Cue and name that together mean a historical figure: "Bác Hồ"
HISTORICAL_PAIRS = frozenset({"bac ho", "chu tich ho"})
