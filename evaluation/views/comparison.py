"""The comparison group page: its rule, a preview of who it matches, freezing and its members."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from people.types import AuthedRequest
from programmes.access import Action, Standing
from programmes.access_pages import allowed

from ..forms import ComparisonRuleForm
from ..selectors import comparison_group_for_programme, comparison_members_for_group, comparison_rule_suggestion
from ..services import EvaluationError, baselines_locked, comparison_candidates, comparison_group_freeze
from ..services.comparison import refreeze_closed

MEMBERS_PER_PAGE = 50


def _render(
    request: AuthedRequest,
    access: Standing,
    form: ComparisonRuleForm | None = None,
    preview: int | None = None,
) -> HttpResponse:
    programme = access.programme
    group = comparison_group_for_programme(programme=programme)
    locked = baselines_locked(programme) or (group is not None and group.is_frozen and refreeze_closed(programme))
    if form is None:
        suggestion = comparison_rule_suggestion(programme=programme) if group is None else {}
        initial = ComparisonRuleForm.initial_for(group, suggestion)
        form = ComparisonRuleForm(initial=initial, frozen=group is not None and group.is_frozen)
    members = None
    if group is not None and group.is_frozen:
        members = Paginator(comparison_members_for_group(group=group), MEMBERS_PER_PAGE).get_page(
            request.GET.get("page")
        )
    context: dict[str, Any] = {
        "access": access,
        "programme": programme,
        "group": group,
        "members": members,
        "form": form,
        "preview": preview,
        "locked": locked,
        "writable": access.can_write and not locked,
    }
    return render(request, "evaluation/comparison.html", context)


@allowed(Action.READ_STAFF_PAGES)
def comparison(request: AuthedRequest, access: Standing) -> HttpResponse:
    """The comparison group: the rule, a preview of how many people it matches, and the frozen members."""
    return _render(request, access)


@require_POST
@allowed(Action.MANAGE_PROGRAMME)
def comparison_freeze(request: AuthedRequest, access: Standing) -> HttpResponse:
    """Store the rule and freeze the people it matches now (refreezing needs a ticked confirmation).

    The "preview" button posts here too: it counts who the rule matches today and changes nothing.
    """
    group = comparison_group_for_programme(programme=access.programme)
    form = ComparisonRuleForm(request.POST, frozen=group is not None and group.is_frozen)
    if not form.is_valid():
        return _render(request, access, form)
    if request.POST.get("action") == "preview":
        matched = comparison_candidates(programme=access.programme, rule=form.rule())
        return _render(request, access, form, preview=len(matched))
    refreeze = bool(form.cleaned_data.get("refreeze"))
    try:
        result = comparison_group_freeze(
            actor=request.user, programme=access.programme, rule=form.rule(), refreeze=refreeze
        )
    except EvaluationError as exc:
        form.add_error(None, str(exc.message))
        return _render(request, access, form)
    text = _("Comparison group frozen: %(members)d of %(matched)d matching people.") % {
        "members": result.members,
        "matched": result.matched,
    }
    if result.removed_baselines:
        text += " " + _("%(n)d baselines of people no longer in the group were deleted.") % {
            "n": result.removed_baselines
        }
    messages.success(request, text)
    return redirect("evaluation:comparison", access.programme.pk)
