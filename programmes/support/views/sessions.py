"""The session log of a relationship: list, log, read, edit or correct, confirm, cancel, invite, export.

Members write; the programme's coordinators read (shared notes only). Private notes are shown to their
author alone: every page and the export read them with PrivateNote.objects.by(request.user).
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from people.types import AuthedRequest
from programmes.core.errors import DomainError
from programmes.core.states import can_confirm
from programmes.models import ContentRead, MentoringSession
from programmes.support.forms import SessionForm, add_service_error, service_error_text, session_initial
from programmes.support.permissions import get_relationship_for_support, get_session_for_user
from programmes.support.selectors import goal_texts_for, private_notes_for, session_list_for_relationship

from ..content_access import content_gate
from ..services.sessions import session_cancel, session_confirm, session_ics, session_log, session_update
from ..services.support import members_of


def session_list(request: AuthedRequest, programme_id: int, relationship_id: int) -> HttpResponse:
    """Every session of the relationship, 20 a page, with the reader's own private notes."""
    found = get_relationship_for_support(request.user, programme_id, relationship_id)
    if (ask := content_gate(request, found, ContentRead.Kind.SESSION_NOTES)) is not None:
        return ask
    sessions = session_list_for_relationship(relationship=found.relationship)
    page = Paginator(sessions, 20).get_page(request.GET.get("page"))
    context = {
        "found": found,
        "programme": found.relationship.programme,
        "relationship": found.relationship,
        "page": page,
        "notes": private_notes_for(author=request.user, sessions=list(page.object_list)),
    }
    return render(request, "programmes/sessions/list.html", context)


