import unicodedata

import pytest

from units.text import fold, nfc


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Hà Nội", "ha noi"),
        ("BHXH TP. Hồ Chí Minh", "bhxh tp. ho chi minh"),
        ("Đắk Lắk", "dak lak"),
        ("  Thừa   Thiên  Huế ", "thua thien hue"),
    ],
)
def test_fold_removes_case_marks_and_extra_spaces(text, folded):
    assert fold(text) == folded


def test_fold_treats_decomposed_input_like_composed():
    assert fold(unicodedata.normalize("NFD", "Nguyễn Thị Ánh")) == "nguyen thi anh"


def test_nfc_composes_decomposed_vietnamese():
    decomposed = unicodedata.normalize("NFD", "Bảo hiểm xã hội")
    assert decomposed != "Bảo hiểm xã hội"
    assert nfc(decomposed) == "Bảo hiểm xã hội"
