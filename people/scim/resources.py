"""SCIM resources ↔ our rows: how a User and a Group look in SCIM, and how SCIM writes change them."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.urls import reverse

from people.models import ScimGroup, User

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"


class ScimError(Exception):
    """A request SCIM answers with an error body (RFC 7644 §3.12)."""

    def __init__(self, status: int, detail: str, scim_type: str = "") -> None:
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"schemas": [ERROR_SCHEMA], "status": str(self.status), "detail": self.detail}
        if self.scim_type:
            body["scimType"] = self.scim_type
        return body


def _iso(value: Any) -> str:
    return value.isoformat() if value else ""


def user_to_scim(user: User) -> dict[str, Any]:
    enterprise: dict[str, Any] = {"employeeNumber": user.employee_number}
    if user.manager_id:
        enterprise["manager"] = {"value": str(user.manager_id)}
    return {
        "schemas": [USER_SCHEMA, ENTERPRISE],
        "id": str(user.pk),
        "externalId": user.external_id,
        "userName": user.email,
        "name": {"formatted": user.full_name},
        "displayName": user.full_name,
        "emails": [{"value": user.email, "type": "work", "primary": True}],
        "title": user.job_title,
        "preferredLanguage": user.preferred_language,
        "active": user.is_active,
        ENTERPRISE: enterprise,
        "meta": {
            "resourceType": "User",
            "created": _iso(user.date_joined),
            "location": reverse("scim:user", args=[user.pk]),
        },
    }


def group_to_scim(group: ScimGroup, *, members: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "schemas": [GROUP_SCHEMA],
        "id": str(group.pk),
        "externalId": group.external_id,
        "displayName": group.display_name,
        "meta": {
            "resourceType": "Group",
            "created": _iso(group.created_at),
            "lastModified": _iso(group.updated_at),
            "location": reverse("scim:group", args=[group.pk]),
        },
    }
    if members:
        body["members"] = [{"value": str(m.pk), "display": m.full_name} for m in group.members.all()]
    return body


def as_bool(value: Any) -> bool:
    """Entra sends booleans, and sometimes the strings "True"/"False"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    raise ScimError(400, f"{value!r} is not a boolean.", "invalidValue")


def _email_of(body: dict[str, Any]) -> str:
    emails = body.get("emails") or []
    primary = [e for e in emails if isinstance(e, dict) and e.get("primary") in (True, "true", "True")]
    work = [e for e in emails if isinstance(e, dict) and e.get("type") == "work"]
    for entry in primary + work + [e for e in emails if isinstance(e, dict)]:
        if entry.get("value"):
            return str(entry["value"])
    return str(body.get("userName") or "")


def checked_email(value: str) -> str:
    email = value.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ScimError(400, f"{value!r} is not an e-mail address; people sign in with one.", "invalidValue") from None
    return email


def _name_of(body: dict[str, Any]) -> str:
    name = body.get("name") or {}
    formatted = name.get("formatted") if isinstance(name, dict) else ""
    parts = [name.get("givenName", ""), name.get("familyName", "")] if isinstance(name, dict) else []
    return str(body.get("displayName") or formatted or " ".join(p for p in parts if p)).strip()


def user_fields_from_scim(body: dict[str, Any]) -> dict[str, Any]:
    """The fields a full SCIM User body (POST or PUT) sets; manager and active are handled by the caller."""
    email = checked_email(_email_of(body))
    enterprise = body.get(ENTERPRISE) or {}
    language = str(body.get("preferredLanguage") or "").split("-")[0].lower()
    fields: dict[str, Any] = {
        "email": email,
        "full_name": _name_of(body) or email,
        "external_id": str(body.get("externalId") or ""),
        "job_title": str(body.get("title") or ""),
        "employee_number": str(enterprise.get("employeeNumber") or ""),
    }
    if language in dict(User.Language.choices):
        fields["preferred_language"] = language
    return fields


