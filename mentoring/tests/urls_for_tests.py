"""A test-only URLconf: the project's URLs plus views that exist to prove behaviour (never served).

Used with `@override_settings(ROOT_URLCONF="mentoring.tests.urls_for_tests")`. The project's error
handlers are re-exported because Django looks them up on the root URLconf module.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path

from mentoring.urls import handler403, handler404, handler500
from mentoring.urls import urlpatterns as project_urlpatterns

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]


def undecorated(request: HttpRequest) -> HttpResponse:
    """A view someone forgot to protect: LoginRequiredMiddleware must still guard it."""
    return HttpResponse("made-up view")


def raises_permission_denied(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def raises_not_found(request: HttpRequest) -> HttpResponse:
    raise Http404


def raises_error(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom: a bug in a view")


urlpatterns = [
    path("_test/undecorated/", undecorated),
    path("_test/403/", raises_permission_denied),
    path("_test/404/", raises_not_found),
    path("_test/500/", raises_error),
    *project_urlpatterns,
]
