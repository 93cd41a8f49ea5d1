"""Programme list and programme page."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from people.types import AuthedRequest

from ..permissions import ProgrammeAccess, programme_member_required
from ..selectors import programme_list_for_user


def programme_list(request: AuthedRequest) -> HttpResponse:
    """The programmes this person may see."""
    programmes = programme_list_for_user(user=request.user)
    return render(request, "programmes/programme_list.html", {"programmes": programmes})


@programme_member_required
def programme_detail(request: AuthedRequest, access: ProgrammeAccess) -> HttpResponse:
    """The programme page."""
    return render(request, "programmes/programme_detail.html", {"access": access, "programme": access.programme})
