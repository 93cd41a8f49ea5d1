"""The end of a relationship in the hourly support sweep: the term, and closures that wait for exit surveys.

    term ending             30 days before the term ends                   members (mutable), coordinators
    term reached            the term has ended                             closing starts, exit surveys
    exit survey waiting     closing for 7 days, a survey unanswered        that member, once
    closing too long        closing for 21 days                            closes without the missing surveys

The term is the signed agreement's end date (selectors.agreements.agreed_terms), else the start plus the
programme's term. `support_sweep` (services.reminders) runs both steps.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from programmes.core.errors import DomainError
from programmes.core.services.notifications import notification_create_many
from programmes.core.states import ENROLMENT_GONE, TERM_RUNS
from programmes.models import Closure, ExitSurvey, Relationship, RelationshipHealth
from programmes.preparation.selectors.agreements import agreed_terms

from .closure import closure_notify_term_ending, relationship_close_begin
from .reminders import LIVE_RELATIONSHIP, SweepReport, _keyed

RState = Relationship.State
TERM_NOTICE_DAYS = 30
# A closure waits this long for exit surveys before the members are chased, and this long before it closes.
EXIT_SURVEY_CHASE = timedelta(days=7)
EXIT_SURVEY_LIMIT = timedelta(days=21)


# --- The term -----------------------------------------------------------------------------------------------


def term_sweep(*, today: date, report: SweepReport) -> None:
    """Warn 30 days before the term ends; when it has ended, move the relationship to closing.

    The term is the signed agreement's end date, else the start plus the programme's term.
    """
    rows = list(
        RelationshipHealth.objects.filter(LIVE_RELATIONSHIP, relationship__state__in=TERM_RUNS).select_related(
            "relationship__programme"
        )
    )
    agreed = agreed_terms([h.relationship_id for h in rows])
    for health in rows:
        relationship = health.relationship
        terms = agreed.get(relationship.pk)
        ends_on = terms.ends_on if terms is not None else health.term_ends_on(relationship.programme.term_months)
        if ends_on is None or today < ends_on - timedelta(days=TERM_NOTICE_DAYS):
            continue
        if today < ends_on:
            closure_notify_term_ending(relationship=relationship, ends_on=ends_on.isoformat())
            report.add("term_ending")
            continue
        try:
            relationship_close_begin(actor=None, relationship=relationship, anticipated=True)
        except DomainError:
            continue  # another sweep (or a member) moved it first
        report.add("term_closed")


# --- Closures waiting for exit surveys ----------------------------------------------------------------------


def closure_sweep(*, now: datetime, report: SweepReport) -> None:
    """A closure nobody finishes must not hold seats for ever.

    After EXIT_SURVEY_CHASE the members who have not answered their exit survey hear once; after
    EXIT_SURVEY_LIMIT the relationship closes without the missing answers (its seats are released, the
    closure says why). Runs whatever the programme's phase: ending is never held back.
    """
    from .closure import relationship_close_complete

    waiting = list(
        Closure.objects.filter(relationship__state=RState.CLOSING, initiated_at__lte=now - EXIT_SURVEY_CHASE)
        .select_related("relationship__programme")
        .order_by("pk")
    )
    for closure in waiting:
        relationship = closure.relationship
        if closure.initiated_at <= now - EXIT_SURVEY_LIMIT:
            try:
                relationship_close_complete(actor=None, relationship=relationship)
            except DomainError:
                continue  # closed meanwhile by the last survey or the coordinator
            report.add("closures_closed")
            continue
        unanswered = ExitSurvey.objects.filter(closure=closure, submitted_at__isnull=True).exclude(
            respondent__enrolments__programme_id=relationship.programme_id,
            respondent__enrolments__state__in=ENROLMENT_GONE,
        )
        closes_on = timezone.localdate(closure.initiated_at + EXIT_SURVEY_LIMIT).isoformat()
        rows = notification_create_many(
            recipients=[s.respondent for s in unanswered.select_related("respondent")],
            kind="exit_survey_waiting",
            dedupe_key=_keyed(f"exit_survey_waiting:{closure.pk}"),
            context={"programme": relationship.programme.name, "closes_on": closes_on},
            url=reverse("programmes:exit_survey", args=[relationship.programme_id, relationship.pk]),
        )
        report.add("exit_survey_waiting", len(rows))
