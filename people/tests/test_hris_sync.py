"""The scheduled HRIS sync: a changed file gives the expected diff and is applied all or nothing; a broken file
changes nothing and tells HR why; leavers are closed and their programme work handed back."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from people.models import HrisSync, User
from people.services.hris_import import people_import
from people.services.hris_sync import hris_sync_decide, hris_sync_scheduled
from people.tests.factories import UserFactory
from people.tests.test_hris_import import good_rows, person, to_csv
from programmes.models import Enrolment, Notification
from programmes.tests.matching_helpers import matching_programme, pool_mentee

pytestmark = pytest.mark.django_db


def _yesterday() -> str:
    return (timezone.localdate() - timedelta(days=1)).isoformat()


def _next_file() -> list[dict[str, str]]:
    """The same company a month later, children listed before their parents as HRIS exports do."""
    rows = [dict(r) for r in reversed(good_rows())]
    for row in rows:
        if row["email"] == "citra@nn.example":
            # moved and promoted (the row no longer describes Key Accounts, which stays as it is)
            row.update(org_unit_code="SAL", org_unit_name="", parent_org_unit_code="", job_title="Sales Manager")
        if row["email"] == "dedi@nn.example":
            row["left_date"] = ""  # came back
        if row["email"] == "budi@nn.example":
            row["left_date"] = _yesterday()  # leaves
    rows.insert(
        0, person("eka.pratiwi@nn.example", "Ëka Prâtiwi", org_unit_code="SAL-KA", manager_email="citra@nn.example")
    )
    return rows


@pytest.fixture
def imported(catalogue: None) -> None:
    """The directory as the first manual import left it."""
    assert not people_import(actor=None, content=to_csv(good_rows())).problems


@pytest.fixture
def catalogue() -> None:
    from people.tests.factories import CompetencyFactory

    for code in ("NEG", "COA", "CUS"):
        CompetencyFactory(code=code, name=code)


@pytest.fixture
def folder(tmp_path: Path, settings: Any) -> Path:
    settings.HRIS_SYNC_SOURCE = str(tmp_path)
    settings.HRIS_SYNC_REVIEW = False
    settings.HRIS_SYNC_FULL_FILE = False
    return tmp_path


def test_a_changed_file_gives_the_expected_diff_and_is_applied(imported: None, folder: Path) -> None:
    budi = User.objects.get(email="budi@nn.example")
    mentee = pool_mentee(matching_programme(), person=budi)
    (folder / "people-2026-11.csv").write_bytes(to_csv(good_rows()))
    (folder / "people-2026-12.csv").write_bytes(to_csv(_next_file()))  # the newest file wins

    sync = hris_sync_scheduled()

    assert sync is not None
    assert sync.state == HrisSync.State.APPLIED, sync.problems
    assert sync.diff["new"] == ["eka.pratiwi@nn.example"]
    assert sync.diff["moved"] == [{"email": "citra@nn.example", "from": "SAL-KA", "to": "SAL"}]
    assert set(sync.diff["changed"]) >= {"citra@nn.example", "dedi@nn.example", "budi@nn.example"}
    assert sync.diff["leavers"] == ["budi@nn.example"]
    citra = User.objects.get(email="citra@nn.example")
    assert (citra.org_unit.code, citra.job_title) == ("SAL", "Sales Manager")
    assert User.objects.get(email="eka.pratiwi@nn.example").manager == citra
    budi.refresh_from_db()
    mentee.refresh_from_db()
    assert budi.is_active is False
    assert mentee.state == Enrolment.State.WITHDRAWN  # open work handed back through the withdrawal path


def test_the_same_file_twice_runs_once(imported: None, folder: Path) -> None:
    (folder / "people.csv").write_bytes(to_csv(_next_file()))

    first, second = hris_sync_scheduled(), hris_sync_scheduled()

    assert first == second
    assert HrisSync.objects.count() == 1


def test_a_full_file_makes_everyone_it_no_longer_lists_a_leaver_but_never_a_site_admin(
    imported: None, folder: Path, settings: Any
) -> None:
    settings.HRIS_SYNC_FULL_FILE = True
    UserFactory(email="admin@nn.example", is_superuser=True)
    rows = [r for r in _next_file() if r["email"] != "dedi@nn.example"]
    (folder / "people.csv").write_bytes(to_csv(rows))

    sync = hris_sync_scheduled()

    assert sync is not None
    assert sorted(sync.diff["leavers"]) == ["budi@nn.example", "dedi@nn.example"]
    assert User.objects.get(email="admin@nn.example").is_active


def test_a_broken_file_changes_nothing_and_tells_hr_why(imported: None, folder: Path) -> None:
    hr = UserFactory(email="rina.hr@nn.example", is_hr_analyst=True)
    rows = _next_file()
    rows[1]["grade"] = "99"
    (folder / "people.csv").write_bytes(to_csv(rows))
    before = list(User.objects.order_by("pk").values("email", "org_unit_id", "job_title", "is_active"))

    sync = hris_sync_scheduled()

    assert sync is not None
    assert sync.state == HrisSync.State.FAILED
    assert any(p["column"] == "grade" and p["row"] for p in sync.problems)
    assert list(User.objects.order_by("pk").values("email", "org_unit_id", "job_title", "is_active")) == before
    note = Notification.objects.get(recipient=hr, kind="hris_sync_failed")
    assert note.url == reverse("people:hris_sync", args=[sync.pk])
    client = Client()
    client.force_login(hr)
    page = client.get(note.url).content.decode()
    assert "nothing was changed" in page
    assert "grade" in page


def test_an_unreadable_source_is_recorded_not_raised(db: None, settings: Any, tmp_path: Path) -> None:
    settings.HRIS_SYNC_SOURCE = str(tmp_path / "missing")

    sync = hris_sync_scheduled()

    assert sync is not None
    assert sync.state == HrisSync.State.FAILED
    assert "No CSV file" in sync.problems[0]["message"]


def test_in_review_mode_the_file_waits_for_an_hr_analyst_who_applies_it(
    imported: None, folder: Path, settings: Any
) -> None:
    settings.HRIS_SYNC_REVIEW = True
    hr = UserFactory(is_hr_analyst=True)
    (folder / "people.csv").write_bytes(to_csv(_next_file()))

    waiting = hris_sync_scheduled()
    assert waiting is not None
    assert waiting.state == HrisSync.State.WAITING
    assert not User.objects.filter(email="eka.pratiwi@nn.example").exists()

    client = Client()
    client.force_login(hr)
    response = client.post(reverse("people:hris_sync_decision", args=[waiting.pk]), {"decision": "apply"})

    assert response.status_code == 302
    waiting.refresh_from_db()
    assert (waiting.state, waiting.decided_by) == (HrisSync.State.APPLIED, hr)
    assert User.objects.filter(email="eka.pratiwi@nn.example").exists()
    with pytest.raises(Exception, match="decided already"):
        hris_sync_decide(actor=hr, sync=waiting, apply=True)


class _HrisServer(http.server.BaseHTTPRequestHandler):
    body = b""
    seen: list[str | None] = []

    def do_GET(self) -> None:
        _HrisServer.seen.append(self.headers.get("Authorization"))
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.end_headers()
        self.wfile.write(_HrisServer.body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def hris_url(settings: Any) -> Iterator[str]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _HrisServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.HRIS_SYNC_SOURCE = f"http://127.0.0.1:{server.server_port}/export/people.csv"
    settings.HRIS_SYNC_AUTHORIZATION = "Bearer hris-feed-secret"
    settings.HRIS_SYNC_REVIEW = False
    settings.HRIS_SYNC_FULL_FILE = False
    yield settings.HRIS_SYNC_SOURCE
    server.shutdown()


def test_a_url_source_is_fetched_with_its_stored_credential(imported: None, hris_url: str) -> None:
    _HrisServer.body, _HrisServer.seen = to_csv(_next_file()), []

    sync = hris_sync_scheduled()

    assert sync is not None
    assert sync.state == HrisSync.State.APPLIED
    assert _HrisServer.seen == ["Bearer hris-feed-secret"]


def test_plain_http_to_another_host_is_refused(db: None, settings: Any) -> None:
    settings.HRIS_SYNC_SOURCE = "http://hris.example.com/people.csv"

    sync = hris_sync_scheduled()

    assert sync is not None
    assert "HTTPS" in sync.problems[0]["message"]
