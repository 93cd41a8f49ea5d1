"""The programme's costs (for the ROI): the list with its total, adding one, removing one."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from people.types import AuthedRequest
from programmes.access import Action, Standing
from programmes.access_pages import allowed

from ..forms_cycles import CostItemForm
from ..models import CostItem
from ..services.common import EvaluationError
from ..services.costs import cost_item_add, cost_item_remove


def _render(request: AuthedRequest, access: Standing, form: CostItemForm | None = None) -> HttpResponse:
    items = CostItem.objects.filter(programme=access.programme)
    context = {
        "access": access,
        "programme": access.programme,
        "items": items,
        "total": items.aggregate(total=Sum("amount"))["total"],
        "form": form or CostItemForm(),
        "writable": access.can_write,
    }
    return render(request, "evaluation/costs.html", context, status=400 if form is not None else 200)


@allowed(Action.READ_STAFF_PAGES)
def costs(request: AuthedRequest, access: Standing) -> HttpResponse:
    """The programme's fully loaded costs, which the ROI of every metric with a money value uses."""
    return _render(request, access)


@require_POST
@allowed(Action.MANAGE_PROGRAMME)
def cost_add(request: AuthedRequest, access: Standing) -> HttpResponse:
    """Add one cost."""
    form = CostItemForm(request.POST)
    if not form.is_valid():
        return _render(request, access, form)
    try:
        cost_item_add(actor=request.user, programme=access.programme, **form.cleaned_data)
    except EvaluationError as exc:
        form.add_error(None, str(exc.message))
        return _render(request, access, form)
    messages.success(request, _("Cost added; the results will be recomputed."))
    return redirect("evaluation:costs", access.programme.pk)


@require_POST
@allowed(Action.MANAGE_PROGRAMME)
def cost_remove(request: AuthedRequest, access: Standing, cost_id: int) -> HttpResponse:
    """Remove one cost."""
    item = get_object_or_404(CostItem, pk=cost_id, programme=access.programme)
    try:
        cost_item_remove(actor=request.user, item=item)
    except EvaluationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Cost removed; the results will be recomputed."))
    return redirect("evaluation:costs", access.programme.pk)
