"""The session log's form: when, how long, how, what was covered, shared and private notes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.models import (
    MENTOR_ROLES,
    MentoringSession,
)
from programmes.support.forms.support import CHIP, DateTimeLocalInput
from programmes.support.services.sessions import SessionInput


class SessionForm(forms.Form):
    """Log or schedule a session: the few fields that matter first, with sensible defaults, for a phone."""

    status = forms.ChoiceField(
        label=_("What happened?"),
        choices=[
            (MentoringSession.Status.HELD, _("We met")),
            (MentoringSession.Status.SCHEDULED, _("We plan to meet")),
            (MentoringSession.Status.NO_SHOW, _("It was missed")),
        ],
        initial=MentoringSession.Status.HELD,
        widget=forms.RadioSelect(attrs=CHIP),
    )
    held_at = forms.DateTimeField(label=_("When"), widget=DateTimeLocalInput())
    minutes = forms.IntegerField(
        label=_("Minutes"),
        min_value=1,
        max_value=600,
        initial=60,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    mode = forms.ChoiceField(
        label=_("How"),
        choices=MentoringSession.Mode.choices,
        initial=MentoringSession.Mode.VIDEO,
        widget=forms.RadioSelect(attrs=CHIP),
    )
    topics = forms.CharField(label=_("Topics"), max_length=300, required=False)
    mentor_roles = forms.MultipleChoiceField(
        label=_("Mentor roles used"),
        choices=MENTOR_ROLES,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs=CHIP),
    )
    goals_addressed = forms.MultipleChoiceField(
        label=_("Goals addressed"), choices=[], required=False, widget=forms.CheckboxSelectMultiple(attrs=CHIP)
    )
    other_goal = forms.CharField(label=_("Another goal"), max_length=300, required=False)
    shared_notes = forms.CharField(
        label=_("Shared notes"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Everyone in the relationship and the coordinators read these."),
    )
    private_notes = forms.CharField(
        label=_("Private notes"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only you can ever read these: not the other side, not the coordinators."),
    )
    correction_note = forms.CharField(
        label=_("What did you correct?"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, goals: list[str], correcting: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goals_addressed"].choices = [(g, g) for g in goals]  # type: ignore[attr-defined]
        if not goals:
            del self.fields["goals_addressed"]
        if not correcting:
            del self.fields["correction_note"]
        if not self.is_bound and "held_at" not in self.initial:
            self.initial["held_at"] = timezone.localtime().replace(second=0, microsecond=0)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "correction_note" in self.fields and not (data.get("correction_note") or "").strip():
            self.add_error("correction_note", _("Say what you corrected, so that the other side knows."))
        return data

    def to_input(self) -> SessionInput:
        data = self.cleaned_data
        goals = list(data.get("goals_addressed") or [])
        if data.get("other_goal", "").strip():
            goals.append(data["other_goal"].strip())
        return SessionInput(
            held_at=data["held_at"],
            minutes=data["minutes"],
            mode=data["mode"],
            status=data["status"],
            topics=data["topics"],
            mentor_roles=list(data["mentor_roles"]),
            goals_addressed=goals,
            shared_notes=data["shared_notes"],
            private_notes=data["private_notes"],
            correction_note=data.get("correction_note", ""),
        )


def session_initial(session: MentoringSession, private_notes: str) -> dict[str, Any]:
    """The edit form's values: the session's own, and the actor's private note."""
    return {
        "status": session.status,
        "held_at": timezone.localtime(session.held_at),
        "minutes": session.minutes,
        "mode": session.mode,
        "topics": session.topics,
        "mentor_roles": session.mentor_roles,
        "goals_addressed": session.goals_addressed,
        "shared_notes": session.shared_notes,
        "private_notes": private_notes,
    }
