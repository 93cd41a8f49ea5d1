"""CI's production job: deploy as the README says, then visit every page every demo role can reach.

1. A throwaway PostgreSQL database on the server DATABASE_URL points at; migrate; seed the demo (with
   DEBUG on: seed_demo refuses to load demo accounts into a production process).
2. `collectstatic` with DEBUG off, i.e. with whitenoise's compressed manifest storage, into a temporary
   STATIC_ROOT (a vendored file naming a missing source map fails here).
3. gunicorn with DEBUG off on the collected files, on loopback and a free port, behind a pretend TLS
   proxy (every request carries `X-Forwarded-Proto: https`, as the README's proxy must send).
4. /health/ says 200; each demo role signs in and follows every link and htmx GET it is shown (a few
   of each URL shape), every static file the pages name and the source maps those name. Any 5xx, or a
   static file that is not served, fails the job. The roles crawl at the same time (one thread each), so
   both gunicorn workers are busy while the crawler parses.

Run by `.ci/prod-smoke` (from `.ci/run`); needs DATABASE_URL (PostgreSQL); REDIS_URL is used when set.
"""

from __future__ import annotations

import collections
import concurrent.futures
import html.parser
import http.cookies
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit, urlunsplit

import psycopg2
import requests

BASE_DIR = Path(__file__).resolve().parent.parent
PY = str(BASE_DIR / ".venv" / "bin" / "python")
PASSWORD = "mentoring-demo-2026"  # noqa: S105 - the published demo password (README)
ROLES = ["coordinator", "mentor", "mentee", "manager", "hr", "admin"]
PER_SHAPE = 2  # visit at most this many URLs of one shape (/programmes/N/sessions/N/) per role
# The site admin's Django admin has hundreds of shapes: one URL of each reaches them all within the budget.
PER_SHAPE_OF_ROLE = {"admin": 1}
MAX_PAGES_PER_ROLE = 300
SKIP = re.compile(r"/logout/|^/static/|^/media/|/admin/jsi18n/|\.pdf$|/pdf/")
DEMO_PEOPLE = 200  # people.demo.MIN_PEOPLE, as conftest's seeded demo: the smallest demo that tells every story
MAP_COMMENT = re.compile(rb"[#@] sourceMappingURL=([^\s*]+)")


def log(message: str) -> None:
    print(f"prod-smoke: {message}", flush=True)


class Links(html.parser.HTMLParser):
    """Every same-site URL a page links to (a href, hx-get) and every static file it loads."""

    def __init__(self) -> None:
        super().__init__()
        self.pages: list[str] = []
        self.fragments: list[str] = []
        self.assets: list[str] = []
        self.csrf = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.pages.append(a["href"])
        if a.get("hx-get"):
            self.fragments.append(a["hx-get"])
        if tag in ("script", "img") and a.get("src"):
            self.assets.append(a["src"])
        if tag == "link" and a.get("href"):
            self.assets.append(a["href"])
        if tag == "input" and a.get("name") == "csrfmiddlewaretoken":
            self.csrf = a.get("value", "")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def throwaway_database(url: str) -> Iterator[str]:
    parts = urlsplit(url)
    name = f"ci_prod_smoke_{os.getpid()}_{secrets.token_hex(3)}"
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def manage(env: dict[str, str], *args: str, timeout: int = 600) -> None:
    started = time.monotonic()
    result = subprocess.run([PY, "manage.py", *args], cwd=BASE_DIR, env=env, timeout=timeout, check=False)  # noqa: S603
    if result.returncode:
        sys.exit(f"prod-smoke: manage.py {' '.join(args)} failed ({result.returncode})")
    log(f"manage.py {args[0]} done in {time.monotonic() - started:.0f} s")


