"""The coordinator's matching pages (settings, run, review, publish), the supply-and-demand report, the
relationship page members answer on, and the mentee's self-service suggestions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mentoring.page_cache import cached_page
from people.models import BackgroundJob, User
from people.paging import paginate, sort_links
from people.pickers import people_matching, search_text
from people.services.jobs import JobBusy, latest_job, outcome_url
from people.types import AuthedRequest
from people.views_pickers import render_people_options
from programmes.access import Action, Standing
from programmes.access_pages import allowed
from programmes.core.errors import DomainError
from programmes.core.figures_cache import programme_version_keys
from programmes.core.selectors.programmes import unread_count_for_request
from programmes.enrolment.services.enrolment import pool_refresh
from programmes.matching.forms import ForbidForm, MatchingSettingsForm, ReassignForm, RespondForm
from programmes.matching.selectors.matching import (
    match_run_list_for_programme,
    matching_settings_for,
    mentor_enrolments_pickable,
    pair_rules_for_programme,
    pool_summary,
    relationship_members,
    supply_demand_report,
)
from programmes.matching.selectors.review import proposals_for_run, unmatched_for_run
from programmes.matching.services.jobs import match_run_start
from programmes.matching.services.matching import (
    match_run_publish,
    pair_rule_delete,
    proposal_forbid,
    proposal_lock,
    proposal_reassign,
)
from programmes.matching.services.relationships import relationship_respond
from programmes.matching.services.self_service import mentor_request, mentor_suggestions
from programmes.matching.services.solve import criterion_label

from ..models import Enrolment, MatchProposal, MatchRun, PairRule, Programme, RelationshipMember

PER_PAGE = 50  # pairs (and unmatched mentees) a page of the review: the same page at 50 or 20,000 mentees


@allowed(Action.MANAGE_PROGRAMME)
def matching_home(request: AuthedRequest, access: Standing) -> HttpResponse:
    """The pool, the runs so far, the pair rules, and the button that runs the matcher."""
    programme = access.programme
    context = {
        "access": access,
        "programme": programme,
        "pool": pool_summary(programme=programme),
        "runs": match_run_list_for_programme(programme=programme)[:20],
        "rules": pair_rules_for_programme(programme=programme),
        "settings": matching_settings_for(programme),
        "job": _match_job(programme),
    }
    return render(request, "programmes/matching/home.html", context)


def _match_job(programme: Programme) -> BackgroundJob | None:
    """The programme's latest match run in the background while it runs, or when it failed (to say why)."""
    job = latest_job(kind=BackgroundJob.Kind.MATCH_RUN, target=programme)
    return job if job is not None and job.state != job.State.DONE else None


@require_POST
@allowed(Action.MANAGE_PROGRAMME)
def matching_pool_refresh(request: AuthedRequest, access: Standing) -> HttpResponse:
    """Move every accepted application whose readiness gates now pass into the pool."""
    joined, waiting = pool_refresh(actor=request.user, programme=access.programme)
    messages.success(
        request,
        _("%(joined)d joined the pool; %(waiting)d still wait for a gate.")
        % {"joined": joined, "waiting": len(waiting)},
    )
    return redirect("programmes:matching", access.programme.pk)


@allowed(Action.MANAGE_PROGRAMME)
def matching_settings(request: AuthedRequest, access: Standing) -> HttpResponse:
    """Weights of each criterion, the hard rules the coordinator controls, the objective and self-service."""
    from programmes.matching.selectors.weights import weight_preview_sample
    from programmes.matching.services.matching import matching_settings_update

    current = matching_settings_for(access.programme)
    form = MatchingSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            matching_settings_update(actor=request.user, programme=access.programme, values=form.values())
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Matching settings saved; they apply from the next run."))
            return redirect("programmes:matching_settings", access.programme.pk)
    sample = weight_preview_sample(programme=access.programme)
    rows, score = sample.preview(form.weight_values())
    context = {"access": access, "programme": access.programme, "form": form, "sample": sample}
    context |= {"preview": {name: (fit, adds) for name, fit, adds in rows}, "score": score}
    return render(request, "programmes/matching/settings.html", context)


@require_POST
@allowed(Action.MANAGE_PROGRAMME)
def match_run_create_view(request: AuthedRequest, access: Standing) -> HttpResponse:
    """Start the matcher on the whole pool in the background; the matching page follows its progress."""
    programme = access.programme
    try:
        job = match_run_start(actor=request.user, programme=programme)
    except (DomainError, JobBusy) as exc:
        messages.error(request, str(exc.message))
        return redirect("programmes:matching", programme.pk)
    job.refresh_from_db()  # a worker running tasks inline (eager) has finished it already
    done = outcome_url(job)
    if done:
        return redirect(done)
    return redirect("programmes:matching", programme.pk)


