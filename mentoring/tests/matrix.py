"""The permission matrix: every URL of the project, what each persona gets, and the effect when allowed.

Each app lists its cases in `<app>/tests/permission_cases*.py` modules (each a module-level `CASES: list[Case]`);
mentoring/tests/test_permission_matrix.py walks every URL pattern of the project and fails when one has
no case, so no view can be added unguarded. (After NetBox's utilities/testing/views.py.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpResponse

PERSONAS = ("anonymous", "outsider", "mentee", "mentor", "coordinator", "hr_analyst", "admin")

# Status codes by meaning, so cases read as a sentence.
LOGIN = 302  # anonymous: redirected to the login page
OK = 200
REDIRECT = 302  # done, then post/redirect/get
FORBIDDEN = 403  # in scope, not allowed
NOT_FOUND = 404  # out of scope


@dataclass
class Case:
    """One URL, one method: the expected status per persona, and an optional effect check.

    `url` and `data` take the Personas fixture (conftest.Personas) and return the path and the POST data.
    `check(response, personas, persona)` runs when the persona got a 2xx/3xx and asserts the effect
    (the object changed, the page shows what it should and nothing it should not).
    `setup(personas)` runs before each persona's request, for cases that need fresh objects.
    """

    name: str  # the URL pattern's name, "namespace:name"
    url: Callable[[Any], str]
    expect: dict[str, int]
    method: str = "get"
    data: Callable[[Any], dict[str, Any]] | None = None
    check: Callable[[HttpResponse, Any, str], None] | None = None
    setup: Callable[[Any], None] | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing = set(PERSONAS) - set(self.expect)
        if missing:
            raise ValueError(f"{self.name}: no expected status for {sorted(missing)}")

    @property
    def id(self) -> str:
        return f"{self.method.upper()} {self.name}"


def everyone(status: int, **overrides: int) -> dict[str, int]:
    """Signed-in personas all get `status`; anonymous goes to the login page; overrides win."""
    expect = dict.fromkeys(PERSONAS, status)
    expect["anonymous"] = LOGIN
    expect.update(overrides)
    return expect
