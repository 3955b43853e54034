"""The list sent up (danh sách trích ngang) of an election's elected
delegates: each elected person's short record, titles of the cycle's
years, marks, votes and share of the round that elected them, as PDF and
.xlsx; only once the result is confirmed; who may ask for it; its
queries."""

import io
import os
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from delegates.models import TITLE_SHORT_LABELS, Election, EmulationTitle, Rank
from delegates.services.elections import (
    confirm_election,
    open_election,
    open_runoff,
    record_votes,
    set_candidates,
)
from reports.documents.elected import (
    ELECTION_RELATED,
    ElectedListPdf,
    ElectedListXlsx,
    elected_rows,
)
from reports.models import DocumentJob
from tests.delegates import conftest as shared
from tests.delegates.elections.test_elections import approve, held
from tests.factories import ConferenceFactory, PersonFactory
from tests.reports.pdf_support import flowing_text, pdf_text
from units.models import Role
from units.permissions import ROLE_ACTIONS, Action

pytestmark = pytest.mark.django_db
# Set to look at the rendered lists.
LOOK_DIR = Path(os.environ["LOOK_DIR"]) if os.environ.get("LOOK_DIR") else None

hcm_upper = shared.hcm_upper
tiers = shared.tiers

Title = EmulationTitle.Title


def vote(officer, election, valid, votes):
    election.refresh_from_db()
    record_votes(
        actor=officer,
        election=election,
        valid_ballots=valid,
        votes={person.pk: count for person, count in votes.items()},
        expected_lock_version=election.lock_version,
    )
    election.refresh_from_db()


def stand_and_confirm(officer, election, votes, *, valid, runoff=None, runoff_valid=0):
    """Candidates ``votes`` (person → votes in round 1), counted against
    ``valid`` ballots; then, if given, the run-off's votes; confirmed."""
    set_candidates(actor=officer, election=election, persons=list(votes))
    vote(officer, election, valid, votes)
    if runoff:
        open_runoff(actor=officer, election=election)
        vote(officer, election, runoff_valid, runoff)
    confirm_election(actor=officer, election=election)
    election.refresh_from_db()
    return election


@pytest.fixture
def district_election(users, tree, tiers, hcm_upper):
    """Quận 1's election for 3 seats (electing to HCMC's conference),
    opened, nobody standing yet."""
    approve(hcm_upper, {tree.hcm_district: 3}, users["admin"])
    return open_election(actor=users["officer_hcm"], conference=held(tiers[1], tree.hcm_district))


@pytest.fixture
def people(tree):
    """Four people of Quận 1: three to be elected, one not."""
    unit = tree.hcm_district
    an = PersonFactory(
        unit=unit,
        full_name="Trần Thị An",
        birth_year=1978,
        gender="female",
        position="Phó Giám đốc",
        rank=Rank.DEPUTY_HEAD,
        good_person_good_deed=True,
        exemplar_reason="Dẫn đầu phong trào giảm nợ",
    )
    binh = PersonFactory(
        unit=unit,
        full_name="Lê Văn Bình",
        birth_year=1985,
        gender="male",
        ethnicity="Khmer",
        works_directly=True,
    )
    chi = PersonFactory(unit=unit, full_name="Phạm Thị Chi", birth_year=1990, gender="female")
    dung = PersonFactory(unit=unit, full_name="Võ Văn Dũng", birth_year=1970, gender="male")
    for year in (2016, 2017):
        EmulationTitle.objects.create(person=an, year=year, title=Title.GRASSROOTS)
    EmulationTitle.objects.create(person=an, year=2018, title=Title.SECTOR)
    # Outside the cycle's title years (2015–2019): not on the list.
    EmulationTitle.objects.create(person=binh, year=2014, title=Title.GRASSROOTS)
    EmulationTitle.objects.create(person=binh, year=2019, title=Title.GRASSROOTS)
    return {"an": an, "binh": binh, "chi": chi, "dung": dung}


