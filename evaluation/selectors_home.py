"""The evaluation part of each person's home page: questionnaires to answer, their own answers once a cycle is
reported, and for report readers the programmes whose outcome report has results and their recent exports.

Read by the home page as an htmx fragment from this app's own URL (programmes never imports evaluation).
Five queries whatever the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q

from people.models import BackgroundJob, User
from programmes.models import Programme

from .models import EvaluationCycle
from .reports import programmes_for_reports
from .selectors_cycles import open_cycles_for_respondent

RECENT_EXPORTS = 5


@dataclass
class ReadyReport:
    """A programme whose outcome report has current results."""

    programme: Programme
    results: int


@dataclass
class EvaluationTodos:
    questionnaires: list[EvaluationCycle] = field(default_factory=list)
    reported: list[EvaluationCycle] = field(default_factory=list)  # reported cycles the person answered in
    reports: list[ReadyReport] = field(default_factory=list)
    exports: list[BackgroundJob] = field(default_factory=list)
    reads_reports: bool = False

    @property
    def empty(self) -> bool:
        return not (self.questionnaires or self.reported or self.reports or self.exports)


def evaluation_todos_for_user(*, user: User) -> EvaluationTodos:
    """What the person does or reads in the evaluation app today."""
    todos = EvaluationTodos(
        questionnaires=list(open_cycles_for_respondent(user=user).order_by("closes_on", "pk")),
        reported=list(
            EvaluationCycle.objects.filter(state=EvaluationCycle.State.REPORTED, responses__respondent=user)
            .select_related("programme")
            .distinct()
            .order_by("-pk")[:5]
        ),
    )
    readable = programmes_for_reports(user=user)
    todos.reads_reports = user.is_site_admin or user.is_hr_analyst or readable.exists()
    if todos.reads_reports:
        counted = (
            readable.annotate(
                n=Count(
                    "outcome_results",
                    filter=Q(outcome_results__superseded_at__isnull=True, outcome_results__suppressed=False),
                )
            )
            .filter(n__gt=0)
            .order_by("name")
        )
        todos.reports = [ReadyReport(programme, programme.n) for programme in counted]
        exports = BackgroundJob.objects.filter(kind=BackgroundJob.Kind.REPORT_EXPORT, requested_by=user)
        todos.exports = list(exports[:RECENT_EXPORTS])
    return todos
