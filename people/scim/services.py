"""SCIM writes: each request is one transaction, checked before it is saved; deactivation hands work back."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from people.models import ScimGroup, User
from people.services.deactivation import person_deactivate, person_reactivate

from .resources import ScimError, as_bool, checked_email, manager_id_of, member_filter_id, member_ids

DEACTIVATED_REASON = "Deactivated by the identity provider (SCIM)."


def _save(user: User) -> User:
    if User.objects.filter(email__iexact=user.email).exclude(pk=user.pk).exists():
        raise ScimError(409, f"Someone else already has the e-mail address {user.email}.", "uniqueness")
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise ScimError(
            400, "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()), "invalidValue"
        ) from exc
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise ScimError(409, "That change would break a uniqueness rule.", "uniqueness") from None
    return user


def _apply(user: User, changes: dict[str, Any]) -> User:
    """Set our fields from SCIM changes; then the manager line; then (de)activation, last, through its service."""
    if "given_name" in changes or "family_name" in changes:
        words = (user.full_name or "").split(" ", 1)
        given = changes.pop("given_name", words[0]) or ""
        family = changes.pop("family_name", words[1] if len(words) > 1 else "") or ""
        changes.setdefault("full_name", f"{given} {family}".strip())
    for field in ("email", "full_name", "external_id", "job_title", "employee_number", "preferred_language"):
        if field in changes:
            value = str(changes[field] or "")
            setattr(user, field, checked_email(value) if field == "email" else value)
    if not user.full_name:
        user.full_name = user.email
    if "manager" in changes:
        manager_id = manager_id_of(changes["manager"])
        if manager_id is not None and not User.objects.filter(pk=manager_id).exists():
            raise ScimError(400, f"Unknown manager {manager_id}.", "invalidValue")
        if manager_id == user.pk:
            raise ScimError(400, "A person cannot be their own manager.", "invalidValue")
        user.manager_id = manager_id
    _save(user)
    if "active" in changes:
        active = as_bool(changes["active"])
        if not active and user.is_active:
            user = person_deactivate(person=user, reason=DEACTIVATED_REASON)
        elif active and not user.is_active:
            user = person_reactivate(person=user)
    return user


@transaction.atomic
def scim_user_create(*, fields: dict[str, Any], active: Any = True, manager: Any = None) -> User:
    """A person the identity provider creates; an existing person with that e-mail is refused (409), as SCIM says."""
    user = User(email=fields["email"], full_name=fields["full_name"])
    user.set_unusable_password()
    changes = {**fields, "active": active}
    if manager is not None:
        changes["manager"] = manager
    return _apply(user, changes)


@transaction.atomic
def scim_user_update(*, user: User, changes: dict[str, Any]) -> User:
    """PUT (all fields) or PATCH (some): the same checks, one transaction."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    return _apply(locked, dict(changes))


@transaction.atomic
def scim_group_create(*, display_name: str, external_id: str, members: Any = None) -> ScimGroup:
    if not display_name.strip():
        raise ScimError(400, "A group needs a displayName.", "invalidValue")
    if ScimGroup.objects.filter(display_name=display_name).exists():
        raise ScimError(409, f"A group named {display_name!r} exists already.", "uniqueness")
    group = ScimGroup.objects.create(display_name=display_name, external_id=external_id)
    if members:
        _add_members(group, member_ids(members))
    return group


def _add_members(group: ScimGroup, ids: list[int]) -> None:
    found = set(User.objects.filter(pk__in=ids).values_list("pk", flat=True))
    missing = sorted(set(ids) - found)
    if missing:
        raise ScimError(400, f"Unknown members: {', '.join(map(str, missing))}.", "invalidValue")
    group.members.add(*found)


@transaction.atomic
def scim_group_patch(*, group: ScimGroup, operations: list[tuple[str, str, Any]]) -> ScimGroup:
    """Add/remove members (Entra sends `members` with a list, or `members[value eq "id"]`), rename."""
    locked = ScimGroup.objects.select_for_update().get(pk=group.pk)
    for op, path, value in operations:
        key = path.lower()
        if key == "members" and op in {"add", "replace"}:
            if op == "replace":
                locked.members.clear()
            _add_members(locked, member_ids(value or []))
        elif key == "members" and op == "remove" and value:
            locked.members.remove(*member_ids(value))
        elif key == "members" and op == "remove":
            locked.members.clear()
        elif key.startswith("members["):
            member = member_filter_id(path)
            if member is None:
                raise ScimError(400, f"Path not supported: {path}", "invalidPath")
            locked.members.remove(member)
        elif key == "displayname":
            if ScimGroup.objects.filter(display_name=value).exclude(pk=locked.pk).exists():
                raise ScimError(409, f"A group named {value!r} exists already.", "uniqueness")
            locked.display_name = str(value)
        elif key == "externalid":
            locked.external_id = str(value or "")
        else:
            raise ScimError(400, f"Path not supported: {path}", "invalidPath")
    locked.save()
    return locked