@pytest.fixture
def confirmed(users, district_election, people):
    """100, 120 and 76 of 150 valid ballots elect three; 40 does not."""
    return stand_and_confirm(
        users["officer_hcm"],
        district_election,
        {people["an"]: 100, people["binh"]: 120, people["chi"]: 76, people["dung"]: 40},
        valid=150,
    )


def render(exporter, user, **params):
    target = exporter.target(user=user, params={name: str(v) for name, v in params.items()})
    filename, _mimetype, data = exporter.render(target.params)
    if LOOK_DIR:
        (LOOK_DIR / filename).write_bytes(data)
    return filename, data


def rows_of(data):
    return list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))


def vi(text):
    with translation.override("vi"):
        return str(text)


# -- What the list says -------------------------------------------------------------


def test_pdf_gives_back_each_elected_with_record_votes_and_share(users, confirmed, people):
    filename, data = render(ElectedListPdf(), users["officer_hcm"], election=confirmed.pk)
    assert filename == "danh-sach-trich-ngang-bhxh-quan-1.pdf"
    text = flowing_text(data)
    for key, year, share in (
        ("an", 1978, "66,67"),
        ("binh", 1985, "80,00"),
        ("chi", 1990, "50,67"),
    ):
        assert people[key].full_name in text
        assert str(year) in text
        assert share in text
    for votes in ("100", "120", "76"):
        assert votes in text
    assert "Võ Văn Dũng" not in text and "26,67" not in text
    assert "Khmer" in text and "Phó Giám đốc" in text


def test_pdf_shows_the_titles_of_the_cycles_years_and_the_marks(users, confirmed, people):
    _name, data = render(ElectedListPdf(), users["officer_hcm"], election=confirmed.pk)
    text = flowing_text(data)
    grassroots, sector = (
        vi(TITLE_SHORT_LABELS[Title.GRASSROOTS]),
        vi(TITLE_SHORT_LABELS[Title.SECTOR]),
    )
    assert f"{grassroots} 2016, 2017" in text and f"{sector} 2018" in text
    # 2014 is before the cycle's title years.
    assert f"{grassroots} 2019" in text and "2014" not in text
    with translation.override("vi"):
        outstanding = _("Exemplar with outstanding achievements")
    assert outstanding in text


def test_rows_in_the_lists_order_with_the_round_that_elected_them(confirmed, people):
    election = Election.objects.select_related(*ELECTION_RELATED).get(pk=confirmed.pk)
    rows = elected_rows(election)
    # Quận 1: the deputy head first (rank), then Vietnamese name order.
    assert [row.name for row in rows] == ["Trần Thị An", "Lê Văn Bình", "Phạm Thị Chi"]
    assert [row.number for row in rows] == [1, 2, 3]
    with translation.override("vi"):
        assert [(row.votes, row.share, row.round) for row in rows] == [
            (100, "66,67", 1),
            (120, "80,00", 1),
            (76, "50,67", 1),
        ]
    assert [row.percent for row in rows] == [66.67, 80.0, 50.67]
    assert all(row.round_label == "" and row.note == "" for row in rows)
    assert rows[0].marks[-1] == _("Exemplar with outstanding achievements")


