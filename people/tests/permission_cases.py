"""Permission cases for the people app's URLs (collected by mentoring/tests/test_permission_matrix.py).

The front door (log in, log out, password reset, language) is public; preferences need a signed-in person;
the HRIS import is for HR analysts and site admins only, and anybody else's upload changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.urls import reverse

from mentoring.tests.matrix import FORBIDDEN, LOGIN, NOT_FOUND, OK, PERSONAS, REDIRECT, Case, everyone
from people.models import HrisSync, User

CASES: list[Case] = []


def public(status: int) -> dict[str, int]:
    """The same status for every persona, anonymous visitors included."""
    return dict.fromkeys(PERSONAS, status)


def _user(p: Any, persona: str) -> User | None:
    user: User | None = p.all()[persona]
    return user


# --- Log in and out ------------------------------------------------------------------------------------------


def _login_page_or_home(response: HttpResponse, p: Any, persona: str) -> None:
    if persona == "anonymous":
        assert 'name="password"' in response.content.decode()
    else:  # redirect_authenticated_user: a signed-in person goes straight home
        assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)


def _logged_out(response: HttpResponse, p: Any, persona: str) -> None:
    assert not response.wsgi_request.user.is_authenticated
    assert "login" in response["Location"]


CASES += [
    Case(
        name="people:login",
        url=lambda p: reverse("people:login"),
        expect={**public(REDIRECT), "anonymous": OK},
        check=_login_page_or_home,
    ),
    Case(
        name="people:logout",
        url=lambda p: reverse("people:logout"),
        method="post",
        expect=public(REDIRECT),
        check=_logged_out,
    ),
]

# --- Password reset (public; a bogus link says it has expired) -------------------------------------------------


def _reset_form(response: HttpResponse, p: Any, persona: str) -> None:
    assert 'name="email"' in response.content.decode()


def _reset_mail_sent_to_the_mentee_only(response: HttpResponse, p: Any, persona: str) -> None:
    assert response["Location"] == reverse("people:password_reset_done")
    assert [message.to for message in mail.outbox] == [[p.mentee.email]]


def _link_expired(response: HttpResponse, p: Any, persona: str) -> None:
    body = response.content.decode()
    assert "This link has expired" in body
    assert 'name="new_password1"' not in body


CASES += [
    Case(
        name="people:password_reset",
        url=lambda p: reverse("people:password_reset"),
        expect=public(OK),
        check=_reset_form,
    ),
    Case(
        name="people:password_reset",
        url=lambda p: reverse("people:password_reset"),
        method="post",
        data=lambda p: {"email": p.mentee.email},
        expect=public(REDIRECT),
        check=_reset_mail_sent_to_the_mentee_only,
    ),
    Case(name="people:password_reset_done", url=lambda p: reverse("people:password_reset_done"), expect=public(OK)),
    Case(
        name="people:password_reset_confirm",
        url=lambda p: reverse("people:password_reset_confirm", kwargs={"uidb64": "Ym9ndXM", "token": "bogus-token"}),
        expect=public(OK),
        check=_link_expired,
    ),
    Case(
        name="people:password_reset_complete",
        url=lambda p: reverse("people:password_reset_complete"),
        expect=public(OK),
    ),
]

# --- Language and preferences --------------------------------------------------------------------------------


def _language_saved(response: HttpResponse, p: Any, persona: str) -> None:
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "id"
    user = _user(p, persona)
    if user is not None:
        user.refresh_from_db()
        assert user.preferred_language == "id"


def _own_preferences(response: HttpResponse, p: Any, persona: str) -> None:
    if persona == "anonymous":
        return
    user = _user(p, persona)
    assert user is not None
    assert response.context["form"].instance == user


def _preferences_saved(response: HttpResponse, p: Any, persona: str) -> None:
    if persona == "anonymous":
        assert not User.objects.filter(time_zone="Asia/Makassar").exists()
        return
    user = _user(p, persona)
    assert user is not None
    user.refresh_from_db()
    assert (user.preferred_language, user.time_zone) == ("id", "Asia/Makassar")
    assert User.objects.filter(time_zone="Asia/Makassar").count() == 1, "only the person's own preferences"


CASES += [
    Case(
        name="people:set_language",
        url=lambda p: reverse("people:set_language"),
        method="post",
        data=lambda p: {"language": "id", "next": reverse("home")},
        expect=public(REDIRECT),
        check=_language_saved,
    ),
    Case(
        name="people:preferences",
        url=lambda p: reverse("people:preferences"),
        expect=everyone(OK),
        check=_own_preferences,
    ),
    Case(
        name="people:preferences",
        url=lambda p: reverse("people:preferences"),
        method="post",
        data=lambda p: {"preferred_language": "id", "time_zone": "Asia/Makassar"},
        expect=everyone(REDIRECT),
        check=_preferences_saved,
    ),
]

# --- HRIS import: HR analysts and site admins only --------------------------------------------------------------

IMPORTED = "matrix.import@example.co.id"
HR_ONLY = everyone(FORBIDDEN, anonymous=LOGIN, hr_analyst=OK, admin=OK)


def _small_hris_file(p: Any) -> dict[str, Any]:
    content = f"email,full_name,manager_email\n{IMPORTED},Nina Kusuma,{p.mentor.email}\n".encode()
    return {"file": SimpleUploadedFile("people.csv", content, content_type="text/csv")}


def _import_page(response: HttpResponse, p: Any, persona: str) -> None:
    if persona == "anonymous":
        return
    assert 'enctype="multipart/form-data"' in response.content.decode()


def _imported_only_when_allowed(response: HttpResponse, p: Any, persona: str) -> None:
    imported = User.objects.filter(email=IMPORTED).first()
    if persona == "anonymous":
        assert imported is None
        return
    assert imported is not None
    assert imported.manager == p.mentor
    assert response["Location"] == reverse("people:import")


CASES += [
    Case(name="people:import", url=lambda p: reverse("people:import"), expect=HR_ONLY, check=_import_page),
    Case(
        name="people:import",
        url=lambda p: reverse("people:import"),
        method="post",
        data=_small_hris_file,
        expect={**HR_ONLY, "hr_analyst": REDIRECT, "admin": REDIRECT},
        check=_imported_only_when_allowed,
    ),
]


# --- Background imports (issue 14): a job is its requester's only ----------------------------------------


def _hr_job(p: Any) -> int:
    """A preview job of the HR analyst's (queued: tests do not run on-commit callbacks)."""
    from django.core.files.base import ContentFile

    from people.models import BackgroundJob
    from people.services.import_jobs import import_job_start

    job = BackgroundJob.objects.filter(requested_by=p.hr_analyst, kind="people_import").first() or import_job_start(
        actor=p.hr_analyst, upload=ContentFile(b"email,full_name\n"), file_name="big.csv", dry_run=True
    )
    return job.pk


