"""Orientation pages' queries: a reader's modules, a module's rendered text, the coordinator's completion report."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import markdown  # type: ignore[import-untyped,unused-ignore]  # no stubs shipped; one call below
import nh3
from django.utils.safestring import SafeString, mark_safe

from people.models import User
from programmes.core.states import ENROLMENT_GONE
from programmes.models import (
    AUDIENCE_FOR_ROLE,
    Enrolment,
    OrientationCompletion,
    OrientationModule,
    OrientationText,
    Programme,
    ProgrammeRole,
)

Audience = OrientationModule.Audience
MENTEE_ROLES = (Enrolment.Role.MENTEE, Enrolment.Role.PEER)
# Who is expected to finish orientation: everyone still in the programme.
EXPECTED_STATES = tuple(s for s in Enrolment.State.values if s not in ENROLMENT_GONE)
ALLOWED_TAGS = {
    "p", "br", "h1", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "code", "pre", "blockquote", "hr", "a",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


def render_markdown(text: str) -> SafeString:
    """Markdown to HTML, then sanitised: only plain formatting tags survive, links get rel=noopener."""
    html = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return mark_safe(clean)  # sanitised by nh3 just above


@dataclass
class ReaderModule:
    """One module as a reader sees it: the text in their language and their completion (if any)."""

    module: OrientationModule
    text: OrientationText | None
    completion: OrientationCompletion | None


@dataclass
class ReaderSection:
    audience: str
    label: str
    modules: list[ReaderModule]

    @property
    def required_left(self) -> int:
        return sum(1 for m in self.modules if m.module.required and m.completion is None)

    @property
    def minutes_left(self) -> int:
        return sum(m.module.minutes for m in self.modules if m.completion is None)


def orientation_sections_for_reader(
    *, user: User, programme: Programme, audiences: frozenset[str], language: str
) -> list[ReaderSection]:
    """The reader's modules, per audience in a fixed order, with their completions (three queries)."""
    modules = list(
        OrientationModule.objects.filter(programme=programme, audience__in=audiences)
        .prefetch_related("texts")
        .order_by("audience", "position", "pk")
    )
    done = {
        c.module_id: c for c in OrientationCompletion.objects.filter(person=user, module__in=[m.pk for m in modules])
    }
    sections = []
    for audience in Audience.values:
        mine = [ReaderModule(m, m.text_for(language), done.get(m.pk)) for m in modules if m.audience == audience]
        if mine:
            sections.append(ReaderSection(audience, str(Audience(audience).label), mine))
    return sections


# --- The coordinator's report ----------------------------------------------------------------------------------


@dataclass
class ModuleRow:
    module: OrientationModule
    title: str
    expected: int
    done: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.expected) if self.expected else 0


@dataclass
class PersonRow:
    person_id: int
    name: str
    audience: str
    label: str
    state: str = ""
    done: int = 0
    required: int = 0

    @property
    def is_complete(self) -> bool:
        return self.done >= self.required


@dataclass
class CompletionReport:
    modules: list[ModuleRow]
    people: list[PersonRow]
    totals: dict[str, tuple[int, int]] = field(default_factory=dict)  # audience → (people complete, people)


def _people_by_audience(programme: Programme) -> dict[str, dict[int, PersonRow]]:
    """Everyone expected to read each audience's modules (two queries)."""
    people: dict[str, dict[int, PersonRow]] = defaultdict(dict)
    rows = (
        Enrolment.objects.filter(programme=programme, state__in=EXPECTED_STATES)
        .values_list(
            "person_id", "person__full_name", "role", "state", "person__manager_id", "person__manager__full_name"
        )
        .order_by("person__full_name")
    )
    labels = {a: str(Audience(a).label) for a in Audience.values}
    states = dict(Enrolment.State.choices)
    for person_id, name, role, state, manager_id, manager_name in rows:
        audience = AUDIENCE_FOR_ROLE.get(role)
        if audience:
            people[audience][person_id] = PersonRow(person_id, name, audience, labels[audience], str(states[state]))
        if role in MENTEE_ROLES and manager_id is not None:
            people[Audience.MANAGER].setdefault(
                manager_id, PersonRow(manager_id, manager_name, Audience.MANAGER, labels[Audience.MANAGER])
            )
    coordinators = ProgrammeRole.objects.filter(programme=programme, role=ProgrammeRole.Role.COORDINATOR)
    for person_id, name in coordinators.values_list("user_id", "user__full_name"):
        people[Audience.COORDINATOR][person_id] = PersonRow(
            person_id, name, Audience.COORDINATOR, labels[Audience.COORDINATOR]
        )
    return people


def orientation_completion_report(*, programme: Programme, language: str) -> CompletionReport:
    """Completion per module and per person; five queries whatever the number of people or modules."""
    modules = list(
        OrientationModule.objects.filter(programme=programme)
        .prefetch_related("texts")
        .order_by("audience", "position", "pk")
    )
    people = _people_by_audience(programme)
    completions = (
        OrientationCompletion.objects.filter(module__programme=programme)
        .values_list("module_id", "person_id", "module__audience", "module__required")
        .order_by()
    )
    done_by_module: dict[int, int] = defaultdict(int)
    for module_id, person_id, audience, required in completions:
        row = people.get(audience, {}).get(person_id)
        if row is None:
            continue  # someone who has left the audience since
        done_by_module[module_id] += 1
        if required:
            row.done += 1
    required_count = _required_per_audience(modules)
    rows = []
    for module in modules:
        text = module.text_for(language)
        expected = len(people.get(module.audience, {}))
        rows.append(ModuleRow(module, text.title if text else module.key, expected, done_by_module[module.pk]))
    report = CompletionReport(modules=rows, people=[])
    for audience in Audience.values:
        group = list(people.get(audience, {}).values())
        for row in group:
            row.required = required_count.get(audience, 0)
        report.people.extend(sorted(group, key=lambda r: (r.is_complete, r.name)))
        if group:
            report.totals[audience] = (sum(1 for r in group if r.is_complete), len(group))
    return report


def _required_per_audience(modules: list[OrientationModule]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for module in modules:
        if module.required:
            counts[module.audience] += 1
    return counts


def orientation_totals(*, programme: Programme) -> dict[str, tuple[int, int]]:
    """Per audience: (people who finished every required module, people expected); for the overview."""
    return orientation_completion_report(programme=programme, language="en").totals
