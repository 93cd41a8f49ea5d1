"""The session log of a relationship: list, log, read, edit or correct, confirm, cancel, invite, export.

Members write; the programme's coordinators read (shared notes only). Private notes are shown to their
author alone: every page and the export read them with PrivateNote.objects.by(request.user).
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from people.types import AuthedRequest
from programmes.access import Action, Standing
from programmes.access_pages import allowed
from programmes.core.errors import DomainError
from programmes.core.states import can_confirm
from programmes.models import ContentRead, MentoringSession
from programmes.support.forms.sessions import SessionForm, session_initial
from programmes.support.forms.support import add_service_error, service_error_text
from programmes.support.selectors import goal_texts_for, private_notes_for, session_list_for_relationship

from ..content_access import content_gate
from ..services.sessions import session_cancel, session_confirm, session_ics, session_log, session_update
from ..services.support import members_of


def _session(found: Standing, session_id: int) -> MentoringSession:
    """A session of the page's relationship, or 404."""
    session = (
        MentoringSession.objects.select_related("logged_by", "confirmed_by", "relationship__programme")
        .filter(pk=session_id, relationship=found.pair)
        .first()
    )
    if session is None:
        raise Http404
    return session


@allowed(Action.VIEW_RELATIONSHIP, target="relationship")
def session_list(request: AuthedRequest, found: Standing) -> HttpResponse:
    """Every session of the relationship, 20 a page, with the reader's own private notes."""
    if (ask := content_gate(request, found, ContentRead.Kind.SESSION_NOTES)) is not None:
        return ask
    sessions = session_list_for_relationship(relationship=found.pair)
    page = Paginator(sessions, 20).get_page(request.GET.get("page"))
    context = {
        "found": found,
        "programme": found.pair.programme,
        "relationship": found.pair,
        "page": page,
        "notes": private_notes_for(author=request.user, sessions=list(page.object_list)),
    }
    return render(request, "programmes/sessions/list.html", context)


