"""The users of bench/load.py's load test: each role does what it does on its pages, as a browser would.

Run by bench/load.py, which starts the servers, picks the accounts and signs them in through the log-in
page before the clock starts (Argon2 is slow on purpose; BENCH_ACCOUNTS, a JSON file, carries each one's
session cookies) and reads the records this file writes (BENCH_RECORDS, one JSON line per request).

- Mentor: home page, the relationship's support page, the session form, logs a session (POST).
- Mentee (of the same pair): the support page, opens a session the mentor logged and confirms it (POST);
  with nothing to confirm, reads the session log.
- Coordinator: the big programme's dashboard, the story programme's dashboard, the match review, matching.
- HR analyst: the cross-programme report, the big programme's report, the pilot's report, the API.
- Baseline: /health/signed-in/ (the same middleware as a page, then one query) and /health/.
- Hammer (BENCH_PAGE): one page in a loop without pause, for the page's throughput.

Every request carries `X-Bench-Name: <phase>|<page>` (gunicorn logs it beside its own timing) and
`X-Forwarded-Proto: https`, as the TLS proxy the production settings expect would send.
"""

from __future__ import annotations

import http.cookies
import itertools
import json
import os
import random
import re
from datetime import datetime, timedelta
from typing import Any, ClassVar

from locust import between, constant, events, task
from locust.contrib.fasthttp import FastHttpUser

ACCOUNTS: dict[str, Any] = json.loads(open(os.environ["BENCH_ACCOUNTS"], encoding="utf-8").read())  # noqa: SIM115
PHASE = os.environ.get("BENCH_PHASE", "mix")
THINK = tuple(float(x) for x in os.environ.get("BENCH_THINK", "0.5,1.5").split(","))
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TO_CONFIRM = re.compile(r'href="(/programmes/\d+/relationships/\d+/sessions/(\d+)/)">Confirm the session')
CONFIRM_FORM = re.compile(r'action="(/programmes/\d+/relationships/\d+/sessions/\d+/confirm/)"')
# Mentor n and mentee n are the two people of pair n, so what one logs the other confirms.
_mentors, _mentees = itertools.count(), itertools.count()
_records = open(os.environ["BENCH_RECORDS"], "a", encoding="utf-8")  # noqa: SIM115 - closed at quit


@events.request.add_listener
def _record(name: str, response_time: float, exception: Exception | None, start_time: float, **kw: Any) -> None:
    response = kw.get("response")
    status = getattr(response, "status_code", 0) or 0
    line = {"phase": PHASE, "name": name, "start": start_time, "ms": response_time, "status": status}
    line["ok"] = exception is None
    _records.write(json.dumps(line) + "\n")


@events.quitting.add_listener
def _close(**_kw: Any) -> None:
    _records.close()


def _counts() -> dict[str, int]:
    """BENCH_USERS="Mentor=4,Mentee=3,...": how many of each role."""
    spec = os.environ.get("BENCH_USERS", "")
    return {k: int(v) for k, v in (item.split("=") for item in spec.split(",") if item)}


