"""Orientation: the default set, coordinators' module edits, completing a module, and reminders.

Completing the last required module of one's role moves an accepted enrolment to `oriented` and, when
every other readiness gate passes too, into the matching pool. The pool gate and the implementation
guard that read these rows live in programmes.preparation.guards.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from people.models import User
from programmes.core.errors import DomainError, InvalidTransition, TransitionBlocked
from programmes.core.figures_cache import programme_data_changed
from programmes.core.services.notifications import notification_create_many
from programmes.core.services.transitions import enrolment_move
from programmes.enrolment.services.enrolment import enrolment_join_pool
from programmes.models import (
    AUDIENCE_FOR_ROLE,
    Enrolment,
    NotificationMute,
    OrientationCompletion,
    OrientationModule,
    OrientationQuestion,
    OrientationText,
    Programme,
)

from ..orientation_content import DEFAULT_MODULES, QUIZ, Question, load_default

Audience = OrientationModule.Audience
DEFAULT_PASS_MARK = 66  # two of three, or both of two
# Reminders: the first two days after acceptance, then weekly, three in all (then the coordinator's overview).
FIRST_REMINDER = timedelta(days=2)
REMINDER_EVERY = timedelta(days=7)
MAX_REMINDERS = 3
REMINDER_KIND = "orientation_incomplete"


def orientation_url(programme_id: int) -> str:
    return reverse("programmes:orientation", args=[programme_id])


# --- The default set ----------------------------------------------------------------------------------------


def _add_text(module: OrientationModule, language: str, title: str, body: str, questions: tuple[Question, ...]) -> None:
    text = OrientationText(module=module, language=language, title=title, body=body)
    text.full_clean()
    text.save()
    rows = [
        OrientationQuestion(text=text, position=i, prompt=q.prompt, choices=list(q.choices), answer=q.answer)
        for i, q in enumerate(questions)
    ]
    for row in rows:
        row.full_clean(exclude=["text"])
    OrientationQuestion.objects.bulk_create(rows)


@transaction.atomic
def orientation_defaults_create(*, actor: User | None, programme: Programme) -> int:
    """Add the default modules (English and Bahasa Indonesia) the programme does not have yet; returns how many.

    Safe to call again: a topic the programme already has for an audience is left as the coordinator made it.
    """
    existing = set(OrientationModule.objects.filter(programme=programme).values_list("audience", "key"))
    added = 0
    for index, spec in enumerate(DEFAULT_MODULES, start=1):
        for entry in spec.audiences:
            if (entry.audience, spec.key) in existing:
                continue
            module = OrientationModule(
                programme=programme,
                audience=entry.audience,
                key=spec.key,
                position=index * 10,
                minutes=spec.minutes,
                required=entry.required,
                check_kind=entry.check,
                pass_mark=DEFAULT_PASS_MARK,
            )
            module.full_clean()
            module.save()
            for language, _name in settings.LANGUAGES:
                text = load_default(spec.key, language)
                if text is not None:
                    questions = text.questions if entry.check == QUIZ else ()
                    _add_text(module, language, text.title, text.body, questions)
            added += 1
    return added


# --- Coordinators edit modules ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextInput:
    """One language variant as the form cleaned it (an empty title and body means "no variant")."""

    title: str = ""
    body: str = ""
    questions: tuple[Question, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.title.strip() and not self.body.strip()


@dataclass
class ModuleInput:
    audience: str
    position: int
    minutes: int
    required: bool
    check_kind: str
    pass_mark: int
    texts: dict[str, TextInput] = field(default_factory=dict)


def _validate_texts(data: ModuleInput) -> None:
    present = {lang: t for lang, t in data.texts.items() if not t.is_empty}
    if not present:
        raise DomainError(_("Write the module in at least one language."))
    for text in present.values():
        if not text.title.strip() or not text.body.strip():
            raise DomainError(_("Each language variant needs both a title and a text."))
        if data.check_kind == OrientationModule.Check.QUIZ and not text.questions:
            raise DomainError(_("A quiz needs at least one question in every language it is written in."))


def _unique_key(programme: Programme, audience: str, title: str) -> str:
    base = slugify(title)[:50] or "module"
    taken = set(
        OrientationModule.objects.filter(programme=programme, audience=audience, key__startswith=base).values_list(
            "key", flat=True
        )
    )
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


@transaction.atomic
def orientation_module_save(
    *, actor: User, programme: Programme, data: ModuleInput, module: OrientationModule | None = None
) -> OrientationModule:
    """Create or change a module and its language variants; completions already made stay valid."""
    _validate_texts(data)
    if module is None:
        first_title = next(t.title for t in data.texts.values() if not t.is_empty)
        module = OrientationModule(programme=programme, key=_unique_key(programme, data.audience, first_title))
    elif module.programme_id != programme.pk:
        raise DomainError(_("This module belongs to another programme."))
    elif (
        module.audience != data.audience
        and OrientationModule.objects.filter(programme=programme, audience=data.audience, key=module.key)
        .exclude(pk=module.pk)
        .exists()
    ):
        raise DomainError(_("That audience already has this topic; edit that module instead."))
    module.audience = data.audience
    module.position = data.position
    module.minutes = data.minutes
    module.required = data.required
    module.check_kind = data.check_kind
    module.pass_mark = data.pass_mark
    module.updated_at = timezone.now()
    module.full_clean()
    module.save()
    OrientationText.objects.filter(module=module).delete()  # questions go with their texts
    for language, text in data.texts.items():
        if not text.is_empty:
            questions = text.questions if data.check_kind == OrientationModule.Check.QUIZ else ()
            _add_text(module, language, text.title.strip(), text.body.strip(), questions)
    return module


@transaction.atomic
def orientation_module_delete(*, actor: User, module: OrientationModule) -> None:
    """Remove a module (and its completions). The implementation guard notices if a role is left without one."""
    module.delete()


# --- Participants complete modules --------------------------------------------------------------------------


@dataclass(frozen=True)
class QuizResult:
    right: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.right / self.total) if self.total else 100


class QuizFailed(DomainError):
    """Below the pass mark; `wrong` holds the positions of the questions answered wrongly (not the answers)."""

    def __init__(self, message: str, *, result: QuizResult, wrong: list[int]) -> None:
        super().__init__(message)
        self.result = result
        self.wrong = wrong


def score_quiz(questions: list[OrientationQuestion], answers: Mapping[int, int]) -> tuple[QuizResult, list[int]]:
    """How many answers (question id → chosen index) are right, and the positions of the wrong ones."""
    wrong = [i for i, q in enumerate(questions) if answers.get(q.pk) != q.answer]
    return QuizResult(right=len(questions) - len(wrong), total=len(questions)), wrong


def _module_text(module: OrientationModule, language: str) -> OrientationText:
    text = module.text_for(language)
    if text is None:
        raise DomainError(_("This module has no text yet; the coordinator is writing it."))
    return text


@transaction.atomic
def orientation_complete(
    *,
    actor: User,
    module: OrientationModule,
    audiences: frozenset[str] | set[str],
    language: str,
    acknowledged: bool = False,
    answers: Mapping[int, int] | None = None,
) -> OrientationCompletion:
    """Mark a module done for `actor`: an acknowledgement, or a quiz at or above the pass mark.

    `audiences` are the reader's audiences in this programme (the view works them out). Completing twice
    returns the first completion. A quiz below the pass mark raises QuizFailed and records nothing.
    """
    if module.audience not in audiences:
        raise DomainError(_("This module is for %(audience)s.") % {"audience": module.get_audience_display().lower()})
    done = OrientationCompletion.objects.filter(module=module, person=actor).first()
    if done is not None:
        return done
    text = _module_text(module, language)
    score: int | None = None
    if module.is_quiz:
        questions = list(text.questions.all())
        result, wrong = score_quiz(questions, answers or {})
        if result.percent < module.pass_mark:
            message = _(
                "You answered %(right)d of %(total)d right (%(percent)d%%); the pass mark is %(mark)d%%. "
                "Read the module again and have another go."
            ) % {"right": result.right, "total": result.total, "percent": result.percent, "mark": module.pass_mark}
            raise QuizFailed(str(message), result=result, wrong=wrong)
        score = result.percent
    elif not acknowledged:
        raise DomainError(_("Tick the box to confirm that you have read and understood this module."))
    completion = OrientationCompletion(module=module, person=actor, language=text.language, score=score)
    completion.full_clean(exclude=["module", "person"], validate_unique=False)
    completion.save()
    programme_data_changed(module.programme_id)
    _advance_enrolments(actor=actor, programme_id=module.programme_id)
    return completion


def required_left(*, person_id: int, programme_id: int, audience: str) -> int:
    """How many required modules of `audience` the person has not finished (one query)."""
    return (
        OrientationModule.objects.filter(programme_id=programme_id, audience=audience, required=True)
        .exclude(completions__person_id=person_id)
        .count()
    )


def _advance_enrolments(*, actor: User, programme_id: int) -> None:
    """Accepted enrolments of `actor` whose required modules are now all done become oriented, then join the pool."""
    accepted = Enrolment.objects.select_for_update().filter(
        programme_id=programme_id, person=actor, state=Enrolment.State.ACCEPTED
    )
    for enrolment in accepted:
        audience = AUDIENCE_FOR_ROLE.get(enrolment.role)
        if audience is None or required_left(person_id=actor.pk, programme_id=programme_id, audience=audience):
            continue
        reason = str(_("Every required orientation module is done."))
        enrolment_move(actor=actor, enrolment=enrolment, to=Enrolment.State.ORIENTED, reason=reason)
        try:
            with transaction.atomic():
                enrolment_join_pool(actor=actor, enrolment=enrolment)
        except (TransitionBlocked, InvalidTransition):
            pass  # another gate (the profile) still holds it; the coordinator's pool refresh retries


# --- Reminders ----------------------------------------------------------------------------------------------


def _reminder_round(accepted_at: datetime, now: datetime) -> int | None:
    """Which reminder is due for an enrolment accepted at `accepted_at` (0, 1, 2), or None (too early, or done)."""
    waited = now - accepted_at
    if waited < FIRST_REMINDER:
        return None
    round_ = int((waited - FIRST_REMINDER) / REMINDER_EVERY)
    return round_ if round_ < MAX_REMINDERS else None


def reminder_key(enrolment_id: int, round_: int) -> str:
    """The first reminder shares its key with the support sweep's one-off reminder, so only one of them is sent."""
    base = f"{REMINDER_KIND}:{enrolment_id}"
    return base if round_ == 0 else f"{base}:{round_}"


