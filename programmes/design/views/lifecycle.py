"""Lifecycle moves from the programme page: advance, hold, resume, cancel (POST only, then back to the page)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from people.models import User
from people.types import AuthedRequest
from programmes.access import Action, Standing
from programmes.access_pages import allowed
from programmes.core.errors import DomainError, TransitionBlocked
from programmes.core.services.lifecycle import (
    programme_advance,
    programme_cancel,
    programme_put_on_hold,
    programme_resume,
)
from programmes.models import Programme

from ..forms import ReasonRequiredTransitionForm, TransitionForm

Move = Callable[..., Programme]


def _run(request: AuthedRequest, access: Standing, move: Move, form_class: type[TransitionForm]) -> HttpResponse:
    """Validate the form, run the move, and tell the person what happened or what is missing."""
    programme = access.programme
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why, so that the team and the audit trail know."))
        return redirect(programme)
    actor: User = request.user
    try:
        move(
            actor=actor,
            programme=programme,
            reason=form.cleaned_data["reason"],
            expected_phase=form.cleaned_data["expected_phase"] or None,
        )
    except TransitionBlocked as exc:
        messages.error(request, f"{exc.message} " + " ".join(str(b.message) for b in exc.blockers))
        return redirect(programme)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect(programme)
    messages.success(request, _("The programme is now in %(phase)s.") % {"phase": programme.get_phase_display()})
    return redirect(programme)


@require_POST
@allowed(Action.MANAGE_PROGRAMME)
def programme_advance_view(request: AuthedRequest, access: Standing) -> HttpResponse:
    """Move the programme to its next phase, or say what is still missing."""
    return _run(request, access, programme_advance, TransitionForm)


@require_POST
@allowed(Action.MANAGE_PROGRAMME)
def programme_hold_view(request: AuthedRequest, access: Standing) -> HttpResponse:
    """Put the programme on hold (a reason is required)."""
    return _run(request, access, programme_put_on_hold, ReasonRequiredTransitionForm)


@require_POST
@allowed(Action.MANAGE_PROGRAMME)
def programme_resume_view(request: AuthedRequest, access: Standing) -> HttpResponse:
    """Resume an on-hold programme in the phase it left."""
    return _run(request, access, programme_resume, TransitionForm)


@require_POST
@allowed(Action.MANAGE_PROGRAMME)
def programme_cancel_view(request: AuthedRequest, access: Standing) -> HttpResponse:
    """Cancel the programme (a reason is required)."""
    return _run(request, access, programme_cancel, ReasonRequiredTransitionForm)
