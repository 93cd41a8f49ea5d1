"""The in-app notification list."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from people.types import AuthedRequest
from programmes.core.selectors.programmes import notification_list_for_user


def notification_list(request: AuthedRequest) -> HttpResponse:
    """A person's notifications, newest first, 25 a page."""
    notifications = notification_list_for_user(user=request.user)
    page = Paginator(notifications, 25).get_page(request.GET.get("page"))
    return render(request, "programmes/notification_list.html", {"page": page})


@require_POST
def notification_read(request: AuthedRequest, pk: int) -> HttpResponse:
    """Mark one notification read (or all, with pk 0) and follow its link when it has one."""
    mine = notification_list_for_user(user=request.user).filter(read_at__isnull=True)
    if pk == 0:
        mine.update(read_at=timezone.now())
        return redirect("programmes:notifications")
    notification = notification_list_for_user(user=request.user).filter(pk=pk).first()
    if notification is None:
        raise Http404
    mine.filter(pk=pk).update(read_at=timezone.now())
    if notification.url and url_has_allowed_host_and_scheme(notification.url, allowed_hosts={request.get_host()}):
        if _opens_for(request, notification.url):
            return redirect(notification.url)
        messages.info(request, _("The page this notification leads to is no longer open to you."))
    return redirect("programmes:notifications")


def _opens_for(request: AuthedRequest, url: str) -> bool:
    """Whether the page at `url` opens for the reader now: a page the access policy guards says so
    (`@allowed`'s `may_open`), so a role that ended since (a coordinator who left the team) meets a message
    here, not a "not found" page. Other pages are followed as they are."""
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return False
    may_open = getattr(match.func, "may_open", None)
    return may_open is None or bool(may_open(request, match.kwargs))
