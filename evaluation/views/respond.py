"""The invitee's side: their questionnaires in a cycle, and answering one. Nobody else ever sees these pages.

A person who was not asked gets 404 (the questionnaire might as well not exist for them), whoever they are.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from people.types import AuthedRequest

from ..forms_cycles import ResponseForm
from ..models import Answer, EvaluationCycle, Instrument, InstrumentResponse
from ..selectors_cycles import responses_for_respondent
from ..services.common import EvaluationError
from ..services.instruments import response_submit


def get_response_for_user(user: object, response_id: int) -> InstrumentResponse:
    """The user's own questionnaire, or 404."""
    try:
        return InstrumentResponse.objects.select_related("instrument", "cycle__programme", "subject").get(
            pk=response_id, respondent_id=getattr(user, "pk", None)
        )
    except InstrumentResponse.DoesNotExist:
        raise Http404 from None


def my_cycle(request: AuthedRequest, cycle_id: int) -> HttpResponse:
    """The questionnaires the signed-in person was asked to answer in this cycle."""
    responses = list(responses_for_respondent(user=request.user, cycle_id=cycle_id))
    if not responses:
        raise Http404
    cycle = responses[0].cycle
    return render(request, "evaluation/my_cycle.html", {"cycle": cycle, "responses": responses})


def _questions(response: InstrumentResponse) -> list[tuple[int, str]]:
    instrument = response.instrument
    if instrument.kind == Instrument.Kind.RERATING:
        return list(response.cycle.programme.target_competencies.order_by("name").values_list("pk", "name"))
    return list(instrument.items.order_by("position", "pk").values_list("pk", "text"))


def _initial(response: InstrumentResponse) -> dict[str, int]:
    field = "competency_id" if response.instrument.kind == Instrument.Kind.RERATING else "item_id"
    return {f"q{key}": value for key, value in Answer.objects.filter(response=response).values_list(field, "value")}


def respond(request: AuthedRequest, response_id: int) -> HttpResponse:
    """Answer one questionnaire (or change the answers while the cycle is open)."""
    response = get_response_for_user(request.user, response_id)
    questions = _questions(response)
    form = ResponseForm(request.POST or None, response=response, questions=questions, initial=_initial(response))
    if request.method == "POST" and form.is_valid():
        try:
            response_submit(actor=request.user, response=response, answers=form.answers())
        except EvaluationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Thank you: your answers are saved."))
            return redirect("evaluation:my_cycle", response.cycle_id)
    context = {
        "response": response,
        "cycle": response.cycle,
        "instrument": response.instrument,
        "form": form,
        "open": response.cycle.state == EvaluationCycle.State.OPEN,
        "about_self": response.subject_id == response.respondent_id,
    }
    return render(request, "evaluation/respond.html", context, status=400 if form.errors else 200)