def session_log_view(request: AuthedRequest, programme_id: int, relationship_id: int) -> HttpResponse:
    """Log a session that took place (or was missed), or schedule one: one short form, made for a phone."""
    found = get_relationship_for_support(request.user, programme_id, relationship_id, member=True)
    goals = goal_texts_for(found.relationship)
    # People meet the same way for about as long each time: start from their last session.
    last = (
        MentoringSession.objects.filter(relationship=found.relationship, logged_by=request.user)
        .order_by("-created_at")
        .first()
    )
    initial = {"minutes": last.minutes, "mode": last.mode} if last else {}
    form = SessionForm(request.POST or None, goals=goals, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            session = session_log(actor=request.user, relationship=found.relationship, data=form.to_input())
        except (DomainError, ValidationError) as exc:
            add_service_error(form, exc)
        else:
            if session.status == MentoringSession.Status.SCHEDULED:
                messages.success(request, _("Session scheduled; everyone gets a calendar invitation."))
            else:
                messages.success(request, _("Session logged. The others are asked to confirm it."))
            return redirect("programmes:relationship_support", programme_id, relationship_id)
    context = {"found": found, "programme": found.relationship.programme, "relationship": found.relationship}
    return render(request, "programmes/sessions/form.html", {**context, "form": form, "editing": None})


def session_detail(request: AuthedRequest, programme_id: int, relationship_id: int, session_id: int) -> HttpResponse:
    """One session: shared notes for everyone who may see it, the private note for its author only."""
    got = get_session_for_user(request.user, programme_id, relationship_id, session_id)
    if (ask := content_gate(request, got.found, ContentRead.Kind.SESSION_NOTES, session_id)) is not None:
        return ask
    session = got.session
    notes = private_notes_for(author=request.user, sessions=[session])
    is_member = got.found.is_member
    context = {
        "found": got.found,
        "programme": got.found.relationship.programme,
        "relationship": got.found.relationship,
        "session": session,
        "private_note": notes.get(session.pk, ""),
        "can_edit": is_member and not session.is_locked() and session.status != MentoringSession.Status.CANCELLED,
        "can_confirm": can_confirm(session, request.user, is_member=is_member),
        "is_upcoming": session.is_upcoming(),
    }
    return render(request, "programmes/sessions/detail.html", context)


def session_edit(request: AuthedRequest, programme_id: int, relationship_id: int, session_id: int) -> HttpResponse:
    """Edit a session (the one who logged it), or correct it (the other side); locked 7 days after it was held."""
    got = get_session_for_user(request.user, programme_id, relationship_id, session_id, member=True)
    session = got.session
    if session.is_locked():
        messages.error(request, _("This session was logged more than 7 days ago and is locked."))
        return redirect("programmes:session_detail", programme_id, relationship_id, session_id)
    note = private_notes_for(author=request.user, sessions=[session]).get(session.pk, "")
    correcting = session.logged_by_id != request.user.pk and session.status != MentoringSession.Status.SCHEDULED
    goals = sorted(set(goal_texts_for(got.found.relationship)) | set(session.goals_addressed))
    form = SessionForm(request.POST or None, goals=goals, correcting=correcting, initial=session_initial(session, note))
    if request.method == "POST" and form.is_valid():
        try:
            session_update(actor=request.user, session=session, data=form.to_input())
        except (DomainError, ValidationError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Session saved."))
            return redirect("programmes:session_detail", programme_id, relationship_id, session_id)
    context = {
        "found": got.found,
        "programme": got.found.relationship.programme,
        "relationship": got.found.relationship,
    }
    return render(request, "programmes/sessions/form.html", {**context, "form": form, "editing": session})


@require_POST
def session_confirm_view(
    request: AuthedRequest, programme_id: int, relationship_id: int, session_id: int
) -> HttpResponse:
    """The other member confirms the session as logged."""
    got = get_session_for_user(request.user, programme_id, relationship_id, session_id, member=True)
    try:
        session_confirm(actor=request.user, session=got.session)
    except (DomainError, ValidationError) as exc:
        messages.error(request, service_error_text(exc))
    else:
        messages.success(request, _("Confirmed. Thank you."))
    return redirect("programmes:session_detail", programme_id, relationship_id, session_id)


@require_POST
def session_cancel_view(
    request: AuthedRequest, programme_id: int, relationship_id: int, session_id: int
) -> HttpResponse:
    """Cancel a scheduled session; everyone's calendar is told."""
    got = get_session_for_user(request.user, programme_id, relationship_id, session_id, member=True)
    try:
        session_cancel(actor=request.user, session=got.session)
    except (DomainError, ValidationError) as exc:
        messages.error(request, service_error_text(exc))
    else:
        messages.success(request, _("Session cancelled; everyone's calendar is updated."))
    return redirect("programmes:session_detail", programme_id, relationship_id, session_id)


def session_ics_view(request: AuthedRequest, programme_id: int, relationship_id: int, session_id: int) -> HttpResponse:
    """Download the session's calendar entry (the same UID and SEQUENCE as the e-mailed invite)."""
    got = get_session_for_user(request.user, programme_id, relationship_id, session_id, member=True)
    session = got.session
    method = "CANCEL" if session.status == MentoringSession.Status.CANCELLED else "PUBLISH"
    body = session_ics(session, members_of(got.found.relationship), method=method)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="session-{session.pk}.ics"'
    return response


EXPORT_COLUMNS = ("date", "minutes", "mode", "status", "topics", "mentor_roles", "goals", "shared_notes", "logged_by")


def session_export(request: AuthedRequest, programme_id: int, relationship_id: int) -> HttpResponse:
    """The session log as CSV; a member's own private notes in the last column, nobody else's ever."""
    found = get_relationship_for_support(request.user, programme_id, relationship_id)
    if (ask := content_gate(request, found, ContentRead.Kind.SESSION_NOTES)) is not None:
        return ask
    sessions = list(session_list_for_relationship(relationship=found.relationship).order_by("held_at", "pk"))
    notes = private_notes_for(author=request.user, sessions=sessions) if found.is_member else {}
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sessions-{relationship_id}.csv"'
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
