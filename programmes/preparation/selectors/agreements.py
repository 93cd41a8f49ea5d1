"""Agreement pages' queries: the current version with its signatures, the history, and what activation waits for."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch
from django.utils.translation import gettext

from people.models import User
from programmes.models import Agreement, AgreementSignature, AgreementVersion, Relationship, RelationshipMember


@dataclass
class MemberSignature:
    member: RelationshipMember
    signature: AgreementSignature | None


@dataclass
class AgreementPage:
    agreement: Agreement
    relationship: Relationship
    version: AgreementVersion
    versions: Sequence[AgreementVersion]  # newest first, each with `signature_count`
    members: list[MemberSignature]
    blockers: list[str]
    my_signature: AgreementSignature | None
    i_am_member: bool

    @property
    def is_current(self) -> bool:
        return self.version.number == self.versions[0].number

    @property
    def fully_signed(self) -> bool:
        return all(m.signature is not None for m in self.members)


def _version(agreement: Agreement, number: int | None) -> AgreementVersion | None:
    rows = AgreementVersion.objects.filter(agreement=agreement).prefetch_related(
        Prefetch("signatures", queryset=AgreementSignature.objects.select_related("person")),
        "linked_goals__competency",
    )
    if number is not None:
        rows = rows.filter(number=number)
    return rows.order_by("-number").first()


def agreement_page(*, agreement: Agreement, user: User, number: int | None = None) -> AgreementPage | None:
    """Everything the agreement page shows for version `number` (the current one by default); None if no such version.

    A fixed number of queries whatever the number of versions or members.
    """
    version = _version(agreement, number)
    if version is None:
        return None
    relationship = agreement.relationship
    versions = list(
        AgreementVersion.objects.filter(agreement=agreement)
        .annotate(signature_count=Count("signatures"))
        .order_by("-number")
    )
    members = list(relationship.members.select_related("enrolment__person").order_by("role", "pk"))
    by_person = {s.person_id: s for s in version.signatures.all()}
    rows = [MemberSignature(m, by_person.get(m.enrolment.person_id)) for m in members]
    blockers = activation_blockers(relationship) if relationship.state == Relationship.State.ACCEPTED else []
    return AgreementPage(
        agreement=agreement,
        relationship=relationship,
        version=version,
        versions=versions,
        members=rows,
        blockers=blockers,
        my_signature=by_person.get(user.pk),
        i_am_member=any(m.enrolment.person_id == user.pk for m in members),
    )


def current_version(agreement: Agreement) -> AgreementVersion:
    """The latest version (every agreement has one from the moment it is drafted)."""
    version = agreement.versions.order_by("-number").first()
    assert version is not None, "an agreement is drafted with its first version"
    return version


def unsigned_members(version: AgreementVersion, members: Sequence[RelationshipMember]) -> list[RelationshipMember]:
    """The members who have not signed `version` yet."""
    signed = set(version.signatures.values_list("person_id", flat=True))
    return [m for m in members if m.enrolment.person_id not in signed]


def _members(relationship: Relationship) -> list[RelationshipMember]:
    return list(relationship.members.select_related("enrolment__person").order_by("pk"))


def activation_blockers(relationship: Relationship) -> list[str]:
    """What keeps an accepted relationship from becoming active, in words (empty when nothing does)."""
    agreement = Agreement.objects.filter(relationship=relationship).first()
    if agreement is None:
        return [gettext("The agreement has not been drafted yet.")]
    version = current_version(agreement)
    blockers = []
    unsigned = unsigned_members(version, _members(relationship))
    if unsigned:
        names = ", ".join(str(m.enrolment.person) for m in unsigned)
        blockers.append(
            gettext("Version %(n)d still needs the signature of %(names)s.") % {"n": version.number, "names": names}
        )
    if agreement.first_meeting_at is None:
        blockers.append(gettext("Record your first meeting."))
    return blockers


@dataclass(frozen=True)
class AgreedTerms:
    """What the signed agreement says about rhythm and end: the cadence (days) and the last day."""

    cadence_days: int
    ends_on: date


def agreed_terms(relationship_ids: Sequence[int]) -> dict[int, AgreedTerms]:
    """The latest signed version's cadence and end of each relationship that has one (one query).

    The reminders, the inactivity checks and the term sweep follow these; a relationship without a signed
    agreement falls back to the programme's policy.
    """
    rows = (
        AgreementVersion.objects.filter(agreement__relationship_id__in=relationship_ids, signatures__isnull=False)
        .order_by("agreement__relationship_id", "-number")
        .values_list("agreement__relationship_id", "meeting_cadence_days", "ends_on")
        .distinct()
    )
    # The newest signed version comes first per relationship; DISTINCT ON would do this in SQL, but only on
    # PostgreSQL, and `make run` sweeps on SQLite.
    terms: dict[int, AgreedTerms] = {}
    for pk, cadence, ends_on in rows:
        terms.setdefault(pk, AgreedTerms(cadence, ends_on))
    return terms
