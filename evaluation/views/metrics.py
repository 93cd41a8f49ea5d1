"""Outcome metric pages: the list per programme, and the form to add or change one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from people.types import AuthedRequest
from programmes.access import Action, Standing
from programmes.access_pages import allowed
from programmes.models import BusinessGoal

from ..forms import MetricForm, add_service_errors
from ..models import OutcomeMetric
from ..selectors import metric_list_for_programme
from ..services import EvaluationError, metric_create, metric_update, metrics_locked


@allowed(Action.READ_STAFF_PAGES)
def metrics(request: AuthedRequest, access: Standing) -> HttpResponse:
    """A programme's outcome metrics, by business goal."""
    programme = access.programme
    context = {
        "access": access,
        "programme": programme,
        "metrics": metric_list_for_programme(programme=programme),
        "has_goals": BusinessGoal.objects.filter(programme=programme).exists(),
        "locked": metrics_locked(programme),
    }
    return render(request, "evaluation/metrics.html", context)


def _metric_form(request: AuthedRequest, access: Standing, metric: OutcomeMetric | None) -> HttpResponse:
    """Shared by create and edit: show the form, or save through the service and go back to the list."""
    programme = access.programme
    if metrics_locked(programme):
        messages.error(request, _("Metrics can no longer change: the programme has entered implementation."))
        return redirect("evaluation:metrics", programme.pk)
    form = MetricForm(request.POST or None, instance=metric, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            if metric is None:
                saved = metric_create(actor=request.user, programme=programme, fields=form.cleaned_data)
            else:
                saved = metric_update(actor=request.user, metric=metric, fields=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except EvaluationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Metric “%(name)s” saved.") % {"name": saved.name})
            return redirect("evaluation:metrics", programme.pk)
    context = {"access": access, "programme": programme, "form": form, "metric": metric}
    return render(request, "evaluation/metric_form.html", context)


@allowed(Action.MANAGE_PROGRAMME)
def metric_create_view(request: AuthedRequest, access: Standing) -> HttpResponse:
    """Add an outcome metric."""
    return _metric_form(request, access, None)


@allowed(Action.MANAGE_PROGRAMME)
def metric_edit(request: AuthedRequest, access: Standing, metric_id: int) -> HttpResponse:
    """Change an outcome metric."""
    metric = get_object_or_404(OutcomeMetric, pk=metric_id, programme=access.programme)
    return _metric_form(request, access, metric)
