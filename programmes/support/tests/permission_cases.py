"""Permission cases for ongoing support (issue 6); see programmes/permissions_support.py for the rules.

The personas' mentor and mentee form the running pair; the coordinator (and the site admin) coordinate it;
the HR analyst is in scope of the programme but reads counts only (403); the outsider is in another
programme (404).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone

from mentoring.tests.matrix import FORBIDDEN, LOGIN, NOT_FOUND, OK, REDIRECT, Case, everyone
from programmes.models import (
    Closure,
    Concern,
    ContentRead,
    CoordinatorTask,
    ExitSurvey,
    MentoringSession,
    NotificationMute,
    Relationship,
    Resource,
)
from programmes.tests.support_helpers import SessionFactory, open_checkin, persona_pair

CASES: list[Case] = []

# Who gets what, by meaning.
PAIR_AND_STAFF = everyone(OK, outsider=NOT_FOUND, hr_analyst=FORBIDDEN)
PAIR_AND_STAFF_POST = everyone(REDIRECT, outsider=NOT_FOUND, hr_analyst=FORBIDDEN)
PAIR_ONLY = everyone(OK, outsider=NOT_FOUND, hr_analyst=FORBIDDEN, coordinator=FORBIDDEN, admin=FORBIDDEN)
PAIR_ONLY_POST = {**PAIR_ONLY, "mentee": REDIRECT, "mentor": REDIRECT}
COORDINATORS = everyone(FORBIDDEN, outsider=NOT_FOUND, coordinator=OK, admin=OK)
COORDINATORS_POST = everyone(FORBIDDEN, outsider=NOT_FOUND, coordinator=REDIRECT, admin=REDIRECT)


def _rel(name: str, *extra: Any) -> Any:
    """A URL of the personas' relationship (`extra` are attribute names on the personas, e.g. "session")."""
    return lambda p: reverse(
        f"programmes:{name}", args=[p.programme.pk, p.relationship.pk, *(getattr(p, e).pk for e in extra)]
    )


def _pair(p: Any) -> None:
    persona_pair(p)


def _with_session(p: Any) -> None:
    _pair(p)
    p.session = SessionFactory(relationship=p.relationship, logged_by=p.mentee, shared_notes="Shared plan")


def _with_scheduled(p: Any) -> None:
    _pair(p)
    p.session = SessionFactory(
        relationship=p.relationship,
        logged_by=p.mentor,
        status=MentoringSession.Status.SCHEDULED,
        held_at=timezone.now() + timedelta(days=2),
        editable_until=None,
    )


def _closing(p: Any) -> None:
    _pair(p)
    Relationship.objects.filter(pk=p.relationship.pk).update(state=Relationship.State.CLOSING)
    p.closure = Closure.objects.create(relationship=p.relationship, programme=p.programme, initiated_by=p.mentee)
    for person in (p.mentor, p.mentee):
        ExitSurvey.objects.create(closure=p.closure, respondent=person)


def _closed(p: Any) -> None:
    _closing(p)
    Relationship.objects.filter(pk=p.relationship.pk).update(state=Relationship.State.CLOSED)
    Closure.objects.filter(pk=p.closure.pk).update(closed_at=timezone.now())


def _on_hold(p: Any) -> None:
    _pair(p)
    Relationship.objects.filter(pk=p.relationship.pk).update(state=Relationship.State.ON_HOLD)


def _with_checkin(p: Any) -> None:
    _pair(p)
    p.checkin = open_checkin(p.relationship, p.mentee)


def _with_concern(p: Any) -> None:
    _pair(p)
    p.concern = Concern.objects.create(
        relationship=p.relationship,
        programme=p.programme,
        raised_by=p.mentee,
        category=Concern.Category.NOT_WORKING,
        description="We never find a time.",
    )


def _with_read(p: Any) -> None:
    _pair(p)
    ContentRead.objects.create(
        reader=p.coordinator,
        relationship=p.relationship,
        kind="checkin_answers",
        reason="Preparing the mid-term review",
    )


def _back_to_support(response: HttpResponse, p: Any, persona: str) -> None:
    if persona == "anonymous":
        return
    assert response["Location"] == reverse("programmes:relationship_support", args=[p.programme.pk, p.relationship.pk])


def _with_task(p: Any) -> None:
    _pair(p)
    p.task = CoordinatorTask.objects.create(
        programme=p.programme, relationship=p.relationship, kind="inactive", title="Call them", dedupe_key="m:task"
    )


def _with_resources(p: Any) -> None:
    _pair(p)
    p.for_mentees = Resource.objects.create(
        programme=p.programme, title="Setting goals (mentees)", url="https://example.com/goals", audience="mentees"
    )
    p.for_mentors = Resource.objects.create(
        programme=p.programme, title="Giving feedback (mentors)", url="https://example.com/fb", audience="mentors"
    )


