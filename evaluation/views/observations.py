"""Metric values: a programme's baselines and each cycle's values, on one set of views (one pipeline).

Each page shows the summary per metric and group, the file import, entry by hand and the file template;
the baseline URLs have no cycle, the cycle URLs name one. HR analysts read the summary (groups of five or
more); only coordinators see or download single values. A rejected file or entry answers 400 with the page
and its errors, like every other form of the evaluation app.
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from people.models import User
from people.pickers import people_matching, search_text
from people.types import AuthedRequest
from people.views_pickers import render_people_options
from programmes.access import Action, Standing
from programmes.access_pages import allowed

from ..forms import BaselineEntryForm, BaselineImportForm
from ..forms_cycles import ObservationImportForm
from ..models import EvaluationCycle, Observation, OutcomeMetric
from ..selectors import (
    baseline_summary_for_programme,
    eligible_people_for_programme,
    group_index_for_programme,
    participants_waiting_for_baseline,
)
from ..selectors_cycles import cycle_value_summary
from ..services import EvaluationError, baselines_locked
from ..services.baseline_csv import MAX_BYTES, MAX_ROWS, REQUIRED, neutralise
from ..services.observations import BaselineImportError, ObservationTarget, observation_record, observations_import


def _target(access: Standing, cycle_id: int | None) -> ObservationTarget:
    if cycle_id is None:
        return ObservationTarget(access.programme)
    return ObservationTarget(
        access.programme, get_object_or_404(EvaluationCycle, pk=cycle_id, programme=access.programme)
    )


def _page(target: ObservationTarget) -> HttpResponse:
    """Back to the target's page (post/redirect/get)."""
    if target.cycle is None:
        return redirect("evaluation:baselines", target.programme.pk)
    return redirect("evaluation:cycle_observations", target.programme.pk, target.cycle.pk)


def _import_form(target: ObservationTarget, *args: Any) -> BaselineImportForm:
    return BaselineImportForm(*args) if target.baseline else ObservationImportForm(*args)


def _target_context(access: Standing, target: ObservationTarget) -> dict[str, Any]:
    """What differs between the baselines page and a cycle's values page."""
    programme, cycle = target.programme, target.cycle
    if cycle is None:
        locked = baselines_locked(programme)
        groups = group_index_for_programme(programme=programme)
        writable = access.can_write and not locked
        return {
            "summaries": baseline_summary_for_programme(programme=programme),
            "groups": groups,
            "waiting": participants_waiting_for_baseline(programme=programme, groups=groups) if not locked else 0,
            "locked": locked,
            "writable": writable,
        }
    writable = access.can_write and cycle.accepts_observations and cycle.kind != EvaluationCycle.Kind.BASELINE
    return {
        "summaries": cycle_value_summary(cycle=cycle),
        "writable": writable,
    }