def test_xlsx_gives_the_same_rows_with_numbers_as_numbers(users, confirmed, people):
    filename, data = render(ElectedListXlsx(), users["officer_hcm"], election=confirmed.pk)
    assert filename == "danh-sach-trich-ngang-bhxh-quan-1.xlsx"
    rows = rows_of(data)
    header = rows.index(next(row for row in rows if row[0] == _("No.")))
    table = [row for row in rows[header + 1 :] if row[0] is not None]
    assert [row[1] for row in table] == ["Trần Thị An", "Lê Văn Bình", "Phạm Thị Chi"]
    assert [row[2] for row in table] == [1978, 1985, 1990]
    assert [row[10] for row in table] == [100, 120, 76]
    assert [row[11] for row in table] == [66.67, 80.0, 50.67]
    # Numbers, not text (a whole share such as 80.0 reads back as 80).
    assert all(isinstance(row[10], int) and isinstance(row[11], int | float) for row in table)
    assert [row[12] for row in table] == [1, 1, 1]
    grassroots = str(TITLE_SHORT_LABELS[Title.GRASSROOTS])
    # The highest title first.
    assert table[0][8] == f"{TITLE_SHORT_LABELS[Title.SECTOR]} 2018; {grassroots} 2016, 2017"
    assert table[1][8] == f"{grassroots} 2019"
    assert "Võ Văn Dũng" not in str(rows)


def test_elected_in_a_runoff_show_its_round_votes_and_share(users, district_election, people):
    """Round 1 (100 valid) elects An and Bình and ties Chi and Dũng for the
    last seat; the run-off (90 valid) gives it to Chi with 60 (66,67)."""
    election = stand_and_confirm(
        users["officer_hcm"],
        district_election,
        {people["an"]: 90, people["binh"]: 80, people["chi"]: 61, people["dung"]: 61},
        valid=100,
        runoff={people["chi"]: 60, people["dung"]: 30},
        runoff_valid=90,
    )
    _name, data = render(ElectedListPdf(), users["officer_hcm"], election=election.pk)
    line = next(line for line in pdf_text(data).splitlines() if "Phạm Thị Chi" in line)
    # Votes, share and round of the run-off, then the empty note.
    assert line.split()[-3:] == ["60", "66,67", "2"]
    assert "Võ Văn Dũng" not in flowing_text(data)
    rows = rows_of(ElectedListXlsx().render({"election": election.pk})[2])
    chi = next(row for row in rows if row[1] == "Phạm Thị Chi")
    assert (chi[10], chi[11], chi[12]) == (60, 66.67, 2)


# -- Who may ask, and when ------------------------------------------------------------


def test_an_election_not_confirmed_is_refused_with_the_reason(users, district_election, people):
    set_candidates(actor=users["officer_hcm"], election=district_election, persons=[people["an"]])
    for exporter in (ElectedListPdf(), ElectedListXlsx()):
        with pytest.raises(ValidationError) as raised:
            exporter.target(
                user=users["officer_hcm"], params={"election": str(district_election.pk)}
            )
        assert raised.value.messages == [
            _(
                "The list of the elected delegates is sent up once the result is "
                "confirmed: confirm the election first."
            )
        ]


def test_an_election_of_another_province_is_not_found(users, confirmed):
    for exporter in (ElectedListPdf(), ElectedListXlsx()):
        with pytest.raises(Http404):
            exporter.target(user=users["officer_hanoi"], params={"election": str(confirmed.pk)})


def test_those_above_the_electing_unit_may_ask_for_it(users, confirmed):
    for user in ("officer_hcm", "printer_hcm", "council", "printer", "admin"):
        target = ElectedListPdf().target(user=users[user], params={"election": str(confirmed.pk)})
        assert target.unit == confirmed.conference.unit


def test_without_the_right_to_print_it_is_forbidden(client, users, confirmed, monkeypatch):
    monkeypatch.setitem(ROLE_ACTIONS, Role.PRINTER, frozenset({Action.VIEW}))
    client.force_login(users["printer_hcm"])
    for exporter in ("elected_list_pdf", "elected_list_xlsx"):
        response = client.post(
            reverse("reports:job_create"), {"exporter": exporter, "election": confirmed.pk}
        )
        assert response.status_code == 403
    response = client.get(
        reverse("reports:download", args=["elected_list_xlsx"]), {"election": confirmed.pk}
    )
    assert response.status_code == 403
    assert not DocumentJob.objects.exists()


# -- From the election page -------------------------------------------------------------


