"""The papers of an election round: the ballot (candidates in the list's
or name order, the seats, the instructions, one or several a sheet) and
the vote-count minutes (figures, votes and shares by votes, the elected,
the committee); who may ask for them; their queries."""

import datetime
import io
import os
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from delegates.models import ElectionRound
from delegates.services.elections import (
    Minutes,
    open_election,
    open_runoff,
    record_votes,
    set_candidates,
)
from reports.documents.elections import BallotPdf, CountMinutesPdf, load_paper
from reports.models import DocumentJob
from tests.delegates import conftest as shared
from tests.delegates.elections.test_elections import approve, held
from tests.factories import PersonFactory
from tests.reports.pdf_support import flowing_text, pdf_text

pytestmark = pytest.mark.django_db
# Set to look at the rendered papers.
LOOK_DIR = Path(os.environ["LOOK_DIR"]) if os.environ.get("LOOK_DIR") else None

hcm_upper = shared.hcm_upper
tiers = shared.tiers

COMMITTEE = ["Võ Thị Hoa - Trưởng ban", "Đặng Văn Khoa - Thành viên", "Bùi Thị Lan - Thành viên"]
NAMES = ["Trần Văn Bình", "Lê Thị Ánh", "Nguyễn Văn Chiến", "Phạm Thị Dung"]


@pytest.fixture
def election(users, tree, tiers, hcm_upper):
    """Quận 1's election for 2 seats: round 1 (100 valid of 103 returned,
    105 issued to 110 present) ties two for the last seat; round 2 is
    open among them."""
    officer = users["officer_hcm"]
    approve(hcm_upper, {tree.hcm_district: 2}, users["admin"])
    election = open_election(actor=officer, conference=held(tiers[1], tree.hcm_district))
    people = [PersonFactory(unit=tree.hcm_district, full_name=name) for name in NAMES]
    set_candidates(actor=officer, election=election, persons=people)
    election.refresh_from_db()
    ended = timezone.make_aware(datetime.datetime(2020, 1, 10, 10, 45))
    record_votes(
        actor=officer,
        election=election,
        valid_ballots=100,
        invalid_ballots=3,
        ballots_returned=103,
        ballots_issued=105,
        votes=dict(zip([p.pk for p in people], [90, 61, 20, 61], strict=True)),
        expected_lock_version=election.lock_version,
        minutes=Minutes(
            summoned=120,
            present=110,
            committee="\n".join(COMMITTEE),
            count_ended_at=ended,
        ),
    )
    election.refresh_from_db()
    open_runoff(actor=officer, election=election)
    election.refresh_from_db()
    return election


def first_round(election):
    return ElectionRound.objects.get(election=election, number=1)


def render(exporter, user, **params):
    target = exporter.target(user=user, params={name: str(v) for name, v in params.items()})
    filename, mimetype, data = exporter.render(target.params)
    assert mimetype == "application/pdf"
    if LOOK_DIR:
        (LOOK_DIR / f"{exporter.identifier}-{'-'.join(map(str, params.values()))}.pdf").write_bytes(
            data
        )
    return filename, data


def test_minutes_give_back_the_figures_votes_and_shares(users, election):
    filename, data = render(CountMinutesPdf(), users["officer_hcm"], round=first_round(election).pk)
    assert filename == "bien-ban-kiem-phieu-bhxh-quan-1-vong-1.pdf"
    text = flowing_text(data)
    for figure in ("120", "110", "105", "103", "100"):
        assert figure in text
    # By votes, most first, with the share of the valid ballots.
    table = pdf_text(data)
    rows = [
        line.split() for line in table.splitlines() if line.strip()[:2] in ("1 ", "2 ", "3 ", "4 ")
    ]
    order = [" ".join(row[1:4]) for row in rows]
    assert order[0] == "Trần Văn Bình" and order[-1] == "Nguyễn Văn Chiến"
    assert "90,00" in text and "61,00" in text and "20,00" in text
    for name in [*NAMES, "Võ Thị Hoa", "Đặng Văn Khoa", "Bùi Thị Lan"]:
        assert name in text
    assert re.search(r"10(:| giờ )45", text)