def _waiting_enrolments(now: datetime) -> list[tuple[Enrolment, int]]:
    """Accepted enrolments in programmes in implementation with required modules left: (enrolment, how many).

    One statement with four counting subqueries, whatever the number of people or modules.
    """
    audience = OrientationModule.Audience
    mentor_side = (Enrolment.Role.MENTOR, Enrolment.Role.FACILITATOR)
    required = OrientationModule.objects.filter(programme=OuterRef("programme_id"), required=True)
    done = OrientationCompletion.objects.filter(
        person=OuterRef("person_id"), module__programme=OuterRef("programme_id"), module__required=True
    )

    rows = (
        Enrolment.objects.filter(
            state=Enrolment.State.ACCEPTED,
            programme__phase=Programme.Phase.IMPLEMENTATION,
            state_changed_at__lte=now - FIRST_REMINDER,
        )
        .select_related("person", "programme")
        .annotate(
            mentor_required=_count_subquery(required, "audience", audience.MENTOR),
            mentee_required=_count_subquery(required, "audience", audience.MENTEE),
            mentor_done=_count_subquery(done, "module__audience", audience.MENTOR),
            mentee_done=_count_subquery(done, "module__audience", audience.MENTEE),
        )
    )
    waiting: list[tuple[Enrolment, int]] = []
    for enrolment in rows:
        side = "mentor" if enrolment.role in mentor_side else "mentee"
        left = getattr(enrolment, f"{side}_required") - getattr(enrolment, f"{side}_done")
        if left > 0:
            waiting.append((enrolment, left))
    return waiting