def test_asked_for_from_the_page_of_a_confirmed_election(client, users, confirmed):
    client.force_login(users["printer_hcm"])
    page_url = reverse("elections:election_detail", args=[confirmed.conference_id])
    page = client.get(page_url).content.decode()
    assert 'data-testid="ask-elected_list_pdf"' in page
    download = reverse("reports:download", args=["elected_list_xlsx"])
    assert f"{download}?election={confirmed.pk}" in page
    response = client.post(
        reverse("reports:job_create"),
        {"exporter": "elected_list_pdf", "election": confirmed.pk, "next": page_url},
    )
    job = DocumentJob.objects.get()
    assert response.status_code == 302 and job.unit == confirmed.conference.unit
    response = client.get(download, {"election": confirmed.pk})
    assert response.status_code == 200
    assert [row[1] for row in rows_of(response.content) if isinstance(row[0], int)] == [
        "Trần Thị An",
        "Lê Văn Bình",
        "Phạm Thị Chi",
    ]


def test_no_buttons_before_the_confirmation(client, users, district_election, people):
    set_candidates(actor=users["officer_hcm"], election=district_election, persons=[people["an"]])
    client.force_login(users["printer_hcm"])
    page = client.get(
        reverse("elections:election_detail", args=[district_election.conference_id])
    ).content.decode()
    assert "elected_list_pdf" not in page and "elected_list_xlsx" not in page


# -- Queries, and a real one to look at ---------------------------------------------------

LONG_NAMES = [
    "Công Tằng Tôn Nữ Thị Diệu Huyền",
    "Nguyễn Thị Hoàng Phương Thảo",
    "Tôn Nữ Thị Ngọc Bích Trâm",
    "Trần Văn Quang",
    "Lê Thị Ánh Nguyệt",
    "Phạm Nguyễn Minh Khôi",
    "Huỳnh Thị Kim Loan",
    "Đặng Văn Lộc",
    "Bùi Thị Thanh Hương",
    "Võ Hoàng Phúc",
    "Dương Thị Mỹ Duyên",
    "Hồ Ngọc Hải Đăng",
    "Lâm Văn Tài",
]
LONG_POSITIONS = [
    "Phó Trưởng phòng Quản lý thu - Sổ, thẻ kiêm Tổ trưởng Công đoàn",
    "Chuyên viên chính Phòng Giám định bảo hiểm y tế",
    "Giám đốc",
    "Kế toán viên",
]


def province_election(users, tree, tiers, seats):
    """HCMC's tier-2 conference electing ``seats`` delegates to the Congress."""
    congress = ConferenceFactory(tier=tiers[3], unit=tree.vss)
    approve(congress, {tree.hcm: seats}, users["admin"])
    return open_election(actor=users["officer_hcm"], conference=held(tiers[2], tree.hcm))


def test_queries_for_the_rows_do_not_grow_with_the_elected(users, tree, tiers):
    counts = []
    for unit, seats in ((tree.hcm_district, 2), (tree.hcm_department, 12)):
        upper = ConferenceFactory(tier=tiers[2], unit=tree.hcm) if not counts else None
        if upper is not None:
            approve(upper, {tree.hcm_district: 2, tree.hcm_department: 12}, users["admin"])
        election = open_election(actor=users["officer_hcm"], conference=held(tiers[1], unit))
        people = PersonFactory.create_batch(seats, unit=unit)
        for person in people:
            EmulationTitle.objects.create(person=person, year=2017, title=Title.GRASSROOTS)
        stand_and_confirm(users["officer_hcm"], election, dict.fromkeys(people, 80), valid=100)
        loaded = Election.objects.select_related(*ELECTION_RELATED).get(pk=election.pk)
        with CaptureQueriesContext(connection) as queries:
            rows = elected_rows(loaded)
        assert len(rows) == seats
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 6, counts


