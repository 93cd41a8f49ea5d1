"""Everything the product holds about one person, for their download (UU PDP art. 7 and 32; GDPR art. 15 and 20).

Walks the model registry, not a hand-kept list: every row of every model with a foreign key or many-to-many
to the user is found, so a model added later is exported without anyone remembering to. A row is either
*theirs* (they are its subject or author: all its fields) or one where they only *acted* on someone else's
record (created it, recorded it, handled it): then only that the row exists and their part in it, never the
other person's data. Secrets (password hash, API token) and coordinators' mediation notes are never exported.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models.fields.files import FieldFile

from people.models import User

# Fields through which a person *acts on another person's record*; rows reached only this way are listed
# as a reference (model, id, role), without their content, which belongs to someone else.
ACTOR_FIELDS: frozenset[str] = frozenset(
    {
        "people.User.manager",
        "people.CompetencyRating.rater",
        "admin.LogEntry.user",
        "programmes.Programme.created_by",
        "programmes.Enrolment.approver",
        "programmes.MatchingSettings.updated_by",
        "programmes.PairRule.created_by",
        "programmes.MatchRun.created_by",
        "programmes.MatchRun.published_by",
        "programmes.Agreement.first_meeting_recorded_by",
        "programmes.AuditEvent.actor",
        "programmes.BusinessGoal.owner",
        "programmes.ReadinessAssessment.decided_by",
        "programmes.NeedsSurvey.created_by",
        "programmes.DevelopmentPlan.manager_acknowledged_by",
        "programmes.GoalProgress.recorded_by",
        "programmes.Recruitment.updated_by",
        "programmes.CoordinatorContact.coordinator",
        "programmes.Concern.handled_by",
        "programmes.Closure.closed_by",
        "programmes.Resource.created_by",
        "programmes.CoordinatorTask.done_by",
        "programmes.ContentRead.reader",
        "evaluation.ComparisonGroup.frozen_by",
        "evaluation.EvaluationCycle.created_by",
        "evaluation.OutcomeMetric.created_by",
        "evaluation.Observation.recorded_by",
        "evaluation.CostItem.created_by",
    }
)

# Never exported, whoever's row it is.
WITHHELD: dict[str, frozenset[str]] = {
    "people.User": frozenset({"password"}),
    "authtoken.Token": frozenset({"key"}),
    "programmes.Concern": frozenset({"mediation_notes"}),  # the coordinators' working notes
}


@dataclass
class Section:
    """The rows of one model that reference the person, through one or more of its fields."""

    label: str
    title: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    references: list[dict[str, Any]] = field(default_factory=list)


def user_links() -> Iterator[tuple[type[models.Model], models.Field[Any, Any]]]:
    """Every (model, field) pair whose field is a foreign key, one-to-one or many-to-many to the user model."""
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        for f in model._meta.get_fields():
            if (
                f.concrete
                and f.is_relation
                and f.related_model is User
                and (f.many_to_one or f.one_to_one or f.many_to_many)
            ):
                yield model, f  # type: ignore[misc]


def _plain(value: Any) -> Any:
    """A JSON-ready form of a field value."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, bytes | memoryview):
        return None
    return value


def row_data(obj: models.Model) -> dict[str, Any]:
    """All concrete fields of a row (foreign keys as ids), less the withheld ones."""
    withheld = WITHHELD.get(obj._meta.label, frozenset())
    data: dict[str, Any] = {"id": obj.pk}
    for f in obj._meta.concrete_fields:
        if f.name in withheld:
            continue
        data[f.attname] = _plain(getattr(obj, f.attname))
    return data


def person_export(*, person: User) -> dict[str, Any]:
    """Everything about `person`: their own record, then every row that references them, model by model."""
    sections: dict[str, Section] = {}
    for model, f in user_links():
        label = model._meta.label
        section = sections.setdefault(label, Section(label, str(model._meta.verbose_name_plural)))
        rows = model._default_manager.filter(**{f.name: person}).order_by("pk")
        acting = f"{label}.{f.name}" in ACTOR_FIELDS
        for obj in rows.iterator(chunk_size=500):
            if acting:
                section.references.append({"id": obj.pk, "your_part": str(f.verbose_name)})
            else:
                section.rows.append(row_data(obj))
    for section in sections.values():
        # A row that is theirs through one field and an act through another is shown once, as theirs.
        own = {row["id"] for row in section.rows}
        unique = {r["id"]: r for r in section.references if r["id"] not in own}
        section.references = list(unique.values())
        section.rows = list({row["id"]: row for row in section.rows}.values())
    return {
        "person": row_data(person),
        "sections": [
            {"model": s.label, "title": s.title, "rows": s.rows, "references": s.references}
            for s in sorted(sections.values(), key=lambda s: s.label)
            if s.rows or s.references
        ],
    }
