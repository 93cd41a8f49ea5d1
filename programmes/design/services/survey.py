"""The needs-assessment survey: invite a population, take responses, close, adopt target competencies.

A survey is `draft → open → closed`; each move writes an AuditEvent, and so does each invitation's
first response (`invited → responded`). Invitations go out through the notification outbox, written in
the same transaction as the invitations themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.models import LEVEL_MAX, LEVEL_MIN, User
from programmes.core.errors import DomainError, InvalidTransition
from programmes.core.selectors.programmes import org_unit_rollup, survey_population
from programmes.core.services.lifecycle import audit_event_record
from programmes.models import NeedsSurvey, Notification, Programme, SurveyAnswer, SurveyInvitation

State = NeedsSurvey.State


def _survey_locked(survey: NeedsSurvey) -> NeedsSurvey:
    return NeedsSurvey.objects.select_for_update().select_related("programme").get(pk=survey.pk)


@transaction.atomic
def needs_survey_invite(*, actor: User, survey: NeedsSurvey) -> int:
    """Invite everyone the survey's population rule selects who has not been invited yet; open a draft.

    Each new invitee gets an outbox notification with a link to their response page. Running it again
    (a double click, or after people joined a unit) invites only the newcomers. Returns how many.
    """
    survey = _survey_locked(survey)
    if survey.state == State.CLOSED:
        raise InvalidTransition(_("This survey is closed; start a new one to ask more people."))
    if not survey.competencies.exists():
        raise DomainError(_("Choose at least one competency to ask about."))
    population = list(survey_population(survey=survey).values_list("pk", "org_unit_id", "grade"))
    if not population:
        raise DomainError(_("No active person matches this population; change the units, grades or e-mails."))
    already = set(SurveyInvitation.objects.filter(survey=survey).values_list("person_id", flat=True))
    rollup = org_unit_rollup(survey.org_units.values_list("pk", flat=True))
    now = timezone.now()
    SurveyInvitation.objects.bulk_create(
        [
            SurveyInvitation(
                survey=survey,
                person_id=pk,
                org_unit_id=rollup.get(unit, unit) if unit else None,
                grade=grade,
                invited_at=now,
            )
            for pk, unit, grade in population
            if pk not in already
        ],
        ignore_conflicts=True,
        batch_size=500,
    )
    new = [
        (pk, person)
        for pk, person in SurveyInvitation.objects.filter(survey=survey).values_list("pk", "person_id")
        if person not in already
    ]
    _notify_invitees(survey, new)
    if survey.state == State.DRAFT:
        survey.state, survey.opened_at = State.OPEN, now
        survey.save(update_fields=["state", "opened_at"])
        audit_event_record(actor=actor, obj=survey, from_state=State.DRAFT, to_state=State.OPEN)
    return len(new)


def _notify_invitees(survey: NeedsSurvey, invitations: Iterable[tuple[int, int]]) -> None:
    """One outbox row per invitee; the unique dedupe key makes a repeat write nothing.

    Written with one bulk INSERT rather than notification_create per person: a population can be thousands,
    and each row has its own link, which notification_create_many does not take.
    """
    context = {
        "survey": survey.title,
        "programme": survey.programme.name,
        "closes_on": survey.closes_on.isoformat() if survey.closes_on else "",
    }
    rows = []
    for invitation_pk, person_pk in invitations:
        url = reverse("programmes:survey_respond", args=[invitation_pk])
        rows.append(
            Notification(
                recipient_id=person_pk,
                kind="survey_invite",
                dedupe_key=f"survey-invite:{survey.pk}:{person_pk}",
                channel=Notification.Channel.EMAIL,
                context=context,
                url=url,
            )
        )
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)


@transaction.atomic
def needs_survey_close(*, actor: User, survey: NeedsSurvey) -> NeedsSurvey:
    """Close an open survey: no more responses; the results stay."""
    locked = _survey_locked(survey)
    if locked.state != State.OPEN:
        raise InvalidTransition(_("Only an open survey can be closed."))
    locked.state, locked.closed_at = State.CLOSED, timezone.now()
    locked.save(update_fields=["state", "closed_at"])
    audit_event_record(actor=actor, obj=locked, from_state=State.OPEN, to_state=State.CLOSED)
    survey.state, survey.closed_at = locked.state, locked.closed_at
    return locked


@transaction.atomic
def survey_response_submit(
    *, actor: User, invitation: SurveyInvitation, answers: Mapping[int, tuple[int, int]]
) -> SurveyInvitation:
    """Save the invitee's current and needed level for every competency of the survey, all or nothing.

    `answers` maps competency id → (current, needed). Answering again while the survey is open replaces
    the earlier answers.
    """
    invitation = SurveyInvitation.objects.select_for_update().select_related("survey").get(pk=invitation.pk)
    if invitation.person_id != actor.pk:
        raise DomainError(_("Only the person invited can answer this survey."))
    survey = invitation.survey
    if not survey.accepts_responses():
        raise DomainError(_("This survey has closed; answers can no longer be given or changed."))
    expected = set(survey.competencies.values_list("pk", flat=True))
    if set(answers) != expected:
        raise DomainError(_("Give your current and needed level for every competency."))
    rows = []
    for competency_id, (current, needed) in answers.items():
        if not (LEVEL_MIN <= current <= LEVEL_MAX and LEVEL_MIN <= needed <= LEVEL_MAX):
            raise DomainError(_("Levels go from 1 to 5."))
        rows.append(
            SurveyAnswer(invitation=invitation, competency_id=competency_id, current_level=current, needed_level=needed)
        )
    SurveyAnswer.objects.filter(invitation=invitation).delete()
    SurveyAnswer.objects.bulk_create(rows)
    if invitation.state == SurveyInvitation.State.INVITED:
        invitation.state, invitation.responded_at = SurveyInvitation.State.RESPONDED, timezone.now()
        invitation.save(update_fields=["state", "responded_at"])
        audit_event_record(
            actor=actor,
            obj=invitation,
            from_state=SurveyInvitation.State.INVITED,
            to_state=SurveyInvitation.State.RESPONDED,
            programme=survey.programme,
        )
    return invitation


@transaction.atomic
def survey_competencies_adopt(*, actor: User, survey: NeedsSurvey, competency_ids: Iterable[int]) -> Programme:
    """Make the chosen survey competencies the programme's target competencies (replacing the earlier set)."""
    programme = Programme.objects.select_for_update().get(pk=survey.programme_id)
    if programme.policies_locked:
        raise DomainError(_("Target competencies are read-only once the programme is in implementation."))
    chosen = set(competency_ids)
    if not chosen:
        raise DomainError(_("Choose at least one competency to adopt."))
    if not chosen <= set(survey.competencies.values_list("pk", flat=True)):
        raise DomainError(_("Only competencies this survey asked about can be adopted from it."))
    programme.target_competencies.set(chosen)
    return programme