@require_GET
@allowed(Action.MANAGE_PROGRAMME)
def mentor_search(request: AuthedRequest, access: Standing) -> HttpResponse:
    """Suggestions for the mentor pickers: the programme's pickable mentors (without `?relationship=`'s members)."""
    relationship = request.GET.get("relationship", "")
    mentors = mentor_enrolments_pickable(
        programme=access.programme,
        relationship_id=int(relationship) if relationship.isdigit() else None,
    )
    people = User.objects.filter(pk__in=mentors.values("person_id"), is_active=True)
    return render_people_options(request, people_matching(people, search_text(request.GET)))


@allowed(Action.MANAGE_PROGRAMME)
def match_run_detail(request: AuthedRequest, access: Standing, run_id: int) -> HttpResponse:
    """The review table: every pair with its score, breakdown and sentence; unmatched mentees with reasons.

    The page is kept under the programme's data version (mentoring.page_cache): locking, forbidding or moving
    a pair, publishing, and every pair's move on move it on; a run in the background is followed live.
    `?sort=` (a column header sets it) orders the whole run in the database before the page is cut; the query
    string is part of the kept page's key.
    """
    programme = access.programme

    def render_page() -> HttpResponse:
        # A run's state moves only with an audited change, which moves the data version on: a kept page
        # needs no lookup of its run (and a run never leaves its programme).
        run = get_object_or_404(MatchRun, pk=run_id, programme=programme)
        job = _match_job(programme)  # starting a run moves the data version on: a kept page never hides it
        pairs = paginate(request, proposals_for_run(run=run, sort=request.GET.get("sort", "")), PER_PAGE)
        unmatched = paginate(request, unmatched_for_run(run=run), PER_PAGE, param="unmatched_page")
        proposals = pairs.rows
        names = _criteria_in(proposals)
        people = [("mentee", _("Mentee"), False), ("mentor", _("Mentor"), False), ("score", _("Score"), True)]
        context = {
            "access": access,
            "programme": programme,
            "run": run,
            "rows": [(p, [float(p.breakdown.get(name, 0.0)) for name in names]) for p in proposals],
            "pairs": pairs,
            "unmatched": unmatched.page,
            "unmatched_pager": unmatched,
            "columns": sort_links(request, people + [(name, criterion_label(name), True) for name in names]),
            "is_draft": run.state == MatchRun.State.DRAFT,
            "job": job,
        }
        response = render(request, "programmes/matching/run.html", context)
        if job is not None and job.state in (job.State.QUEUED, job.State.RUNNING):
            patch_cache_control(response, no_store=True)  # its progress moves on by itself: never kept
        return response

    parts = (run_id, unread_count_for_request(request))
    return cached_page(request, "match-run", parts, render_page, watch=programme_version_keys([programme.pk]))


def _criteria_in(proposals: list[MatchProposal]) -> list[str]:
    names: list[str] = []
    for proposal in proposals:
        names.extend(name for name in proposal.breakdown if name not in names)
    return names


def _proposal(access: Standing, proposal_id: int) -> MatchProposal:
    return get_object_or_404(
        MatchProposal.objects.select_related("run", "mentee__person", "mentor__person"),
        pk=proposal_id,
        run__programme=access.programme,
    )


@require_POST
@allowed(Action.MANAGE_PROGRAMME)
def proposal_lock_view(request: AuthedRequest, access: Standing, proposal_id: int) -> HttpResponse:
    """Lock a pair in (or unlock it): re-runs keep locked pairs."""
    proposal = _proposal(access, proposal_id)
    lock = request.POST.get("locked", "1") == "1"
    try:
        proposal_lock(actor=request.user, proposal=proposal, locked=lock)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("programmes:match_run", access.programme.pk, proposal.run_id)


@require_POST
@allowed(Action.MANAGE_PROGRAMME)
def proposal_forbid_view(request: AuthedRequest, access: Standing, proposal_id: int) -> HttpResponse:
    """Forbid a pair: it leaves the draft and no later run proposes it."""
    proposal = _proposal(access, proposal_id)
    form = ForbidForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        proposal_forbid(actor=request.user, proposal=proposal, note=note)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Pair forbidden. Run again to find the mentee another mentor."))
    return redirect("programmes:match_run", access.programme.pk, proposal.run_id)


@require_POST
@allowed(Action.MANAGE_PROGRAMME)
def proposal_reassign_view(request: AuthedRequest, access: Standing, proposal_id: int) -> HttpResponse:
    """Swap the mentor of a pair by hand; the score is recomputed and capacity checked."""
    proposal = _proposal(access, proposal_id)
    form = ReassignForm(request.POST, programme=access.programme)
    if not form.is_valid():
        messages.error(request, _("Choose a mentor from the pool."))
    else:
        try:
            proposal_reassign(actor=request.user, proposal=proposal, mentor=form.cleaned_data["mentor"])
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Mentor changed."))
    return redirect("programmes:match_run", access.programme.pk, proposal.run_id)


