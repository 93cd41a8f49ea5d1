"""Needs-assessment survey pages: set up and invite, close, the gap heatmap, adopt, and the invitee's response."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from people.types import AuthedRequest
from programmes.access import Action, Standing
from programmes.access_pages import allowed
from programmes.core.errors import DomainError
from programmes.core.selectors.programmes import needs_survey_list_for_programme, survey_gap_heatmap, survey_population
from programmes.models import NeedsSurvey, SurveyInvitation

from ..forms import AdoptCompetenciesForm, NeedsSurveyForm, SurveyResponseForm
from ..services.survey import (
    needs_survey_close,
    needs_survey_invite,
    survey_competencies_adopt,
    survey_response_submit,
)


def _survey(access: Standing, survey_id: int) -> NeedsSurvey:
    return get_object_or_404(NeedsSurvey, pk=survey_id, programme=access.programme)


@allowed(Action.READ_STAFF_PAGES, post=Action.MANAGE_PROGRAMME)
def survey_list(request: AuthedRequest, access: Standing) -> HttpResponse:
    """The programme's needs surveys, and a form to start one (saved as a draft; nobody is asked yet)."""
    programme = access.programme
    form = NeedsSurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        survey = form.save(commit=False)
        survey.programme, survey.created_by = programme, request.user
        survey.save()
        form.save_m2m()
        messages.success(request, _("Survey saved as a draft. Check the population, then send the invitations."))
        return redirect("programmes:survey_detail", programme.pk, survey.pk)
    surveys = needs_survey_list_for_programme(programme=programme)
    context = {"access": access, "programme": programme, "surveys": surveys, "form": form}
    return render(request, "programmes/survey_list.html", context)


@allowed(Action.READ_STAFF_PAGES, post=Action.MANAGE_PROGRAMME)
def survey_detail(request: AuthedRequest, access: Standing, survey_id: int) -> HttpResponse:
    """A survey's questions, population and progress; its draft can still be edited."""
    survey = _survey(access, survey_id)
    form = NeedsSurveyForm(request.POST or None, instance=survey)
    if request.method == "POST":
        if survey.state != NeedsSurvey.State.DRAFT:
            messages.error(request, _("Invitations have gone out: the questions and population can no longer change."))
            return redirect("programmes:survey_detail", access.programme.pk, survey.pk)
        if form.is_valid():
            form.save()
            messages.success(request, _("Survey saved."))
            return redirect("programmes:survey_detail", access.programme.pk, survey.pk)
    counted = needs_survey_list_for_programme(programme=access.programme).get(pk=survey.pk)
    context = {
        "access": access,
        "programme": access.programme,
        "survey": counted,
        "form": form,
        "population": survey_population(survey=survey).count(),
        "competencies": survey.competencies.order_by("name"),
    }
    return render(request, "programmes/survey_detail.html", context)


@require_POST
@allowed(Action.MANAGE_PROGRAMME)
def survey_invite(request: AuthedRequest, access: Standing, survey_id: int) -> HttpResponse:
    """Send the invitations (opening a draft); again later, only newcomers to the population are asked."""
    survey = _survey(access, survey_id)
    try:
        count = needs_survey_invite(actor=request.user, survey=survey)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("%(count)d people invited.") % {"count": count})
    return redirect("programmes:survey_detail", access.programme.pk, survey.pk)


@require_POST
@allowed(Action.MANAGE_PROGRAMME)
def survey_close(request: AuthedRequest, access: Standing, survey_id: int) -> HttpResponse:
    """Close the survey: no more answers."""
    survey = _survey(access, survey_id)
    try:
        needs_survey_close(actor=request.user, survey=survey)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Survey closed."))
    return redirect("programmes:survey_results", access.programme.pk, survey.pk)


@allowed(Action.READ_STAFF_PAGES, post=Action.MANAGE_PROGRAMME)
def survey_results(request: AuthedRequest, access: Standing, survey_id: int) -> HttpResponse:
    """The gap heatmap (org unit × competency) and the competencies ranked by total gap, to adopt."""
    survey = _survey(access, survey_id)
    heatmap = survey_gap_heatmap(survey=survey)
    adopted = set(access.programme.target_competencies.values_list("pk", flat=True))
    choices = [(r.competency.pk, r.competency.name) for r in heatmap.ranking if not r.suppressed]
    form = AdoptCompetenciesForm(
        choices=choices, initial={"competencies": [pk for pk, _name in choices if pk in adopted]}
    )
    context = {
        "access": access,
        "programme": access.programme,
        "survey": survey,
        "heatmap": heatmap,
        "adopted": adopted,
        "form": form,
    }
    return render(request, "programmes/survey_results.html", context)


@require_POST
@allowed(Action.MANAGE_PROGRAMME)
def survey_adopt(request: AuthedRequest, access: Standing, survey_id: int) -> HttpResponse:
    """Adopt the chosen competencies as the programme's target competencies."""
    survey = _survey(access, survey_id)
    choices = [(c.pk, c.name) for c in survey.competencies.all()]
    form = AdoptCompetenciesForm(request.POST, choices=choices)
    if not form.is_valid():
        messages.error(request, _("Choose at least one competency to adopt."))
        return redirect("programmes:survey_results", access.programme.pk, survey.pk)
    try:
        survey_competencies_adopt(actor=request.user, survey=survey, competency_ids=form.cleaned_data["competencies"])
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Target competencies adopted."))
    return redirect("programmes:survey_results", access.programme.pk, survey.pk)


def survey_respond(request: AuthedRequest, invitation_id: int) -> HttpResponse:
    """The invitee's own response page; anyone else gets 404. It stops taking answers when the survey closes."""
    invitation = (
        SurveyInvitation.objects.select_related("survey__programme")
        .filter(pk=invitation_id, person=request.user)
        .first()
    )
    if invitation is None:
        raise Http404
    survey = invitation.survey
    competencies = list(survey.competencies.order_by("name"))
    initial = {}
    for answer in invitation.answers.all():
        initial[f"current_{answer.competency_id}"] = answer.current_level
        initial[f"needed_{answer.competency_id}"] = answer.needed_level
    form = SurveyResponseForm(request.POST or None, competencies=competencies, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            survey_response_submit(actor=request.user, invitation=invitation, answers=form.answers())
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Thank you: your answers are saved."))
        return redirect("programmes:survey_respond", invitation.pk)
    context = {"invitation": invitation, "survey": survey, "form": form, "open": survey.accepts_responses()}
    return render(request, "programmes/survey_respond.html", context)
