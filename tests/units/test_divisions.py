"""The two dated hierarchies built from the downloaded official divisions.

No database: the specs are plain data. The releases are downloaded once
(``python -m units.divisions fetch``) if the set-up has not done it.
"""

import unicodedata
from collections import Counter

import pytest

from units import divisions
from units.divisions import (
    DISTRICT,
    GRASSROOTS_OFFICE,
    PROVINCE,
    PROVINCE_DEPARTMENT,
    RELEASE_2019,
    DivisionsMissing,
    UnitSpec,
    archive_path,
    download_command,
    province_merges_2025,
    provinces_2019,
    provinces_2025,
    read_seed,
    vss_2019_specs,
    vss_2025_specs,
)
from units.spelling import traditional_tone_placement

# Nghị quyết 202/2025/QH15, by name: the 2025 province and the 2019
# provinces it merged (as 0.2 names them).
MERGES_BY_NAME = {
    "Tuyên Quang": {"Tuyên Quang", "Hà Giang"},
    "Lào Cai": {"Lào Cai", "Yên Bái"},
    "Thái Nguyên": {"Thái Nguyên", "Bắc Kạn"},
    "Phú Thọ": {"Phú Thọ", "Vĩnh Phúc", "Hòa Bình"},
    "Bắc Ninh": {"Bắc Ninh", "Bắc Giang"},
    "Hưng Yên": {"Hưng Yên", "Thái Bình"},
    "Hải Phòng": {"Hải Phòng", "Hải Dương"},
    "Ninh Bình": {"Ninh Bình", "Hà Nam", "Nam Định"},
    "Quảng Trị": {"Quảng Trị", "Quảng Bình"},
    "Đà Nẵng": {"Đà Nẵng", "Quảng Nam"},
    "Quảng Ngãi": {"Quảng Ngãi", "Kon Tum"},
    "Gia Lai": {"Gia Lai", "Bình Định"},
    "Khánh Hòa": {"Khánh Hòa", "Ninh Thuận"},
    "Lâm Đồng": {"Lâm Đồng", "Đắk Nông", "Bình Thuận"},
    "Đắk Lắk": {"Đắk Lắk", "Phú Yên"},
    "Hồ Chí Minh": {"Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu"},
    "Đồng Nai": {"Đồng Nai", "Bình Phước"},
    "Tây Ninh": {"Tây Ninh", "Long An"},
    "Cần Thơ": {"Cần Thơ", "Sóc Trăng", "Hậu Giang"},
    "Vĩnh Long": {"Vĩnh Long", "Bến Tre", "Trà Vinh"},
    "Đồng Tháp": {"Đồng Tháp", "Tiền Giang"},
    "Cà Mau": {"Cà Mau", "Bạc Liêu"},
    "An Giang": {"An Giang", "Kiên Giang"},
    "Hà Nội": {"Hà Nội"},
    "Huế": {"Thừa Thiên Huế"},
    "Lai Châu": {"Lai Châu"},
    "Điện Biên": {"Điện Biên"},
    "Sơn La": {"Sơn La"},
    "Lạng Sơn": {"Lạng Sơn"},
    "Quảng Ninh": {"Quảng Ninh"},
    "Thanh Hóa": {"Thanh Hóa"},
    "Nghệ An": {"Nghệ An"},
    "Hà Tĩnh": {"Hà Tĩnh"},
    "Cao Bằng": {"Cao Bằng"},
}


@pytest.fixture(scope="module", autouse=True)
def downloaded():
    """Both releases in ``DIVISIONS_DIR``, fetched here if the set-up did not."""
    try:
        for release in divisions.RELEASES:
            archive_path(release)
    except DivisionsMissing:
        divisions.fetch()


@pytest.fixture(scope="module")
def specs_2019() -> list[UnitSpec]:
    return vss_2019_specs()


@pytest.fixture(scope="module")
def specs_2025() -> list[UnitSpec]:
    return vss_2025_specs()


@pytest.fixture(scope="module", params=["2019", "2025"])
def hierarchy(request, specs_2019, specs_2025) -> list[UnitSpec]:
    return {"2019": specs_2019, "2025": specs_2025}[request.param]