def test_a_list_of_twelve_with_long_names_prints_whole(users, tree, tiers):
    """Twelve elected from the units of HCMC (one by a run-off), with long
    names and positions: every name whole on the pages, the header on each
    page."""
    election = province_election(users, tree, tiers, 12)
    PersonFactory(unit=tree.hcm, rank=Rank.HEAD, full_name="Nguyễn Văn Hùng", position="Giám đốc")
    units = [tree.hcm, tree.hcm_department, tree.hcm_district]
    people = [
        PersonFactory(
            unit=units[index % 3],
            full_name=name,
            position=LONG_POSITIONS[index % 4],
            birth_year=1970 + index,
            good_solution=index % 2 == 0,
            works_directly=index % 3 == 0,
            good_person_good_deed=index % 4 == 0,
        )
        for index, name in enumerate(LONG_NAMES)
    ]
    for index, person in enumerate(people):
        for year in range(2015, 2015 + index % 5):
            EmulationTitle.objects.create(person=person, year=year, title=Title.GRASSROOTS)
        if index % 4 == 1:
            EmulationTitle.objects.create(person=person, year=2019, title=Title.SECTOR)
    # Eleven clear and two tie for the twelfth seat; the run-off decides.
    votes = {person: 200 - 5 * index for index, person in enumerate(people[:11])}
    votes |= {people[11]: 120, people[12]: 120}
    stand_and_confirm(
        users["officer_hcm"],
        election,
        votes,
        valid=210,
        runoff={people[11]: 150, people[12]: 40},
        runoff_valid=200,
    )
    _name, data = render(ElectedListPdf(), users["officer_hcm"], election=election.pk)
    text = flowing_text(data)
    for person in people[:12]:
        assert person.full_name in text
    assert people[12].full_name not in text
    assert "75,00" in text  # 150 of the run-off's 200 valid ballots
    pages = [page for page in pdf_text(data).split("\f") if page.strip()]
    assert len(pages) > 1
    # The header on every page, and the head of HCMC signing under the last row.
    assert all(_("Full name") in page for page in pages)
    loaded = Election.objects.select_related(*ELECTION_RELATED).get(pk=election.pk)
    last = elected_rows(loaded)[-1]
    assert "Nguyễn Văn Hùng" in pages[-1] and last.name.split()[-1] in pages[-1]


def test_a_substitute_stands_in_the_replaced_ones_place_with_a_note(
    users, district_election, people
):
    from delegates.services.replacements import replace_elected

    officer = users["officer_hcm"]
    an, binh, chi, dung = (people[key] for key in ("an", "binh", "chi", "dung"))
    election = stand_and_confirm(
        officer, district_election, {an: 100, binh: 120, chi: 76, dung: 80}, valid=150
    )
    replace_elected(actor=officer, election=election, person=an, reason="Đi công tác dài ngày")
    loaded = Election.objects.select_related(*ELECTION_RELATED).get(pk=election.pk)
    rows = elected_rows(loaded)
    assert [(row.name, row.votes, row.round) for row in rows] == [
        ("Lê Văn Bình", 120, 1),
        ("Phạm Thị Chi", 76, 1),
        ("Võ Văn Dũng", 80, 1),
    ]
    note = _("Substitute for %(name)s: %(reason)s") % {
        "name": an.full_name,
        "reason": "Đi công tác dài ngày",
    }
    assert [row.note for row in rows] == ["", note, ""]
    _name, data = render(ElectedListPdf(), officer, election=election.pk)
    text = flowing_text(data)
    assert "Phạm Thị Chi" in text and "50,67" in text and note in text
    assert "66,67" not in text  # An's row is gone; An is named only in the note
    _name, data = render(ElectedListXlsx(), officer, election=election.pk)
    assert [row[1] for row in rows_of(data) if isinstance(row[0], int)] == [
        "Lê Văn Bình",
        "Phạm Thị Chi",
        "Võ Văn Dũng",
    ]
