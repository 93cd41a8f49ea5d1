"""The baselines page: the summary per metric, the file import, entry by hand and the file template."""

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

from ..forms import BaselineEntryForm, BaselineImportForm
from ..models import Observation, OutcomeMetric
from ..selectors import (
    baseline_summary_for_programme,
    eligible_people_for_programme,
    group_index_for_programme,
    participants_waiting_for_baseline,
)
from ..services import BaselineImportError, EvaluationError, baseline_import, baseline_record, baselines_locked
from ..services.baseline_csv import MAX_BYTES, MAX_ROWS, REQUIRED, neutralise


def _render(
    request: AuthedRequest,
    access: Standing,
    *,
    import_form: BaselineImportForm | None = None,
    import_error: BaselineImportError | None = None,
    entry_form: BaselineEntryForm | None = None,
) -> HttpResponse:
    """The baselines page, with a bound form and its errors when a post failed (a fixed number of queries)."""
    programme = access.programme
    summaries = baseline_summary_for_programme(programme=programme)
    locked = baselines_locked(programme)
    writable = access.can_write and not locked
    rows = [
        {
            "summary": s,
            "form": entry_form
            if entry_form is not None and entry_form.metric.pk == s.metric.pk
            else BaselineEntryForm(metric=s.metric),
        }
        for s in summaries
    ]
    groups = group_index_for_programme(programme=programme)
    context: dict[str, Any] = {
        "access": access,
        "programme": programme,
        "rows": rows,
        "groups": groups,
        "waiting": participants_waiting_for_baseline(programme=programme, groups=groups) if not locked else 0,
        "locked": locked,
        "writable": writable,
        "eligible": eligible_people_for_programme(programme=programme, baseline=True) if writable else [],
        "import_form": import_form or BaselineImportForm(),
        "import_error": import_error,
        "columns": REQUIRED,
        "max_mb": MAX_BYTES >> 20,
        "max_rows": MAX_ROWS,
    }
    return render(request, "evaluation/baselines.html", context)


@allowed(Action.READ_STAFF_PAGES)
def baselines(request: AuthedRequest, access: Standing) -> HttpResponse:
    """Baselines per metric for participants and the comparison group, with the ways to record them."""
    return _render(request, access)


@require_POST
@allowed(Action.MANAGE_PROGRAMME)
def baseline_import_view(request: AuthedRequest, access: Standing) -> HttpResponse:
    """Import a baseline file: all rows or none; errors are listed with their row numbers."""
    form = BaselineImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, access, import_form=form)
    try:
        result = baseline_import(actor=request.user, programme=access.programme, data=form.cleaned_data["file"])
    except BaselineImportError as exc:
        return _render(request, access, import_form=form, import_error=exc)
    except EvaluationError as exc:
        messages.error(request, str(exc.message))
        return redirect("evaluation:baselines", access.programme.pk)
    messages.success(
        request,
        _("File imported: %(created)d new baselines, %(updated)d updated, %(unchanged)d unchanged.")
        % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
    )
    return redirect("evaluation:baselines", access.programme.pk)


@require_POST
@allowed(Action.MANAGE_PROGRAMME)
def baseline_add(request: AuthedRequest, access: Standing, metric_id: int) -> HttpResponse:
    """Enter (or correct) one person's baseline for one metric."""
    metric = get_object_or_404(OutcomeMetric, pk=metric_id, programme=access.programme)
    form = BaselineEntryForm(request.POST, metric=metric)
    if form.is_valid() and form.person is not None:
        data = form.cleaned_data
        try:
            _obs, created = baseline_record(
                actor=request.user,
                metric=metric,
                person=form.person,
                value=data["value"],
                period_end=data["period_end"],
            )
        except EvaluationError as exc:
            form.add_error(None, str(exc.message))
        else:
            text = _("Baseline recorded for %(person)s.") if created else _("Baseline updated for %(person)s.")
            messages.success(request, text % {"person": form.person})
            return redirect("evaluation:baselines", access.programme.pk)
    return _render(request, access, entry_form=form)


def _plain(value: float) -> str:
    """A value as the importer reads it back exactly: 1250000.5, 12, 0.85."""
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


@allowed(Action.MANAGE_PROGRAMME)
def baseline_template(request: AuthedRequest, access: Standing) -> HttpResponse:
    """A CSV to fill in: one row per metric and eligible person, with the current baseline where there is one.

    Coordinators only: it holds single people's values, and HR analysts see aggregates only.
    """
    programme = access.programme
    people = list(eligible_people_for_programme(programme=programme, baseline=True))
    metrics = list(OutcomeMetric.objects.filter(programme=programme).order_by("name"))
    groups = group_index_for_programme(programme=programme)
    current = {
        (o.metric_id, o.person_id): o
        for o in Observation.objects.filter(metric__programme=programme, period_kind=Observation.PeriodKind.BASELINE)
    }
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="baselines-{slugify(programme.name) or programme.pk}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 correctly only with a byte-order mark
    writer = csv.writer(response)
    writer.writerow([*REQUIRED, "group"])
    for metric in metrics:
        for person in people:
            obs = current.get((metric.pk, person.pk))
            value = _plain(obs.value) if obs else ""
            period_end = obs.period_end.isoformat() if obs else ""
            group = groups.baseline_group_of(person.pk)
            group = group if group in (Observation.Group.PARTICIPANT, Observation.Group.COMPARISON) else ""
            writer.writerow([neutralise(person.email), neutralise(metric.name), value, period_end, group])
    return response