def _state_is(state: str, *, when: tuple[str, ...]) -> Any:
    def check(response: HttpResponse, p: Any, persona: str) -> None:
        now = Relationship.objects.get(pk=p.relationship.pk).state
        if persona in when:
            assert now == state, f"{persona}: {now}"

    return check


def _pair_content(text: str) -> Any:
    """The pair reads its content; staff outside it get the reason form first, and nothing is read yet."""

    def check(response: HttpResponse, p: Any, persona: str) -> None:
        if persona == "anonymous":
            return
        body = response.content.decode()
        if persona in ("coordinator", "admin"):
            assert text not in body, persona
            assert 'data-testid="reason-form"' in body, persona
            assert not ContentRead.objects.exists()
        else:
            assert text in body, persona

    return check


def _shows(text: str, *, hidden_from: tuple[str, ...] = ()) -> Any:
    def check(response: HttpResponse, p: Any, persona: str) -> None:
        if persona == "anonymous" or response.status_code != 200:
            return
        body = response.content.decode()
        assert (text in body) == (persona not in hidden_from), f"{text!r} for {persona}"

    return check


def _confirmed_by_the_other_side_only(response: HttpResponse, p: Any, persona: str) -> None:
    confirmation = MentoringSession.objects.get(pk=p.session.pk).confirmation
    assert (confirmation == "confirmed") == (persona == "mentor")


def _cancelled(response: HttpResponse, p: Any, persona: str) -> None:
    status = MentoringSession.objects.get(pk=p.session.pk).status
    assert (status == "cancelled") == (persona in ("mentor", "mentee"))


def _task_done(response: HttpResponse, p: Any, persona: str) -> None:
    state = CoordinatorTask.objects.get(pk=p.task.pk).state
    assert (state == "done") == (persona in ("coordinator", "admin"))


def _resource_gone(response: HttpResponse, p: Any, persona: str) -> None:
    gone = not Resource.objects.filter(pk=p.for_mentees.pk).exists()
    assert gone == (persona in ("coordinator", "admin"))


def _muted(response: HttpResponse, p: Any, persona: str) -> None:
    users = {"mentee": p.mentee, "mentor": p.mentor, "coordinator": p.coordinator}
    if persona in users:
        assert NotificationMute.objects.filter(user=users[persona], kind="session_tomorrow").exists()


