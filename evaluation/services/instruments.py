"""Instruments: the programme's copies of the defaults, invitations when a cycle opens, reminders, answers.

Who is asked, when a cycle opens, for each of its instruments:
- about their own experience: the programme's mentees and/or mentors, each about themselves;
- about the mentee: each mentee about themselves, each mentee's mentors (from their relationships) and
  each mentee's manager (from the people directory), as the instrument asks.
Each (respondent, subject) gets one InstrumentResponse; each respondent gets ONE notification per cycle
however many questionnaires they have, and at most one reminder a week while any is unanswered. The
dedupe keys make a second run, a retry or a second worker write nothing twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from people.models import LEVEL_MAX, LEVEL_MIN, User
from programmes.core.figures_cache import programme_data_changed
from programmes.core.services.lifecycle import audit_event_record
from programmes.core.services.notifications import notification_create_many
from programmes.core.states import ENROLMENT_ACCEPTED, ENROLMENT_GONE, FORMED, SILENT_PHASES
from programmes.models import Enrolment, Programme, RelationshipMember

from ..instruments_default import DEFAULTS
from ..models import Answer, EvaluationCycle, Instrument, InstrumentItem, InstrumentResponse
from ..selectors_protocol import started_person_ids
from .common import EvaluationError

Role = InstrumentResponse.Role
# Enrolments that take part in evaluation: accepted into the programme and not gone.
EVALUATED_STATES = ENROLMENT_ACCEPTED
MENTOR_ROLES = (Enrolment.Role.MENTOR, Enrolment.Role.FACILITATOR)
MENTEE_ROLES = (Enrolment.Role.MENTEE, Enrolment.Role.PEER)
REMINDER_EVERY_DAYS = 7
INVITE_KIND = "evaluation_invite"
REMINDER_KIND = "evaluation_reminder"


@transaction.atomic
def instruments_ensure_defaults(*, programme: Programme) -> dict[str, Instrument]:
    """The programme's instruments by key, copying any default it lacks (in the active language)."""
    have = {i.key: i for i in Instrument.objects.filter(programme=programme)}
    for spec in DEFAULTS:
        if spec.key in have:
            continue
        instrument = Instrument(
            programme=programme,
            key=spec.key,
            name=str(spec.name),
            intro=str(spec.intro),
            level=spec.level,
            kind=spec.kind,
            subject=spec.subject,
            ask_mentee=spec.ask_mentee,
            ask_mentor=spec.ask_mentor,
            ask_manager=spec.ask_manager,
        )
        instrument.full_clean(exclude=["programme"])
        instrument.save()
        InstrumentItem.objects.bulk_create(
            [
                InstrumentItem(
                    instrument=instrument, position=n, text=str(s.text), scale=s.scale, reverse_scored=s.reverse
                )
                for n, s in enumerate(spec.items, start=1)
            ]
        )
        have[spec.key] = instrument
    return have


def _mentors_of_mentees(programme: Programme) -> dict[int, set[int]]:
    """Mentee person id → the person ids of their mentors in the programme's relationships."""
    rows = RelationshipMember.objects.filter(relationship__programme=programme, relationship__state__in=FORMED)
    givers: dict[int, set[int]] = defaultdict(set)
    takers: dict[int, set[int]] = defaultdict(set)
    for relationship_id, role, person_id in rows.values_list("relationship_id", "role", "enrolment__person_id"):
        (givers if role in MENTOR_ROLES else takers)[relationship_id].add(person_id)
    mentors: dict[int, set[int]] = defaultdict(set)
    for relationship_id, mentees in takers.items():
        for mentee in mentees:
            mentors[mentee] |= givers.get(relationship_id, set()) - {mentee}
    return mentors


