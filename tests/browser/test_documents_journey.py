"""In a real browser: the printer of HCMC asks for the delegate list of a
conference, watches the progress bar while a real Celery worker (through
Redis) prepares it, downloads the PDF, and its text has the delegates'
names; the document is then in "My documents"."""

import datetime

import pytest
from playwright.sync_api import expect

from congress.models import Conference
from delegates.models import Category
from tests.browser.test_quota_journey import log_in
from tests.congress.conftest import tiers  # noqa: F401 - fixture
from tests.factories import ConferenceFactory, DelegateFactory, PersonFactory
from tests.reports.pdf_support import flowing_text

pytestmark = pytest.mark.browser

NAMES = ["Nguyễn Thị Ánh Tuyết", "Trần Văn Đức", "Lê Thị Ưng", "Phạm Quốc Hưởng"]


@pytest.fixture
def conference(transactional_db, tree, tiers, users, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path / "media"
    upper = ConferenceFactory(
        tier=tiers[2],
        unit=tree.hcm,
        status=Conference.Status.ACCEPTED,
        date=datetime.date(2020, 3, 20),
        venue="Hội trường BHXH TP. Hồ Chí Minh",
    )
    for name in NAMES:
        DelegateFactory(
            conference=upper,
            category=Category.OFFICIAL,
            person=PersonFactory(unit=tree.hcm_district, full_name=name),
        )
    # Enough rows for the worker to take a moment: the bar is seen moving.
    DelegateFactory.create_batch(200, conference=upper, category=Category.OFFICIAL)
    return upper


def test_printer_prints_the_delegate_list(page, live_server, conference, celery_worker, tmp_path):
    log_in(page, live_server, "printer-hcm")
    page.goto(f"{live_server.url}/conferences/{conference.pk}/delegates/")
    page.get_by_test_id("ask-delegate_list_pdf").click()
    expect(page.get_by_test_id("job-status")).to_be_visible()
    status = page.get_by_test_id("job-status").get_attribute("data-status")
    assert status in ("queued", "running"), status  # the page came back at once
    expect(page.get_by_test_id("job-progress")).to_be_visible()
    download_link = page.get_by_test_id("job-download")
    expect(download_link).to_be_visible(timeout=90_000)
    with page.expect_download() as info:
        download_link.click()
    path = tmp_path / "list.pdf"
    info.value.save_as(path)
    assert info.value.suggested_filename.endswith(".pdf")
    text = flowing_text(path.read_bytes())  # a long name may wrap in its cell
    for name in NAMES:
        assert name in text
    page.get_by_test_id("nav-documents").click()
    expect(page.get_by_test_id("job-list")).to_contain_text("Danh sách đại biểu")
