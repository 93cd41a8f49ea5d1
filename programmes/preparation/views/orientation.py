"""Orientation pages: a participant's modules and the module reader; the coordinator's modules and completion."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from people.types import AuthedRequest
from programmes.access import Action, Standing
from programmes.access_pages import allowed
from programmes.core.errors import DomainError
from programmes.models import Enrolment, OrientationCompletion, OrientationModule
from programmes.preparation.forms.orientation import CompleteForm, ModuleForm
from programmes.preparation.selectors.orientation import (
    orientation_completion_report,
    orientation_sections_for_reader,
    render_markdown,
)

from ..selectors.development import MENTEE_SIDE
from ..services.orientation import (
    QuizFailed,
    orientation_complete,
    orientation_defaults_create,
    orientation_module_delete,
    orientation_module_save,
)


def _language() -> str:
    return (get_language() or "en").split("-")[0]


@allowed(Action.VIEW_ORIENTATION)
def orientation_home(request: AuthedRequest, found: Standing) -> HttpResponse:
    """The reader's modules per audience, what is done, and what is left (required first)."""
    sections = orientation_sections_for_reader(
        user=request.user, programme=found.programme, audiences=found.audiences, language=_language()
    )
    own_plan = (
        Enrolment.objects.filter(programme=found.programme, person=request.user, role__in=MENTEE_SIDE)
        .exclude(state__in=(Enrolment.State.DECLINED, Enrolment.State.WITHDRAWN))
        .first()
    )
    context = {"programme": found.programme, "found": found, "sections": sections, "own_plan": own_plan}
    return render(request, "programmes/orientation/home.html", context)


@allowed(Action.VIEW_ORIENTATION)
def orientation_module(request: AuthedRequest, found: Standing, module_id: int) -> HttpResponse:
    """Read one module in one's language; confirm it (or pass its quiz) to complete it."""
    module = (
        OrientationModule.objects.prefetch_related("texts__questions")
        .filter(pk=module_id, programme=found.programme)
        .first()
    )
    if module is None:
        raise Http404
    reading = found.about_object(module).require(Action.VIEW_MODULE)
    text = module.text_for(_language())
    can_complete = reading.may(Action.COMPLETE_MODULE)
    if request.method == "POST":
        reading.require(Action.COMPLETE_MODULE)
    form = CompleteForm(request.POST if request.method == "POST" else None, module=module, text=text)
    wrong: list[int] = []
    if request.method == "POST" and form.is_valid():
        try:
            orientation_complete(
                actor=request.user,
                module=module,
                audiences=found.audiences,
                language=_language(),
                acknowledged=bool(form.cleaned_data.get("acknowledged")),
                answers=form.answers(),
            )
        except QuizFailed as exc:
            form.add_error(None, str(exc.message))
            wrong = exc.wrong
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Module completed."))
            return redirect("programmes:orientation", found.programme.pk)
    context = {
        "programme": found.programme,
        "module": module,
        "text": text,
        "body": render_markdown(text.body) if text else "",
        "form": form,
        "wrong": wrong,
        "can_complete": can_complete,
        "completion": OrientationCompletion.objects.filter(module=module, person=request.user).first(),
    }
    return render(request, "programmes/orientation/module.html", context)


@allowed(Action.MANAGE_PROGRAMME)
def orientation_manage(request: AuthedRequest, access: Standing) -> HttpResponse:
    """The programme's modules per audience with completion per module, and completion per person."""
    report = orientation_completion_report(programme=access.programme, language=_language())
    context = {"access": access, "programme": access.programme, "report": report}
    return render(request, "programmes/orientation/manage.html", context)


def _module_form_page(request: AuthedRequest, access: Standing, module: OrientationModule | None) -> HttpResponse:
    form = ModuleForm(request.POST or None, module=module)
    if request.method == "POST" and form.is_valid():
        try:
            orientation_module_save(
                actor=request.user, programme=access.programme, data=form.module_input(), module=module
            )
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Module saved."))
            return redirect("programmes:orientation_manage", access.programme.pk)
    context = {"access": access, "programme": access.programme, "form": form, "module": module}
    return render(request, "programmes/orientation/module_form.html", context)


@allowed(Action.MANAGE_PROGRAMME)
def orientation_module_create(request: AuthedRequest, access: Standing) -> HttpResponse:
    """A new module, written in one or both languages."""
    return _module_form_page(request, access, None)


@allowed(Action.MANAGE_PROGRAMME)
def orientation_module_edit(request: AuthedRequest, access: Standing, module_id: int) -> HttpResponse:
    """Change a module's settings, texts or quiz."""
    module = get_object_or_404(
        OrientationModule.objects.prefetch_related("texts__questions"), pk=module_id, programme=access.programme
    )
    return _module_form_page(request, access, module)


@require_POST
@allowed(Action.MANAGE_PROGRAMME)
def orientation_module_delete_view(request: AuthedRequest, access: Standing, module_id: int) -> HttpResponse:
    """Remove a module and its completions."""
    module = get_object_or_404(OrientationModule, pk=module_id, programme=access.programme)
    orientation_module_delete(actor=request.user, module=module)
    messages.success(request, _("Module removed."))
    return redirect("programmes:orientation_manage", access.programme.pk)


@require_POST
@allowed(Action.MANAGE_PROGRAMME)
def orientation_defaults_view(request: AuthedRequest, access: Standing) -> HttpResponse:
    """Add the default modules the programme does not have yet (English and Bahasa Indonesia)."""
    added = orientation_defaults_create(actor=request.user, programme=access.programme)
    if added:
        messages.success(request, _("%(n)d default modules added.") % {"n": added})
    else:
        messages.info(request, _("The programme already has every default module."))
    return redirect("programmes:orientation_manage", access.programme.pk)
