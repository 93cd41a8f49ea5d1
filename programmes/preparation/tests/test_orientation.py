"""Orientation: the default set, reading and completing modules, the pool gate, the implementation guard,
the coordinator's completion report, module editing and reminders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from people.tests.factories import UserFactory
from programmes.core.errors import DomainError
from programmes.core.gates import pool_blockers
from programmes.core.lifecycle import guards_for
from programmes.enrolment.services.enrolment import enrolment_screen
from programmes.models import (
    AuditEvent,
    Enrolment,
    Notification,
    NotificationMute,
    OrientationCompletion,
    OrientationModule,
    Programme,
)
from programmes.preparation.guards import orientation_for_each_role
from programmes.preparation.orientation_content import DEFAULT_MODULES, QuizSyntaxError, parse_quiz
from programmes.preparation.selectors.orientation import orientation_completion_report, render_markdown
from programmes.preparation.services.orientation import (
    QuizFailed,
    orientation_complete,
    orientation_defaults_create,
    orientation_reminders_send,
)
from programmes.tests.design_helpers import new_programme
from programmes.tests.factories import EnrolmentCompetencyFactory, EnrolmentFactory, PoolEnrolmentFactory
from programmes.tests.matching_helpers import coordinator_of, matching_programme
from programmes.tests.preparation_helpers import module

pytestmark = pytest.mark.django_db
Audience = OrientationModule.Audience
MENTEES = frozenset({Audience.MENTEE})


# --- The default set ---------------------------------------------------------------------------------------------


def test_a_new_programme_gets_the_default_modules_for_every_audience_in_english_and_indonesian() -> None:
    programme = new_programme()
    modules = list(OrientationModule.objects.filter(programme=programme).prefetch_related("texts__questions"))
    assert {m.audience for m in modules} == set(Audience.values)
    assert len(modules) == sum(len(spec.audiences) for spec in DEFAULT_MODULES)
    for row in modules:
        assert {t.language for t in row.texts.all()} == {"en", "id"}
        if row.is_quiz:
            assert all(t.questions.count() >= 2 for t in row.texts.all())
    roles = next(m for m in modules if m.key == "roles" and m.audience == Audience.MENTOR)
    assert roles.required
    assert roles.is_quiz
    body = roles.text_for("en").body
    for word in ("Guiding", "Coaching", "Listening", "Counselling", "Teaching", "Modelling", "Giving feedback",
                 "Demonstrating", "Informing", "Facilitating"):  # fmt: skip
        assert word in body
    assert roles.text_for("id").title == "Apa yang dilakukan seorang mentor"
    # The implementation guard is satisfied by the defaults.
    assert orientation_for_each_role(programme) == []


def test_adding_the_defaults_again_adds_nothing_and_keeps_the_coordinators_edits() -> None:
    programme = new_programme()
    row = OrientationModule.objects.get(programme=programme, audience=Audience.MENTEE, key="process")
    row.texts.filter(language="en").update(title="Our process")
    row.texts.filter(language="id").delete()
    assert orientation_defaults_create(actor=None, programme=programme) == 0
    assert row.texts.get(language="en").title == "Our process"
    OrientationModule.objects.filter(programme=programme, key="help").delete()
    assert orientation_defaults_create(actor=None, programme=programme) == len(Audience.values)


def test_the_quiz_format_reads_questions_and_names_the_line_of_a_mistake() -> None:
    questions = parse_quiz("? Who sets the agenda?\n- the mentor\n+ the mentee\n\n? Two?\n+ yes\n- no\n")
    assert [(q.prompt, q.answer, len(q.choices)) for q in questions] == [("Who sets the agenda?", 1, 2), ("Two?", 0, 2)]
    with pytest.raises(QuizSyntaxError, match="Line 3"):
        parse_quiz("? Who?\n- a\n* b\n")
    with pytest.raises(QuizSyntaxError, match="right choice"):
        parse_quiz("? Who?\n- a\n- b\n")
    with pytest.raises(QuizSyntaxError, match="only one"):
        parse_quiz("? Who?\n+ a\n+ b\n")


# --- Reading --------------------------------------------------------------------------------------------------


def test_markdown_is_rendered_and_anything_dangerous_is_removed() -> None:
    html = render_markdown(
        "# Title\n\n**bold** [ok](https://example.com) [bad](javascript:alert(1))\n\n"
        "<script>alert(1)</script><img src=x onerror=alert(1)>\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert "<h1>Title</h1>" in html
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.com"' in html
    assert 'rel="noopener noreferrer"' in html
    assert "<table>" in html
    for bad in ("<script", "javascript:", "onerror", "<img"):
        assert bad not in html


def test_a_reader_sees_each_module_in_their_own_language(client: Client) -> None:
    programme = new_programme()
    mentee = EnrolmentFactory(programme=programme, state=Enrolment.State.ACCEPTED).person
    mentee.preferred_language = "id"
    mentee.save()
    client.force_login(mentee)
    page = client.get(reverse("programmes:orientation", args=[programme.pk]))
    assert "Cara kerja program mentoring terfasilitasi" in page.content.decode()
    assert "How a facilitated mentoring programme works" not in page.content.decode()
    process = OrientationModule.objects.get(programme=programme, audience=Audience.MENTEE, key="process")
    page = client.get(reverse("programmes:orientation_module", args=[programme.pk, process.pk]))
    assert "Penilaian kebutuhan" in page.content.decode()


def test_a_mentee_cannot_open_or_complete_a_mentors_module(client: Client) -> None:
    programme = matching_programme()
    mentee = EnrolmentFactory(programme=programme, state=Enrolment.State.ACCEPTED).person
    mentors_module = module(programme, Audience.MENTOR)
    client.force_login(mentee)
    url = reverse("programmes:orientation_module", args=[programme.pk, mentors_module.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"acknowledged": "on"}).status_code == 404
    assert not OrientationCompletion.objects.exists()


# --- Completing ----------------------------------------------------------------------------------------------


def test_an_acknowledgement_needs_the_box_ticked_then_completes_once() -> None:
    programme = matching_programme()
    person = UserFactory()
    row = module(programme)
    with pytest.raises(DomainError, match="Tick the box"):
        orientation_complete(actor=person, module=row, audiences=MENTEES, language="en")
    first = orientation_complete(actor=person, module=row, audiences=MENTEES, language="en", acknowledged=True)
    again = orientation_complete(actor=person, module=row, audiences=MENTEES, language="en", acknowledged=True)
    assert first.pk == again.pk
    assert first.score is None
    assert first.language == "en"


def test_a_quiz_below_the_pass_mark_records_nothing_and_says_which_questions_to_revisit() -> None:
    programme = matching_programme()
    person = UserFactory()
    quiz = [("Q1", ["a", "b"], 1), ("Q2", ["a", "b"], 0), ("Q3", ["a", "b", "c"], 2)]
    row = module(programme, quiz=quiz, pass_mark=66)
    questions = list(row.texts.get().questions.order_by("position"))
    wrong_twice = {questions[0].pk: 1, questions[1].pk: 1, questions[2].pk: 0}
    with pytest.raises(QuizFailed) as failed:
        orientation_complete(actor=person, module=row, audiences=MENTEES, language="en", answers=wrong_twice)
    assert failed.value.wrong == [1, 2]
    assert "1 of 3 right (33%); the pass mark is 66%" in str(failed.value.message)
    assert not OrientationCompletion.objects.exists()
    two_right = {questions[0].pk: 1, questions[1].pk: 0, questions[2].pk: 0}
    done = orientation_complete(actor=person, module=row, audiences=MENTEES, language="en", answers=two_right)
    assert done.score == 67


def test_a_failed_quiz_in_the_browser_form_keeps_the_page_and_lists_the_questions(client: Client) -> None:
    programme = matching_programme()
    person = EnrolmentFactory(programme=programme, state=Enrolment.State.ACCEPTED).person
    row = module(programme, quiz=[("Who sets the agenda?", ["mentor", "mentee"], 1)])
    question = row.texts.get().questions.get()
    client.force_login(person)
    url = reverse("programmes:orientation_module", args=[programme.pk, row.pk])
    page = client.post(url, {f"q{question.pk}": "0"})
    assert page.status_code == 200
    assert "the pass mark is 80%" in page.content.decode()
    assert page.context["wrong"] == [0]
    page = client.post(url, {})
    assert "Choose an answer." in page.content.decode()
    response = client.post(url, {f"q{question.pk}": "1"})
    assert response.status_code == 302
    assert OrientationCompletion.objects.get(person=person, module=row).score == 100


# --- The pool gate and the implementation guard -----------------------------------------------------------------------


def _accepted_mentee(programme: Programme) -> Enrolment:
    enrolment = PoolEnrolmentFactory(programme=programme, role=Enrolment.Role.MENTEE, state=Enrolment.State.SCREENING)
    EnrolmentCompetencyFactory(enrolment=enrolment)
    return enrolment


def test_no_matching_pool_without_the_required_modules_of_ones_role() -> None:
    programme = matching_programme()
    first = module(programme, key="one")
    second = module(programme, key="two")
    module(programme, key="optional", required=False)
    module(programme, Audience.MENTOR, key="mentors-only")
    enrolment = _accepted_mentee(programme)
    enrolment = enrolment_screen(actor=coordinator_of(programme), enrolment=enrolment, accept=True)
    assert enrolment.state == Enrolment.State.ACCEPTED
    assert "Finish the orientation: 2 required modules are left." in pool_blockers(enrolment)

    person = enrolment.person
    orientation_complete(actor=person, module=first, audiences=MENTEES, language="en", acknowledged=True)
    enrolment.refresh_from_db()
    assert enrolment.state == Enrolment.State.ACCEPTED
    assert "1 required module is left." in pool_blockers(enrolment)[0]

    orientation_complete(actor=person, module=second, audiences=MENTEES, language="en", acknowledged=True)
    enrolment.refresh_from_db()
    assert enrolment.state == Enrolment.State.AVAILABLE  # the optional and the mentors' modules do not count
    moves = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Enrolment), object_id=enrolment.pk
    ).values_list("from_state", "to_state")
    assert list(moves)[-2:] == [("accepted", "oriented"), ("oriented", "available")]


def test_orientation_done_but_another_gate_failing_leaves_the_enrolment_oriented() -> None:
    programme = matching_programme()
    only = module(programme)
    enrolment = EnrolmentFactory(programme=programme, state=Enrolment.State.ACCEPTED)  # no profile yet
    orientation_complete(actor=enrolment.person, module=only, audiences=MENTEES, language="en", acknowledged=True)
    enrolment.refresh_from_db()
    assert enrolment.state == Enrolment.State.ORIENTED
    assert not any("orientation" in b for b in pool_blockers(enrolment))


def test_a_programme_enters_implementation_only_with_a_required_module_for_mentors_and_for_mentees() -> None:
    programme = matching_programme(phase=Programme.Phase.DESIGN)
    assert "orientation" in guards_for(Programme.Phase.DESIGN, Programme.Phase.IMPLEMENTATION)

    def messages() -> list[str]:
        return [str(b.message) for b in orientation_for_each_role(programme)]

    assert messages() == [
        "Add at least one required orientation module for mentors.",
        "Add at least one required orientation module for mentees.",
    ]
    module(programme, Audience.MENTOR, required=False)
    module(programme, Audience.MENTEE)
    assert messages() == ["Add at least one required orientation module for mentors."]
    module(programme, Audience.MENTOR, key="mentors")
    assert messages() == []


# --- The coordinator's report -----------------------------------------------------------------------------------


def _people(programme: Programme, n: int) -> list[Enrolment]:
    return [EnrolmentFactory(programme=programme, state=Enrolment.State.ACCEPTED) for _ in range(n)]


def test_the_completion_report_counts_per_module_and_per_person_in_a_fixed_number_of_queries(
    django_assert_num_queries: object,
) -> None:
    programme = matching_programme()
    first, second = module(programme, key="one"), module(programme, key="two")
    module(programme, Audience.MENTOR, key="mentor")
    people = _people(programme, 3)
    for enrolment in people[:2]:
        orientation_complete(actor=enrolment.person, module=first, audiences=MENTEES, language="en", acknowledged=True)
    orientation_complete(actor=people[0].person, module=second, audiences=MENTEES, language="en", acknowledged=True)

    report = orientation_completion_report(programme=programme, language="en")
    done = {row.module.key: (row.done, row.expected) for row in report.modules}
    assert done == {"one": (2, 3), "two": (1, 3), "mentor": (0, 0)}
    by_person = {row.person_id: (row.done, row.required) for row in report.people if row.audience == "mentee"}
    assert by_person == {people[0].person_id: (2, 2), people[1].person_id: (1, 2), people[2].person_id: (0, 2)}
    assert report.totals["mentee"] == (1, 3)
    assert report.totals["coordinator"] == (1, 1)  # no coordinators' module is required here

    with django_assert_num_queries(5):  # type: ignore[operator]
        orientation_completion_report(programme=programme, language="en")
    many = _people(programme, 20)
    for enrolment in many:
        orientation_complete(actor=enrolment.person, module=first, audiences=MENTEES, language="en", acknowledged=True)
    with django_assert_num_queries(5):  # type: ignore[operator]
        report = orientation_completion_report(programme=programme, language="en")
    assert len(report.people) == 23 + 1


def test_the_coordinator_sees_completion_on_the_manage_page(client: Client) -> None:
    programme = matching_programme()
    row = module(programme, key="one")
    enrolment = _people(programme, 1)[0]
    orientation_complete(actor=enrolment.person, module=row, audiences=MENTEES, language="en", acknowledged=True)
    client.force_login(coordinator_of(programme))
    page = client.get(reverse("programmes:orientation_manage", args=[programme.pk]))
    assert page.status_code == 200
    assert [m.done for m in page.context["report"].modules] == [1]
    assert str(enrolment.person) in page.content.decode()


# --- Editing modules --------------------------------------------------------------------------------------------------


def _module_post(**overrides: str) -> dict[str, str]:
    data = {
        "audience": "mentee",
        "position": "5",
        "minutes": "7",
        "required": "on",
        "check_kind": "quiz",
        "pass_mark": "100",
        "title_en": "Our ground rules",
        "body_en": "Be on time.",
        "quiz_en": "? Be on time?\n+ yes\n- no",
        "title_id": "Aturan dasar kami",
        "body_id": "Datang tepat waktu.",
        "quiz_id": "? Tepat waktu?\n+ ya\n- tidak",
    }
    data.update(overrides)
    return data


def test_a_coordinator_writes_a_module_with_a_quiz_in_both_languages(client: Client) -> None:
    programme = matching_programme()
    client.force_login(coordinator_of(programme))
    response = client.post(reverse("programmes:orientation_module_create", args=[programme.pk]), _module_post())
    assert response.status_code == 302
    row = OrientationModule.objects.get(programme=programme)
    assert (row.key, row.minutes, row.pass_mark, row.is_quiz) == ("our-ground-rules", 7, 100, True)
    assert row.text_for("id").questions.get().choices == ["ya", "tidak"]
    edit = reverse("programmes:orientation_module_edit", args=[programme.pk, row.pk])
    page = client.get(edit)
    assert "+ yes\n- no" in page.context["form"].initial["quiz_en"]
    client.post(edit, _module_post(title_id="", body_id="", quiz_id="", check_kind="acknowledge"))
    row.refresh_from_db()
    assert row.check_kind == "acknowledge"
    assert [t.language for t in row.texts.all()] == ["en"]


def test_a_quiz_typo_is_reported_on_its_field_and_nothing_is_saved(client: Client) -> None:
    programme = matching_programme()
    client.force_login(coordinator_of(programme))
    page = client.post(
        reverse("programmes:orientation_module_create", args=[programme.pk]), _module_post(quiz_en="? Q\n* a\n")
    )
    assert page.status_code == 200
    assert "Line 2" in page.context["form"].errors["quiz_en"][0]
    page = client.post(
        reverse("programmes:orientation_module_create", args=[programme.pk]), _module_post(quiz_id="", title_id="x")
    )
    assert "A quiz needs at least one question" in page.content.decode() or "title and a text" in page.content.decode()
    assert not OrientationModule.objects.filter(programme=programme).exists()


# --- Reminders --------------------------------------------------------------------------------------------------------


def test_reminders_go_once_each_to_accepted_people_with_required_modules_left() -> None:
    programme = matching_programme()
    only = module(programme)
    module(programme, Audience.MENTOR, key="mentors")
    now = timezone.now()
    waiting, done, fresh, muted = _people(programme, 4)
    Enrolment.objects.filter(pk__in=[waiting.pk, done.pk, muted.pk]).update(state_changed_at=now - timedelta(days=3))
    orientation_complete(actor=done.person, module=only, audiences=MENTEES, language="en", acknowledged=True)
    Enrolment.objects.filter(pk=done.pk).update(state=Enrolment.State.ACCEPTED)  # as if another gate held it
    NotificationMute.objects.create(user=muted.person, kind="orientation_incomplete")

    assert orientation_reminders_send(now=now) == 1
    assert orientation_reminders_send(now=now) == 1  # the same row, found again: nothing new
    row = Notification.objects.get(kind="orientation_incomplete")
    assert (row.recipient, row.dedupe_key, row.context["left"]) == (
        waiting.person,
        f"orientation_incomplete:{waiting.pk}",
        1,
    )
    assert row.url == reverse("programmes:orientation", args=[programme.pk])
    assert not Notification.objects.filter(recipient=fresh.person).exists()  # accepted today: too early
    # A week later the second reminder; after three, the coordinator's overview takes over.
    orientation_reminders_send(now=now + timedelta(days=7))
    orientation_reminders_send(now=now + timedelta(days=14))
    orientation_reminders_send(now=now + timedelta(days=21))
    keys = sorted(Notification.objects.filter(recipient=waiting.person).values_list("dedupe_key", flat=True))
    assert keys == [f"orientation_incomplete:{waiting.pk}", f"orientation_incomplete:{waiting.pk}:1",
                    f"orientation_incomplete:{waiting.pk}:2"]  # fmt: skip
    assert not Notification.objects.filter(recipient__in=[done.person, muted.person]).exists()


def test_reminders_only_run_for_programmes_in_implementation() -> None:
    programme = matching_programme(phase=Programme.Phase.DESIGN)
    module(programme)
    enrolment = _people(programme, 1)[0]
    Enrolment.objects.filter(pk=enrolment.pk).update(state_changed_at=timezone.now() - timedelta(days=3))
    assert orientation_reminders_send() == 0


def test_the_beat_schedule_runs_the_orientation_reminders() -> None:
    from mentoring.celery import app

    entry = next(
        e
        for e in app.conf.beat_schedule.values()
        if e["task"] == "programmes.tasks_orientation.send_orientation_reminders"
    )
    assert entry["schedule"] >= timedelta(minutes=5)
    app.loader.import_default_modules()
    assert "programmes.tasks_orientation.send_orientation_reminders" in app.tasks
