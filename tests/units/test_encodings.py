import unicodedata

import pytest

from units.encodings import (
    LegacyEncodingError,
    convert_legacy,
    detect_legacy,
    encode_legacy,
    normalise_text,
)
from units.text import TONES

VOWELS = "aăâeêioôơuưy"
LETTERS = [unicodedata.normalize("NFC", v + tone) for v in VOWELS for tone in TONES]
assert len(LETTERS) == 72

NAMES = [
    "Nguyễn Văn Bình",
    "Trần Thị Ánh Tuyết",
    "Đặng Hữu Phước",
    "Lê Thị Thu Hương",
    "Hoàng Đức Dũng",
    "Phạm Thị Ngọc Ánh",
    "Huỳnh Quốc Việt",
    "Bùi Thị Thuỷ",
    "Dương Thị Mười",
    "Ưng Thị Ước",
    "Võ Hoàng Yến",
    "Nguyễn Thị Kiều Oanh",
]


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# The tables against mojibake as it is commonly seen in old files (not produced
# by this module), so a wrong byte in a table cannot hide behind its inverse.
@pytest.mark.parametrize(
    ("encoding", "legacy", "unicode"),
    [
        ("tcvn3", "NguyÔn V¨n B×nh", "Nguyễn Văn Bình"),
        ("tcvn3", "Céng hoµ x· héi chñ nghÜa ViÖt Nam", "Cộng hoà xã hội chủ nghĩa Việt Nam"),
        ("tcvn3", "§éc lËp - Tù do - H¹nh phóc", "Độc lập - Tự do - Hạnh phúc"),
        ("tcvn3", "B¶o hiÓm x· héi tØnh Hµ Néi", "Bảo hiểm xã hội tỉnh Hà Nội"),
        ("vni", "Nguyeãn Vaên Bình", "Nguyễn Văn Bình"),
        ("vni", "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", "Cộng hòa xã hội chủ nghĩa Việt Nam"),
        ("vni", "Ñoäc laäp - Töï do - Haïnh phuùc", "Độc lập - Tự do - Hạnh phúc"),
        ("vni", "Thaønh phoá Hoà Chí Minh", "Thành phố Hồ Chí Minh"),
    ],
)
def test_known_mojibake_is_detected_and_converted(encoding, legacy, unicode):
    assert detect_legacy(legacy) == encoding
    assert convert_legacy(legacy, encoding) == unicode
    assert normalise_text(legacy) == (unicode, encoding)
    assert encode_legacy(unicode, encoding) == legacy


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
@pytest.mark.parametrize("name", NAMES)
def test_real_names_are_recovered_from_each_legacy_form(name, encoding):
    legacy = encode_legacy(name, encoding)
    assert legacy != name
    assert detect_legacy(legacy) == encoding
    assert normalise_text(legacy) == (name, encoding)


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
@pytest.mark.parametrize("name", ["NGUYỄN VĂN BÌNH", "ĐẶNG HỮU PHƯỚC", "TRẦN THỊ ÁNH TUYẾT"])
def test_names_in_capitals_stay_in_capitals(name, encoding):
    assert normalise_text(encode_legacy(name, encoding)) == (name, encoding)


@pytest.mark.parametrize("letter", [*LETTERS, "đ"])
@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_every_lower_case_letter_round_trips(letter, encoding):
    word = letter + "a" if letter == "đ" else "b" + letter
    text = f"nguyễn thị {word}"
    legacy = encode_legacy(text, encoding)
    assert detect_legacy(legacy) == encoding
    assert convert_legacy(legacy, encoding) == text


@pytest.mark.parametrize("letter", [*(x.upper() for x in LETTERS), "Đ"])
def test_every_capital_letter_round_trips_in_vni(letter):
    word = letter + "A" if letter == "Đ" else "B" + letter
    text = f"NGUYỄN THỊ {word}"
    legacy = encode_legacy(text, "vni")
    assert detect_legacy(legacy) == "vni"
    assert convert_legacy(legacy, "vni") == text


