"""Orientation forms: a coordinator's module (with a title, text and quiz per language) and a reader's check."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from programmes.models import OrientationModule, OrientationQuestion, OrientationText
from programmes.preparation.orientation_content import Question, QuizSyntaxError, parse_quiz, quiz_to_text
from programmes.preparation.services.orientation import ModuleInput, TextInput

LANGUAGE_NAMES = dict(settings.LANGUAGES)


class ModuleForm(forms.Form):
    """A module's settings, then a title, text and quiz for each language (leave a language empty to skip it)."""

    audience = forms.ChoiceField(label=_("Audience"), choices=OrientationModule.Audience.choices)
    position = forms.IntegerField(
        label=_("Order"), min_value=0, max_value=1000, initial=100, help_text=_("Lower numbers come first.")
    )
    minutes = forms.IntegerField(label=_("Estimated minutes"), min_value=1, max_value=240, initial=10)
    required = forms.BooleanField(
        label=_("Required"), required=False, initial=True, help_text=_("Required modules gate the matching pool.")
    )
    check_kind = forms.ChoiceField(
        label=_("How it is checked"), choices=OrientationModule.Check.choices, widget=forms.RadioSelect
    )
    pass_mark = forms.IntegerField(
        label=_("Pass mark (%)"), min_value=1, max_value=100, initial=80, help_text=_("Used for quizzes only.")
    )

    def __init__(self, *args: Any, module: OrientationModule | None = None, **kwargs: Any) -> None:
        if module is not None:
            kwargs.setdefault("initial", module_initial(module))
        super().__init__(*args, **kwargs)
        for code, name in settings.LANGUAGES:
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title (%(language)s)") % {"language": name}, max_length=200, required=False
            )
            self.fields[f"body_{code}"] = forms.CharField(
                label=_("Text (%(language)s)") % {"language": name},
                max_length=20000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 12}),
                help_text=_("Markdown: # headings, **bold**, *emphasis*, - lists, | tables |."),
            )
            self.fields[f"quiz_{code}"] = forms.CharField(
                label=_("Quiz (%(language)s)") % {"language": name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 8}),
                help_text=_("One block per question: “? question”, then one line per choice, “+ right” or “- wrong”."),
            )

    def language_fields(self) -> list[tuple[str, list[forms.BoundField]]]:
        """(language name, [title, text, quiz]) for the template's per-language fieldsets."""
        return [
            (str(name), [self[f"title_{code}"], self[f"body_{code}"], self[f"quiz_{code}"]])
            for code, name in settings.LANGUAGES
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for code, _name in settings.LANGUAGES:
            try:
                data[f"questions_{code}"] = parse_quiz(data.get(f"quiz_{code}", ""))
            except QuizSyntaxError as exc:
                self.add_error(f"quiz_{code}", str(exc))
        return data

    def module_input(self) -> ModuleInput:
        data = self.cleaned_data
        texts = {
            code: TextInput(
                title=data.get(f"title_{code}", ""),
                body=data.get(f"body_{code}", ""),
                questions=data.get(f"questions_{code}", ()),
            )
            for code, _name in settings.LANGUAGES
        }
        return ModuleInput(
            audience=data["audience"],
            position=data["position"],
            minutes=data["minutes"],
            required=data["required"],
            check_kind=data["check_kind"],
            pass_mark=data["pass_mark"],
            texts=texts,
        )


def _questions(text: OrientationText) -> tuple[Question, ...]:
    rows: list[OrientationQuestion] = list(text.questions.all())
    return tuple(Question(q.prompt, tuple(q.choices), q.answer) for q in rows)


def module_initial(module: OrientationModule) -> dict[str, Any]:
    """The edit form's initial values, with each language's quiz written back in the quiz format."""
    initial: dict[str, Any] = {
        "audience": module.audience,
        "position": module.position,
        "minutes": module.minutes,
        "required": module.required,
        "check_kind": module.check_kind,
        "pass_mark": module.pass_mark,
    }
    for text in module.texts.all():
        initial[f"title_{text.language}"] = text.title
        initial[f"body_{text.language}"] = text.body
        initial[f"quiz_{text.language}"] = quiz_to_text(_questions(text))
    return initial


class CompleteForm(forms.Form):
    """The reader's check: an acknowledgement box, or one radio group per quiz question."""

    def __init__(self, *args: Any, module: OrientationModule, text: OrientationText | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions: list[OrientationQuestion] = []
        if module.is_quiz and text is not None:
            self.questions = list(text.questions.all())
            for number, question in enumerate(self.questions, start=1):
                self.fields[f"q{question.pk}"] = forms.TypedChoiceField(
                    label=f"{number}. {question.prompt}",
                    choices=list(enumerate(question.choices)),
                    coerce=int,
                    widget=forms.RadioSelect,
                    error_messages={"required": _("Choose an answer.")},
                )
        else:
            self.fields["acknowledged"] = forms.BooleanField(
                label=_("I have read this module and understood what it asks of me."),
                error_messages={"required": _("Tick the box to confirm that you have read this module.")},
            )

    def answers(self) -> dict[int, int]:
        return {q.pk: self.cleaned_data[f"q{q.pk}"] for q in self.questions if f"q{q.pk}" in self.cleaned_data}