def _roster(cycle: EvaluationCycle) -> list[tuple[int, int, int, str]]:
    """Every (instrument id, respondent id, subject id, role) the cycle asks."""
    programme = cycle.programme
    today = timezone.localdate()
    people = User.objects.filter(is_active=True).filter(Q(left_date__isnull=True) | Q(left_date__gt=today))
    enrolled = Enrolment.objects.filter(programme=programme, state__in=EVALUATED_STATES, person__in=people)
    if cycle.kind == EvaluationCycle.Kind.BASELINE:
        # A baseline is measured before mentoring starts: nobody whose relationship is already active.
        enrolled = enrolled.exclude(person_id__in=started_person_ids(programme_id=programme.pk))
    mentees = dict(enrolled.filter(role__in=MENTEE_ROLES).values_list("person_id", "person__manager_id"))
    mentors = set(enrolled.filter(role__in=MENTOR_ROLES).values_list("person_id", flat=True))
    active = set(people.filter(pk__in={m for m in mentees.values() if m}).values_list("pk", flat=True))
    mentors_of = _mentors_of_mentees(programme)
    has_competencies = programme.target_competencies.exists()
    roster: list[tuple[int, int, int, str]] = []
    for instrument in cycle.instruments.all():
        if instrument.kind == Instrument.Kind.RERATING and not has_competencies:
            continue  # nothing to re-rate: the plan page says so
        if instrument.subject == Instrument.Subject.SELF:
            roster += [(instrument.pk, p, p, Role.MENTEE) for p in mentees if instrument.ask_mentee]
            roster += [(instrument.pk, p, p, Role.MENTOR) for p in mentors if instrument.ask_mentor]
            continue
        for mentee, manager in mentees.items():
            if instrument.ask_mentee:
                roster.append((instrument.pk, mentee, mentee, Role.MENTEE))
            if instrument.ask_mentor:
                roster += [(instrument.pk, m, mentee, Role.MENTOR) for m in sorted(mentors_of.get(mentee, ()))]
            if instrument.ask_manager and manager in active and manager != mentee:
                roster.append((instrument.pk, manager, mentee, Role.MANAGER))
    return roster


def _notify(cycle: EvaluationCycle, people: list[int], *, kind: str, key: str) -> None:
    """One outbox row per person with its own key; rows whose key exists already are left alone."""
    context = {
        "programme": cycle.programme.name,
        "cycle": str(cycle.get_kind_display()),
        "closes_on": cycle.closes_on.isoformat(),
    }
    notification_create_many(
        recipients=User.objects.filter(pk__in=people).only("pk", "email"),
        kind=kind,
        dedupe_key=lambda person: key.format(cycle=cycle.pk, person=person.pk),
        context=context,
        url=reverse("evaluation:my_cycle", args=[cycle.pk]),
    )


@transaction.atomic
def cycle_invite(*, cycle: EvaluationCycle) -> int:
    """Create the cycle's responses and notify each respondent once; returns how many people were asked.

    Run again (people enrolled since), it adds only the new responses and notifies only new people.
    """
    roster = _roster(cycle)
    now = timezone.now()
    InstrumentResponse.objects.bulk_create(
        [
            InstrumentResponse(cycle=cycle, instrument_id=i, respondent_id=r, subject_id=s, role=role, invited_at=now)
            for i, r, s, role in roster
        ],
        ignore_conflicts=True,
        batch_size=500,
    )
    people = sorted({respondent for _i, respondent, _s, _r in roster})
    _notify(cycle, people, kind=INVITE_KIND, key="evaluation-invite:{cycle}:{person}")
    return len(people)


def cycle_remind(*, cycle: EvaluationCycle, today: date | None = None) -> int:
    """Remind, once a week while the cycle is open, everyone with an unanswered questionnaire in it."""
    today = today or timezone.localdate()
    if cycle.state != EvaluationCycle.State.OPEN or cycle.opened_at is None:
        return 0
    week = (today - timezone.localdate(cycle.opened_at)).days // REMINDER_EVERY_DAYS
    if week < 1:
        return 0
    # Someone who withdrew from the programme (or was declined) is not chased any more.
    gone = Enrolment.objects.filter(programme_id=cycle.programme_id, state__in=ENROLMENT_GONE).values("person_id")
    waiting = sorted(
        set(
            InstrumentResponse.objects.filter(cycle=cycle, answered_at__isnull=True)
            .exclude(respondent_id__in=gone)
            .values_list("respondent_id", flat=True)
        )
    )
    _notify(cycle, waiting, kind=REMINDER_KIND, key=f"evaluation-reminder:{{cycle}}:{{person}}:{week}")
    return len(waiting)