class Crawler:
    """One signed-in browser-less visitor of one gunicorn."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = requests.Session()
        self.session.trust_env = False
        # Our own jar: the Secure `__Host-` cookies must go back over loopback HTTP (the pretend proxy
        # terminated TLS), which a browser-like jar refuses.
        self.cookies: dict[str, str] = {}
        self.session.headers.update({"X-Forwarded-Proto": "https", "Accept-Language": "en"})
        self.origin = "https://" + urlsplit(base).netloc

    def request(self, method: str, path: str, headers: dict[str, str], **kwargs: object) -> requests.Response:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = self.session.request(
            method,
            self.base + path,
            headers={**headers, **({"Cookie": cookie} if cookie else {})},
            allow_redirects=False,
            timeout=60,
            **kwargs,  # type: ignore[arg-type]
        )
        for header in response.raw.headers.getlist("Set-Cookie"):
            for name, morsel in http.cookies.SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response

    def get(self, path: str, **headers: str) -> requests.Response:
        return self.request("GET", path, headers)

    def sign_in(self, email: str) -> None:
        page = self.get("/accounts/login/")
        form = Links()
        form.feed(page.text)
        response = self.request(
            "POST",
            "/accounts/login/",
            {"Referer": self.origin + "/accounts/login/", "Origin": self.origin},
            data={"username": email, "password": PASSWORD, "csrfmiddlewaretoken": form.csrf},
        )
        if response.status_code != 302 or "/accounts/login" in response.headers.get("Location", ""):
            sys.exit(f"prod-smoke: {email} could not sign in ({response.status_code})")

    def local(self, current: str, href: str) -> str | None:
        """The site path (with query) of a link, or None for other sites, mailto: and the like."""
        url = urldefrag(urljoin(self.origin + current, href)).url
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.netloc != urlsplit(self.origin).netloc:
            return None
        return parts.path + (f"?{parts.query}" if parts.query else "")


def shape(path: str) -> str:
    """/programmes/12/sessions/7/?page=2 -> /programmes/N/sessions/N/?page

    The admin's sort and filter links (thousands of combinations of one changelist) count as that changelist.
    """
    parts = urlsplit(path)
    query = "" if parts.path.startswith("/admin/") else parts.query
    keys = sorted(k.split("=")[0] for k in query.split("&") if k)
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


def crawl(base: str, role: str, failures: list[str], assets: set[str]) -> int:
    crawler = Crawler(base)
    crawler.sign_in(f"{role}@demo.example")
    queue = collections.deque([("/", False)])
    seen = {"/"}
    shapes: collections.Counter[str] = collections.Counter()
    visited = 0
    client_errors: collections.Counter[int] = collections.Counter()
    while queue and visited < MAX_PAGES_PER_ROLE:
        path, fragment = queue.popleft()
        response = crawler.get(path, **({"HX-Request": "true"} if fragment else {}))
        visited += 1
        if 400 <= response.status_code < 500:
            client_errors[response.status_code] += 1
        if response.status_code >= 500:
            failures.append(f"{role}: GET {path} -> {response.status_code}")
            continue
        if response.is_redirect:
            targets = [(response.headers.get("Location", ""), False)]
        elif "text/html" in response.headers.get("Content-Type", ""):
            links = Links()
            links.feed(response.text)
            targets = [(href, False) for href in links.pages] + [(href, True) for href in links.fragments]
            assets.update(filter(None, (crawler.local(path, a) for a in links.assets)))
        else:
            continue
        for href, is_fragment in targets:
            target = crawler.local(path, href)
            if not target or target in seen or SKIP.search(urlsplit(target).path):
                continue
            seen.add(target)
            if shapes[shape(target)] < PER_SHAPE_OF_ROLE.get(role, PER_SHAPE):
                shapes[shape(target)] += 1
                queue.append((target, is_fragment))
    log(f"{role}: {visited} pages, {len(shapes)} shapes, {len(queue)} left unvisited, 4xx: {dict(client_errors)}")
    return visited


def check_assets(base: str, assets: set[str], failures: list[str]) -> None:
    """Every static file is served, and so is every source map one of them names."""
    crawler = Crawler(base)
    pending, done = sorted(a for a in assets if a.startswith("/static/")), set()
    while pending:
        path = pending.pop()
        if path in done:
            continue
        done.add(path)
        response = crawler.get(path)
        if response.status_code != 200:
            failures.append(f"static: GET {path} -> {response.status_code}")
            continue
        if path.endswith((".js", ".css")):
            for name in MAP_COMMENT.findall(response.content[-2000:]):
                pending.append(urljoin(path, name.decode()))
    log(f"{len(done)} static files and source maps served")


def wait_until_up(base: str, server: subprocess.Popen[bytes]) -> requests.Response:
    for _ in range(120):
        if server.poll() is not None:
            sys.exit("prod-smoke: gunicorn exited")
        try:
            return requests.get(base + "/health/", headers={"X-Forwarded-Proto": "https"}, timeout=20)
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.5)
    sys.exit("prod-smoke: gunicorn did not answer in 60 s")


def main() -> None:
    started = time.monotonic()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        sys.exit("prod-smoke: DATABASE_URL must point at PostgreSQL")
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))}
    with throwaway_database(database_url) as url, tempfile.TemporaryDirectory(prefix="prod-smoke-") as tmp:
        dev = {**base_env, "DATABASE_URL": url, "DJANGO_DEBUG": "1", "LOG_LEVEL": "WARNING"}
        manage(dev, "migrate", "--noinput", "--verbosity", "0")
        manage(dev, "seed_demo", "--people", str(DEMO_PEOPLE))  # every story, at the size the demo tests use
        prod = {
            **base_env,
            "DATABASE_URL": url,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_STATIC_ROOT": str(Path(tmp) / "static"),
            "CELERY_LOCAL_DIR": str(Path(tmp) / "celery"),
            "LOG_LEVEL": "WARNING",
        }
        manage(prod, "collectstatic", "--noinput", "--verbosity", "0")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        gunicorn = [str(BASE_DIR / ".venv" / "bin" / "gunicorn"), "mentoring.wsgi", "--workers", "2"]
        server = subprocess.Popen(  # noqa: S603
            [*gunicorn, "--bind", f"127.0.0.1:{port}", "--timeout", "60", "--log-level", "warning"],
            cwd=BASE_DIR,
            env=prod,
        )
        try:
            health = wait_until_up(base, server)
            log(f"/health/ {health.status_code} {health.text.strip()}")
            failures: list[str] = [] if health.status_code == 200 else [f"/health/ -> {health.status_code}"]
            assets: set[str] = set()
            with concurrent.futures.ThreadPoolExecutor(max_workers=len(ROLES)) as pool:
                pages = sum(pool.map(lambda role: crawl(base, role, failures, assets), ROLES))
            check_assets(base, assets, failures)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    log(f"{pages} pages in {time.monotonic() - started:.0f} s")
    if failures:
        print("\n".join(failures), file=sys.stderr)
        sys.exit(f"prod-smoke: {len(failures)} failures")
    log("ok: 0 server errors")


if __name__ == "__main__":
    main()