@allowed(Action.ACT_IN_RELATIONSHIP, target="relationship")
def session_log_view(request: AuthedRequest, found: Standing) -> HttpResponse:
    """Log a session that took place (or was missed), or schedule one: one short form, made for a phone."""
    goals = goal_texts_for(found.pair)
    # People meet the same way for about as long each time: start from their last session.
    last = (
        MentoringSession.objects.filter(relationship=found.pair, logged_by=request.user).order_by("-created_at").first()
    )
    initial = {"minutes": last.minutes, "mode": last.mode} if last else {}
    form = SessionForm(request.POST or None, goals=goals, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            session = session_log(actor=request.user, relationship=found.pair, data=form.to_input())
        except (DomainError, ValidationError) as exc:
            add_service_error(form, exc)
        else:
            if session.status == MentoringSession.Status.SCHEDULED:
                messages.success(request, _("Session scheduled; everyone gets a calendar invitation."))
            else:
                messages.success(request, _("Session logged. The others are asked to confirm it."))
            return redirect("programmes:relationship_support", found.programme.pk, found.pair.pk)
    context = {"found": found, "programme": found.pair.programme, "relationship": found.pair}
    return render(request, "programmes/sessions/form.html", {**context, "form": form, "editing": None})


@allowed(Action.VIEW_RELATIONSHIP, target="relationship")
def session_detail(request: AuthedRequest, found: Standing, session_id: int) -> HttpResponse:
    """One session: shared notes for everyone who may see it, the private note for its author only."""
    session = _session(found, session_id)
    if (ask := content_gate(request, found, ContentRead.Kind.SESSION_NOTES, session_id)) is not None:
        return ask
    session = session
    notes = private_notes_for(author=request.user, sessions=[session])
    is_member = found.is_member
    context = {
        "found": found,
        "programme": found.pair.programme,
        "relationship": found.pair,
        "session": session,
        "private_note": notes.get(session.pk, ""),
        "can_edit": is_member and not session.is_locked() and session.status != MentoringSession.Status.CANCELLED,
        "can_confirm": can_confirm(session, request.user, is_member=is_member),
        "is_upcoming": session.is_upcoming(),
    }
    return render(request, "programmes/sessions/detail.html", context)


@allowed(Action.ACT_IN_RELATIONSHIP, target="relationship")
def session_edit(request: AuthedRequest, found: Standing, session_id: int) -> HttpResponse:
    """Edit a session (the one who logged it), or correct it (the other side); locked 7 days after it was held."""
    session = _session(found, session_id)
    if session.is_locked():
        messages.error(request, _("This session was logged more than 7 days ago and is locked."))
        return redirect("programmes:session_detail", found.programme.pk, found.pair.pk, session.pk)
    note = private_notes_for(author=request.user, sessions=[session]).get(session.pk, "")
    correcting = session.logged_by_id != request.user.pk and session.status != MentoringSession.Status.SCHEDULED
    goals = sorted(set(goal_texts_for(found.pair)) | set(session.goals_addressed))
    form = SessionForm(request.POST or None, goals=goals, correcting=correcting, initial=session_initial(session, note))
    if request.method == "POST" and form.is_valid():
        try:
            session_update(actor=request.user, session=session, data=form.to_input())
        except (DomainError, ValidationError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Session saved."))
            return redirect("programmes:session_detail", found.programme.pk, found.pair.pk, session.pk)
    context = {
        "found": found,
        "programme": found.pair.programme,
        "relationship": found.pair,
    }
    return render(request, "programmes/sessions/form.html", {**context, "form": form, "editing": session})


@require_POST
@allowed(Action.ACT_IN_RELATIONSHIP, target="relationship")
def session_confirm_view(request: AuthedRequest, found: Standing, session_id: int) -> HttpResponse:
    """The other member confirms the session as logged."""
    session = _session(found, session_id)
    try:
        session_confirm(actor=request.user, session=session)
    except (DomainError, ValidationError) as exc:
        messages.error(request, service_error_text(exc))
    else:
        messages.success(request, _("Confirmed. Thank you."))
    return redirect("programmes:session_detail", found.programme.pk, found.pair.pk, session.pk)


@require_POST
@allowed(Action.ACT_IN_RELATIONSHIP, target="relationship")
def session_cancel_view(request: AuthedRequest, found: Standing, session_id: int) -> HttpResponse:
    """Cancel a scheduled session; everyone's calendar is told."""
    session = _session(found, session_id)
    try:
        session_cancel(actor=request.user, session=session)
    except (DomainError, ValidationError) as exc:
        messages.error(request, service_error_text(exc))
    else:
        messages.success(request, _("Session cancelled; everyone's calendar is updated."))
    return redirect("programmes:session_detail", found.programme.pk, found.pair.pk, session.pk)


@allowed(Action.ACT_IN_RELATIONSHIP, target="relationship")
def session_ics_view(request: AuthedRequest, found: Standing, session_id: int) -> HttpResponse:
    """Download the session's calendar entry (the same UID and SEQUENCE as the e-mailed invite)."""
    session = _session(found, session_id)
    method = "CANCEL" if session.status == MentoringSession.Status.CANCELLED else "PUBLISH"
    body = session_ics(session, members_of(found.pair), method=method)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="session-{session.pk}.ics"'
    return response


EXPORT_COLUMNS = ("date", "minutes", "mode", "status", "topics", "mentor_roles", "goals", "shared_notes", "logged_by")


@allowed(Action.VIEW_RELATIONSHIP, target="relationship")
def session_export(request: AuthedRequest, found: Standing) -> HttpResponse:
    """The session log as CSV; a member's own private notes in the last column, nobody else's ever."""
    if (ask := content_gate(request, found, ContentRead.Kind.SESSION_NOTES)) is not None:
        return ask
    sessions = list(session_list_for_relationship(relationship=found.pair).order_by("held_at", "pk"))
    notes = private_notes_for(author=request.user, sessions=sessions) if found.is_member else {}
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sessions-{found.pair.pk}.csv"'
    writer = csv.writer(response)
    header = list(EXPORT_COLUMNS) + (["my_private_notes"] if found.is_member else [])
    writer.writerow(header)
    for s in sessions:
        row = [
            timezone.localtime(s.held_at).strftime("%Y-%m-%d %H:%M"),
            s.minutes,
            s.mode,
            s.status,
            s.topics,
            ";".join(s.mentor_roles),
            ";".join(s.goals_addressed),
            s.shared_notes,
            s.logged_by.get_full_name() if s.logged_by else "",
        ]
        if found.is_member:
            row.append(notes.get(s.pk, ""))
        writer.writerow([_csv_safe(value) for value in row])
    return response


def _csv_safe(value: object) -> object:
    """Text that a spreadsheet would run as a formula starts with a quote instead."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