def _render(
    request: AuthedRequest,
    access: Standing,
    target: ObservationTarget,
    *,
    import_form: BaselineImportForm | None = None,
    import_error: BaselineImportError | None = None,
    entry_form: BaselineEntryForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The page, with a bound form and its errors when a post failed (a fixed number of queries)."""
    context = _target_context(access, target)
    rows = [
        {
            "summary": s,
            "form": entry_form
            if entry_form is not None and entry_form.metric.pk == s.metric.pk
            else BaselineEntryForm(metric=s.metric, baseline=target.baseline),
        }
        for s in context.pop("summaries")
    ]
    context |= {
        "access": access,
        "programme": target.programme,
        "cycle": target.cycle,
        "rows": rows,
        "import_form": import_form or _import_form(target),
        "import_error": import_error,
        "columns": REQUIRED,
        "max_mb": MAX_BYTES >> 20,
        "max_rows": MAX_ROWS,
    }
    return render(request, "evaluation/observations.html", context, status=status)


@allowed(Action.READ_STAFF_PAGES)
def observations_page(request: AuthedRequest, access: Standing, cycle_id: int | None = None) -> HttpResponse:
    """The values per metric and group (baselines, or a cycle's), with the ways to record them."""
    return _render(request, access, _target(access, cycle_id))


@require_POST
@allowed(Action.MANAGE_PROGRAMME)
def observations_import_view(request: AuthedRequest, access: Standing, cycle_id: int | None = None) -> HttpResponse:
    """Import a values file: all rows or none; errors are listed with their row numbers."""
    target = _target(access, cycle_id)
    form = _import_form(target, request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, access, target, import_form=form, status=400)
    try:
        result = observations_import(actor=request.user, target=target, data=form.cleaned_data["file"])
    except BaselineImportError as exc:
        return _render(request, access, target, import_form=form, import_error=exc, status=400)
    except EvaluationError as exc:
        messages.error(request, str(exc.message))
        return _page(target)
    if target.baseline:
        text = _("File imported: %(created)d new baselines, %(updated)d updated, %(unchanged)d unchanged.")
    else:
        text = _("File imported: %(created)d new values, %(updated)d updated, %(unchanged)d unchanged.")
    messages.success(
        request, text % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
    )
    return _page(target)


@require_POST
@allowed(Action.MANAGE_PROGRAMME)
def observation_add(
    request: AuthedRequest, access: Standing, metric_id: int, cycle_id: int | None = None
) -> HttpResponse:
    """Enter (or correct) one person's value of one metric (a baseline, or a value in the cycle)."""
    target = _target(access, cycle_id)
    metric = get_object_or_404(OutcomeMetric, pk=metric_id, programme=access.programme)
    form = BaselineEntryForm(request.POST, metric=metric, baseline=target.baseline)
    if form.is_valid() and form.person is not None:
        data = form.cleaned_data
        try:
            _obs, created = observation_record(
                actor=request.user,
                target=target,
                metric=metric,
                person=form.person,
                value=data["value"],
                period_end=data["period_end"],
            )
        except EvaluationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _recorded(target, created) % {"person": form.person})
            return _page(target)
    return _render(request, access, target, entry_form=form, status=400)


def _recorded(target: ObservationTarget, created: bool) -> str:
    if target.baseline:
        return _("Baseline recorded for %(person)s.") if created else _("Baseline updated for %(person)s.")
    return _("Value recorded for %(person)s.") if created else _("Value updated for %(person)s.")


def _plain(value: float) -> str:
    """A value as the importer reads it back exactly: 1250000.5, 12, 0.85."""
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


@require_GET
@allowed(Action.MANAGE_PROGRAMME)
def eligible_people_search(request: AuthedRequest, access: Standing) -> HttpResponse:
    """Suggestions for the value-entry pickers: the participants and comparison members who may have values
    (with `?baseline=1`, those whose baseline may still be recorded); the service checks the one chosen."""
    eligible = eligible_people_for_programme(programme=access.programme, baseline=request.GET.get("baseline") == "1")
    people = User.objects.filter(pk__in=eligible.values("pk"))
    return render_people_options(request, people_matching(people, search_text(request.GET)))


@allowed(Action.MANAGE_PROGRAMME)
def observations_template(request: AuthedRequest, access: Standing, cycle_id: int | None = None) -> HttpResponse:
    """A CSV to fill in: one row per metric and eligible person, with their current value where there is one.

    Coordinators only: it holds single people's values, and HR analysts see aggregates only.
    """
    target = _target(access, cycle_id)
    programme = target.programme
    people = list(eligible_people_for_programme(programme=programme, baseline=target.baseline))
    metrics = list(OutcomeMetric.objects.filter(programme=programme).order_by("name"))
    groups = group_index_for_programme(programme=programme)
    current = {(o.metric_id, o.person_id): o for o in target.observations()}
    if target.cycle is None:
        filename = f"baselines-{slugify(programme.name) or programme.pk}.csv"
    else:
        filename = f"values-{slugify(f'{programme.name} {target.cycle.kind}') or target.cycle.pk}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # Excel opens UTF-8 correctly only with a byte-order mark
    writer = csv.writer(response)
    writer.writerow([*REQUIRED, "group"])
    for metric in metrics:
        for person in people:
            obs = current.get((metric.pk, person.pk))
            group = target.group_of(groups, person.pk)
            group = group if group in (Observation.Group.PARTICIPANT, Observation.Group.COMPARISON) else ""
            value, period_end = (_plain(obs.value), obs.period_end.isoformat()) if obs else ("", "")
            writer.writerow([neutralise(person.email), neutralise(metric.name), value, period_end, group])
    return response