def _job_page(response: HttpResponse, p: Any, persona: str) -> None:
    if response.status_code == OK:
        body = response.content.decode()
        assert 'data-testid="job-progress"' in body
        assert "big.csv" in body


def _job_fragment(response: HttpResponse, p: Any, persona: str) -> None:
    if response.status_code == OK:
        body = response.content.decode()
        assert 'data-testid="job-progress"' in body
        assert 'hx-trigger="every 1s"' in body  # queued: the page keeps asking


IMPORT_JOB = everyone(FORBIDDEN, anonymous=LOGIN, hr_analyst=OK, admin=NOT_FOUND)

CASES += [
    Case(
        name="people:import_job",
        url=lambda p: reverse("people:import_job", args=[_hr_job(p)]),
        expect=IMPORT_JOB,
        check=_job_page,
    ),
    Case(
        name="people:import_job_import",
        url=lambda p: reverse("people:import_job_import", args=[_hr_job(p)]),
        method="post",
        # Still queued, so not a finished preview: refused with a message, back to its page.
        expect=everyone(FORBIDDEN, anonymous=LOGIN, hr_analyst=REDIRECT, admin=NOT_FOUND),
    ),
    # The progress fragment every background job has, for an import: the same people as its page.
    Case(
        name="people:job_progress",
        url=lambda p: reverse("people:job_progress", args=[_hr_job(p)]),
        expect=IMPORT_JOB,
        check=_job_fragment,
    ),
]


CASES += [
    Case(
        name="people:org_unit_search",
        url=lambda p: reverse("people:org_unit_search") + "?q=sal",
        expect=everyone(OK, anonymous=LOGIN),
        check=lambda response, p, persona: (
            None if persona == "anonymous" else _assert('data-value="SALES"' in response.content.decode())
        ),
    ),
]


def _assert(condition: bool) -> None:
    assert condition


# --- The privacy notice (issue 12) ---------------------------------------------------------------------------


def _notice_shown(response: HttpResponse, p: Any, persona: str) -> None:
    if persona == "anonymous":
        return
    assert "How we use your personal data" in response.content.decode()


def _notice_accepted(response: HttpResponse, p: Any, persona: str) -> None:
    user = _user(p, persona)
    if user is None:
        return
    assert user.privacy_acceptances.filter(version=settings.PRIVACY_NOTICE_VERSION).count() == 1
    assert response["Location"] == "/programmes/"


# --- Single sign-on (public front door; with no provider configured both answer "not set up") --------------------