@pytest.mark.parametrize("letter", list("ĂÂÊÔƠƯĐ"))
def test_tcvn3_capital_letters_with_own_codes_round_trip(letter):
    # TCVN3 has capital codes only for these seven; the toned capitals are
    # restored from the context (test_names_in_capitals_stay_in_capitals).
    word = letter + "A" if letter == "Đ" else "B" + letter
    text = f"NGUYỄN THỊ {word}"
    legacy = encode_legacy(text, "tcvn3")
    assert detect_legacy(legacy) == "tcvn3"
    assert convert_legacy(legacy, "tcvn3") == text


def test_tcvn3_toned_capital_follows_the_context():
    # "¸" is "á" whatever its case; a name in title case makes it "Á",
    # a lower-case sentence keeps it lower case.
    assert convert_legacy("TrÇn ThÞ ¸nh", "tcvn3") == "Trần Thị Ánh"
    assert convert_legacy("«ng Êy", "tcvn3") == "ông ấy"
    assert convert_legacy("HIÓM", "tcvn3") == "HIỂM"
    assert convert_legacy("Hµ NéI", "tcvn3") == "HÀ NỘI"


@pytest.mark.parametrize(
    "text",
    [
        "Nguyễn Văn Bình",
        "Trần Thị Ánh Tuyết",
        "Lê Chí Tô",  # Vietnamese all in Latin-1: valid as it is
        "Bùi Hà",
        "BHXH tỉnh Đắk Lắk",
        "John Smith",
        "Quality assurance, 2019",
        "José Müller",
        "François Pérez",
        "Søren Kierkegaard",
        "Zoë Chloé",
        "Björk Guðmundsdóttir",
        "João Núñez",
        "Ångström",
        "naïve café",
        "Loïc",  # VNI would read "Lọc": one diaeresis is not evidence
        "Loïc Dupont",
        "Lê Chí Loïc",
        "Raphaël Anaïs",
        "“Lê Chí” – «Tô»",
        "",
    ],
)
def test_ordinary_text_is_not_detected(text):
    assert detect_legacy(text) is None
    assert normalise_text(text) == (text, None)


def test_decomposed_input_comes_out_composed():
    for name in NAMES:
        decomposed = nfd(name)
        assert decomposed != name
        assert detect_legacy(decomposed) is None
        assert normalise_text(decomposed) == (name, None)


def test_decomposed_legacy_input_is_still_converted():
    # A decomposed copy of the mojibake (Ô as O + U+0302) is the same bytes once composed.
    legacy = nfd("NguyÔn V¨n B×nh")
    assert normalise_text(legacy) == ("Nguyễn Văn Bình", "tcvn3")


def test_legacy_text_mixed_with_unicode_is_refused():
    with pytest.raises(LegacyEncodingError) as error:
        normalise_text("NguyÔn V¨n Bình Trần")
    assert error.value.encoding == "tcvn3"
    assert "TCVN3" in str(error.value)


def test_legacy_text_with_an_undefined_byte_is_refused():
    # "à" (0xE0) is no TCVN3 letter.
    with pytest.raises(LegacyEncodingError):
        convert_legacy("NguyÔn V¨n Bµnh Hà", "tcvn3")
    with pytest.raises(LegacyEncodingError):
        normalise_text("NguyÔn V¨n Bµnh Hà")


def test_vni_mark_without_a_vowel_is_refused():
    with pytest.raises(LegacyEncodingError):
        convert_legacy("Nguyeãn Vaên Bìnhù", "vni")


def test_characters_outside_the_encoding_cannot_be_encoded():
    with pytest.raises(LegacyEncodingError):
        encode_legacy("Müller", "tcvn3")
    with pytest.raises(LegacyEncodingError):
        encode_legacy("Müller", "vni")
