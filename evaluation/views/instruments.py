"""The programme's questionnaires (instruments): read them, and change them until someone has answered."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from people.types import AuthedRequest
from programmes.access import Action, Standing
from programmes.access_pages import allowed

from ..forms_cycles import InstrumentForm, ItemFormSet
from ..models import Instrument
from ..selectors_cycles import instrument_list_for_programme
from ..services.common import EvaluationError
from ..services.instrument_edit import instrument_update


@allowed(Action.READ_STAFF_PAGES)
def instruments(request: AuthedRequest, access: Standing) -> HttpResponse:
    """Every questionnaire of the programme with its statements (reverse-scored ones marked)."""
    items = instrument_list_for_programme(programme=access.programme)
    context = {"access": access, "programme": access.programme, "instruments": items}
    return render(request, "evaluation/instruments.html", context)


@allowed(Action.MANAGE_PROGRAMME)
def instrument_edit(request: AuthedRequest, access: Standing, instrument_id: int) -> HttpResponse:
    """Change a questionnaire's wording, its audiences and its statements."""
    instrument = get_object_or_404(Instrument, pk=instrument_id, programme=access.programme)
    form = InstrumentForm(request.POST or None, instance=instrument)
    likert = instrument.kind == Instrument.Kind.LIKERT
    items = ItemFormSet(request.POST or None, instance=instrument, prefix="items") if likert else None
    if request.method == "POST" and form.is_valid() and (items is None or items.is_valid()):
        try:
            instrument_update(actor=request.user, instrument=instrument, fields=form.cleaned_data, items=items)
        except EvaluationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Questionnaire saved."))
            return redirect("evaluation:instruments", access.programme.pk)
    context = {"access": access, "programme": access.programme, "instrument": instrument, "form": form, "items": items}
    status = 400 if request.method == "POST" else 200
    return render(request, "evaluation/instrument_edit.html", context, status=status)
