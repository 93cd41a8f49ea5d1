"""A query on every request's path, compiled by the ORM once per process and database, then only bound.

Building and compiling a queryset with subqueries costs the ORM about 2 ms of CPU, several times what the
database spends answering it. `Prepared` builds the queryset from placeholder values on first use, keeps its
SQL, and runs it afterwards as a raw query with the request's values in the placeholders' places. The query
stays written in the ORM, so its rules (what "unread" means, say) keep one definition.

Only single-table querysets (no select_related: a raw query maps columns by name) whose values are ids or
datetimes compared with DateTimeFields; `Prepared` checks what it can on first use.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)

_placeholders = itertools.count(-7_000_000_001, -1)  # ids no row has


def _placeholder(kind: type) -> Any:
    number = next(_placeholders)
    if kind is datetime.datetime:
        return datetime.datetime(1901, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(seconds=-number)
    return number


class Prepared(Generic[M]):
    """`build(**values)` compiled once per database; `run(**values)` gives its rows.

    `kinds` names each value and its type (int or datetime.datetime).
    """

    def __init__(self, build: Callable[..., QuerySet[M]], **kinds: type) -> None:
        self._build = build
        self._kinds = kinds
        self._compiled: dict[str, tuple[type[M], str, list[tuple[str | None, Any, bool]]]] = {}

    def run(self, *, using: str = "default", **values: Any) -> list[M]:
        model, sql, slots = self._compiled.get(using) or self._compile(using)
        ops = connections[using].ops
        params = [
            fixed if name is None else ops.adapt_datetimefield_value(values[name]) if adapted else values[name]
            for name, fixed, adapted in slots
        ]
        return list(model._default_manager.db_manager(using).raw(sql, params))

    def _compile(self, using: str) -> tuple[type[M], str, list[tuple[str | None, Any, bool]]]:
        """Compile with one set of placeholders, then again with each value's changed: a parameter that moves
        with a value is that value's slot; the others are fixed parts of the query."""
        first = {name: _placeholder(kind) for name, kind in self._kinds.items()}
        queryset = self._build(**first).using(using)
        if queryset.query.select_related:
            raise ValueError("a prepared query cannot follow relations (select_related)")
        sql, params = queryset.query.sql_with_params()
        slots: list[tuple[str | None, Any, bool]] = [(None, value, False) for value in params]
        for name, kind in self._kinds.items():
            other_sql, moved = self._build(**(first | {name: _placeholder(kind)})).using(using).query.sql_with_params()
            assert other_sql == sql, "a prepared query's SQL must not depend on its values"
            for i, (before, after) in enumerate(zip(params, moved, strict=True)):
                if before != after:
                    slots[i] = (name, None, before != first[name])  # changed by the backend: adapt it alike
        compiled = (queryset.model, sql, slots)
        self._compiled[using] = compiled
        return compiled