def _sso_not_set_up(response: HttpResponse, p: Any, persona: str) -> None:
    assert "Single sign-on is not set up" in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session or persona != "anonymous"


CASES += [
    Case(
        name="people:privacy_notice",
        url=lambda p: reverse("people:privacy_notice"),
        expect=everyone(OK),
        check=_notice_shown,
    ),
    Case(
        name="people:privacy_notice",
        url=lambda p: reverse("people:privacy_notice"),
        method="post",
        data=lambda p: {"next": "/programmes/"},
        expect=everyone(REDIRECT),
        check=_notice_accepted,
    ),
    Case(
        name="people:oidc_start",
        url=lambda p: reverse("people:oidc_start"),
        expect=public(404),
        check=_sso_not_set_up,
    ),
    Case(
        name="people:oidc_callback",
        url=lambda p: reverse("people:oidc_callback") + "?code=forged&state=forged",
        expect=public(404),
        check=_sso_not_set_up,
    ),
]


# --- SCIM provisioning: only an identity provider's bearer token opens it; no person's session does ---------------


def _scim_refused(response: HttpResponse, p: Any, persona: str) -> None:
    assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert User.objects.filter(pk=p.mentee.pk, is_active=True).exists()


CASES += [
    Case(name="scim:users", url=lambda p: reverse("scim:users"), expect=public(401), check=_scim_refused),
    Case(
        name="scim:user",
        url=lambda p: reverse("scim:user", args=[p.mentee.pk]),
        method="delete",
        expect=public(401),
        check=_scim_refused,
    ),
    Case(name="scim:groups", url=lambda p: reverse("scim:groups"), expect=public(401), check=_scim_refused),
    Case(name="scim:group", url=lambda p: reverse("scim:group", args=[1]), expect=public(401), check=_scim_refused),
    Case(
        name="scim:service_provider_config",
        url=lambda p: reverse("scim:service_provider_config"),
        expect=public(401),
        check=_scim_refused,
    ),
    Case(
        name="scim:resource_types",
        url=lambda p: reverse("scim:resource_types"),
        expect=public(401),
        check=_scim_refused,
    ),
]


# --- The HRIS sync: HR analysts and site admins only --------------------------------------------------------------


def _failed_sync(p: Any) -> None:
    p.sync = HrisSync.objects.create(source="/srv/hris", state=HrisSync.State.FAILED, problems=[])


def _waiting_sync(p: Any) -> None:
    p.sync = HrisSync.objects.create(
        source="/srv/hris", state=HrisSync.State.WAITING, content=b"email,full_name\n", diff={"new": []}
    )


def _sync_list(response: HttpResponse, p: Any, persona: str) -> None:
    assert persona == "anonymous" or "No HRIS source is configured" in response.content.decode()


def _sync_page(response: HttpResponse, p: Any, persona: str) -> None:
    assert persona == "anonymous" or "/srv/hris" in response.content.decode()


def _discarded_only_by_hr(response: HttpResponse, p: Any, persona: str) -> None:
    p.sync.refresh_from_db()
    allowed = persona in ("hr_analyst", "admin")
    assert (p.sync.state == HrisSync.State.DISCARDED) is allowed


CASES += [
    Case(name="people:hris_syncs", url=lambda p: reverse("people:hris_syncs"), expect=HR_ONLY, check=_sync_list),
    Case(
        name="people:hris_sync",
        url=lambda p: reverse("people:hris_sync", args=[p.sync.pk]),
        setup=_failed_sync,
        expect=HR_ONLY,
        check=_sync_page,
    ),
    Case(
        name="people:hris_sync_decision",
        url=lambda p: reverse("people:hris_sync_decision", args=[p.sync.pk]),
        method="post",
        data=lambda p: {"decision": "discard"},
        setup=_waiting_sync,
        expect={**HR_ONLY, "hr_analyst": REDIRECT, "admin": REDIRECT},
        check=_discarded_only_by_hr,
    ),
]


# --- SAML sign-in (public front door; with no identity provider configured each answers "not set up") -------------

CASES += [
    Case(name="saml2_login", url=lambda p: reverse("saml2_login"), expect=public(404), check=_sso_not_set_up),
    Case(
        name="saml2_acs",
        url=lambda p: reverse("saml2_acs"),
        method="post",
        data=lambda p: {"SAMLResponse": "PHNhbWxwOlJlc3BvbnNlLz4=", "RelayState": "/"},
        expect=public(404),
        check=_sso_not_set_up,
    ),
    Case(name="saml2_metadata", url=lambda p: reverse("saml2_metadata"), expect=public(404), check=_sso_not_set_up),
]