@require_POST
@allowed(Action.MANAGE_PROGRAMME)
def match_run_publish_view(request: AuthedRequest, access: Standing, run_id: int) -> HttpResponse:
    """Publish the draft: each pair becomes a proposal both sides answer."""
    run = get_object_or_404(MatchRun, pk=run_id, programme=access.programme)
    try:
        result = match_run_publish(actor=request.user, run=run)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Published: %(n)d matches proposed.") % {"n": result.relationships})
        for line in result.skipped:
            messages.warning(request, _("Not published: %(pair)s") % {"pair": line})
    return redirect("programmes:match_run", access.programme.pk, run.pk)


@require_POST
@allowed(Action.MANAGE_PROGRAMME)
def pair_rule_delete_view(request: AuthedRequest, access: Standing, rule_id: int) -> HttpResponse:
    """Lift a lock or a forbid."""
    rule = get_object_or_404(PairRule, pk=rule_id, programme=access.programme)
    pair_rule_delete(actor=request.user, rule=rule)
    messages.success(request, _("Rule removed."))
    return redirect("programmes:matching", access.programme.pk)


@allowed(Action.READ_STAFF_PAGES, post=Action.MANAGE_PROGRAMME)
def supply_demand(request: AuthedRequest, access: Standing) -> HttpResponse:
    """Per competency: mentees who need it against mentor places that offer it; unmatched counts by reason."""
    report = supply_demand_report(programme=access.programme)
    return render(
        request,
        "programmes/matching/supply_demand.html",
        {"access": access, "programme": access.programme, "report": report},
    )


@allowed(Action.VIEW_RELATIONSHIP, target="relationship")
def relationship_detail(request: AuthedRequest, found: Standing) -> HttpResponse:
    """A proposed (or accepted) match: who, why, each member's answer; the member's own accept/decline."""
    members = relationship_members(found.pair)
    mine = [m for m in members if m.enrolment_id in found.member_enrolment_ids]
    pending = [m for m in mine if m.response == RelationshipMember.Response.PENDING]
    context = {
        "found": found,
        "programme": found.pair.programme,
        "relationship": found.pair,
        "members": members,
        "pending": pending[0] if pending else None,
        "form": RespondForm(),
    }
    return render(request, "programmes/matching/relationship.html", context)


@require_POST
@allowed(Action.ACT_IN_RELATIONSHIP, target="relationship")
def relationship_respond_view(request: AuthedRequest, found: Standing) -> HttpResponse:
    """A member accepts or declines (a decline's note tells the others why)."""
    form = RespondForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("programmes:relationship_detail", found.programme.pk, found.pair.pk)
    pending = found.pair.members.filter(
        enrolment_id__in=found.member_enrolment_ids, response=RelationshipMember.Response.PENDING
    ).first()
    enrolment_id = pending.enrolment_id if pending else min(found.member_enrolment_ids)
    enrolment = Enrolment.objects.get(pk=enrolment_id)
    accept = form.cleaned_data["answer"] == "accept"
    try:
        relationship_respond(
            actor=request.user,
            relationship=found.pair,
            enrolment=enrolment,
            accept=accept,
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Thank you: your answer is recorded.") if accept else _("You declined this match."))
    return redirect("programmes:relationship_detail", found.programme.pk, found.pair.pk)


@allowed(Action.EDIT_APPLICATION, target="enrolment")
def mentor_suggestions_view(request: AuthedRequest, found: Standing) -> HttpResponse:
    """Self-service: the mentee's three best-fitting mentors with free places, and why."""
    mentee = found.application
    if mentee.is_mentor_side:
        raise Http404
    settings = matching_settings_for(mentee.programme)
    if not settings.self_service:
        raise PermissionDenied
    suggestions = mentor_suggestions(mentee=mentee)
    context = {"programme": mentee.programme, "enrolment": mentee, "suggestions": suggestions}
    context["criteria_labels"] = {name: criterion_label(name) for s in suggestions for name in s.breakdown}
    return render(request, "programmes/matching/suggestions.html", context)


@require_POST
@allowed(Action.EDIT_APPLICATION, target="enrolment")
def mentor_request_view(request: AuthedRequest, found: Standing, mentor_id: int) -> HttpResponse:
    """Self-service: the mentee requests one mentor; the mentor's place is held while they decide."""
    mentor = get_object_or_404(Enrolment, pk=mentor_id, programme_id=found.programme.pk)
    try:
        relationship = mentor_request(actor=request.user, mentee=found.application, mentor=mentor)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("programmes:mentor_suggestions", found.programme.pk, found.application.pk)
    messages.success(request, _("Request sent. %(name)s will answer.") % {"name": mentor.person})
    return redirect("programmes:relationship_detail", found.programme.pk, relationship.pk)
