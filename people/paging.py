"""Pages of a long list: a page of rows and the links to the pages beside it, keeping the other filters.

Every page that lists people or pairs shows at most a page of them, so the page costs the same whatever the
size of the organisation: one count and one sliced query (Django's Paginator), whatever page is asked for.
A wrong or too large page number shows the nearest page rather than an error. A sortable list sorts in the
database, before the page is cut (`sort_links` gives its column headers), never just the rows on screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest


@dataclass
class Pager:
    """One page of rows, and the query strings of the previous and next pages (None at either end)."""

    page: Page[Any]
    param: str
    previous_query: str | None
    next_query: str | None

    @property
    def rows(self) -> list[Any]:
        return list(self.page.object_list)


def page_query(request: HttpRequest, param: str, number: int) -> str:
    """The query string of this request with `param` set to page `number` (the other filters kept)."""
    query = request.GET.copy()
    query[param] = str(number)
    return "?" + query.urlencode()


def paginate(request: HttpRequest, items: QuerySet[Any] | Sequence[Any], per_page: int, param: str = "page") -> Pager:
    """The page `?<param>=` asks for (the first by default); `items` must be ordered."""
    page = Paginator(items, per_page).get_page(request.GET.get(param))
    return Pager(
        page=page,
        param=param,
        previous_query=page_query(request, param, page.previous_page_number()) if page.has_previous() else None,
        next_query=page_query(request, param, page.next_page_number()) if page.has_next() else None,
    )


@dataclass
class SortLink:
    """A column header that sorts the whole list: its key, label, link, and the aria-sort it shows now."""

    key: str
    label: str
    query: str
    state: str  # "ascending", "descending", or "" when the list is not sorted by this column


def sort_links(
    request: HttpRequest, columns: Sequence[tuple[str, str, bool]], param: str = "sort", page_param: str = "page"
) -> list[SortLink]:
    """Header links for `columns` (key, label, descending first?): `?sort=key` or `?sort=-key`, a second click
    reverses the order, and a new order starts again at the first page (the other filters are kept)."""
    current = request.GET.get(param, "")
    links = []
    for key, label, descending_first in columns:
        if current in (key, f"-{key}"):
            state = "descending" if current.startswith("-") else "ascending"
            following = key if current.startswith("-") else f"-{key}"
        else:
            state, following = "", f"-{key}" if descending_first else key
        query = request.GET.copy()
        query[param] = following
        query.pop(page_param, None)
        links.append(SortLink(key, str(label), "?" + query.urlencode(), state))
    return links
