"""Permission cases for orientation, mentoring agreements, development plans and the preparation overview (issue 5).

The world: the personas' programme in implementation with a module for mentees and one for mentors, the mentor
and mentee personas in an accepted pair with a drafted agreement, and the mentee's plan with one goal shared
with their manager. In the personas the mentor persona is also the mentee's manager, so the mentor reads the
manager's page (and the managers' modules) as well.

Who gets what (see programmes/permissions_preparation.py):
- orientation: people with an audience (participants, managers of mentees, coordinators); HR 403; outsiders 404;
  a module of another audience 404, except for coordinators, who preview every module but complete their own;
- module management and the preparation overview: coordinators; HR analysts and participants 403; outsiders 404;
- the agreement: members read and write, coordinators read; HR 403; anyone else 404;
- the plan: the mentee (everything), the mentor (progress, status, comments), coordinators (read, comment);
  HR 403; anyone else 404; the manager's page: the mentee's manager; mentee, coordinators and HR 403.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone

from mentoring.tests.matrix import FORBIDDEN, NOT_FOUND, OK, REDIRECT, Case, everyone
from people.tests.factories import CompetencyFactory
from programmes.models import (
    Agreement,
    AgreementSignature,
    DevelopmentGoal,
    Enrolment,
    GoalComment,
    GoalProgress,
    OrientationCompletion,
    OrientationModule,
    Programme,
    Relationship,
)
from programmes.preparation.services.agreements import agreement_draft_for, current_version
from programmes.preparation.services.development import GoalInput, development_goal_create
from programmes.tests.factories import RelationshipFactory, RelationshipMemberFactory
from programmes.tests.preparation_helpers import fill_expectations, module

CASES: list[Case] = []

COORDINATORS = everyone(FORBIDDEN, outsider=NOT_FOUND, coordinator=OK, admin=OK)
COORDINATORS_POST = everyone(FORBIDDEN, outsider=NOT_FOUND, coordinator=REDIRECT, admin=REDIRECT)
READERS = everyone(OK, outsider=NOT_FOUND, hr_analyst=FORBIDDEN)  # orientation: everyone with an audience
MEMBERS_READ = everyone(OK, outsider=NOT_FOUND, hr_analyst=FORBIDDEN)  # members and coordinators
MEMBERS_WRITE = everyone(FORBIDDEN, outsider=NOT_FOUND, mentee=OK, mentor=OK)
MEMBERS_POST = everyone(FORBIDDEN, outsider=NOT_FOUND, mentee=REDIRECT, mentor=REDIRECT)
OWNER = everyone(FORBIDDEN, outsider=NOT_FOUND, mentee=OK)
OWNER_POST = everyone(FORBIDDEN, outsider=NOT_FOUND, mentee=REDIRECT)
MANAGER = everyone(FORBIDDEN, outsider=NOT_FOUND, mentor=OK)
MANAGER_POST = everyone(FORBIDDEN, outsider=NOT_FOUND, mentor=REDIRECT)


def _world(p: Any) -> Any:
    """Build the world once per test (the personas fixture is fresh for each)."""
    if hasattr(p, "s5"):
        return p.s5
    Programme.objects.filter(pk=p.programme.pk).update(
        phase=Programme.Phase.IMPLEMENTATION, term_months=6, meeting_cadence_days=14
    )
    p.programme.refresh_from_db()
    world = type("World", (), {})()
    world.mentee_module = module(p.programme, OrientationModule.Audience.MENTEE, key="mentees")
    world.mentor_module = module(p.programme, OrientationModule.Audience.MENTOR, key="mentors")
    world.mentee_enrolment = Enrolment.objects.get(programme=p.programme, person=p.mentee)
    world.mentor_enrolment = Enrolment.objects.get(programme=p.programme, person=p.mentor)
    relationship = RelationshipFactory(programme=p.programme, state=Relationship.State.ACCEPTED)
    RelationshipMemberFactory(relationship=relationship, enrolment=world.mentor_enrolment, response="accepted")
    RelationshipMemberFactory(relationship=relationship, enrolment=world.mentee_enrolment, response="accepted")
    world.relationship = relationship
    world.goal = development_goal_create(
        actor=p.mentee,
        enrolment=world.mentee_enrolment,
        data=GoalInput(
            competency=CompetencyFactory(code="NEG", name="Negotiation"),
            business_goal=None,
            statement="Shared goal: lead a pricing review.",
            target_level=4,
            due_on=timezone.localdate() + timedelta(days=90),
            baseline_level=2,
            shared_with_manager=True,
        ),
    )
    world.agreement = agreement_draft_for(relationship)
    fill_expectations(world.agreement)
    p.s5 = world
    return world


def _setup(p: Any) -> None:
    _world(p)


def _programme_url(name: str, *extra: Any) -> Any:
    return lambda p: reverse(f"programmes:{name}", args=[p.programme.pk, *extra])


def _agreement_url(name: str, *extra: Any) -> Any:
    return lambda p: reverse(f"programmes:{name}", args=[p.programme.pk, _world(p).relationship.pk, *extra])


def _plan_url(name: str) -> Any:
    return lambda p: reverse(f"programmes:{name}", args=[p.programme.pk, _world(p).mentee_enrolment.pk])


def _goal_url(name: str) -> Any:
    return lambda p: reverse(
        f"programmes:{name}", args=[p.programme.pk, _world(p).mentee_enrolment.pk, _world(p).goal.pk]
    )


# --- Orientation ------------------------------------------------------------------------------------------------


def _reader_sees_own_audiences(response: HttpResponse, p: Any, persona: str) -> None:
    if persona == "anonymous":
        return
    audiences = {section.audience for section in response.context["sections"]}
    expected = {"mentee": {"mentee"}, "mentor": {"mentor"}, "coordinator": set(), "admin": set()}[persona]
    assert audiences == expected  # the coordinator persona has no coordinators' module in this world


def _fresh_completion(p: Any) -> None:
    OrientationCompletion.objects.filter(module=_world(p).mentee_module).delete()


def _completed_by_mentee_only(response: HttpResponse, p: Any, persona: str) -> None:
    done = set(OrientationCompletion.objects.filter(module=_world(p).mentee_module).values_list("person_id", flat=True))
    assert done == ({p.mentee.pk} if persona == "mentee" else set())


def _module_post(p: Any) -> dict[str, str]:
    return {
        "audience": "mentee",
        "position": "1",
        "minutes": "5",
        "required": "on",
        "check_kind": "acknowledge",
        "pass_mark": "80",
        "title_en": "Matrix module",
        "body_en": "Text",
    }


def _module_created(response: HttpResponse, p: Any, persona: str) -> None:
    created = OrientationModule.objects.filter(programme=p.programme, texts__title="Matrix module").exists()
    assert created == (persona in ("coordinator", "admin"))
    OrientationModule.objects.filter(programme=p.programme, texts__title="Matrix module").delete()


def _edit_module_setup(p: Any) -> None:
    world = _world(p)
    world.mentor_module.texts.update(title="mentors title")


def _module_edited(response: HttpResponse, p: Any, persona: str) -> None:
    edited = _world(p).mentor_module.texts.filter(title="Matrix module").exists()
    assert edited == (persona in ("coordinator", "admin"))


def _delete_setup(p: Any) -> None:
    world = _world(p)
    world.doomed = module(p.programme, OrientationModule.Audience.MANAGER, key="doomed")


def _deleted(response: HttpResponse, p: Any, persona: str) -> None:
    gone = not OrientationModule.objects.filter(pk=_world(p).doomed.pk).exists()
    assert gone == (persona in ("coordinator", "admin"))


def _defaults_added(response: HttpResponse, p: Any, persona: str) -> None:
    count = OrientationModule.objects.filter(programme=p.programme).count()
    assert (count > 2) == (persona in ("coordinator", "admin"))
    OrientationModule.objects.filter(programme=p.programme).exclude(key__in=["mentees", "mentors"]).delete()


CASES += [
    Case(
        name="programmes:orientation",
        url=_programme_url("orientation"),
        expect=READERS,
        setup=_setup,
        check=_reader_sees_own_audiences,
    ),
    Case(
        name="programmes:orientation_module",
        url=lambda p: reverse("programmes:orientation_module", args=[p.programme.pk, _world(p).mentee_module.pk]),
        # The mentor persona reads the mentors' and the managers' modules, not the mentees'.
        expect=everyone(OK, outsider=NOT_FOUND, mentor=NOT_FOUND, hr_analyst=FORBIDDEN),
        setup=_setup,
    ),
    Case(
        name="programmes:orientation_module",
        url=lambda p: reverse("programmes:orientation_module", args=[p.programme.pk, _world(p).mentee_module.pk]),
        method="post",
        data=lambda p: {"acknowledged": "on"},
        # Coordinators preview every module but complete only their own audience's.
        expect=everyone(FORBIDDEN, outsider=NOT_FOUND, mentor=NOT_FOUND, mentee=REDIRECT),
        setup=_fresh_completion,
        check=_completed_by_mentee_only,
    ),
    Case(
        name="programmes:orientation_manage",
        url=_programme_url("orientation_manage"),
        expect=COORDINATORS,
        setup=_setup,
    ),
    Case(
        name="programmes:orientation_module_create",
        url=_programme_url("orientation_module_create"),
        expect=COORDINATORS,
        setup=_setup,
    ),
    Case(
        name="programmes:orientation_module_create",
        url=_programme_url("orientation_module_create"),
        method="post",
        data=_module_post,
        expect=COORDINATORS_POST,
        setup=_setup,
        check=_module_created,
    ),
    Case(
        name="programmes:orientation_module_edit",
        url=lambda p: reverse("programmes:orientation_module_edit", args=[p.programme.pk, _world(p).mentor_module.pk]),
        expect=COORDINATORS,
        setup=_setup,
    ),
    Case(
        name="programmes:orientation_module_edit",
        url=lambda p: reverse("programmes:orientation_module_edit", args=[p.programme.pk, _world(p).mentor_module.pk]),
        method="post",
        data=lambda p: {**_module_post(p), "audience": "mentor"},
        expect=COORDINATORS_POST,
        setup=_edit_module_setup,
        check=_module_edited,
    ),
    Case(
        name="programmes:orientation_module_delete",
        url=lambda p: reverse("programmes:orientation_module_delete", args=[p.programme.pk, _world(p).doomed.pk]),
        method="post",
        expect=COORDINATORS_POST,
        setup=_delete_setup,
        check=_deleted,
    ),
    Case(
        name="programmes:orientation_defaults",
        url=_programme_url("orientation_defaults"),
        method="post",
        expect=COORDINATORS_POST,
        setup=_setup,
        check=_defaults_added,
    ),
]

# --- The agreement --------------------------------------------------------------------------------------------------


def _shows_the_agreement(response: HttpResponse, p: Any, persona: str) -> None:
    if persona == "anonymous":
        return
    assert response.context["version"].agreement_id == _world(p).agreement.pk
    assert response.context["can_write"] == (persona in ("mentee", "mentor"))


def _agreement_post(p: Any) -> dict[str, Any]:
    version = current_version(_world(p).agreement)
    return {
        "number": version.number,
        "revision": version.revision,
        "meeting_cadence_days": 10,
        "meeting_minutes": 50,
        "channels": ["video"],
        "mentee_expects": "Matrix expectations",
        "mentor_expects": "Matrix expectations too",
        "goals": "",
        "confidentiality": "Between us.",
        "starts_on": version.starts_on.isoformat(),
        "ends_on": version.ends_on.isoformat(),
        "terms": "",
        "no_fault_clause": "No blame.",
    }


def _reset_version(p: Any) -> None:
    world = _world(p)
    version = current_version(world.agreement)
    version.meeting_minutes = 60
    version.save()


def _edited_by_members_only(response: HttpResponse, p: Any, persona: str) -> None:
    changed = current_version(_world(p).agreement).meeting_minutes == 50
    assert changed == (persona in ("mentee", "mentor"))


def _unsigned(p: Any) -> None:
    AgreementSignature.objects.filter(version__agreement=_world(p).agreement).delete()


def _signed_by_mentee_only(response: HttpResponse, p: Any, persona: str) -> None:
    signers = set(
        AgreementSignature.objects.filter(version__agreement=_world(p).agreement).values_list("person_id", flat=True)
    )
    # Everyone types the mentee persona's name: only the mentee's own signature can count.
    assert signers == ({p.mentee.pk} if persona == "mentee" else set())


def _no_first_meeting(p: Any) -> None:
    Agreement.objects.filter(pk=_world(p).agreement.pk).update(first_meeting_at=None, first_meeting_recorded_by=None)


def _first_meeting_by_members(response: HttpResponse, p: Any, persona: str) -> None:
    recorded = Agreement.objects.get(pk=_world(p).agreement.pk).first_meeting_recorded_by_id
    assert recorded == {"mentee": p.mentee.pk, "mentor": p.mentor.pk}.get(persona)


CASES += [
    Case(
        name="programmes:agreement",
        url=_agreement_url("agreement"),
        expect=MEMBERS_READ,
        setup=_setup,
        check=_shows_the_agreement,
    ),
    Case(name="programmes:agreement_edit", url=_agreement_url("agreement_edit"), expect=MEMBERS_WRITE, setup=_setup),
    Case(
        name="programmes:agreement_edit",
        url=_agreement_url("agreement_edit"),
        method="post",
        data=_agreement_post,
        expect=MEMBERS_POST,
        setup=_reset_version,
        check=_edited_by_members_only,
    ),
    Case(
        name="programmes:agreement_sign",
        url=_agreement_url("agreement_sign"),
        method="post",
        data=lambda p: {"number": current_version(_world(p).agreement).number, "typed_name": p.mentee.full_name},
        expect=MEMBERS_POST,
        setup=_unsigned,
        check=_signed_by_mentee_only,
    ),
    Case(
        name="programmes:agreement_first_meeting",
        url=_agreement_url("agreement_first_meeting"),
        method="post",
        data=lambda p: {"met_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")},
        expect=MEMBERS_POST,
        setup=_no_first_meeting,
        check=_first_meeting_by_members,
    ),
    Case(
        name="programmes:agreement_version",
        url=_agreement_url("agreement_version", 1),
        expect=MEMBERS_READ,
        setup=_setup,
        check=_shows_the_agreement,
    ),
    Case(
        name="programmes:agreement_print",
        url=_agreement_url("agreement_print", 1),
        expect=MEMBERS_READ,
        setup=_setup,
        check=_shows_the_agreement,
    ),
]

# --- The development plan -------------------------------------------------------------------------------------------


def _plan_shows_the_goal(response: HttpResponse, p: Any, persona: str) -> None:
    if persona == "anonymous":
        return
    assert [card.goal for card in response.context["cards"]] == [_world(p).goal]


def _goal_post(p: Any) -> dict[str, Any]:
    return {
        "competency": _world(p).goal.competency_id,
        "statement": "Matrix goal",
        "baseline_level": "1",
        "target_level": "3",
        "due_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
    }


def _goal_created(response: HttpResponse, p: Any, persona: str) -> None:
    created = DevelopmentGoal.objects.filter(statement="Matrix goal")
    assert created.exists() == (persona == "mentee")
    created.delete()


def _reset_goal(p: Any) -> None:
    world = _world(p)
    DevelopmentGoal.objects.filter(pk=world.goal.pk).update(
        statement="Shared goal: lead a pricing review.", status="open", shared_with_manager=True
    )


def _goal_edited(response: HttpResponse, p: Any, persona: str) -> None:
    statement = DevelopmentGoal.objects.get(pk=_world(p).goal.pk).statement
    assert (statement == "Matrix goal") == (persona == "mentee")


def _status_moved(response: HttpResponse, p: Any, persona: str) -> None:
    status = DevelopmentGoal.objects.get(pk=_world(p).goal.pk).status
    assert (status == "on_track") == (persona in ("mentee", "mentor"))


def _no_progress(p: Any) -> None:
    GoalProgress.objects.filter(goal=_world(p).goal).delete()


def _progress_added(response: HttpResponse, p: Any, persona: str) -> None:
    assert GoalProgress.objects.filter(goal=_world(p).goal).exists() == (persona in ("mentee", "mentor"))


def _no_comment(p: Any) -> None:
    GoalComment.objects.filter(goal=_world(p).goal).delete()


def _commented(response: HttpResponse, p: Any, persona: str) -> None:
    commented = GoalComment.objects.filter(goal=_world(p).goal).exists()
    assert commented == (persona in ("mentee", "mentor", "coordinator", "admin"))


def _unshared(response: HttpResponse, p: Any, persona: str) -> None:
    shared = DevelopmentGoal.objects.get(pk=_world(p).goal.pk).shared_with_manager
    assert shared == (persona != "mentee")


def _manager_sees_shared_goal(response: HttpResponse, p: Any, persona: str) -> None:
    if persona == "anonymous":
        return
    assert [item.goal for item in response.context["goals"]] == [_world(p).goal]


def _unacknowledged(p: Any) -> None:
    world = _world(p)
    type(world.goal.plan).objects.filter(pk=world.goal.plan_id).update(manager_acknowledged_at=None)


def _acknowledged_by_manager(response: HttpResponse, p: Any, persona: str) -> None:
    plan = type(_world(p).goal.plan).objects.get(pk=_world(p).goal.plan_id)
    assert (plan.manager_acknowledged_by_id == p.mentor.pk) == (persona == "mentor")


PAIR_POST = everyone(FORBIDDEN, outsider=NOT_FOUND, mentee=REDIRECT, mentor=REDIRECT)

CASES += [
    Case(name="programmes:plan", url=_plan_url("plan"), expect=MEMBERS_READ, setup=_setup, check=_plan_shows_the_goal),
    Case(name="programmes:goal_create", url=_plan_url("goal_create"), expect=OWNER, setup=_setup),
    Case(
        name="programmes:goal_create",
        url=_plan_url("goal_create"),
        method="post",
        data=_goal_post,
        expect=OWNER_POST,
        setup=_setup,
        check=_goal_created,
    ),
    Case(name="programmes:goal_edit", url=_goal_url("goal_edit"), expect=OWNER, setup=_setup),
    Case(
        name="programmes:goal_edit",
        url=_goal_url("goal_edit"),
        method="post",
        data=_goal_post,
        expect=OWNER_POST,
        setup=_reset_goal,
        check=_goal_edited,
    ),
    Case(
        name="programmes:goal_status",
        url=_goal_url("goal_status"),
        method="post",
        data=lambda p: {"status": "on_track", "note": ""},
        expect=PAIR_POST,
        setup=_reset_goal,
        check=_status_moved,
    ),
    Case(
        name="programmes:goal_progress",
        url=_goal_url("goal_progress"),
        method="post",
        data=lambda p: {
            f"p{_world(p).goal.pk}-recorded_on": timezone.localdate().isoformat(),
            f"p{_world(p).goal.pk}-level": "3",
        },
        expect=PAIR_POST,
        setup=_no_progress,
        check=_progress_added,
    ),
    Case(
        name="programmes:goal_comment",
        url=_goal_url("goal_comment"),
        method="post",
        data=lambda p: {f"c{_world(p).goal.pk}-body": "Matrix comment"},
        expect=everyone(REDIRECT, outsider=NOT_FOUND, hr_analyst=FORBIDDEN),
        setup=_no_comment,
        check=_commented,
    ),
    Case(
        name="programmes:goal_share",
        url=_goal_url("goal_share"),
        method="post",
        data=lambda p: {},
        expect=OWNER_POST,
        setup=_reset_goal,
        check=_unshared,
    ),
    Case(
        name="programmes:plan_manager",
        url=_plan_url("plan_manager"),
        expect=MANAGER,
        setup=_setup,
        check=_manager_sees_shared_goal,
    ),
    Case(
        name="programmes:plan_acknowledge",
        url=_plan_url("plan_acknowledge"),
        method="post",
        expect=MANAGER_POST,
        setup=_unacknowledged,
        check=_acknowledged_by_manager,
    ),
    Case(name="programmes:preparation", url=_programme_url("preparation"), expect=COORDINATORS, setup=_setup),
]
