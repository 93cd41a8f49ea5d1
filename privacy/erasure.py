"""Erasing a person (UU PDP art. 8 and 43; GDPR art. 17): identifiable no more, still counted.

Their account row stays, anonymised, so that every aggregate that counted them (observations, comparison
groups, outcome results, process figures) still counts one person and no report figure changes. What they
wrote alone is deleted (private notes, goal comments) or emptied (shared notes they logged, check-in and
exit-survey comments, concern descriptions, enrolment goals, signatures' typed names). Then every text field
of every model is swept for their name and e-mail address, so no row anywhere still names them.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models.functions import Cast
from rest_framework.authtoken.models import Token

from people.models import User
from programmes.models import (
    AgreementSignature,
    AuditEvent,
    CheckIn,
    Concern,
    Enrolment,
    ExitSurvey,
    GoalComment,
    MentoringSession,
    Notification,
    NotificationMute,
    PrivateNote,
)

ERASED = "[erased]"
MIN_NAME_LENGTH = 3  # a shorter name would match inside ordinary words


def _blank(queryset: models.QuerySet[Any], **values: Any) -> None:
    queryset.update(**values)


def _authored_content_remove(person: User) -> None:
    """Delete or empty what the person wrote on their own; rows others need for counts stay."""
    PrivateNote.objects.filter(author=person).delete()
    GoalComment.objects.filter(author=person).delete()
    Notification.objects.filter(recipient=person).delete()
    NotificationMute.objects.filter(user=person).delete()
    _blank(MentoringSession.objects.filter(logged_by=person), shared_notes="", correction_note="")
    _blank(CheckIn.objects.filter(respondent=person), concern="")
    _blank(Concern.objects.filter(raised_by=person), description="")
    _blank(ExitSurvey.objects.filter(respondent=person), comments="")
    _blank(Enrolment.objects.filter(person=person), goals="", location="", state_reason="")
    _blank(AgreementSignature.objects.filter(person=person), typed_name=ERASED, ip_address=None, user_agent="")
    Token.objects.filter(user=person).delete()
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username__iexact=person.email).delete()


def _account_anonymise(person: User) -> None:
    """The account keeps its id, unit and grade (for the aggregates) and loses everything that names it."""
    person.full_name = f"Erased person {person.pk}"
    person.email = f"erased-{person.pk}-{secrets.token_hex(4)}@erased.invalid"
    person.employee_number = person.job_title = person.location = ""
    person.languages = []
    person.hire_date = person.left_date = None
    person.manager = None
    person.is_active = person.is_staff = person.is_superuser = person.is_hr_analyst = False
    person.set_unusable_password()
    person.save()


def _text_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField) and not f.choices
    ]


def _scrub(value: Any, needles: list[str]) -> Any:
    """The value with every case-insensitive occurrence of the needles replaced by [erased]."""
    import re

    pattern = re.compile("|".join(re.escape(n) for n in needles), re.IGNORECASE)
    if isinstance(value, str):
        return pattern.sub(ERASED, value)
    return json.loads(pattern.sub(ERASED, json.dumps(value, ensure_ascii=False)))


def names_sweep(needles: list[str], *, skip: tuple[str, int] | None = None) -> int:
    """Replace the needles in every text and JSON field of every model; returns the number of rows changed."""
    changed = 0
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for f in _text_fields(model):
            condition = models.Q()
            for needle in needles:
                if isinstance(f, models.JSONField):
                    condition |= models.Q(**{"_as_text__icontains": needle})
                else:
                    condition |= models.Q(**{f"{f.name}__icontains": needle})
            queryset = model._default_manager.all()
            if isinstance(f, models.JSONField):
                queryset = queryset.annotate(_as_text=Cast(f.name, models.TextField()))
            for obj in queryset.filter(condition).only("pk", f.name):
                if skip == (model._meta.label, obj.pk):
                    continue
                setattr(obj, f.attname, _scrub(getattr(obj, f.attname), needles))
                obj.save(update_fields=[f.name])
                changed += 1
    return changed


@transaction.atomic
def person_erase(*, actor: User, person: User) -> AuditEvent:
    """Erase `person`: anonymise the account, remove what they wrote, sweep every row for their name and
    address; their counts in every aggregate stay. One audit row records who erased whom (by id only)."""
    person = User.objects.select_for_update().get(pk=person.pk)
    needles = [n for n in {person.email.strip(), person.full_name.strip()} if len(n) >= MIN_NAME_LENGTH]
    _authored_content_remove(person)
    _account_anonymise(person)
    names_sweep(needles, skip=("people.User", person.pk))
    return AuditEvent.objects.create(
        actor=actor,
        content_type=ContentType.objects.get_for_model(User),
        object_id=person.pk,
        from_state="active",
        to_state="erased",
        reason="personal data erased on request",
    )
