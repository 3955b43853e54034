"""Papers (tham luận) of a conference: who edits them, who presents them,
their status moves, their order and the room the programme has."""

import unicodedata

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from congress import services
from congress.models import Conference, FieldOfWork, Paper
from congress.services import PaperDetails
from tests.congress.documents_support import (
    ROLES,
    expected_change_status,
    expected_view_status,
    make_conference,
)


@pytest.fixture
def conferences(tree, tiers):
    tiers[2].papers_half_day = 2
    tiers[2].papers_full_day = 4
    tiers[2].save()
    return {
        "hcm": make_conference(tiers[2], tree.hcm),
        "hanoi": make_conference(tiers[2], tree.hanoi),
    }


def details(unit, **changes) -> PaperDetails:
    fields = {
        "title": "Đổi mới công tác thu, giảm nợ đóng BHXH",
        "presenter_kind": Paper.PresenterKind.COLLECTIVE,
        "presenter_unit": unit,
        "field_of_work": FieldOfWork.COLLECTION,
        "presenter_name": "",
    }
    fields.update(changes)
    return PaperDetails(**fields)


def add(conference, actor, **changes) -> Paper:
    return services.add_paper(
        actor=actor, conference=conference, details=details(conference.unit, **changes)
    )


def form_data(unit, **changes) -> dict:
    data = {
        "title": "Ứng dụng CNTT trong giải quyết chế độ",
        "presenter_kind": "individual",
        "presenter_unit": str(unit.pk),
        "presenter_name": "Nguyễn Thị Hồng",
        "field_of_work": "it",
    }
    data.update(changes)
    return data


# -- Services ----------------------------------------------------------------


def test_presenter_unit_must_lie_in_the_conference_units_subtree(tree, conferences, users):
    hcm = conferences["hcm"]
    assert add(hcm, users["admin"], presenter_unit=tree.hcm_district).presenter_unit == (
        tree.hcm_district
    )
    with pytest.raises(ValidationError) as caught:
        add(hcm, users["admin"], presenter_unit=tree.hanoi_district)
    assert "presenter_unit" in caught.value.message_dict


def test_individual_needs_a_name_stored_in_nfc(tree, conferences, users):
    hcm = conferences["hcm"]
    with pytest.raises(ValidationError) as caught:
        add(hcm, users["admin"], presenter_kind="individual", presenter_name="   ")
    assert "presenter_name" in caught.value.message_dict
    decomposed = unicodedata.normalize("NFD", "  Trần   Thị Thu  Hà ")
    paper = add(hcm, users["admin"], presenter_kind="individual", presenter_name=decomposed)
    assert paper.presenter_name == "Trần Thị Thu Hà"
    assert unicodedata.is_normalized("NFC", paper.presenter_name)


def test_collective_has_no_presenter_name(conferences, users):
    paper = add(conferences["hcm"], users["admin"], presenter_name="Ai đó")
    assert paper.presenter_name == ""


def test_new_papers_go_last(conferences, users):
    hcm = conferences["hcm"]
    positions = [add(hcm, users["admin"], title=f"Tham luận {i}").position for i in range(3)]
    assert positions == [1, 2, 3]


@pytest.mark.parametrize("role", ["council", "printer", "printer_hcm", "officer_hanoi"])
def test_only_who_may_change_adds_papers(conferences, users, role):
    with pytest.raises(PermissionDenied):
        add(conferences["hcm"], users[role])


def test_status_moves_follow_the_table(conferences, users):
    hcm = conferences["hcm"]
    actor = users["officer_hcm"]
    paper = add(hcm, actor)
    with pytest.raises(ValidationError):
        services.set_paper_status(actor=actor, paper=paper, status="presented")
    paper = services.set_paper_status(actor=actor, paper=paper, status="selected")
    assert paper.status == Paper.Status.SELECTED
    # Unselecting is allowed.
    paper = services.set_paper_status(actor=actor, paper=paper, status="proposed")
    assert paper.status == Paper.Status.PROPOSED
    with pytest.raises(ValidationError):
        services.set_paper_status(actor=actor, paper=paper, status="proposed")
    with pytest.raises(ValidationError):
        services.set_paper_status(actor=actor, paper=paper, status="bogus")