def manager_id_of(value: Any) -> int | None:
    """Entra sends the manager as {"value": id} or as the bare id; empty removes it."""
    raw = value.get("value") if isinstance(value, dict) else value
    if raw in (None, ""):
        return None
    try:
        return int(str(raw))
    except (TypeError, ValueError):
        raise ScimError(400, f"Unknown manager {raw!r}.", "invalidValue") from None


# --- PATCH ------------------------------------------------------------------------------------------------------

_MEMBER_FILTER = re.compile(r'^members\[value eq "(?P<id>[^"]+)"\]$', re.IGNORECASE)


def patch_operations(body: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(op, path, value) for each operation, ops lower-cased; a path-less op is split into one per attribute."""
    if PATCH_SCHEMA not in (body.get("schemas") or []):
        raise ScimError(400, "A PATCH body must name the PatchOp schema.", "invalidSyntax")
    result: list[tuple[str, str, Any]] = []
    for operation in body.get("Operations") or []:
        if not isinstance(operation, dict):
            raise ScimError(400, "Each operation must be an object.", "invalidSyntax")
        op = str(operation.get("op", "")).lower()
        if op not in {"add", "replace", "remove"}:
            raise ScimError(400, f"Unknown operation {operation.get('op')!r}.", "invalidSyntax")
        path, value = str(operation.get("path") or ""), operation.get("value")
        if not path and isinstance(value, dict):
            result += [(op, key, item) for key, item in value.items()]
        else:
            result.append((op, path, value))
    return result


_USER_PATHS = {
    "username": "email",
    'emails[type eq "work"].value': "email",
    "emails": "emails",
    "displayname": "full_name",
    "name.formatted": "full_name",
    "name.givenname": "given_name",
    "name.familyname": "family_name",
    "name": "name",
    "externalid": "external_id",
    "title": "job_title",
    "active": "active",
    "preferredlanguage": "preferred_language",
    f"{ENTERPRISE}:employeenumber".lower(): "employee_number",
    f"{ENTERPRISE}:manager".lower(): "manager",
    ENTERPRISE.lower(): "enterprise",
}


def user_patch_changes(operations: list[tuple[str, str, Any]]) -> dict[str, Any]:
    """The User fields a PATCH sets, by our names ("remove" sets a blank); attributes we do not keep are ignored."""
    changes: dict[str, Any] = {}
    for op, path, value in operations:
        field = _USER_PATHS.get(path.lower())
        value = None if op == "remove" else value
        if field == "emails":
            changes["email"] = _email_of({"emails": value or []})
        elif field == "name":
            changes["full_name"] = _name_of({"name": value or {}})
        elif field == "enterprise":
            value = value or {}
            if "employeeNumber" in value:
                changes["employee_number"] = value["employeeNumber"]
            if "manager" in value:
                changes["manager"] = value["manager"]
        elif field:
            changes[field] = value
    return changes


def member_ids(value: Any) -> list[int]:
    items = value if isinstance(value, list) else [value]
    ids = []
    for item in items:
        raw = item.get("value") if isinstance(item, dict) else item
        try:
            ids.append(int(str(raw)))
        except (TypeError, ValueError):
            raise ScimError(400, f"Unknown member {raw!r}.", "invalidValue") from None
    return ids


def member_filter_id(path: str) -> int | None:
    match = _MEMBER_FILTER.match(path)
    return member_ids(match.group("id"))[0] if match else None


# --- Filters ----------------------------------------------------------------------------------------------------

_FILTER = re.compile(r'^\s*(?P<attr>[\w.:\[\]" ]+?)\s+eq\s+"(?P<value>(?:[^"\\]|\\.)*)"\s*$', re.IGNORECASE)


def parse_filter(text: str, allowed: dict[str, str]) -> tuple[str, str] | None:
    """`attr eq "value"` → (our field, value); the one filter form Entra and Okta send."""
    if not text:
        return None
    match = _FILTER.match(text)
    if not match or match.group("attr").lower() not in allowed:
        raise ScimError(400, f"Filter not supported: {text}", "invalidFilter")
    return allowed[match.group("attr").lower()], match.group("value").replace('\\"', '"')