class Browser(FastHttpUser):
    """A signed-in person: signs in once, then every request is checked for its expected status."""

    abstract = True
    wait_time = between(*THINK)
    default_headers: ClassVar[dict[str, str]] = {"X-Forwarded-Proto": "https", "Accept-Language": "en"}
    email = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Our own jar: the production cookies are Secure `__Host-` ones, which must go back over loopback
        # HTTP (the pretend proxy terminated TLS); a browser-like jar keeps them to itself.
        self.cookies: dict[str, str] = {}

    def page(self, name: str, path: str, expect: int = 200, **kwargs: Any) -> str:
        headers = {"X-Bench-Name": f"{PHASE}|{name}", **kwargs.pop("headers", {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        with self.client.request(
            kwargs.pop("method", "GET"),
            path,
            name=name,
            headers=headers,
            allow_redirects=False,
            catch_response=True,
            **kwargs,
        ) as response:
            for header, value in (response.headers or {}).items():
                if header.lower() == "set-cookie":
                    self.cookies.update({k: m.value for k, m in http.cookies.SimpleCookie(value).items()})
            if response.status_code != expect:
                response.failure(f"{path}: {response.status_code}, expected {expect}")
                return ""
            return response.text or ""

    def post(self, name: str, path: str, data: dict[str, Any], referer: str, expect: int = 302) -> str:
        origin = "https://" + self.host.split("://", 1)[1]
        headers = {"Referer": origin + referer, "Origin": origin, "Content-Type": "application/x-www-form-urlencoded"}
        body = "&".join(f"{k}={_quote(v)}" for k, values in data.items() for v in _listed(values))
        return self.page(name, path, expect, method="POST", data=body, headers=headers)

    def sign_in(self, email: str) -> None:
        """Take the session bench/load.py opened for this account (signing in is Argon2: slow on purpose)."""
        self.email = email
        self.cookies.update(ACCOUNTS["cookies"][email])


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _quote(value: Any) -> str:
    from urllib.parse import quote_plus

    return quote_plus(str(value))


class Mentor(Browser):
    """Logs the sessions of one pair of the big programme."""

    def on_start(self) -> None:
        self.pair = ACCOUNTS["pairs"][next(_mentors) % len(ACCOUNTS["pairs"])]
        self.sign_in(self.pair["mentor"])
        self.base = f"/programmes/{self.pair['programme']}/relationships/{self.pair['relationship']}/"

    @task
    def log_a_session(self) -> None:
        self.page("home", "/")
        self.page("relationship support", self.base + "support/")
        form = self.page("session form", self.base + "sessions/new/")
        token = CSRF_INPUT.search(form)
        if not token:
            return
        # One session a day back from yesterday, at a random hour: each logged session has its own slot.
        self.logged = getattr(self, "logged", 0) + 1
        held = datetime.now() - timedelta(days=self.logged, hours=random.randint(0, 8))
        data = {
            "csrfmiddlewaretoken": token[1],
            "status": "held",
            "held_at": held.strftime("%Y-%m-%dT%H:%M"),
            "minutes": 45,
            "mode": "video",
            "topics": "Load test: the first weeks in the team",
            "mentor_roles": ["coaching", "listening"],
            "shared_notes": "Talked through the onboarding plan.",
        }
        self.post("session log (POST)", self.base + "sessions/new/", data, self.base + "sessions/new/")


class Mentee(Browser):
    """Confirms what her mentor logged (the mentee of the same pair as the Mentor with the same number)."""

    def on_start(self) -> None:
        self.pair = ACCOUNTS["pairs"][next(_mentees) % len(ACCOUNTS["pairs"])]
        self.sign_in(self.pair["mentee"])
        self.base = f"/programmes/{self.pair['programme']}/relationships/{self.pair['relationship']}/"

    @task
    def confirm(self) -> None:
        support = self.page("relationship support", self.base + "support/")
        link = TO_CONFIRM.search(support)
        if not link:
            self.page("session list", self.base + "sessions/")
            return
        detail = self.page("session detail", link[1])
        form = CONFIRM_FORM.search(detail)
        token = CSRF_INPUT.search(detail)
        if form and token:
            self.post("session confirm (POST)", form[1], {"csrfmiddlewaretoken": token[1]}, link[1])


class Coordinator(Browser):
    """Runs the programmes: dashboards and the match review."""

    def on_start(self) -> None:
        self.sign_in(ACCOUNTS["coordinator"])

    @task(3)
    def dashboard(self) -> None:
        self.page("dashboard (big programme)", ACCOUNTS["pages"]["dashboard"])

    @task(1)
    def story_dashboard(self) -> None:
        self.page("dashboard (story programme)", ACCOUNTS["pages"]["dashboard_story"])

    @task(2)
    def match_review(self) -> None:
        self.page("match review", ACCOUNTS["pages"]["match_review"])

    @task(1)
    def matching(self) -> None:
        self.page("matching", ACCOUNTS["pages"]["matching"])


class HR(Browser):
    """Reads outcome reports and the API."""

    def on_start(self) -> None:
        self.sign_in(ACCOUNTS["hr"])

    @task(2)
    def reports(self) -> None:
        self.page("reports (all programmes)", ACCOUNTS["pages"]["reports"])

    @task(2)
    def report(self) -> None:
        self.page("report (big programme)", ACCOUNTS["pages"]["report"])

    @task(1)
    def pilot_report(self) -> None:
        self.page("report (pilot)", ACCOUNTS["pages"]["report_pilot"])

    @task(1)
    def api_programmes(self) -> None:
        self.page("api programmes", "/api/programmes/")

    @task(1)
    def api_results(self) -> None:
        self.page("api results", ACCOUNTS["pages"]["api_results"])


class Baseline(Browser):
    """The floor: a signed-in request doing one query, and the anonymous /health/."""

    def on_start(self) -> None:
        self.sign_in(ACCOUNTS["coordinator"])

    @task(3)
    def signed_in(self) -> None:
        self.page("baseline (signed in, 1 query)", "/health/signed-in/")

    @task(1)
    def health(self) -> None:
        self.page("health (anonymous)", "/health/")


# The pages a Hammer can be pointed at (BENCH_PAGE), with who reads them.
HAMMER_PAGES = {
    "baseline (signed in, 1 query)": ("coordinator", "/health/signed-in/"),
    "dashboard (big programme)": ("coordinator", ACCOUNTS["pages"]["dashboard"]),
    "match review": ("coordinator", ACCOUNTS["pages"]["match_review"]),
    "report (big programme)": ("hr", ACCOUNTS["pages"]["report"]),
    "reports (all programmes)": ("hr", ACCOUNTS["pages"]["reports"]),
}


class Hammer(Browser):
    """One page in a loop without pause: its throughput (the phase's only kind of user)."""

    wait_time = constant(0)

    def on_start(self) -> None:
        self.name = os.environ.get("BENCH_PAGE", "baseline (signed in, 1 query)")
        role, self.path = HAMMER_PAGES[self.name]
        self.sign_in(ACCOUNTS[role])

    @task
    def hammer(self) -> None:
        self.page(self.name, self.path)


for _cls, _n in _counts().items():
    globals()[_cls].fixed_count = _n
