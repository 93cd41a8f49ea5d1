"""Production settings, checked as production would load them: in a fresh process with DEBUG off.

The test process itself runs mentoring.settings_test with DEBUG on, so these tests start a subprocess
with the environment a deployment sets and look at what Django says and sends.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
HOST = "mentoring.example.com"


def _production_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AXES_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="mentoring.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),  # well over 50 characters, many distinct
        DJANGO_ALLOWED_HOSTS=HOST,
        DATABASE_URL="sqlite:///:memory:",
        LOG_LEVEL="WARNING",
    )
    env.pop("REDIS_URL", None)
    return env


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py, fixed arguments
        [sys.executable, *args], cwd=BASE_DIR, env=_production_env(), capture_output=True, text=True, timeout=120
    )


@pytest.mark.slow
def test_check_deploy_passes_at_warning_level_with_debug_off() -> None:
    result = _run("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output
    assert "System check identified no issues" in output


@pytest.mark.slow
def test_production_settings_refuse_to_start_without_a_secret_key() -> None:
    env = _production_env()
    env.pop("DJANGO_SECRET_KEY")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


# Requests a production process answers: HTTP redirects to HTTPS, HSTS, __Host- cookies marked Secure.
_PROBE = """
import json
import django
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings

# No collectstatic in a test run: serve static names unhashed, everything else as in production.
with override_settings(STORAGES={"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}):
    client = Client(HTTP_HOST="%(host)s")
    plain = client.get("/accounts/login/")
    proxied = client.get("/accounts/login/", headers={"X-Forwarded-Proto": "https"})
    https = {"X-Forwarded-Proto": "https"}
    language = client.post("/accounts/language/", {"language": "id", "next": "/"}, headers=https)
    cookies = {}
    for response in (proxied, language):
        for name, morsel in response.cookies.items():
            cookies[name] = {"secure": bool(morsel["secure"]), "path": morsel["path"]}
    print(json.dumps({
        "plain_status": plain.status_code,
        "plain_location": plain.get("Location", ""),
        "proxied_status": proxied.status_code,
        "hsts": proxied.get("Strict-Transport-Security", ""),
        "csp": proxied.get("Content-Security-Policy", ""),
        "cookies": cookies,
        "session_cookie": [
            settings.SESSION_COOKIE_NAME, settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY
        ],
        "debug": settings.DEBUG,
    }))
"""


@pytest.fixture(scope="module")
def production_probe() -> dict[str, object]:
    result = _run("-c", _PROBE % {"host": HOST})
    assert result.returncode == 0, result.stderr
    probe: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return probe


@pytest.mark.slow
def test_plain_http_is_redirected_to_https(production_probe: dict[str, object]) -> None:
    assert production_probe["plain_status"] == 301
    assert production_probe["plain_location"] == f"https://{HOST}/accounts/login/"


@pytest.mark.slow
def test_https_behind_the_proxy_is_served_with_hsts_and_a_csp(production_probe: dict[str, object]) -> None:
    assert production_probe["proxied_status"] == 200
    hsts = str(production_probe["hsts"])
    assert "max-age=31536000" in hsts
    assert "includeSubDomains" in hsts
    assert "script-src 'self'" in str(production_probe["csp"])
    assert "unsafe-inline" not in str(production_probe["csp"])


@pytest.mark.slow
def test_session_cookie_is_host_bound_secure_and_hidden_from_scripts(production_probe: dict[str, object]) -> None:
    assert production_probe["debug"] is False
    assert production_probe["session_cookie"] == ["__Host-sessionid", True, True]


@pytest.mark.slow
def test_cookies_are_host_bound_and_secure(production_probe: dict[str, object]) -> None:
    cookies = production_probe["cookies"]
    assert isinstance(cookies, dict)
    assert {"__Host-csrftoken", "__Host-language"} <= set(cookies), cookies
    for name, attributes in cookies.items():
        assert name.startswith("__Host-"), name
        assert attributes["secure"], name
        assert attributes["path"] == "/", name