def test_presented_only_once_the_conference_is_held(tree, tiers, conferences, users):
    actor = users["officer_hcm"]
    paper = add(conferences["hcm"], actor)
    paper = services.set_paper_status(actor=actor, paper=paper, status="selected")
    with pytest.raises(ValidationError, match="đã được ghi nhận là đã tổ chức"):
        services.set_paper_status(actor=actor, paper=paper, status="presented")
    Conference.objects.filter(pk=conferences["hcm"].pk).update(
        status=Conference.Status.HELD, held_on="2020-03-01", actual_attendance=200
    )
    paper.refresh_from_db()
    paper = services.set_paper_status(actor=actor, paper=paper, status="presented")
    assert paper.status == Paper.Status.PRESENTED
    with pytest.raises(ValidationError):
        services.set_paper_status(actor=actor, paper=paper, status="proposed")
    with pytest.raises(ValidationError, match="đã trình bày"):
        services.delete_paper(actor=actor, paper=paper)


def test_moving_a_paper_swaps_it_with_its_neighbour(conferences, users):
    hcm = conferences["hcm"]
    a, _b, c = (add(hcm, users["admin"], title=t) for t in "ABC")
    services.move_paper(actor=users["admin"], paper=c, offset=-1)
    assert [p.title for p in hcm.papers.order_by("position")] == ["A", "C", "B"]
    services.move_paper(actor=users["admin"], paper=a, offset=-1)  # already first
    assert [p.title for p in hcm.papers.order_by("position")] == ["A", "C", "B"]
    services.move_paper(actor=users["admin"], paper=a, offset=1)
    assert [p.title for p in hcm.papers.order_by("position")] == ["C", "A", "B"]


def test_closed_conference_papers_no_longer_change(tree, tiers, users):
    closed = make_conference(tiers[2], tree.hcm, Conference.Status.CLOSED)
    with pytest.raises(ValidationError):
        add(closed, users["admin"])


# -- Pages -------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["hcm", "hanoi"])
def test_add_paper_by_role(client, tree, conferences, users, role, name):
    conference = conferences[name]
    client.force_login(users[role])
    url = reverse("congress:paper_add", args=[conference.pk])
    expected = expected_change_status(role, name)
    assert client.get(url).status_code == (200 if expected == 302 else expected)
    response = client.post(url, form_data(conference.unit))
    assert response.status_code == expected
    assert conference.papers.exists() == (expected == 302)
    if expected == 302:
        assert response["Location"] == conference.get_absolute_url() + "#papers"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["hcm", "hanoi"])
def test_edit_and_delete_paper_by_role(client, conferences, users, role, name):
    conference = conferences[name]
    paper = add(conference, users["admin"])
    client.force_login(users[role])
    expected = expected_change_status(role, name)
    response = client.post(
        reverse("congress:paper_edit", args=[conference.pk, paper.pk]),
        form_data(conference.unit, title="Tên mới"),
    )
    assert response.status_code == expected
    paper.refresh_from_db()
    assert (paper.title == "Tên mới") == (expected == 302)
    delete_url = reverse("congress:paper_delete", args=[conference.pk, paper.pk])
    assert client.get(delete_url).status_code == (200 if expected == 302 else expected)
    assert client.post(delete_url).status_code == expected
    assert conference.papers.exists() == (expected != 302)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["hcm", "hanoi"])
def test_paper_status_and_order_by_role(client, conferences, users, role, name):
    conference = conferences[name]
    first = add(conference, users["admin"], title="Một")
    add(conference, users["admin"], title="Hai")
    client.force_login(users[role])
    expected = expected_change_status(role, name)
    response = client.post(
        reverse("congress:paper_status", args=[conference.pk, first.pk]), {"status": "selected"}
    )
    assert response.status_code == expected
    first.refresh_from_db()
    assert (first.status == "selected") == (expected == 302)
    response = client.post(
        reverse("congress:paper_move", args=[conference.pk, first.pk]), {"offset": "1"}
    )
    assert response.status_code == expected
    order = list(conference.papers.order_by("position").values_list("title", flat=True))
    assert order == (["Hai", "Một"] if expected == 302 else ["Một", "Hai"])


def test_paper_from_another_conference_is_404(client, conferences, users):
    paper = add(conferences["hanoi"], users["admin"])
    client.force_login(users["admin"])
    url = reverse("congress:paper_edit", args=[conferences["hcm"].pk, paper.pk])
    assert client.get(url).status_code == 404