def cycles_remind_open(*, today: date | None = None) -> int:
    """Send the week's reminders of every open cycle; how many people were reminded (or already were).

    An open baseline cycle first invites the participants accepted since it opened: their baseline
    questionnaire is due from acceptance until their first relationship becomes active. A programme on
    hold, cancelled or closed sends none.
    """
    for cycle in (
        EvaluationCycle.objects.filter(state=EvaluationCycle.State.OPEN, kind=EvaluationCycle.Kind.BASELINE)
        .exclude(programme__phase__in=SILENT_PHASES)
        .select_related("programme")
    ):
        cycle_invite(cycle=cycle)
    return sum(
        cycle_remind(cycle=c, today=today)
        for c in EvaluationCycle.objects.filter(state=EvaluationCycle.State.OPEN)
        .exclude(programme__phase__in=SILENT_PHASES)
        .select_related("programme")
    )


def expected_keys(response: InstrumentResponse) -> list[int]:
    """The item ids (Likert) or competency ids (re-rating) a complete answer gives a point to."""
    instrument = response.instrument
    if instrument.kind == Instrument.Kind.RERATING:
        return list(response.cycle.programme.target_competencies.order_by("name").values_list("pk", flat=True))
    return list(instrument.items.values_list("pk", flat=True))


@transaction.atomic
def response_submit(*, actor: User, response: InstrumentResponse, answers: Mapping[int, int]) -> InstrumentResponse:
    """Save the respondent's answers, all or nothing; answering again while the cycle is open replaces them.

    `answers` maps item id (Likert) or competency id (re-rating) to a point on the instrument's scale.
    """
    locked = (
        InstrumentResponse.objects.select_for_update()
        .select_related("instrument", "cycle__programme")
        .get(pk=response.pk)
    )
    if locked.respondent_id != actor.pk:
        raise EvaluationError(_("Only the person asked can answer this questionnaire."))
    if not locked.cycle.accepts_responses:
        raise EvaluationError(_("This evaluation cycle is not open: answers can no longer be given or changed."))
    if locked.cycle.kind == EvaluationCycle.Kind.BASELINE and locked.subject_id in started_person_ids(
        programme_id=locked.cycle.programme_id
    ):
        raise EvaluationError(
            _("The mentoring relationship has started: a baseline is measured before it, so it can no longer be given.")
        )
    instrument = locked.instrument
    wanted = expected_keys(locked)
    if set(answers) != set(wanted):
        raise EvaluationError(_("Answer every statement, please."))
    low, high = (
        (LEVEL_MIN, LEVEL_MAX)
        if instrument.kind == Instrument.Kind.RERATING
        else (
            instrument.scale_min,
            instrument.scale_max,
        )
    )
    if any(not low <= value <= high for value in answers.values()):
        raise EvaluationError(_("Answers go from %(low)d to %(high)d.") % {"low": low, "high": high})
    field = "competency_id" if instrument.kind == Instrument.Kind.RERATING else "item_id"
    Answer.objects.filter(response=locked).delete()
    Answer.objects.bulk_create([Answer(response=locked, value=value, **{field: key}) for key, value in answers.items()])
    first = locked.answered_at is None
    locked.answered_at = timezone.now()
    locked.save(update_fields=["answered_at"])
    programme_data_changed(locked.cycle.programme_id)  # the report's survey rows count the answers
    if first:
        audit_event_record(
            actor=actor, obj=locked, from_state="invited", to_state="answered", programme=locked.cycle.programme
        )
    return locked
