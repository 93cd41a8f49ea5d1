"""A cycle's metric values (level 4): the summary per metric, the file import, entry by hand, the file template.

HR analysts read the summary (groups of five or more); only coordinators see or download single values.
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from people.types import AuthedRequest
from programmes.access import Action, Standing
from programmes.access_pages import allowed

from ..forms import BaselineEntryForm
from ..forms_cycles import ObservationImportForm
from ..models import EvaluationCycle, Observation, OutcomeMetric
from ..selectors import eligible_people_for_programme, group_index_for_programme
from ..selectors_cycles import cycle_value_summary
from ..services import BaselineImportError, EvaluationError
from ..services.baseline_csv import MAX_BYTES, MAX_ROWS, REQUIRED, neutralise
from ..services.observations import cycle_observation_import, cycle_observation_record
from .baselines import _plain


def _cycle(access: Standing, cycle_id: int) -> EvaluationCycle:
    return get_object_or_404(EvaluationCycle, pk=cycle_id, programme=access.programme)


def _render(
    request: AuthedRequest,
    access: Standing,
    cycle: EvaluationCycle,
    *,
    import_form: ObservationImportForm | None = None,
    import_error: BaselineImportError | None = None,
    entry_form: BaselineEntryForm | None = None,
    status: int = 200,
) -> HttpResponse:
    summaries = cycle_value_summary(cycle=cycle)
    writable = access.can_write and cycle.accepts_observations and cycle.kind != EvaluationCycle.Kind.BASELINE
    rows = [
        {
            "summary": s,
            "form": entry_form
            if entry_form is not None and entry_form.metric.pk == s.metric.pk
            else BaselineEntryForm(metric=s.metric),
        }
        for s in summaries
    ]
    context: dict[str, Any] = {
        "access": access,
        "programme": access.programme,
        "cycle": cycle,
        "rows": rows,
        "writable": writable,
        "eligible": eligible_people_for_programme(programme=access.programme) if writable else [],
        "import_form": import_form or ObservationImportForm(),
        "import_error": import_error,
        "columns": REQUIRED,
        "max_mb": MAX_BYTES >> 20,
        "max_rows": MAX_ROWS,
    }
    return render(request, "evaluation/cycle_observations.html", context, status=status)


@allowed(Action.READ_STAFF_PAGES)
def cycle_observations(request: AuthedRequest, access: Standing, cycle_id: int) -> HttpResponse:
    """The cycle's values per metric and group, with the ways to record them."""
    return _render(request, access, _cycle(access, cycle_id))


@require_POST
@allowed(Action.MANAGE_PROGRAMME)
def cycle_observation_import_view(request: AuthedRequest, access: Standing, cycle_id: int) -> HttpResponse:
    """Import a file of the cycle's values: all rows or none; errors listed with their row numbers."""
    cycle = _cycle(access, cycle_id)
    form = ObservationImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, access, cycle, import_form=form, status=400)
    try:
        result = cycle_observation_import(actor=request.user, cycle=cycle, data=form.cleaned_data["file"])
    except BaselineImportError as exc:
        return _render(request, access, cycle, import_form=form, import_error=exc, status=400)
    except EvaluationError as exc:
        messages.error(request, str(exc.message))
        return redirect("evaluation:cycle_observations", access.programme.pk, cycle.pk)
    messages.success(
        request,
        _("File imported: %(created)d new values, %(updated)d updated, %(unchanged)d unchanged.")
        % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
    )
    return redirect("evaluation:cycle_observations", access.programme.pk, cycle.pk)


@require_POST
@allowed(Action.MANAGE_PROGRAMME)
def cycle_observation_add(request: AuthedRequest, access: Standing, cycle_id: int, metric_id: int) -> HttpResponse:
    """Enter (or correct) one person's value of one metric in the cycle."""
    cycle = _cycle(access, cycle_id)
    metric = get_object_or_404(OutcomeMetric, pk=metric_id, programme=access.programme)
    form = BaselineEntryForm(request.POST, metric=metric)
    if form.is_valid() and form.person is not None:
        data = form.cleaned_data
        try:
            _obs, created = cycle_observation_record(
                actor=request.user,
                cycle=cycle,
                metric=metric,
                person=form.person,
                value=data["value"],
                period_end=data["period_end"],
            )
        except EvaluationError as exc:
            form.add_error(None, str(exc.message))
        else:
            text = _("Value recorded for %(person)s.") if created else _("Value updated for %(person)s.")
            messages.success(request, text % {"person": form.person})
            return redirect("evaluation:cycle_observations", access.programme.pk, cycle.pk)
    return _render(request, access, cycle, entry_form=form, status=400)


@allowed(Action.MANAGE_PROGRAMME)
def cycle_observation_template(request: AuthedRequest, access: Standing, cycle_id: int) -> HttpResponse:
    """A CSV to fill in: one row per metric and eligible person, with their value in this cycle if any.

    Coordinators only: it holds single people's values, which HR analysts never see.
    """
    cycle = _cycle(access, cycle_id)
    programme = access.programme
    people = list(eligible_people_for_programme(programme=programme))
    metrics = list(OutcomeMetric.objects.filter(programme=programme).order_by("name"))
    groups = group_index_for_programme(programme=programme)
    current = {(o.metric_id, o.person_id): o for o in Observation.objects.filter(cycle=cycle)}
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = slugify(f"{programme.name} {cycle.kind}") or str(cycle.pk)
    response["Content-Disposition"] = f'attachment; filename="values-{name}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 correctly only with a byte-order mark
    writer = csv.writer(response)
    writer.writerow([*REQUIRED, "group"])
    for metric in metrics:
        for person in people:
            obs = current.get((metric.pk, person.pk))
            group = groups.group_of(person.pk)
            group = group if group in (Observation.Group.PARTICIPANT, Observation.Group.COMPARISON) else ""
            writer.writerow(
                [
                    neutralise(person.email),
                    neutralise(metric.name),
                    _plain(obs.value) if obs else "",
                    obs.period_end.isoformat() if obs else "",
                    group,
                ]
            )
    return response