def test_unit_outside_the_subtree_is_refused_on_the_field(client, tree, conferences, users):
    client.force_login(users["admin"])
    response = client.post(
        reverse("congress:paper_add", args=[conferences["hcm"].pk]),
        form_data(tree.hanoi_district, title="Tham luận giữ nguyên"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["presenter_unit"] == [
        "Hãy chọn một đơn vị trong danh sách."
    ]
    assert 'value="Tham luận giữ nguyên"' in response.text
    assert not conferences["hcm"].papers.exists()


def test_individual_without_name_keeps_what_was_typed(client, conferences, users):
    client.force_login(users["officer_hcm"])
    response = client.post(
        reverse("congress:paper_add", args=[conferences["hcm"].pk]),
        form_data(conferences["hcm"].unit, presenter_name="  ", title="Cải cách thủ tục"),
    )
    assert response.status_code == 200
    assert "Hãy nhập họ và tên của cá nhân trình bày." in response.text
    assert 'value="Cải cách thủ tục"' in response.text
    assert not conferences["hcm"].papers.exists()


def test_presenter_choices_are_the_conference_units_subtree(client, tree, conferences, users):
    client.force_login(users["admin"])
    response = client.get(reverse("congress:paper_add", args=[conferences["hcm"].pk]))
    choices = set(response.context["form"].fields["presenter_unit"].queryset)
    assert choices == {tree.hcm, tree.hcm_district, tree.hcm_department}


def test_refused_status_move_is_told(client, conferences, users):
    paper = add(conferences["hcm"], users["admin"])
    client.force_login(users["officer_hcm"])
    url = reverse("congress:paper_status", args=[conferences["hcm"].pk, paper.pk])
    response = client.post(url, {"status": "presented"}, follow=True)
    assert "Không thể chuyển tham luận đang ở trạng thái “Đề xuất” theo cách này." in response.text
    paper.refresh_from_db()
    assert paper.status == Paper.Status.PROPOSED


def test_room_warning_when_more_selected_than_the_length_allows(client, conferences, users):
    hcm = conferences["hcm"]  # half a day: room for 2 in these tests
    for i in range(3):
        paper = add(hcm, users["admin"], title=f"Tham luận {i}")
        services.set_paper_status(actor=users["admin"], paper=paper, status="selected")
    add(hcm, users["admin"], title="Chỉ đề xuất")
    client.force_login(users["council"])
    response = client.get(hcm.get_absolute_url())
    room = response.context["paper_room"]
    assert (room.chosen, room.room, room.over) == (3, 2, 1)
    assert 'data-testid="paper-room-warning"' in response.text
    assert "nhiều hơn 1 tham luận so với số chương trình có thể bố trí" in response.text
    # The council sees the papers but no buttons to change them.
    assert reverse("congress:paper_add", args=[hcm.pk]) not in response.text


def test_full_day_conference_has_more_room(tree, tiers, users, client):
    tiers[2].papers_full_day = 4
    tiers[2].save()
    conference = make_conference(tiers[2], tree.hcm, length="full_day")
    client.force_login(users["officer_hcm"])
    response = client.get(conference.get_absolute_url())
    assert response.context["paper_room"].room == 4
    assert 'data-testid="paper-room-warning"' not in response.text


def test_presented_button_appears_only_once_held(client, tree, tiers, users):
    conference = make_conference(tiers[2], tree.hcm, Conference.Status.HELD)
    paper = add(conference, users["admin"])
    services.set_paper_status(actor=users["admin"], paper=paper, status="selected")
    client.force_login(users["officer_hcm"])
    assert "Ghi nhận đã trình bày" in client.get(conference.get_absolute_url()).text


def test_closed_conference_add_redirects_with_a_message(client, tree, tiers, users):
    closed = make_conference(tiers[2], tree.hcm, Conference.Status.CLOSED)
    client.force_login(users["officer_hcm"])
    response = client.get(reverse("congress:paper_add", args=[closed.pk]), follow=True)
    assert "Hội nghị đã kết thúc" in response.text
    assert reverse("congress:paper_add", args=[closed.pk]) not in response.text


def test_conference_page_queries_do_not_grow_with_papers(client, conferences, users):
    hcm = conferences["hcm"]
    add(hcm, users["admin"])
    client.force_login(users["officer_hcm"])
    with CaptureQueriesContext(connection) as one:
        client.get(hcm.get_absolute_url())
    for i in range(15):
        add(
            hcm,
            users["admin"],
            title=f"Tham luận {i}",
            presenter_kind="individual",
            presenter_name="Lê Văn A",
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(hcm.get_absolute_url())
    assert len(response.context["papers"]) == 16
    assert len(many.captured_queries) == len(one.captured_queries)


@pytest.mark.parametrize("role", ROLES)
def test_papers_are_shown_to_who_sees_the_conference(client, conferences, users, role):
    add(conferences["hcm"], users["admin"], title="Tham luận của Quận 1")
    client.force_login(users[role])
    response = client.get(conferences["hcm"].get_absolute_url())
    assert response.status_code == expected_view_status(role, "hcm")
    assert ("Tham luận của Quận 1" in response.text) == (response.status_code == 200)
