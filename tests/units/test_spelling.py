"""Traditional tone placement, the one spelling of unit names."""

import unicodedata

import pytest

from units import divisions
from units.spelling import traditional_tone_placement


@pytest.mark.parametrize(
    ("text", "spelled"),
    [
        ("tỉnh Hoà Bình", "tỉnh Hòa Bình"),
        ("Thanh Hoá", "Thanh Hóa"),
        ("Hoằng Hoá", "Hoằng Hóa"),
        ("Tuy Hoà", "Tuy Hòa"),
        ("Khoá", "Khóa"),
        ("Thuỷ Nguyên", "Thủy Nguyên"),
        ("Kiến Thuỵ", "Kiến Thụy"),
        ("Khoẻ", "Khỏe"),
        ("xoè", "xòe"),
        ("Uỷ ban", "Ủy ban"),
        ("Oà", "Òa"),
    ],
)
def test_open_diphthong_takes_the_tone_on_its_first_vowel(text, spelled):
    assert traditional_tone_placement(text) == spelled


@pytest.mark.parametrize(
    "text",
    [
        "Quận Thủ Đức",
        "Hoàng Mai",  # a final consonant: the tone stays on the second vowel
        "Thuận An",
        "Quỳnh Lưu",
        "Huế",  # uê: the vowel with the shape mark carries the tone
        "Quý",  # "qu" + y: y is the only vowel
        "Quỳ Hợp",
        "Quỹ",
        "Khoái Châu",  # oai, a triphthong
        "Ngoáy",
        "khuỷu",
        "thuở",
        "quà",
        "Hòa",
        "Thủy",
        "Bảo hiểm xã hội Việt Nam",
        "BHXH TP. Hồ Chí Minh",
        "Quận 12",
        "",
    ],
)
def test_other_syllables_are_left_as_they_are(text):
    assert traditional_tone_placement(text) == text


def test_each_letter_keeps_its_case_as_the_tone_moves():
    assert traditional_tone_placement("HOÀ BÌNH") == "HÒA BÌNH"
    assert traditional_tone_placement("THUỶ") == "THỦY"
    assert traditional_tone_placement("HoÀ") == "HòA"


def test_decomposed_input_comes_back_composed():
    decomposed = unicodedata.normalize("NFD", "huyện Phú Hoà")
    spelled = traditional_tone_placement(decomposed)
    assert spelled == "huyện Phú Hòa"
    assert unicodedata.is_normalized("NFC", spelled)


def test_words_are_respelled_within_punctuation():
    assert traditional_tone_placement("Hoà-Thuỷ, (Khoá).") == "Hòa-Thủy, (Khóa)."


def test_applying_twice_changes_nothing():
    once = traditional_tone_placement("Hoà Thuỵ Khoẻ Quý Hoàng")
    assert traditional_tone_placement(once) == once


def test_every_unit_name_of_both_hierarchies_is_already_spelled():
    for release in divisions.RELEASES:
        try:
            divisions.archive_path(release)
        except divisions.DivisionsMissing:
            divisions.fetch()
    names = {s.name for s in [*divisions.vss_2019_specs(), *divisions.vss_2025_specs()]}
    assert [n for n in names if traditional_tone_placement(n) != n] == []
