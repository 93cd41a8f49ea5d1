"""Submit a page's form as a browser would: every field with the value the page pre-filled, and a date or
datetime-local input that holds anything but an ISO value sent empty (browsers sanitise such values to "",
which is how Indonesian pages lost their dates)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

ISO = {"date": re.compile(r"^\d{4}-\d{2}-\d{2}$"), "datetime-local": re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")}


class _Form(HTMLParser):
    """The fields of the first form whose action is `action` ("." for a form posting to its own page) or
    whose data-testid is `action`."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.done = action, False, False
        self.fields: list[tuple[str, str]] = []
        self.inputs: dict[str, str] = {}  # name → type, for date checks
        self._select: str | None = None
        self._selected: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        target = a.get("action", "") or "."  # a form without an action posts to its own page (pass ".")
        if tag == "form" and not self.done and self.action in (target, a.get("data-testid", "")):
            self.inside = True
        if not self.inside:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text")
            self.inputs[name] = kind
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file"):
                value = a.get("value", "")
                if kind in ISO and not ISO[kind].match(value):
                    value = ""
                self.fields.append((name, value))
        elif tag == "select" and name:
            self._select, self._selected, self._first_option = name, None, None
        elif tag == "option" and self._select:
            value = a.get("value", "")
            self._first_option = value if self._first_option is None else self._first_option
            if "selected" in a:
                self._selected = value
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if not self.inside:
            return
        if tag == "select" and self._select:
            self.fields.append(
                (self._select, self._selected if self._selected is not None else self._first_option or "")
            )
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, self._text))
            self._textarea = None
        elif tag == "form":
            self.inside, self.done = False, True


def prefilled(html: str, action: str) -> dict[str, Any]:
    """The data a browser would post from the form: pre-filled values, non-ISO date values dropped."""
    parser = _Form(action)
    parser.feed(html)
    assert parser.done, f"no form for {action!r} on the page"
    data: dict[str, Any] = {}
    for name, value in parser.fields:
        if name in data:
            data[name] = [*data[name], value] if isinstance(data[name], list) else [data[name], value]
        else:
            data[name] = value
    return data
