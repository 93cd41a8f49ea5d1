"""The periodic support sweep: reminders, check-ins falling due, inactivity escalation and the term.

`support_sweep` runs every hour (mentoring/celery.py). Each step is idempotent: notifications carry a
dedupe key (the outbox's unique constraint), check-ins and tasks have unique keys, the at-risk flag is set
by a conditional UPDATE and closures lock the relationship row, so two sweeps at once, a retry or a
restarted worker write each reminder once, and the notification sweeper sends it once. (Orientation
reminders are the orientation feature's own: programmes/services/orientation.py.)

    log your session        nothing logged for 1.5 × the cadence          members (mutable)
    at risk                 no activity for 2 × the cadence                flag with the reason
    coordinator task        no activity for 3 × the cadence                task + in-app notice
    session tomorrow        a scheduled session in the next 24 hours       members (mutable)
    check-in due            a round falls due (30 days, then every 60)     each member (mutable)
    agreement unsigned      accepted for 7 days, not active                members (when agreements exist)
    proposal waiting        no answer after 3 days                         members who have not answered
    contact overdue         next contact due date passed                   coordinators, a weekly digest
    term ending             30 days before the term ends                   members (mutable), coordinators
    term reached            the term has ended                             closing starts, exit surveys
    exit survey waiting     closing for 7 days, a survey unanswered        that member, once
    closing too long        closing for 21 days                            closes without the missing surveys

Every step reaches only programmes in a running phase (programmes.core.states.SWEEP_PHASES: not on hold,
cancelled or closed) and only members still taking part (not withdrawn or declined). The cadence and the
term are the signed agreement's (selectors.agreements.agreed_terms), else the programme's policy.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, Exists, Min, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from people.models import User
from programmes.core.figures_cache import programme_data_changed
from programmes.core.services.notifications import notification_create_many
from programmes.core.states import ENROLMENT_GONE, REMINDED, STARTED, SWEEP_PHASES, TERM_RUNS
from programmes.models import (
    AuditEvent,
    CheckIn,
    CoordinatorTask,
    MentoringSession,
    Programme,
    Relationship,
    RelationshipHealth,
    RelationshipMember,
    SupportSettings,
)
from programmes.preparation.selectors.agreements import AgreedTerms, agreed_terms

from .activity import activity_figures_update
from .support import coordinator_task_create, coordinators_of, flag_at_risk, not_muted

logger = logging.getLogger(__name__)
RState = Relationship.State
DEFAULT_CADENCE_DAYS = 14
PROPOSAL_WAIT = timedelta(days=3)
AGREEMENT_WAIT = timedelta(days=7)


@dataclass
class SweepReport:
    """How many of each thing one sweep wrote (rows that existed already are not counted twice)."""

    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, name: str, n: int = 1) -> None:
        self.counts[name] += n


def _members_by_relationship(relationship_ids: list[int]) -> dict[int, list[User]]:
    """The people still taking part in each relationship (someone who withdrew hears nothing more)."""
    people: dict[int, list[User]] = defaultdict(list)
    rows = (
        RelationshipMember.objects.filter(relationship_id__in=relationship_ids)
        .exclude(enrolment__state__in=ENROLMENT_GONE)
        .select_related("enrolment__person")
    )
    for member in rows.order_by("pk"):
        people[member.relationship_id].append(member.enrolment.person)
    return people


def _keyed(prefix: str, *, per_person: bool = True) -> Callable[[User], str]:
    """A dedupe key per recipient ("<prefix>:<user id>"), or the prefix alone for a row with one recipient."""

    def key(person: User) -> str:
        return f"{prefix}:{person.pk}" if per_person else prefix

    return key


def _cadence(programme: Programme, agreed: AgreedTerms | None = None) -> int:
    """The signed agreement's cadence, else the programme's policy, else two weeks."""
    if agreed is not None:
        return agreed.cadence_days
    return programme.meeting_cadence_days or DEFAULT_CADENCE_DAYS


# Only programmes that run (not on hold, cancelled or closed) hear from the sweep.
LIVE = Q(programme__phase__in=SWEEP_PHASES)
LIVE_RELATIONSHIP = Q(relationship__programme__phase__in=SWEEP_PHASES)


# --- The health rollup --------------------------------------------------------------------------------------


def health_sync(*, now: datetime) -> int:
    """Create the missing health rows of started relationships and bring last activity up to date.

    Activity is the start, a held session, or any session logged (a pair that schedules is in touch).
    Three queries and one bulk update, whatever the number of relationships.
    """
    running = Relationship.objects.filter(LIVE, state__in=STARTED)
    missing = list(running.filter(health__isnull=True).values_list("pk", "programme_id", "state_changed_at"))
    if missing:
        became_active = dict(
            AuditEvent.objects.filter(
                content_type=ContentType.objects.get_for_model(Relationship),
                object_id__in=[pk for pk, _p, _s in missing],
                to_state=RState.ACTIVE,
            )
            .values("object_id")
            .annotate(first=Min("at"))
            .values_list("object_id", "first")
        )
        RelationshipHealth.objects.bulk_create(
            [
                RelationshipHealth(
                    relationship_id=pk,
                    programme_id=programme_id,
                    started_at=became_active.get(pk, changed),
                    last_activity_at=became_active.get(pk, changed),
                )
                for pk, programme_id, changed in missing
            ],
            ignore_conflicts=True,
        )
    activity_figures_update(relationships=running, now=now)
    _fill_contact_due()
    return len(missing)


def _fill_contact_due() -> None:
    """Health rows without a next-contact date get the first one of the contact policy."""
    from ..models.support import next_contact_due

    rows = list(RelationshipHealth.objects.filter(next_contact_due__isnull=True).select_related("programme"))
    for health in rows:
        health.next_contact_due = next_contact_due(
            started=timezone.localdate(health.started_at),
            contacts=[],
            first_month=health.programme.contacts_first_month,
            interval=health.programme.contact_interval_days,
        )
    RelationshipHealth.objects.bulk_update(rows, ["next_contact_due"])


# --- Inactivity: remind, flag, escalate ---------------------------------------------------------------------


def inactivity_sweep(*, now: datetime, report: SweepReport) -> None:
    """Active relationships silent for 1.5×, 2× and 3× the cadence: a reminder, a flag, a coordinator task."""
    rows = list(
        RelationshipHealth.objects.filter(LIVE_RELATIONSHIP, relationship__state__in=REMINDED)
        .select_related("relationship__programme")
        .order_by("pk")
    )
    agreed = agreed_terms([h.relationship_id for h in rows])
    due_for_reminder: dict[int, RelationshipHealth] = {}
    for health in rows:
        relationship = health.relationship
        cadence = _cadence(relationship.programme, agreed.get(relationship.pk))
        silent = now - health.last_activity_at
        if silent >= timedelta(days=1.5 * cadence):
            due_for_reminder[relationship.pk] = health
        days = silent.days
        since = timezone.localdate(health.last_activity_at).isoformat()
        if silent >= timedelta(days=2 * cadence):
            reason = _("No session logged for %(days)d days (the cadence is %(cadence)d days).") % {
                "days": days,
                "cadence": cadence,
            }
            if flag_at_risk(health=health, kind=RelationshipHealth.Risk.INACTIVE, reason=str(reason)):
                report.add("at_risk")
        if silent >= timedelta(days=3 * cadence):
            names = ", ".join(
                m.enrolment.person.get_full_name() for m in relationship.members.select_related("enrolment__person")
            )
            _task, created = coordinator_task_create(
                relationship=relationship,
                kind=CoordinatorTask.Kind.INACTIVE,
                title=str(_("Contact %(names)s: no activity for %(days)d days") % {"names": names, "days": days}),
                detail=str(
                    _("Last activity on %(day)s; the cadence is %(cadence)d days.") % {"day": since, "cadence": cadence}
                ),
                dedupe_key=f"task:inactive:{relationship.pk}:{since}",
            )
            report.add("tasks", int(created))
    people = _members_by_relationship(list(due_for_reminder))
    for pk, health in due_for_reminder.items():
        since = timezone.localdate(health.last_activity_at).isoformat()
        rows_written = notification_create_many(
            recipients=not_muted("session_log_reminder", people[pk]),
            kind="session_log_reminder",
            dedupe_key=_keyed(f"session_log:{pk}:{since}"),
            context={"programme": health.relationship.programme.name, "since": since},
            url=reverse("programmes:session_log", args=[health.programme_id, pk]),
        )
        report.add("session_log_reminder", len(rows_written))


# --- Sessions tomorrow ----------------------------------------------------------------------------------------


def _session_context(session: MentoringSession) -> Callable[[User], dict[str, str]]:
    def context(person: User) -> dict[str, str]:
        with translation.override(person.preferred_language or settings.LANGUAGE_CODE):
            mode = str(session.get_mode_display())
        return {
            "programme": session.relationship.programme.name,
            "when": session.held_at.isoformat(),  # shown in the reader's language and zone
            "mode": mode,
        }

    return context


def session_tomorrow_sweep(*, now: datetime, report: SweepReport) -> None:
    """Each member of a session scheduled in the next 24 hours hears about it once (per time it is set for)."""
    sessions = list(
        MentoringSession.objects.filter(
            status=MentoringSession.Status.SCHEDULED,
            held_at__gt=now,
            held_at__lte=now + timedelta(hours=24),
            relationship__programme__phase__in=SWEEP_PHASES,
            relationship__state__in=REMINDED | {RState.ACCEPTED},
        ).select_related("relationship__programme")
    )
    people = _members_by_relationship([s.relationship_id for s in sessions])
    for session in sessions:
        stamp = session.held_at.strftime("%Y%m%dT%H%M")
        rows = notification_create_many(
            recipients=not_muted("session_tomorrow", people[session.relationship_id]),
            kind="session_tomorrow",
            dedupe_key=_keyed(f"session_tomorrow:{session.pk}:{stamp}"),
            context=_session_context(session),
            url=reverse("programmes:session_detail", args=[session.programme_id, session.relationship_id, session.pk]),
        )
        report.add("session_tomorrow", len(rows))


# --- Check-ins ----------------------------------------------------------------------------------------------


def checkin_sweep(*, today: date, report: SweepReport) -> None:
    """Open the round that is due for each active relationship (one row per member) and tell each member."""
    rows = list(
        RelationshipHealth.objects.filter(LIVE_RELATIONSHIP, relationship__state__in=REMINDED).select_related(
            "relationship__programme"
        )
    )
    schedules: dict[int, SupportSettings] = {
        s.programme_id: s for s in SupportSettings.objects.filter(programme_id__in={h.programme_id for h in rows})
    }
    people = _members_by_relationship([h.relationship_id for h in rows])
    new_rows: list[CheckIn] = []
    for health in rows:
        schedule = schedules.get(health.programme_id) or SupportSettings(programme_id=health.programme_id)
        started = timezone.localdate(health.started_at)
        round_no = schedule.checkin_round(started, today)
        if round_no < 1:
            continue
        due_on = schedule.checkin_due_on(started, round_no)
        new_rows += [
            CheckIn(
                relationship_id=health.relationship_id,
                programme_id=health.programme_id,
                respondent=person,
                round=round_no,
                due_on=due_on,
            )
            for person in people[health.relationship_id]
        ]
    CheckIn.objects.bulk_create(new_rows, batch_size=500, ignore_conflicts=True)
    _notify_open_checkins(today=today, report=report)


# A check-in whose respondent has withdrawn from the programme (or was declined) is not chased.
_gone_member = RelationshipMember.objects.filter(
    relationship=OuterRef("relationship"), enrolment__person=OuterRef("respondent"), enrolment__state__in=ENROLMENT_GONE
)


def _notify_open_checkins(*, today: date, report: SweepReport) -> None:
    """One notice per unanswered check-in of a running relationship that is due (unless its kind is muted)."""
    open_rows = list(
        CheckIn.objects.filter(
            answered_at__isnull=True,
            due_on__lte=today,
            due_on__gt=today - timedelta(days=30),
            relationship__state__in=REMINDED,
            relationship__programme__phase__in=SWEEP_PHASES,
        )
        .exclude(Exists(_gone_member))
        .select_related("respondent", "relationship__programme")
    )
    allowed = {p.pk for p in not_muted("checkin_due", {c.respondent for c in open_rows})}
    for checkin in open_rows:
        if checkin.respondent_id not in allowed:
            continue
        rows = notification_create_many(
            recipients=[checkin.respondent],
            kind="checkin_due",
            dedupe_key=_keyed(f"checkin:{checkin.pk}:due", per_person=False),
            context={"programme": checkin.relationship.programme.name, "round": checkin.round},
            url=reverse("programmes:checkin_answer", args=[checkin.programme_id, checkin.relationship_id, checkin.pk]),
        )
        report.add("checkin_due", len(rows))


# --- Coordinators: overdue contacts -------------------------------------------------------------------------


def contact_overdue_sweep(*, today: date, report: SweepReport) -> None:
    """A weekly digest per programme and coordinator: how many pairs are overdue a contact."""
    overdue = (
        RelationshipHealth.objects.filter(
            LIVE_RELATIONSHIP, relationship__state__in=TERM_RUNS, next_contact_due__lt=today
        )
        .values_list("programme_id", "programme__name")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {programme_id: (name, n) for programme_id, name, n in overdue}
    year, week, _day = today.isocalendar()
    for programme_id, (name, n) in counts.items():
        rows = notification_create_many(
            recipients=coordinators_of(programme_id),
            kind="contact_overdue",
            dedupe_key=_keyed(f"contact_overdue:{programme_id}:{year}W{week:02d}"),
            context={"programme": name, "count": n},
            url=reverse("programmes:dashboard", args=[programme_id]),
        )
        report.add("contact_overdue", len(rows))


# --- The sweep ----------------------------------------------------------------------------------------------


def support_sweep(*, now: datetime | None = None) -> SweepReport:
    """Run every step; each in its own transaction, so one failing step does not hold back the others."""
    from .reminders_ending import closure_sweep, term_sweep  # these two modules build on this one
    from .reminders_steps import agreement_sweep, proposal_sweep

    now = now or timezone.now()
    today = timezone.localdate(now)
    report = SweepReport()
    steps = [
        ("health", lambda: report.add("health_rows", health_sync(now=now))),
        ("inactivity", lambda: inactivity_sweep(now=now, report=report)),
        ("session_tomorrow", lambda: session_tomorrow_sweep(now=now, report=report)),
        ("checkins", lambda: checkin_sweep(today=today, report=report)),
        ("proposals", lambda: proposal_sweep(now=now, report=report)),
        ("agreements", lambda: agreement_sweep(now=now, report=report)),
        ("contacts", lambda: contact_overdue_sweep(today=today, report=report)),
        ("term", lambda: term_sweep(today=today, report=report)),
        ("closures", lambda: closure_sweep(now=now, report=report)),
    ]
    for name, step in steps:
        try:
            with transaction.atomic():
                step()
        except Exception:
            logger.exception("support sweep step %s failed; the next sweep retries it", name)
            report.add("failed_steps")
    # The sweep rewrites health rows in bulk: the dashboards' cached lists of every programme are stale.
    for programme_id in Programme.objects.values_list("pk", flat=True):
        programme_data_changed(programme_id)
    return report