def _count_subquery(rows: QuerySet[Any], path: str, audience: str) -> Coalesce:
    """COUNT(*) of `rows` restricted to one audience, as a scalar subquery (0 when none)."""
    filtered = rows.filter(**{path: audience}).order_by()
    counted = filtered.annotate(group=Value(1)).values("group").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted[:1], output_field=IntegerField()), Value(0))


def orientation_reminders_send(*, now: datetime | None = None) -> int:
    """Remind accepted participants who have not finished their required modules; returns rows written or found.

    Two days after acceptance, then weekly, three reminders in all. Each has a dedupe key, so running twice
    (a retry, a second worker, the support sweep's own orientation reminder) writes each reminder once.
    People who muted orientation reminders are skipped.
    """
    now = now or timezone.now()
    due: list[tuple[Enrolment, int, int]] = []  # (enrolment, reminder round, modules left)
    for enrolment, left in _waiting_enrolments(now):
        round_ = _reminder_round(enrolment.state_changed_at, now)
        if round_ is not None:
            due.append((enrolment, round_, left))
    people = {e.person_id for e, _round, _left in due}
    muted = set(
        NotificationMute.objects.filter(kind=REMINDER_KIND, user_id__in=people).values_list("user_id", flat=True)
    )
    written = 0
    for enrolment, round_, left in due:
        if enrolment.person_id in muted:
            continue
        rows = notification_create_many(
            recipients=[enrolment.person],
            kind=REMINDER_KIND,
            dedupe_key=_fixed_key(reminder_key(enrolment.pk, round_)),
            context={"programme": enrolment.programme.name, "left": left},
            url=orientation_url(enrolment.programme_id),
        )
        written += len(rows)
    return written


def _fixed_key(key: str) -> Callable[[User], str]:
    """A dedupe-key function for a row with one recipient."""
    return lambda _person: key