def test_ballot_lists_the_candidates_in_the_lists_or_name_order(users, election):
    pk = first_round(election).pk
    _name, data = render(BallotPdf(), users["officer_hcm"], round=pk)
    text = flowing_text(data)
    listed = [name for name in NAMES if name in text]
    assert listed == NAMES or set(listed) == set(NAMES)
    _name, data = render(BallotPdf(), users["officer_hcm"], round=pk, order="name")
    text = flowing_text(data)
    positions = sorted((text.index(name), name) for name in NAMES)
    # Given names in Vietnamese order: Ánh, Bình, Chiến, Dung.
    assert [name for _pos, name in positions] == [
        "Lê Thị Ánh",
        "Trần Văn Bình",
        "Nguyễn Văn Chiến",
        "Phạm Thị Dung",
    ]
    assert "2" in text


def test_runoff_ballot_lists_only_the_tied_for_the_seat_left(users, election):
    second = ElectionRound.objects.get(election=election, number=2)
    _name, data = render(BallotPdf(), users["officer_hcm"], round=second.pk)
    text = flowing_text(data)
    assert "Lê Thị Ánh" in text and "Phạm Thị Dung" in text
    assert "Trần Văn Bình" not in text and "Nguyễn Văn Chiến" not in text


@pytest.mark.parametrize(("per_sheet", "sheets"), [(1, 1), (2, 3), (4, 2)])
def test_ballots_per_sheet_and_sheets(users, election, per_sheet, sheets):
    from pypdf import PdfReader

    _name, data = render(
        BallotPdf(),
        users["officer_hcm"],
        round=first_round(election).pk,
        per_sheet=per_sheet,
        sheets=sheets,
    )
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == sheets
    assert pdf_text(data, page=1).count("Trần Văn Bình") == per_sheet


def test_too_many_candidates_for_small_ballots_are_refused(users, tree, election):
    officer = users["officer_hcm"]
    other = open_election(
        actor=officer, conference=held(election.conference.tier, tree.hcm_department)
    )
    people = PersonFactory.create_batch(9, unit=tree.hcm_department)
    set_candidates(actor=officer, election=other, persons=people)
    with pytest.raises(ValidationError):
        BallotPdf().target(
            user=officer, params={"round": str(other.rounds.get().pk), "per_sheet": "4"}
        )


def test_minutes_of_a_round_not_counted_are_refused(users, election):
    second = ElectionRound.objects.get(election=election, number=2)
    with pytest.raises(ValidationError):
        CountMinutesPdf().target(user=users["officer_hcm"], params={"round": str(second.pk)})


def test_a_round_of_another_province_is_not_found(users, election):
    with pytest.raises(Http404):
        BallotPdf().target(
            user=users["officer_hanoi"], params={"round": str(first_round(election).pk)}
        )


def test_asked_for_from_the_election_page(client, users, election):
    client.force_login(users["printer_hcm"])
    page_url = reverse("elections:election_detail", args=[election.conference_id])
    page = client.get(page_url).content.decode()
    assert 'data-testid="ask-ballot_pdf"' in page and 'data-testid="ask-count_minutes_pdf"' in page
    response = client.post(
        reverse("reports:job_create"),
        {"exporter": "count_minutes_pdf", "round": first_round(election).pk, "next": page_url},
    )
    job = DocumentJob.objects.get()
    assert response.status_code == 302 and job.unit == election.conference.unit


def test_paper_queries_do_not_grow_with_candidates_and_rounds(election):
    counts = []
    for number in (1, 2):
        with CaptureQueriesContext(connection) as queries:
            load_paper({"round": ElectionRound.objects.get(election=election, number=number).pk})
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