def _bare(place: str) -> str:
    """ "Tỉnh Hoà Bình" → "Hòa Bình": the place without its kind."""
    for prefix in ("Thành phố ", "Tỉnh "):
        place = place.removeprefix(prefix)
    return traditional_tone_placement(place)


def _of_kind(specs: list[UnitSpec], kind: str) -> list[UnitSpec]:
    return [spec for spec in specs if spec.kind == kind]


def test_2019_has_the_63_provinces_of_2019(specs_2019):
    provinces = _of_kind(specs_2019, PROVINCE)
    assert len(provinces) == 63
    assert {s.parent_code for s in provinces} == {"VSS"}


def test_2019_hcmc_holds_its_24_districts_before_thu_duc_city(specs_2019):
    hcm = next(s for s in specs_2019 if s.code == "P79")
    districts = {s.name for s in specs_2019 if s.parent_code == "P79" and s.kind == DISTRICT}
    assert hcm.name == "BHXH TP. Hồ Chí Minh"
    assert len(districts) == 24
    assert {"BHXH Quận 2", "BHXH Quận 9", "BHXH quận Thủ Đức", "BHXH huyện Cần Giờ"} <= districts
    assert not any("thành phố Thủ Đức" in name.lower() for name in districts)


def test_2019_keeps_thua_thien_hue(specs_2019):
    hue = next(s for s in specs_2019 if s.code == "P46")
    assert hue.name == "BHXH tỉnh Thừa Thiên Huế"


def test_2019_has_every_district_of_the_release_under_its_province(specs_2019):
    districts = _of_kind(specs_2019, DISTRICT)
    in_release = {
        f"D{d['code']:03d}": f"P{p['code']:02d}" for p in provinces_2019() for d in p["districts"]
    }
    assert len(districts) == len(in_release) == 707
    assert {s.code: s.parent_code for s in districts} == in_release
    assert "BHXH huyện Lý Sơn" in {s.name for s in districts}  # an island district


def test_2019_district_kinds_are_lower_case_whatever_the_release_writes(specs_2019):
    names = {s.name for s in _of_kind(specs_2019, DISTRICT)}
    # 0.2 writes "Thị Xã Mường Lay" and "Thành Phố Bắc Kạn".
    assert {"BHXH thị xã Mường Lay", "BHXH thành phố Bắc Kạn"} <= names
    assert not any(" Thị Xã " in name or " Thành Phố " in name for name in names)


def test_2019_every_province_has_the_departments_of_the_seed(specs_2019):
    seed = read_seed("province_departments.csv")
    departments = Counter(s.parent_code for s in _of_kind(specs_2019, PROVINCE_DEPARTMENT))
    assert set(departments) == {s.code for s in _of_kind(specs_2019, PROVINCE)}
    assert set(departments.values()) == {len(seed)}
    assert next(s for s in specs_2019 if s.code == "P79-VP").name == "Văn phòng"


def test_2019_units_continue_nothing(specs_2019):
    assert all(s.predecessor_codes == () for s in specs_2019)


def test_2025_has_the_34_provinces_and_no_lower_places(specs_2025):
    provinces = _of_kind(specs_2025, PROVINCE)
    assert len(provinces) == 34
    assert {s.parent_code for s in provinces} == {"VSS"}
    assert not _of_kind(specs_2025, DISTRICT)
    assert not _of_kind(specs_2025, GRASSROOTS_OFFICE)


def test_2025_names_provinces_and_cities_by_their_division_type(specs_2025):
    names = {s.code: s.name for s in _of_kind(specs_2025, PROVINCE)}
    assert names["P04"] == "BHXH tỉnh Cao Bằng"
    assert names["P46"] == "BHXH TP. Huế"
    assert names["P79"] == "BHXH TP. Hồ Chí Minh"
    assert names["P15"] == "BHXH tỉnh Lào Cai"  # the code was Yên Bái's in 2019
    assert sum(name.startswith("BHXH TP. ") for name in names.values()) == 6