CASES += [
    # The relationship's support page and its moves
    Case(
        name="programmes:relationship_support",
        url=_rel("relationship_support"),
        expect=PAIR_AND_STAFF,
        setup=_pair,
        check=_shows("Coordinator contacts", hidden_from=("mentee", "mentor")),
    ),
    Case(
        name="programmes:relationship_hold",
        url=_rel("relationship_hold"),
        method="post",
        expect=PAIR_AND_STAFF_POST,
        setup=_pair,
        check=_state_is("on_hold", when=("mentee", "mentor", "coordinator", "admin")),
    ),
    Case(
        name="programmes:relationship_resume",
        url=_rel("relationship_resume"),
        method="post",
        expect=PAIR_AND_STAFF_POST,
        setup=_on_hold,
        check=_state_is("active", when=("mentee", "mentor", "coordinator", "admin")),
    ),
    Case(name="programmes:relationship_end", url=_rel("relationship_end"), expect=PAIR_AND_STAFF, setup=_pair),
    Case(
        name="programmes:relationship_end",
        url=_rel("relationship_end"),
        method="post",
        data=lambda p: {"reason": ""},
        expect=PAIR_AND_STAFF_POST,
        setup=_pair,
        check=_state_is("closing", when=("mentee", "mentor", "coordinator", "admin")),
    ),
    Case(
        name="programmes:closure_complete",
        url=_rel("closure_complete"),
        method="post",
        data=lambda p: {"rematch_eligible": "on"},
        expect=COORDINATORS_POST,
        setup=_closing,
        check=_state_is("closed", when=("coordinator", "admin")),
    ),
    Case(name="programmes:closure_rematch", url=_rel("closure_rematch"), expect=COORDINATORS, setup=_closed),
    Case(name="programmes:exit_survey", url=_rel("exit_survey"), expect=PAIR_ONLY, setup=_closing),
    Case(
        name="programmes:checkin_answer",
        url=_rel("checkin_answer", "checkin"),
        expect={**PAIR_ONLY, "mentor": NOT_FOUND},  # the other member never sees it
        setup=_with_checkin,
    ),
    Case(name="programmes:concern_raise", url=_rel("concern_raise"), expect=PAIR_ONLY, setup=_pair),
    Case(
        name="programmes:concern_detail",
        url=_rel("concern_detail", "concern"),
        expect={**PAIR_AND_STAFF, "mentor": NOT_FOUND},  # confidential: the raiser and the coordinators
        setup=_with_concern,
        check=_pair_content("We never find a time."),
    ),
    Case(
        name="programmes:concern_detail",
        url=_rel("concern_detail", "concern"),
        method="post",
        data=lambda p: {"action": "mediate", "note": "Called both."},
        expect={**PAIR_AND_STAFF_POST, "mentor": NOT_FOUND, "mentee": FORBIDDEN},
        setup=_with_concern,
    ),
    Case(name="programmes:contact_log", url=_rel("contact_log"), expect=COORDINATORS, setup=_pair),
    # Audited access to the pair's content (issue 12)
    Case(name="programmes:content_reason", url=_rel("content_reason"), expect=COORDINATORS, setup=_pair),
    Case(
        name="programmes:content_reason",
        url=_rel("content_reason"),
        method="post",
        data=lambda p: {"reason": "The mentee asked me to look at the plan.", "next": "https://evil.example/"},
        expect=COORDINATORS_POST,
        setup=_pair,
        check=_back_to_support,
    ),
    Case(
        name="programmes:content_reads",
        url=_rel("content_reads"),
        expect=PAIR_AND_STAFF,
        setup=_with_read,
        check=_shows("Preparing the mid-term review"),
    ),
    # The session log
    Case(
        name="programmes:session_list",
        url=_rel("session_list"),
        expect=PAIR_AND_STAFF,
        setup=_with_session,
        check=_pair_content("Shared plan"),
    ),
    Case(name="programmes:session_log", url=_rel("session_log"), expect=PAIR_ONLY, setup=_pair),
    Case(name="programmes:session_export", url=_rel("session_export"), expect=PAIR_AND_STAFF, setup=_with_session),
    Case(
        name="programmes:session_detail",
        url=_rel("session_detail", "session"),
        expect=PAIR_AND_STAFF,
        setup=_with_session,
        check=_pair_content("Shared plan"),
    ),
    Case(name="programmes:session_edit", url=_rel("session_edit", "session"), expect=PAIR_ONLY, setup=_with_session),
    Case(
        name="programmes:session_confirm",
        url=_rel("session_confirm", "session"),
        method="post",
        expect=PAIR_ONLY_POST,
        setup=_with_session,
        check=_confirmed_by_the_other_side_only,
    ),
    Case(
        name="programmes:session_cancel",
        url=_rel("session_cancel", "session"),
        method="post",
        expect=PAIR_ONLY_POST,
        setup=_with_scheduled,
        check=_cancelled,
    ),
    Case(
        name="programmes:session_ics",
        url=_rel("session_ics", "session"),
        expect=PAIR_ONLY,
        setup=_with_scheduled,
        check=_shows("BEGIN:VCALENDAR"),
    ),
    # The programme: dashboard, settings, tasks, resources
    Case(
        name="programmes:dashboard",
        url=lambda p: reverse("programmes:dashboard", args=[p.programme.pk]),
        expect=COORDINATORS,
        setup=_pair,
        check=_shows("At-risk pairs"),
    ),
    Case(
        name="programmes:support_settings",
        url=lambda p: reverse("programmes:support_settings", args=[p.programme.pk]),
        expect=COORDINATORS,
        setup=_pair,
    ),
    Case(
        name="programmes:task_done",
        url=lambda p: reverse("programmes:task_done", args=[p.programme.pk, p.task.pk]),
        method="post",
        expect=COORDINATORS_POST,
        setup=_with_task,
        check=_task_done,
    ),
    Case(
        name="programmes:resources",
        url=lambda p: reverse("programmes:resources", args=[p.programme.pk]),
        expect=everyone(OK, outsider=NOT_FOUND),
        setup=_with_resources,
        check=_shows("Giving feedback (mentors)", hidden_from=("mentee",)),
    ),
    Case(
        name="programmes:resource_create",
        url=lambda p: reverse("programmes:resource_create", args=[p.programme.pk]),
        expect=COORDINATORS,
        setup=_pair,
    ),
    Case(
        name="programmes:resource_open",
        url=lambda p: reverse("programmes:resource_open", args=[p.programme.pk, p.for_mentees.pk]),
        # A link: shown (never redirected to) for its audience and the staff; the mentors are not its audience.
        expect=everyone(OK, outsider=NOT_FOUND, mentor=NOT_FOUND),
        setup=_with_resources,
    ),
    Case(
        name="programmes:resource_delete",
        url=lambda p: reverse("programmes:resource_delete", args=[p.programme.pk, p.for_mentees.pk]),
        method="post",
        expect={**COORDINATORS_POST, "mentor": NOT_FOUND},
        setup=_with_resources,
        check=_resource_gone,
    ),
    # The person
    Case(
        name="programmes:notification_preferences",
        url=lambda p: reverse("programmes:notification_preferences"),
        expect=everyone(OK),
    ),
    Case(
        name="programmes:notification_preferences",
        url=lambda p: reverse("programmes:notification_preferences"),
        method="post",
        data=lambda p: {"muted": ["session_tomorrow"]},
        expect=everyone(REDIRECT, anonymous=LOGIN),
        check=_muted,
    ),
]
