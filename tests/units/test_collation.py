"""Vietnamese order as a string the database sorts: the same order as the
Python keys, whatever the database's collation."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from delegates.names import name_sort_key, sortable_name
from tests.factories import UnitFactory
from units.collation import name_key as unit_name_key
from units.collation import sortable, vietnamese_sort_key
from units.models import Unit

SYLLABLES = ["an", "àn", "anh", "ảnh", "ánh", "ba", "bà", "chi", "cường", "đức", "dũng", "hòa"]
NAMES = st.lists(st.sampled_from(SYLLABLES), min_size=1, max_size=4).map(" ".join)


def sign(a, b) -> int:
    return (a > b) - (a < b)


@settings(max_examples=300, database=None)
@given(NAMES, NAMES)
def test_sortable_keeps_the_order_of_unit_names(first, second):
    expected = sign(vietnamese_sort_key(first)[:2], vietnamese_sort_key(second)[:2])
    assert sign(unit_name_key(first), unit_name_key(second)) == expected


@settings(max_examples=300, database=None)
@given(NAMES, NAMES)
def test_sortable_keeps_the_order_of_peoples_names(first, second):
    expected = sign(name_sort_key(first)[:3], name_sort_key(second)[:3])
    assert sign(sortable_name(first), sortable_name(second)) == expected


@settings(max_examples=200, database=None)
@given(
    st.recursive(st.integers(0, 0x10FFFF), lambda inner: st.tuples(inner, inner) | st.tuples(inner))
)
def test_sortable_orders_nested_tuples_as_python_does(key):
    assert sortable((key,)) < sortable((key, 0))  # a prefix sorts first
    assert sortable((key, 1)) > sortable((key, 0))


def test_only_hex_digits_so_any_collation_sorts_it_alike():
    assert set(unit_name_key("BHXH huyện Củ Chi")) <= set("0123456789abcdef")


@pytest.mark.django_db
def test_the_database_orders_units_in_vietnamese_order():
    names = [
        "BHXH huyện Ứng Hòa",
        "BHXH huyện Ba Vì",
        "BHXH quận Đống Đa",
        "BHXH quận Cầu Giấy",
        "BHXH huyện Chương Mỹ",
        "BHXH quận Ba Đình",
        "BHXH huyện Đan Phượng",
        "BHXH huyện Ánh Sáng",
        "BHXH huyện Anh Sơn",
    ]
    parent = UnitFactory(kind="province", code="P01")
    for name in names:
        UnitFactory(parent=parent, name=name)
    stored = list(parent.children.order_by("name_key").values_list("name", flat=True))
    assert stored == sorted(names, key=vietnamese_sort_key)
    # d before đ, a before ă/â, huyện before quận: not the byte order.
    assert stored != sorted(names)
    assert Unit.objects.filter(name_key="").count() == 0