def test_2025_every_province_has_the_departments_of_the_seed(specs_2025):
    seed = read_seed("province_departments_2025.csv")
    departments = Counter(s.parent_code for s in _of_kind(specs_2025, PROVINCE_DEPARTMENT))
    assert set(departments) == {s.code for s in _of_kind(specs_2025, PROVINCE)}
    assert set(departments.values()) == {len(seed)}


def test_every_2019_province_continues_into_exactly_one_2025_province(specs_2019, specs_2025):
    continued = Counter(
        code for s in _of_kind(specs_2025, PROVINCE) for code in s.predecessor_codes
    )
    assert continued == Counter({s.code: 1 for s in _of_kind(specs_2019, PROVINCE)})


def test_merges_seed_follows_resolution_202_by_name():
    old_names = {f"P{p['code']:02d}": _bare(p["name"]) for p in provinces_2019()}
    new_names = {f"P{p['code']:02d}": _bare(p["name"]) for p in provinces_2025()}
    merges = province_merges_2025()
    assert set(merges) == set(new_names)
    assert all(code in old_names for codes in merges.values() for code in codes)
    by_name = {new_names[new]: {old_names[old] for old in olds} for new, olds in merges.items()}
    assert by_name == MERGES_BY_NAME


def test_merges_seed_lists_the_surviving_province_first():
    old_names = {f"P{p['code']:02d}": _bare(p["name"]) for p in provinces_2019()}
    new_names = {f"P{p['code']:02d}": _bare(p["name"]) for p in provinces_2025()}
    for new, olds in province_merges_2025().items():
        assert old_names[olds[0]] in (new_names[new], "Thừa Thiên Huế"), new


def test_2025_bloc_root_and_sectors_continue_their_2019_selves(specs_2025):
    by_code = {s.code: s for s in specs_2025}
    for code in ("VSS", "KCQ", "BQP", "CAND"):
        assert by_code[code].predecessor_codes == (code,)


def test_2025_central_units_continue_only_2019_central_units(specs_2019, specs_2025):
    central_2019 = {s.code for s in specs_2019 if s.parent_code == "KCQ"}
    central_2025 = [s for s in specs_2025 if s.parent_code == "KCQ"]
    assert central_2025
    for spec in central_2025:
        assert set(spec.predecessor_codes) <= central_2019, spec.code
    continued = Counter(code for s in central_2025 for code in s.predecessor_codes)
    assert max(continued.values()) == 1


def test_codes_are_unique(hierarchy):
    codes = Counter(s.code for s in hierarchy)
    assert [code for code, n in codes.items() if n > 1] == []


def test_parents_come_before_their_children(hierarchy):
    seen: set[str] = set()
    for spec in hierarchy:
        assert spec.parent_code is None or spec.parent_code in seen, spec.code
        seen.add(spec.code)
    assert [s.code for s in hierarchy if s.parent_code is None] == ["VSS"]


def test_names_are_nfc_in_traditional_tone_placement(hierarchy):
    for spec in hierarchy:
        assert unicodedata.is_normalized("NFC", spec.name), spec.code
        assert traditional_tone_placement(spec.name) == spec.name, spec.name


def test_2019_names_are_respelled_where_the_release_uses_the_new_placement(specs_2019):
    names = {s.code: s.name for s in specs_2019}
    assert names["P17"] == "BHXH tỉnh Hòa Bình"  # 0.2: "Tỉnh Hoà Bình"
    assert names["D311"] == "BHXH huyện Thủy Nguyên"
    assert names["D314"] == "BHXH huyện Kiến Thụy"


def test_missing_release_names_the_command_that_fetches_it(tmp_path):
    with pytest.raises(DivisionsMissing, match="pip download") as raised:
        archive_path(RELEASE_2019, directory=tmp_path)
    assert "vietnam-provinces==0.2" in str(raised.value)


def test_download_command_fetches_only_the_wheel():
    command = download_command("2025.10.1")
    assert command[1:4] == ["-m", "pip", "download"]
    assert {"--no-deps", "--only-binary=:all:", "vietnam-provinces==2025.10.1"} <= set(command)
